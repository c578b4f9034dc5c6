// `blastwall-core serve`: the resident engine. Agents call blastwall on every tool use; starting a
// process that maps a dozen shared libraries and builds 118 rules costs far more than the
// evaluation itself. The `blastwall` front (cli/front/front.cpp) connects here instead and this
// process runs the command in-process, with the request's cwd, environment, umask and stdin, and
// returns its exit code, stdout and stderr. Engines and audit connections stay warm
// (cli/resident.hpp). See docs/ARCHITECTURE.md "Resident engine" for the protocol and the rules.
//
// Safety: one request at a time (no threads, so the process-wide swaps are safe); only the same
// user may connect (private 0700 directory, 0600 socket, SO_PEERCRED); a request for another build
// of blastwall-core, or one whose cwd cannot be entered, is answered "fall back" and the front
// runs the command itself; a stale server exits. The server never decides anything the in-process
// command would not: it runs the very same code.
#include <fcntl.h>
#include <poll.h>
#include <stdio_ext.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/front/protocol.hpp"
#include "cli/front/socket_path.hpp"
#include "cli/resident.hpp"

extern char** environ;

namespace blastwall::cli {

namespace {

using namespace blastwall::front;

struct ServeOpts {
  std::string socket;
  int idle_timeout_s = 900;
};

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool read_exact(int fd, char* p, size_t n) { return transfer(fd, p, n, 'r'); }

bool send_all(int fd, std::string s) { return transfer(fd, s.data(), s.size(), 's'); }

void put_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }

std::string response(uint32_t status, int32_t code, const std::string& out,
                     const std::string& err) {
  std::string r;
  r.reserve(16 + out.size() + err.size());
  put_u32(r, status);
  put_u32(r, static_cast<uint32_t>(code));
  put_u32(r, static_cast<uint32_t>(out.size()));
  r += out;
  put_u32(r, static_cast<uint32_t>(err.size()));
  r += err;
  return r;
}

Identity identity_of(const struct stat& st) {
  return Identity{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
                  static_cast<uint64_t>(st.st_size), static_cast<uint64_t>(st.st_mtim.tv_sec),
                  static_cast<uint64_t>(st.st_mtim.tv_nsec)};
}

std::string read_memfd(int fd) {
  std::string s;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || st.st_size <= 0) return s;
  s.resize(static_cast<size_t>(st.st_size));
  ssize_t n = ::pread(fd, s.data(), s.size(), 0);
  s.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return s;
}

// Descriptors the server keeps for its whole life: the standard descriptors it started with and
// three memfds that stand in for a request's stdin, stdout and stderr (truncated per request:
// creating and closing files per request costs more than the evaluation).
struct Stdio {
  int saved[3] = {-1, -1, -1};
  int mem[3] = {-1, -1, -1};
  [[nodiscard]] bool ok() const {
    for (int i = 0; i < 3; ++i) {
      if (saved[i] < 0 || mem[i] < 0) return false;
    }
    return true;
  }
  static Stdio& get() {
    static Stdio s = [] {
      Stdio x;
      const char* names[] = {"blastwall-in", "blastwall-out", "blastwall-err"};
      for (int i = 0; i < 3; ++i) {
        x.saved[i] = ::fcntl(i, F_DUPFD_CLOEXEC, 3);
        x.mem[i] = ::memfd_create(names[i], MFD_CLOEXEC);
      }
      return x;
    }();
    return s;
  }
};

