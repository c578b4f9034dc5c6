#include "proxy/child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace blastwall::proxy {

Result<ChildProcess> ChildProcess::spawn(const std::vector<std::string>& argv) {
  if (argv.empty()) return make_error("no server command given");
  int in_pipe[2];
  int out_pipe[2];
  int err_pipe[2];  // reports exec failure (CLOEXEC: closes on success)
  if (::pipe2(in_pipe, O_CLOEXEC) != 0)
    return make_error(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]);
    ::close(in_pipe[1]);
    return make_error(std::string("pipe: ") + std::strerror(errno));
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) ::close(fd);
    return make_error(std::string("pipe: ") + std::strerror(errno));
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      ::close(fd);
    }
    return make_error(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    // Own process group: a terminal ^C reaches blastwall, which forwards it exactly once.
    ::setpgid(0, 0);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT})
      ::sigaction(s, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::dup2(in_pipe[0], STDIN_FILENO);
    ::dup2(out_pipe[1], STDOUT_FILENO);
    ::execvp(args[0], args.data());
    const int e = errno;
    ssize_t ignored = ::write(err_pipe[1], &e, sizeof e);
    (void)ignored;
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = ::read(err_pipe[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(err_pipe[0]);
  ChildProcess c;
  c.m_pid = pid;
  c.m_in = in_pipe[1];
  c.m_out = out_pipe[0];
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    c.wait_for(1000);
    return make_error("cannot run " + argv[0] + ": " + std::strerror(child_errno));
  }
  ::fcntl(c.m_in, F_SETFL, ::fcntl(c.m_in, F_GETFL) | O_NONBLOCK);
  ::fcntl(c.m_out, F_SETFL, ::fcntl(c.m_out, F_GETFL) | O_NONBLOCK);
  return c;
}

ChildProcess::ChildProcess(ChildProcess&& o) noexcept
    : m_pid(o.m_pid),
      m_in(o.m_in),
      m_out(o.m_out),
      m_exited(o.m_exited),
      m_status(o.m_status),
      m_signaled(o.m_signaled) {
  o.m_pid = -1;
  o.m_in = -1;
  o.m_out = -1;
  o.m_exited = true;
}

ChildProcess::~ChildProcess() {
  if (m_pid > 0 && !m_exited) shutdown(200);
  close_stdin();
  close_stdout();
}

void ChildProcess::close_stdin() {
  if (m_in >= 0) ::close(m_in);
  m_in = -1;
}

void ChildProcess::close_stdout() {
  if (m_out >= 0) ::close(m_out);
  m_out = -1;
}

void ChildProcess::signal(int sig) const {
  // The child leads its own process group: signal the group so helpers it started (npx -> node)
  // go too.
  if (m_pid > 0 && !m_exited && ::kill(-m_pid, sig) != 0) ::kill(m_pid, sig);
}

bool ChildProcess::try_reap() {
  if (m_exited) return true;
  if (m_pid <= 0) return true;
  int st = 0;
  pid_t r;
  do {
    r = ::waitpid(m_pid, &st, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == m_pid) {
    m_exited = true;
    if (WIFEXITED(st)) {
      m_status = WEXITSTATUS(st);
    } else if (WIFSIGNALED(st)) {
      m_status = 128 + WTERMSIG(st);
      m_signaled = true;
    }
    return true;
  }
  if (r < 0 && errno == ECHILD) {
    m_exited = true;
    return true;
  }
  return false;
}

bool ChildProcess::wait_for(int timeout_ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!try_reap()) {
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::string ChildProcess::describe() const {
  if (!m_exited) return "is running";
  if (m_signaled) return "was killed by signal " + std::to_string(m_status - 128);
  return "exited with status " + std::to_string(m_status);
}

int ChildProcess::shutdown(int grace_ms) {
  close_stdin();
  if (wait_for(grace_ms)) return m_status;
  signal(SIGTERM);
  if (wait_for(grace_ms)) return m_status;
  signal(SIGKILL);
  wait_for(5000);
  return m_status;
}

}  // namespace blastwall::proxy
