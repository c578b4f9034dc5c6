// The wrapped MCP server: a child process with pipes on stdin and stdout; stderr is inherited so
// the server's logging passes through untouched. Linux only (PR_SET_PDEATHSIG, pipe2).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "blastwall/result.hpp"

namespace blastwall::proxy {

class ChildProcess {
 public:
  // Starts argv[0] (looked up in PATH). Fails when the program cannot be executed.
  static Result<ChildProcess> spawn(const std::vector<std::string>& argv);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ~ChildProcess();

  [[nodiscard]] pid_t pid() const { return m_pid; }
  [[nodiscard]] int stdin_fd() const { return m_in; }    // write end, non-blocking
  [[nodiscard]] int stdout_fd() const { return m_out; }  // read end, non-blocking
  void close_stdin();
  void close_stdout();
  void signal(int sig) const;

  // Non-blocking reap. True once the child has exited; status() then holds the shell-style code.
  bool try_reap();
  // Blocks up to timeout_ms for exit; true when reaped.
  bool wait_for(int timeout_ms);
  [[nodiscard]] bool exited() const { return m_exited; }
  // exit code, or 128 + signal number when killed.
  [[nodiscard]] int status() const { return m_status; }
  // "exited with status 3", "was killed by signal 9".
  [[nodiscard]] std::string describe() const;
  // Close stdin, wait grace_ms; SIGTERM, wait grace_ms; SIGKILL. Returns status().
  int shutdown(int grace_ms);

 private:
  ChildProcess() = default;
  pid_t m_pid = -1;
  int m_in = -1;
  int m_out = -1;
  bool m_exited = false;
  int m_status = 0;
  bool m_signaled = false;
};

}  // namespace blastwall::proxy