// Everything the process swaps for one request, restored by the destructor whatever happens.
class RequestScope {
 public:
  RequestScope(std::vector<char*>& env, mode_t mask, const resident::Request& r)
      : m_io(Stdio::get()) {
    std::fflush(stdout);
    std::fflush(stderr);
    m_saved_env = environ;
    environ = env.data();
    m_saved_mask = ::umask(mask);
    resident::begin(r);
  }
  bool attach(const char* in, size_t n) {
    if (!m_io.ok()) return false;
    for (int fd : m_io.mem) {
      if (::ftruncate(fd, 0) != 0 || ::lseek(fd, 0, SEEK_SET) != 0) return false;
    }
    size_t off = 0;
    while (off < n) {
      ssize_t w = ::write(m_io.mem[0], in + off, n - off);
      if (w <= 0) return false;
      off += static_cast<size_t>(w);
    }
    if (::lseek(m_io.mem[0], 0, SEEK_SET) != 0) return false;
    for (int i = 0; i < 3; ++i) {
      if (::dup2(m_io.mem[i], i) < 0) return false;
    }
    m_attached = true;
    __fpurge(stdin);
    std::clearerr(stdin);
    std::cin.clear();
    return true;
  }
  void collect(std::string& out, std::string& err) {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(stdout);
    std::fflush(stderr);
    out = read_memfd(m_io.mem[1]);
    err = read_memfd(m_io.mem[2]);
  }
  ~RequestScope() {
    std::fflush(stdout);
    std::fflush(stderr);
    if (m_attached) {
      for (int i = 0; i < 3; ++i) ::dup2(m_io.saved[i], i);
    }
    __fpurge(stdin);
    std::clearerr(stdin);
    std::cin.clear();
    environ = m_saved_env;
    ::umask(m_saved_mask);
    if (::chdir("/") != 0) {
      // Nothing to do: the next request changes directory again, and "/" always exists.
    }
    resident::end();
  }
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

 private:
  Stdio& m_io;
  char** m_saved_env = nullptr;
  mode_t m_saved_mask = 077;
  bool m_attached = false;
};

enum class Outcome { answered, stale };

// Reads one request from `fd`, runs it, answers. `self` is this binary's identity at start-up.
Outcome serve_one(int fd, const Identity& self) {
  char header[12];
  if (!read_exact(fd, header, sizeof header)) return Outcome::answered;
  uint32_t magic = 0, version = 0, len = 0;
  std::memcpy(&magic, header, 4);
  std::memcpy(&version, header + 4, 4);
  std::memcpy(&len, header + 8, 4);
  auto fallback = [fd] { (void)send_all(fd, response(k_status_fallback, 0, {}, {})); };
  if (magic != k_magic || version != k_version || len > k_max_request) {
    fallback();
    return Outcome::answered;
  }
  std::string payload(len, '\0');
  if (!read_exact(fd, payload.data(), len)) return Outcome::answered;

  Reader r{payload.data(), payload.data() + payload.size()};
  Identity id;
  uint32_t flags = 0, mask = 0, argc = 0, envc = 0, n = 0;
  const char* s = nullptr;
  r.u64(id.dev);
  r.u64(id.ino);
  r.u64(id.size);
  r.u64(id.mtime_s);
  r.u64(id.mtime_ns);
  r.u32(flags);
  r.u32(mask);
  r.str(s, n);
  std::string cwd(s ? s : "", n);
  r.u32(argc);
  std::vector<std::string> args;
  for (uint32_t i = 0; r.ok && i < argc && i < 4096; ++i) {
    if (r.str(s, n)) args.emplace_back(s, n);
  }
  r.u32(envc);
  std::vector<std::string> env_strings;
  for (uint32_t i = 0; r.ok && i < envc && i < 65536; ++i) {
    if (r.str(s, n)) env_strings.emplace_back(s, n);
  }
  const char* in = nullptr;
  uint32_t in_n = 0;
  r.str(in, in_n);
  if (!r.ok || args.size() != argc || env_strings.size() != envc || args.empty()) {
    fallback();
    return Outcome::answered;
  }
  if (!(id == self)) {
    fallback();  // another build of blastwall-core: it must answer, and this server must go
    return Outcome::stale;
  }
  if (::chdir(cwd.c_str()) != 0) {
    fallback();
    return Outcome::answered;
  }

  std::vector<char*> envp;
  envp.reserve(env_strings.size() + 1);
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<const char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.c_str());
  argv.push_back(nullptr);

  resident::Request req;
  req.stdout_tty = (flags & k_flag_stdout_tty) != 0;
  req.stderr_tty = (flags & k_flag_stderr_tty) != 0;
  req.stdin_timed_out = (flags & k_flag_stdin_timeout) != 0;
  std::string out, err;
  int code = 0;
  {
    RequestScope scope(envp, static_cast<mode_t>(mask & 0777), req);
    if (!scope.attach(in, in_n)) {
      fallback();
      return Outcome::answered;
    }
    code = run_cli(static_cast<int>(argc), argv.data(), true);
    scope.collect(out, err);
  }
  (void)send_all(fd, response(k_status_ran, code, out, err));
  resident::after_request(false);
  return Outcome::answered;
}

