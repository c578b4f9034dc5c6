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

#include "audit/audit_log.hpp"
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

// The server's standard descriptors ARE three memfds for its whole life (it has no output of its
// own once listening): stdin holds the current request's input, stdout/stderr collect what the
// command writes (O_APPEND, emptied after each request). Swapping descriptors per request cost
// more system calls than the evaluation itself on a virtual machine.
struct Stdio {
  bool ok = false;
  static Stdio& get() {
    static Stdio s = [] {
      Stdio x;
      x.ok = true;
      const char* names[] = {"blastwall-in", "blastwall-out", "blastwall-err"};
      for (int i = 0; i < 3; ++i) {
        int fd = ::memfd_create(names[i], 0);
        if (fd < 0 || ::dup2(fd, i) < 0) x.ok = false;
        if (fd > 2) ::close(fd);
      }
      x.ok = x.ok && ::fcntl(1, F_SETFL, O_APPEND) == 0 && ::fcntl(2, F_SETFL, O_APPEND) == 0;
      return x;
    }();
    return s;
  }
};

// Everything the process swaps for one request, restored by the destructor whatever happens.
class RequestScope {
 public:
  RequestScope(std::vector<char*>& env, mode_t mask, const resident::Request& r)
      : m_ok(Stdio::get().ok) {
    m_saved_env = environ;
    environ = env.data();
    if (mask != s_mask) m_saved_mask = ::umask(mask);
    resident::begin(r);
  }
  bool attach(const char* in, size_t n) {
    if (!m_ok) return false;
    if (s_in_size != 0 && ::ftruncate(0, 0) != 0) return false;
    s_in_size = n;
    if (n > 0 && ::pwrite(0, in, n, 0) != static_cast<ssize_t>(n)) return false;
    if (::lseek(0, 0, SEEK_SET) != 0) return false;
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
    out = take(1);
    err = take(2);
    m_collected = true;
  }
  ~RequestScope() {
    std::fflush(stdout);
    std::fflush(stderr);
    if (!m_collected) {  // a request that failed before collect() leaves nothing behind
      (void)take(1);
      (void)take(2);
    }
    __fpurge(stdin);
    std::clearerr(stdin);
    std::cin.clear();
    environ = m_saved_env;
    if (m_saved_mask >= 0) ::umask(static_cast<mode_t>(m_saved_mask));
    resident::end();
  }
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;

  static void set_initial_mask(mode_t m) { s_mask = m; }

 private:
  // The content of stdout/stderr so far, and empties it.
  static std::string take(int fd) {
    std::string s;
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_size <= 0) return s;
    s.resize(static_cast<size_t>(st.st_size));
    ssize_t n = ::pread(fd, s.data(), s.size(), 0);
    s.resize(n > 0 ? static_cast<size_t>(n) : 0);
    if (::ftruncate(fd, 0) != 0) s.clear();
    return s;
  }

  bool m_ok;
  bool m_collected = false;
  char** m_saved_env = nullptr;
  int m_saved_mask = -1;
  static inline mode_t s_mask = 022;  // the server's own umask (requests swap theirs in)
  static inline size_t s_in_size = 0;
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
  // Always by path: the same path may name a new directory since the last request. The server
  // goes back to "/" when idle, so it does not keep a directory busy.
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
  static const uid_t self = ::getuid();
  return ::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == self;
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
  RequestScope::set_initial_mask(old);
  if (listener.fd < 0 || bound != 0 || ::listen(listener.fd, 128) != 0) {
    std::fprintf(stderr, "blastwall serve: cannot listen on %s: %s\n", sock.c_str(),
                 std::strerror(errno));
    return k_exit_internal;
  }
  ::chmod(sock.c_str(), 0600);
  // ship.yaml `continuous: true`: a detached `audit ship --follow` tails the default audit log for
  // as long as this server lives (docs/TEAMS.md). Its own process: nothing on the request path.
  start_continuous_shipping(audit::default_audit_path(), "blastwall serve");
  struct stat sock_st {};
  ::stat(sock.c_str(), &sock_st);

  using clock = std::chrono::steady_clock;
  auto last = clock::now();
  auto last_tick = last;
  for (;;) {
    // The watch on what later calls remember (cli/path_watch.hpp) is polled with the listener:
    // a change made before a client connected is already pending when the poll reports the
    // client, so the request learns "nothing changed" from this poll, without a call of its own.
    pollfd p[2] = {{listener.fd, POLLIN, 0}, {resident::watch_fd(), POLLIN, 0}};
    int r = ::poll(p, p[1].fd >= 0 ? 2 : 1, 5000);
    if (r < 0 && errno != EINTR) break;
    if (r >= 0) resident::watch_polled(p[1].fd >= 0 && (p[1].revents & POLLIN) != 0);
    const bool client_ready = r > 0 && p[0].revents != 0;
    // Only the watch woke us (drained above): the idle tick below still runs every 5 s.
    if (!client_ready && r > 0 && clock::now() - last_tick < std::chrono::seconds(5)) continue;
    if (!client_ready) {
      last_tick = clock::now();
      // Idle tick: leave when idle too long, when our socket was removed or replaced, or when
      // this binary was rebuilt (the next front call starts the new one).
      struct stat now_sock {
      }, now_exe{};
      bool idle = clock::now() - last > std::chrono::seconds(o.idle_timeout_s);
      bool sock_gone = ::stat(sock.c_str(), &now_sock) != 0 || now_sock.st_ino != sock_st.st_ino;
      bool exe_changed = ::stat(self_path, &now_exe) != 0 || !(identity_of(now_exe) == self);
      if (idle || sock_gone || exe_changed) break;
      resident::after_request(true);
      if (::chdir("/") != 0) break;
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
  cmd->add_option("--socket", o->socket, "Unix socket path (default: the private runtime dir)")
      ->type_name("FILE");
  cmd->add_option("--idle-timeout", o->idle_timeout_s,
                  "Exit after this many seconds without a request (default 900, "
                  "$BLASTWALL_DAEMON_IDLE)");
  cmd->callback([o, &g] { g.exit_code = run_serve(*o); });
}

}  // namespace blastwall::cli
