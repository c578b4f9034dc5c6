#include "proxy/relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "proxy/child.hpp"

namespace blastwall::proxy {
namespace {

int g_signal_pipe[2] = {-1, -1};

extern "C" void on_signal(int sig) {
  const int saved = errno;
  const unsigned char b = static_cast<unsigned char>(sig);
  ssize_t ignored = ::write(g_signal_pipe[1], &b, 1);
  (void)ignored;
  errno = saved;
}

constexpr std::size_t k_read_chunk = 1 << 18;
// A server line still incomplete after this many bytes is streamed to the client (when the session
// allows it) instead of being buffered whole.
constexpr std::size_t k_stream_threshold = 1 << 16;
// Backpressure: stop reading a side while the other side's queue holds this much. A few pipe
// buffers' worth keeps the pipe to the reader full without holding much memory.
constexpr std::size_t k_high_water = 1 << 18;

// Pipes and sockets get O_NONBLOCK; a terminal stays blocking and is written in small pieces.
bool make_nonblocking_if_pipe(int fd, int& saved_flags) {
  struct stat st {};
  saved_flags = ::fcntl(fd, F_GETFL);
  if (::fstat(fd, &st) != 0 || saved_flags < 0) return false;
  if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode)) return false;
  ::fcntl(fd, F_SETFL, saved_flags | O_NONBLOCK);
  return true;
}

