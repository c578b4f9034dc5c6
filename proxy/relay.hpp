// `blastwall mcp -- COMMAND ARGS...`: spawns the server and runs the single-threaded poll() loop
// that moves bytes between the client (our stdin/stdout), the Session and the server's pipes.
// Handles signals (SIGINT/SIGTERM/SIGHUP forwarded to the server), backpressure, client
// disconnect and server exit. Returns the server's exit status (128+signal when killed).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "proxy/session.hpp"

namespace blastwall::proxy {

struct RelayOptions {
  std::vector<std::string> command;  // server argv
  std::size_t frame_cap = k_default_frame_cap;
  Ms shutdown_grace{2000};  // after the client disconnects: wait, then SIGTERM, then SIGKILL
  int client_in_fd = 0;
  int client_out_fd = 1;
};

// Runs until the server exits (or the client disconnects and the server is shut down).
// `session` must outlive the call. Errors before the loop starts (spawn failure) return 127.
int run_relay(const RelayOptions& options, Session& session, class RelayWire& wire);

// The Wire the relay drains. A line goes straight to its fd (one writev) when nothing is queued
// for it, so the common case copies nothing; what the fd does not take at once is queued and
// written by the poll loop. Logs to stderr.
class RelayWire : public Wire {
 public:
  void to_client(std::string_view line) override;
  void to_server(std::string_view line) override;
  void log(std::string_view message) override;
  void to_client_partial(std::string_view bytes) override;
  void end_client_line() override;

  std::string client_out;  // bytes not yet written to the client
  std::size_t client_off = 0;
  int client_fd = -1;  // written directly when >= 0 (non-blocking) and client_out is drained
  std::string server_out;
  std::size_t server_off = 0;
  int server_fd = -1;
  bool server_in_open = true;

 private:
  bool m_in_line = false;  // a streamed line is being written to the client
  std::string m_held;      // client lines waiting for it to end
};

// Default server name from a command: basename of the program, or for interpreters and launchers
// (node, npx, python, uvx, ...) of the first non-option argument, without a version or extension.
[[nodiscard]] std::string default_server_name(const std::vector<std::string>& command);

}  // namespace blastwall::proxy