bool same_user(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  return ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == ::getuid();
}

int run_serve(const ServeOpts& o) {
  ::signal(SIGPIPE, SIG_IGN);
  if (::chdir("/") != 0) return k_exit_internal;  // never pin the directory we were started in
  char self_path[4096];
  ssize_t n = ::readlink("/proc/self/exe", self_path, sizeof self_path - 1);
  if (n <= 0) {
    std::fprintf(stderr, "blastwall serve: cannot read /proc/self/exe\n");
    return k_exit_internal;
  }
  self_path[n] = '\0';
  struct stat st {};
  if (::stat("/proc/self/exe", &st) != 0) return k_exit_internal;
  const Identity self = identity_of(st);

  std::string sock = o.socket;
  if (sock.empty()) {
    char buf[128];
    if (!socket_path(self_path, buf, sizeof buf)) {
      std::fprintf(stderr,
                   "blastwall serve: no private runtime directory (see BLASTWALL_RUNTIME_DIR)\n");
      return k_exit_internal;
    }
    sock = buf;
  }
  if (sock.size() >= sizeof(sockaddr_un::sun_path)) {
    std::fprintf(stderr, "blastwall serve: socket path too long: %s\n", sock.c_str());
    return k_exit_bad_input;
  }
  // One server per socket: the lock is held for the server's lifetime.
  Fd lock(::open((sock + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (lock.fd < 0 || ::flock(lock.fd, LOCK_EX | LOCK_NB) != 0) return 0;

  ::unlink(sock.c_str());
  Fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", sock.c_str());
  mode_t old = ::umask(077);
  int bound = ::bind(listener.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::umask(old);
  if (listener.fd < 0 || bound != 0 || ::listen(listener.fd, 128) != 0) {
    std::fprintf(stderr, "blastwall serve: cannot listen on %s: %s\n", sock.c_str(),
                 std::strerror(errno));
    return k_exit_internal;
  }
  ::chmod(sock.c_str(), 0600);
  struct stat sock_st {};
  ::stat(sock.c_str(), &sock_st);

  using clock = std::chrono::steady_clock;
  auto last = clock::now();
  for (;;) {
    pollfd p{listener.fd, POLLIN, 0};
    int r = ::poll(&p, 1, 5000);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) {
      // Idle tick: leave when idle too long, when our socket was removed or replaced, or when
      // this binary was rebuilt (the next front call starts the new one).
      struct stat now_sock {
      }, now_exe{};
      bool idle = clock::now() - last > std::chrono::seconds(o.idle_timeout_s);
      bool sock_gone = ::stat(sock.c_str(), &now_sock) != 0 || now_sock.st_ino != sock_st.st_ino;
      bool exe_changed = ::stat(self_path, &now_exe) != 0 || !(identity_of(now_exe) == self);
      if (idle || sock_gone || exe_changed) break;
      resident::after_request(true);
      continue;
    }
    Fd client(::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC));
    if (client.fd < 0) continue;
    last = clock::now();
    if (!same_user(client.fd)) continue;
    timeval tv{2, 0};  // a client that stalls mid-request cannot hold the server
    ::setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(client.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (serve_one(client.fd, self) == Outcome::stale) break;
  }
  struct stat now_sock {};
  if (::stat(sock.c_str(), &now_sock) == 0 && now_sock.st_ino == sock_st.st_ino) {
    ::unlink(sock.c_str());
  }
  resident::clear();
  return 0;
}

}  // namespace

void register_serve(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<ServeOpts>();
  if (const char* idle = std::getenv("BLASTWALL_DAEMON_IDLE"); idle && *idle) {
    o->idle_timeout_s = std::atoi(idle);
  }
  auto* cmd = app.add_subcommand(
      "serve",
      "Run the resident engine that `blastwall check` and `blastwall hook` use (started "
      "automatically; see README)");
  cmd->add_option("--socket", o->socket, "Unix socket path (default: the private runtime dir)");
  cmd->add_option("--idle-timeout", o->idle_timeout_s,
                  "Exit after this many seconds without a request (default 900, "
                  "$BLASTWALL_DAEMON_IDLE)");
  cmd->callback([o, &g] { g.exit_code = run_serve(*o); });
}

}  // namespace blastwall::cli