// Writes what the fd accepts now. Returns false on a hard error (EPIPE...).
bool flush_some(int fd, std::string& buf, std::size_t& off, bool nonblocking) {
  while (off < buf.size()) {
    std::size_t want = buf.size() - off;
    if (!nonblocking) want = std::min<std::size_t>(want, PIPE_BUF);
    const ssize_t n = ::write(fd, buf.data() + off, want);
    if (n > 0) {
      off += static_cast<std::size_t>(n);
      if (!nonblocking) break;  // only one PIPE_BUF write is guaranteed not to block
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return false;
  }
  if (off == buf.size()) {
    buf.clear();
    off = 0;
  } else if (off >= (1u << 16) && off * 2 > buf.size()) {  // keep the queue's memory small
    buf.erase(0, off);
    off = 0;
  }
  return true;
}

// Sends a + b to fd now if nothing is queued for it, and queues whatever it does not take.
void write_or_queue(int fd, std::string& queue, std::size_t& off, std::string_view a,
                    std::string_view b) {
  if (off == queue.size()) {
    queue.clear();
    off = 0;
    if (fd >= 0) {
      iovec iov[2] = {{const_cast<char*>(a.data()), a.size()},
                      {const_cast<char*>(b.data()), b.size()}};
      ssize_t n;
      do {
        n = ::writev(fd, iov, b.empty() ? 1 : 2);
      } while (n < 0 && errno == EINTR);
      // On EAGAIN or an error everything is queued; the poll loop's flush reports hard errors.
      auto done = static_cast<std::size_t>(std::max<ssize_t>(n, 0));
      const std::size_t from_a = std::min(done, a.size());
      a.remove_prefix(from_a);
      b.remove_prefix(std::min(done - from_a, b.size()));
    }
  }
  queue.append(a);
  queue.append(b);
}

std::string basename_of(const std::string& p) {
  const auto slash = p.find_last_of('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

}  // namespace

void RelayWire::to_client(std::string_view line) {
  if (m_in_line) {
    m_held.append(line);
    m_held.push_back('\n');
    return;
  }
  write_or_queue(client_fd, client_out, client_off, line, "\n");
}

void RelayWire::to_client_partial(std::string_view bytes) {
  m_in_line = true;
  write_or_queue(client_fd, client_out, client_off, bytes, {});
}

void RelayWire::end_client_line() {
  m_in_line = false;
  write_or_queue(client_fd, client_out, client_off, "\n", m_held);
  m_held.clear();
}

void RelayWire::to_server(std::string_view line) {
  if (!server_in_open) return;
  write_or_queue(server_fd, server_out, server_off, line, "\n");
}

void RelayWire::log(std::string_view message) {
  std::string s = "blastwall mcp: ";
  s.append(message);
  s.push_back('\n');
  ssize_t ignored = ::write(STDERR_FILENO, s.data(), s.size());
  (void)ignored;
}

std::string default_server_name(const std::vector<std::string>& command) {
  if (command.empty()) return "server";
  static const char* k_launchers[] = {"node",    "npx", "bunx", "bun",  "deno",   "python",
                                      "python3", "uv",  "uvx",  "pipx", "docker", "sh",
                                      "bash",    "env", "pnpm", "yarn"};
  std::string prog = basename_of(command[0]);
  bool launcher = false;
  for (const char* l : k_launchers) launcher = launcher || prog == l;
  std::string name = prog;
  if (launcher) {
    for (std::size_t i = 1; i < command.size(); ++i) {
      const std::string& a = command[i];
      if (a.empty() || a[0] == '-' || a == "run" || a == "exec" || a == "dlx") continue;
      name = a;
      break;
    }
    // @scope/pkg@1.2.3 -> pkg; /path/to/dist/index.js -> the package directory name.
    if (!name.empty() && name[0] == '@') {
      const auto slash = name.find('/');
      if (slash != std::string::npos) name = name.substr(slash + 1);
    }
    if (const auto at = name.find('@'); at != std::string::npos && at > 0)
      name = name.substr(0, at);
    std::string base = basename_of(name);
    if ((base == "index.js" || base == "index.mjs" || base == "main.py" || base == "server.js") &&
        name.find('/') != std::string::npos) {
      std::string dir = name.substr(0, name.find_last_of('/'));
      if (basename_of(dir) == "dist" || basename_of(dir) == "build" || basename_of(dir) == "src") {
        dir = dir.substr(0, dir.find_last_of('/') == std::string::npos ? 0 : dir.find_last_of('/'));
      }
      base = basename_of(dir);
    }
    name = base;
  }
  if (const auto dot = name.find_last_of('.'); dot != std::string::npos && dot > 0) {
    name = name.substr(0, dot);
  }
  std::string clean;
  for (char c : name) {
    clean.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '_');
  }
  return clean.empty() ? "server" : clean;
}

int run_relay(const RelayOptions& options, Session& session, RelayWire& wire) {
  auto spawned = ChildProcess::spawn(options.command);
  if (!spawned) {
    wire.log(spawned.error().message);
    return 127;
  }
  ChildProcess child = std::move(*spawned);

  if (::pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    wire.log(std::string("pipe: ") + std::strerror(errno));
    child.shutdown(static_cast<int>(options.shutdown_grace.count()));
    return 127;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  struct sigaction old_int {
  }, old_term{}, old_hup{}, old_chld{}, old_pipe{};
  ::sigaction(SIGINT, &sa, &old_int);
  ::sigaction(SIGTERM, &sa, &old_term);
  ::sigaction(SIGHUP, &sa, &old_hup);
  ::sigaction(SIGCHLD, &sa, &old_chld);
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, &old_pipe);

  int in_flags = 0;
  int out_flags = 0;
  const bool in_nb = make_nonblocking_if_pipe(options.client_in_fd, in_flags);
  const bool out_nb = make_nonblocking_if_pipe(options.client_out_fd, out_flags);

  wire.client_fd = out_nb ? options.client_out_fd : -1;
  wire.server_fd = child.stdin_fd();
  auto now = Clock::now();  // of the current wake-up; the handlers read it

  // What the framers find goes to the session. Only server lines are ever streamed.
  struct ToSession : LineFramer::Handler {
    Session& s;
    const Clock::time_point& now;
    bool from_server;
    ToSession(Session& session, const Clock::time_point& t, bool server)
        : s(session), now(t), from_server(server) {}
    void on_line(std::string_view line) override {
      from_server ? s.on_server_line(line, now) : s.on_client_line(line, now);
    }
    void on_oversize(const OversizeLine& o) override {
      from_server ? s.on_server_oversize(o, now) : s.on_client_oversize(o, now);
    }
    bool on_stream_begin(std::string_view head) override {
      return from_server && s.begin_server_stream(head, now);
    }
    void on_stream_data(std::string_view bytes) override { s.server_stream_data(bytes); }
    void on_stream_end(bool complete) override { s.end_server_stream(complete, now); }
  };
  ToSession server_handler(session, now, true);
  ToSession client_handler(session, now, false);

  LineFramer from_client(options.frame_cap);
  LineFramer from_server(options.frame_cap);
  if (k_stream_threshold < options.frame_cap) from_server.set_stream_threshold(k_stream_threshold);
  std::string buf(k_read_chunk, '\0');
  bool client_in_open = true;
  bool client_out_ok = true;
  bool server_out_open = true;
  bool shutting_down = false;
  auto shutdown_deadline = Clock::time_point::max();
  int shutdown_stage = 0;  // 0 none, 1 stdin closed, 2 SIGTERM sent, 3 SIGKILL sent
  const std::size_t high_water = k_high_water;
  auto child_exit_seen = Clock::time_point::max();
  auto stdout_closed_at = Clock::time_point::max();

  auto begin_shutdown = [&](Clock::time_point now, const char* why) {
    if (shutting_down) return;
    shutting_down = true;
    wire.log(why);
    wire.server_in_open = false;
    wire.server_out.clear();
    wire.server_off = 0;
    wire.server_fd = -1;
    child.close_stdin();
    shutdown_stage = 1;
    shutdown_deadline = now + options.shutdown_grace;
  };

  // The server's output is gone: a line still streaming to the client is ended there.
  auto close_server_output = [&] {
    server_out_open = false;
    if (from_server.pending_bytes() > 0) {
      wire.log("server closed stdout in the middle of a line (" +
               std::to_string(from_server.pending_bytes()) + " bytes); " +
               (from_server.streaming() ? "the part already sent to the client was ended there"
                                        : "dropped"));
    }
    if (from_server.streaming()) session.end_server_stream(false, now);
    child.close_stdout();
  };

  // waitpid only when it can tell something: after SIGCHLD, a poll timeout or the server's EOF.
  bool reap_due = true;
  for (;;) {
    now = Clock::now();
    // Drain writes first.
    if (!wire.client_out.empty() && client_out_ok) {
      if (!flush_some(options.client_out_fd, wire.client_out, wire.client_off, out_nb)) {
        client_out_ok = false;
        wire.client_fd = -1;
        wire.client_out.clear();
        wire.client_off = 0;
        begin_shutdown(now, "client went away (write failed); shutting the server down");
      }
    }
    if (!wire.server_out.empty() && child.stdin_fd() >= 0) {
      if (!flush_some(child.stdin_fd(), wire.server_out, wire.server_off, true)) {
        wire.server_out.clear();
        wire.server_off = 0;
        wire.server_in_open = false;
        wire.server_fd = -1;
        child.close_stdin();
      }
    }
    if (!shutting_down && !client_in_open && wire.server_out.empty()) {
      begin_shutdown(now, "client closed its input; shutting the server down");
    }

    // Server gone: once its stdout is drained, answer what is left and leave.
    if (reap_due) {
      child.try_reap();
      reap_due = false;
    }
    if (child.exited() && server_out_open) {
      // A grandchild may hold the server's stdout open after the server itself exited.
      if (child_exit_seen == Clock::time_point::max()) child_exit_seen = now;
      if (now - child_exit_seen > options.shutdown_grace) close_server_output();
    }
    if (!server_out_open && !child.exited() && !shutting_down && now - stdout_closed_at > Ms(500)) {
      // Stdout closed but the process lives on: it can no longer answer; stop it. (A crashing
      // server closes stdout a moment before it can be reaped, hence the grace.)
      session.on_server_exit("closed its output", now);
      begin_shutdown(now, "server closed its output; shutting it down");
    }
    if (child.exited() && !server_out_open) {
      if (!shutting_down) session.on_server_exit(child.describe(), now);
      break;
    }
    if (shutting_down && now >= shutdown_deadline && !child.exited()) {
      if (shutdown_stage == 1) {
        child.signal(SIGTERM);
        shutdown_stage = 2;
        shutdown_deadline = now + options.shutdown_grace;
      } else if (shutdown_stage == 2) {
        child.signal(SIGKILL);
        shutdown_stage = 3;
        shutdown_deadline = Clock::time_point::max();
      }
    }

    pollfd fds[5];
    int nfds = 0;
    int i_sig = nfds++;
    fds[i_sig] = {g_signal_pipe[0], POLLIN, 0};
    int i_cin = -1, i_sout = -1, i_cout = -1, i_sin = -1;
    const std::size_t client_queue = wire.client_out.size() - wire.client_off;
    const std::size_t server_queue = wire.server_out.size() - wire.server_off;
    if (client_in_open && !shutting_down && server_queue < high_water &&
        !session.holding_client_input()) {
      i_cin = nfds++;
      fds[i_cin] = {options.client_in_fd, POLLIN, 0};
    }
    if (server_out_open && client_queue < high_water) {
      i_sout = nfds++;
      fds[i_sout] = {child.stdout_fd(), POLLIN, 0};
    }
    if (client_queue > 0 && client_out_ok) {
      i_cout = nfds++;
      fds[i_cout] = {options.client_out_fd, POLLOUT, 0};
    }
    if (server_queue > 0 && child.stdin_fd() >= 0) {
      i_sin = nfds++;
      fds[i_sin] = {child.stdin_fd(), POLLOUT, 0};
    }

    auto wake = session.next_wakeup();
    if (shutting_down) wake = std::min(wake, shutdown_deadline);
    int timeout_ms = 1000;  // also re-checks the child (SIGCHLD may race with poll)
    if (wake != Clock::time_point::max()) {
      const auto d = std::chrono::duration_cast<Ms>(wake - now).count() + 1;
      timeout_ms = static_cast<int>(std::clamp<long long>(d, 0, 1000));
    }
    if (child.exited() != !server_out_open) timeout_ms = std::min(timeout_ms, 20);

    const int rc = ::poll(fds, static_cast<nfds_t>(nfds), timeout_ms);
    now = Clock::now();
    if (rc < 0 && errno != EINTR) {
      wire.log(std::string("poll: ") + std::strerror(errno));
      break;
    }
    if (rc <= 0) reap_due = true;

    if (rc > 0 && (fds[i_sig].revents & POLLIN)) {
      unsigned char sigs[64];
      ssize_t n;
      while ((n = ::read(g_signal_pipe[0], sigs, sizeof sigs)) > 0) {
        for (ssize_t k = 0; k < n; ++k) {
          const int s = sigs[k];
          if (s == SIGCHLD) {
            reap_due = true;
            continue;
          }
          child.signal(s);  // forwarded; we exit when the server does
        }
      }
    }

    if (rc > 0 && i_sout >= 0 && (fds[i_sout].revents & (POLLIN | POLLHUP | POLLERR))) {
      // Read a bounded amount per wake-up so the client side is never starved.
      for (int round = 0; round < 64; ++round) {
        const ssize_t n = ::read(child.stdout_fd(), buf.data(), buf.size());
        if (n > 0) {
          from_server.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)),
                           server_handler);
          if (wire.client_out.size() - wire.client_off >= high_water) break;
          if (static_cast<std::size_t>(n) < buf.size()) break;  // drained; poll says when more
          continue;
        }
        if (n == 0) {
          close_server_output();
        } else if (errno == EINTR) {
          continue;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
          close_server_output();
        }
        break;
      }
      if (!server_out_open) {
        stdout_closed_at = now;
        reap_due = true;
      }
    }

    if (rc > 0 && i_cin >= 0 && (fds[i_cin].revents & (POLLIN | POLLHUP | POLLERR))) {
      for (int round = 0; round < 64; ++round) {
        const ssize_t n = ::read(options.client_in_fd, buf.data(), buf.size());
        if (n > 0) {
          from_client.feed(std::string_view(buf.data(), static_cast<std::size_t>(n)),
                           client_handler);
          if (!in_nb) break;
          if (wire.server_out.size() - wire.server_off >= high_water) break;
          if (session.holding_client_input()) break;
          if (static_cast<std::size_t>(n) < buf.size()) break;
          continue;
        }
        if (n == 0) {
          client_in_open = false;
        } else if (errno == EINTR) {
          continue;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK) {
          client_in_open = false;
        }
        break;
      }
    }

    session.on_tick(now);
  }

  // Flush what is left for the client (answers to pending calls), bounded in time.
  const auto flush_end = Clock::now() + Ms(2000);
  while (client_out_ok && !wire.client_out.empty() && Clock::now() < flush_end) {
    if (!flush_some(options.client_out_fd, wire.client_out, wire.client_off, out_nb)) break;
    if (wire.client_out.empty()) break;
    pollfd p{options.client_out_fd, POLLOUT, 0};
    ::poll(&p, 1, 100);
  }
  if (!child.exited()) child.shutdown(static_cast<int>(options.shutdown_grace.count()));

  if (in_nb) ::fcntl(options.client_in_fd, F_SETFL, in_flags);
  if (out_nb) ::fcntl(options.client_out_fd, F_SETFL, out_flags);
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  ::sigaction(SIGHUP, &old_hup, nullptr);
  ::sigaction(SIGCHLD, &old_chld, nullptr);
  ::sigaction(SIGPIPE, &old_pipe, nullptr);
  ::close(g_signal_pipe[0]);
  ::close(g_signal_pipe[1]);
  g_signal_pipe[0] = g_signal_pipe[1] = -1;
  return child.status();
}

}  // namespace blastwall::proxy
