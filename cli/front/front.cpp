// `blastwall`: the front every agent hook and `check` call starts. It is a small static binary
// (no shared libraries to map, no static constructors) that hands the command to the resident
// engine (`blastwall-core serve`, cli/serve.cpp) over a unix socket and prints its answer. Anything
// else, and every case where the resident engine cannot answer, runs `blastwall-core` in this
// process with execv — the same command, the same stdin, the same answer, only slower.
//
// Fail-closed rules: the front never decides anything itself. When the resident engine is missing,
// stale, unreachable or too slow, the command runs in-process; only if blastwall-core itself cannot
// be started does the front exit on its own, with 2 (the code every hook host reads as "block") for
// `hook` and 4 (internal error) otherwise. See docs/ARCHITECTURE.md "Resident engine".
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "cli/front/protocol.hpp"
#include "cli/front/socket_path.hpp"

extern char** environ;

namespace {

using namespace blastwall::front;

constexpr size_t k_hook_stdin_cap = (4u << 20) + 1;    // envelope cap + 1 (the core rejects it)
constexpr size_t k_check_stdin_cap = (16u << 20) + 1;  // action JSON cap + 1
constexpr int k_default_budget_ms = 8000;

// A growable byte buffer (malloc-based: the front links no C++ runtime beyond what it needs).
struct Buf {
  char* data = nullptr;
  size_t size = 0;
  size_t cap = 0;
  bool reserve(size_t n) {
    if (n <= cap) return true;
    size_t c = cap ? cap : 4096;
    while (c < n) c *= 2;
    void* p = std::realloc(data, c);
    if (!p) return false;
    data = static_cast<char*>(p);
    cap = c;
    return true;
  }
  bool append(const void* p, size_t n) {
    if (!reserve(size + n)) return false;
    if (n) std::memcpy(data + size, p, n);
    size += n;
    return true;
  }
  bool u32(uint32_t v) { return append(&v, 4); }
  bool u64(uint64_t v) { return append(&v, 8); }
  bool str(const char* s, size_t n) { return u32(static_cast<uint32_t>(n)) && append(s, n); }
  bool cstr(const char* s) { return str(s, std::strlen(s)); }
};

int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

bool write_all(int fd, const char* p, size_t n) {
  return transfer(fd, const_cast<char*>(p), n, 'w');
}

// blastwall-core: $BLASTWALL_CORE, else next to this binary, else ../libexec/blastwall/. `st`
// receives its identity (the resident engine must be built from the very same file).
bool find_core(char* out, size_t cap, struct stat& st) {
  auto usable = [&st](const char* path) {
    return ::stat(path, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
  };
  if (const char* e = std::getenv("BLASTWALL_CORE"); e && *e) {
    return std::snprintf(out, cap, "%s", e) < static_cast<int>(cap) && usable(out);
  }
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return false;
  self[n] = '\0';
  char* slash = std::strrchr(self, '/');
  if (!slash) return false;
  *slash = '\0';
  const char* candidates[] = {"%s/blastwall-core", "%s/../libexec/blastwall/blastwall-core"};
  for (const char* fmt : candidates) {
    if (std::snprintf(out, cap, fmt, self) >= static_cast<int>(cap)) continue;
    if (usable(out)) return true;
  }
  return false;
}

// BLASTWALL_FRONT_TRACE=FILE appends one line per call saying how it was answered ("served", or
// "exec <reason>"): for tests and for diagnosing a resident engine that never seems to answer.
void trace(const char* what) {
  const char* path = std::getenv("BLASTWALL_FRONT_TRACE");
  if (!path || !*path) return;
  int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return;
  char line[128];
  int n = std::snprintf(line, sizeof line, "%s\n", what);
  if (n > 0) (void)write_all(fd, line, static_cast<size_t>(n));
  ::close(fd);
}

[[noreturn]] void die(bool hook, const char* what) {
  std::fprintf(stderr, "blastwall: %s%s\n", what, hook ? "; blocking" : "");
  std::exit(hook ? 2 : 4);
}

// Runs the command in this process: execv blastwall-core with the same argv. When stdin was already
// read, the core gets those bytes from a memfd instead.
[[noreturn]] void exec_core(const char* core, char** argv, const Buf* consumed_stdin, bool hook,
                            const char* why) {
  trace(why);
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0) {
    self[n] = '\0';
    ::setenv("BLASTWALL_FRONT", self, 1);  // `install` writes this path into agents' settings
  }
  if (consumed_stdin) {
    int fd = ::memfd_create("blastwall-stdin", 0);
    if (fd < 0 || !write_all(fd, consumed_stdin->data, consumed_stdin->size) ||
        ::lseek(fd, 0, SEEK_SET) != 0 || ::dup2(fd, STDIN_FILENO) < 0) {
      die(hook, "cannot hand the input to blastwall-core");
    }
    ::close(fd);
  }
  ::execv(core, argv);
  char msg[PATH_MAX + 64];
  std::snprintf(msg, sizeof msg, "cannot run %s: %s", core, std::strerror(errno));
  die(hook, msg);
}

// Starts the resident engine for next time, detached (own session, stdio on /dev/null, no
// inherited descriptors). Its lock file makes concurrent starts harmless.
void spawn_server(const char* core, const char* sock) {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t fa;
  if (posix_spawnattr_init(&attr) != 0) return;
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  char serve[] = "serve";
  char opt[] = "--socket";
  char* args[] = {const_cast<char*>(core), serve, opt, const_cast<char*>(sock), nullptr};
  pid_t pid = 0;
  (void)posix_spawn(&pid, core, &fa, &attr, args, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
}

int connect_to(const char* sock) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  size_t n = std::strlen(sock);
  if (n >= sizeof addr.sun_path) {
    ::close(fd);
    return -1;
  }
  std::memcpy(addr.sun_path, sock, n + 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Reads stdin into `out` up to `cap` bytes or EOF. With deadline_ms >= 0, stops at that time and
// returns false (the host never closed our input).
bool read_stdin(Buf& out, size_t cap, int64_t deadline_ms) {
  char chunk[65536];
  while (out.size < cap) {
    if (deadline_ms >= 0) {
      int64_t left = deadline_ms - now_ms();
      if (left <= 0) return false;
      pollfd p{STDIN_FILENO, POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(left));
      if (r < 0 && errno == EINTR) continue;
      if (r == 0) return false;
      if (r < 0) break;
    }
    size_t want = cap - out.size < sizeof chunk ? cap - out.size : sizeof chunk;
    ssize_t n = ::read(STDIN_FILENO, chunk, want);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF, or no usable stdin: the core sees the same empty input
    if (!out.append(chunk, static_cast<size_t>(n))) return true;
  }
  return true;
}

// What the command line asks for, as far as the front needs to know.
struct Parsed {
  const char* sub = nullptr;  // first non-option word
  bool action_stdin = false;  // check --action - (reads stdin)
  int budget_ms = k_default_budget_ms;
};

Parsed parse(int argc, char** argv) {
  Parsed p;
  int i = 1;
  for (; i < argc; ++i) {
    const char* a = argv[i];
    if (!std::strcmp(a, "--audit-db") || !std::strcmp(a, "--policy")) {
      ++i;
      continue;
    }
    if (!std::strncmp(a, "--audit-db=", 11) || !std::strncmp(a, "--policy=", 9) ||
        !std::strcmp(a, "--no-color")) {
      continue;
    }
    if (a[0] == '-') return p;  // --help, --version, unknown: the core answers
    p.sub = a;
    break;
  }
  for (++i; i < argc; ++i) {
    const char* a = argv[i];
    if (!std::strcmp(a, "--action") && i + 1 < argc && !std::strcmp(argv[i + 1], "-")) {
      p.action_stdin = true;
    } else if (!std::strcmp(a, "--action=-")) {
      p.action_stdin = true;
    } else if (!std::strcmp(a, "--budget-ms") && i + 1 < argc) {
      p.budget_ms = std::atoi(argv[i + 1]);
    } else if (!std::strncmp(a, "--budget-ms=", 12)) {
      p.budget_ms = std::atoi(a + 12);
    }
  }
  if (p.budget_ms <= 0) p.budget_ms = k_default_budget_ms;
  return p;
}

bool daemon_disabled() {
  const char* v = std::getenv("BLASTWALL_DAEMON");
  return v && (!std::strcmp(v, "0") || !std::strcmp(v, "off") || !std::strcmp(v, "no"));
}

// Whether `r` holds a whole response: status, code, stdout, stderr.
bool complete(const Buf& r) {
  Reader rd{r.data, r.data + r.size};
  uint32_t status = 0, code = 0, n = 0;
  const char* p = nullptr;
  return rd.u32(status) && rd.u32(code) && rd.str(p, n) && rd.str(p, n);
}

// Sends the request and reads the whole response.
bool exchange(int fd, const Buf& req, Buf& resp, int64_t deadline_ms) {
  if (!transfer(fd, req.data, req.size, 's')) return false;
  char chunk[65536];
  for (;;) {
    int64_t left = deadline_ms - now_ms();
    if (left <= 0) return false;
    pollfd pf{fd, POLLIN, 0};
    int r = ::poll(&pf, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    ssize_t got = ::read(fd, chunk, sizeof chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return false;
    if (got == 0) return true;
    if (resp.size + static_cast<size_t>(got) > k_max_request ||
        !resp.append(chunk, static_cast<size_t>(got))) {
      return false;
    }
    if (complete(resp)) return true;  // no need to wait for the server's close
  }
}

}  // namespace

int main(int argc, char** argv) {
  Parsed cmd = parse(argc, argv);
  bool hook = cmd.sub && !std::strcmp(cmd.sub, "hook");
  bool check = cmd.sub && !std::strcmp(cmd.sub, "check");
  char core[PATH_MAX];
  struct stat st {};
  if (!find_core(core, sizeof core, st)) {
    die(hook, "cannot find blastwall-core next to this binary (set BLASTWALL_CORE)");
  }
  if (!(hook || check)) exec_core(core, argv, nullptr, hook, "exec not-served");
  if (daemon_disabled()) exec_core(core, argv, nullptr, hook, "exec disabled");

  char sock[128];
  if (!socket_path(core, sock, sizeof sock)) {
    exec_core(core, argv, nullptr, hook, "exec no-runtime-dir");
  }
  int fd = connect_to(sock);
  if (fd < 0) {
    spawn_server(core, sock);
    exec_core(core, argv, nullptr, hook, "exec no-server");
  }

  int64_t start = now_ms();
  uint32_t flags = 0;
  Buf in;
  if (hook) {
    if (!read_stdin(in, k_hook_stdin_cap, start + cmd.budget_ms)) flags |= k_flag_stdin_timeout;
  } else if (cmd.action_stdin) {
    (void)read_stdin(in, k_check_stdin_cap, -1);
  }
  if (::isatty(STDOUT_FILENO)) flags |= k_flag_stdout_tty;
  if (::isatty(STDERR_FILENO)) flags |= k_flag_stderr_tty;
  mode_t mask = ::umask(0);
  ::umask(mask);
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd))
    exec_core(core, argv, hook || cmd.action_stdin ? &in : nullptr, hook, "exec no-cwd");

  Buf req;
  bool ok = req.u32(k_magic) && req.u32(k_version) && req.u32(0);
  ok = ok && req.u64(st.st_dev) && req.u64(st.st_ino) &&
       req.u64(static_cast<uint64_t>(st.st_size)) &&
       req.u64(static_cast<uint64_t>(st.st_mtim.tv_sec)) &&
       req.u64(static_cast<uint64_t>(st.st_mtim.tv_nsec));
  ok = ok && req.u32(flags) && req.u32(mask) && req.cstr(cwd) &&
       req.u32(static_cast<uint32_t>(argc));
  for (int i = 0; ok && i < argc; ++i) ok = req.cstr(argv[i]);
  uint32_t envc = 0;
  for (char** e = environ; *e; ++e) ++envc;
  ok = ok && req.u32(envc);
  for (char** e = environ; ok && *e; ++e) ok = req.cstr(*e);
  ok = ok && req.str(in.data ? in.data : "", in.size);
  if (ok) {
    uint32_t payload = static_cast<uint32_t>(req.size - 12);
    std::memcpy(req.data + 8, &payload, 4);
  }

  // The server answers in well under a millisecond; these bounds only catch a wedged server.
  int64_t deadline =
      now_ms() + (hook ? (cmd.budget_ms / 2 > 500 ? cmd.budget_ms / 2 : 500) : 30000);
  Buf resp;
  const Buf* consumed = (hook || cmd.action_stdin) ? &in : nullptr;
  if (!ok || !exchange(fd, req, resp, deadline)) {
    exec_core(core, argv, consumed, hook, "exec no-answer");
  }
  Reader r{resp.data, resp.data + resp.size};
  uint32_t status = 0, code = 0;
  const char *out = nullptr, *err = nullptr;
  uint32_t out_n = 0, err_n = 0;
  if (!r.u32(status) || !r.u32(code) || !r.str(out, out_n) || !r.str(err, err_n) ||
      status != k_status_ran) {
    exec_core(core, argv, consumed, hook, "exec fallback");
  }
  trace("served");
  (void)write_all(STDOUT_FILENO, out, out_n);
  (void)write_all(STDERR_FILENO, err, err_n);
  return static_cast<int>(static_cast<int32_t>(code));
}
