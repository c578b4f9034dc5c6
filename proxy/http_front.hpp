// The Streamable HTTP front (`blastwall mcp --listen 127.0.0.1:PORT`): an HTTP/1.1 server on
// loopback, Boost.Beast parser, one io_context thread.
//
// One endpoint (default /mcp). Each MCP session (created by an initialize POST, named by a random
// Mcp-Session-Id) owns its own Session (interception, approvals, pins, audit) and its own server
// link (a stdio child, or an upstream HTTP session). A POST holding requests is answered with an
// SSE stream that ends once every request in it is answered; notifications and responses get 202.
// GET opens the standalone stream for server-initiated messages; GET with Last-Event-ID replays a
// stream's events after that id (bounded buffer) and continues it; DELETE ends the session.
//
// Every request must have a loopback Host, an absent or loopback Origin (DNS rebinding: 403) and,
// unless auth is off, `Authorization: Bearer <token>` (401). Bodies over the cap get 413, headers
// over the cap 431, a full session table 503, an unknown session 404, an unknown
// MCP-Protocol-Version 400. Idle sessions (no request and no open stream) expire.
#pragma once

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "proxy/http_util.hpp"
#include "proxy/links.hpp"
#include "proxy/session.hpp"

namespace blastwall::proxy {

struct FrontOptions {
  ListenAddress listen;
  std::string path = "/mcp";
  std::string token;  // empty = no authentication (--no-auth)
  std::size_t body_cap = k_default_frame_cap;
  std::size_t header_cap = 16 * 1024;
  std::size_t max_sessions = 128;
  std::size_t max_connections = 1024;
  Ms idle_timeout{60LL * 60 * 1000};
  std::size_t replay_events = 256;         // kept per stream for Last-Event-ID
  std::size_t replay_bytes = 1024 * 1024;  // per stream
  std::size_t retained_streams = 16;       // broken streams kept per session for resumption
};

// Builds the Session of a new MCP session around the wire it must use.
using SessionMaker = std::function<std::unique_ptr<Session>(Wire& wire)>;

class HttpFront {
 public:
  HttpFront(boost::asio::io_context& io, FrontOptions options, SessionMaker make_session,
            LinkFactory make_link);
  ~HttpFront();
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  // Binds and starts accepting. Returns the bound port.
  Result<uint16_t> start();
  // Stops accepting, ends every session (servers are shut down), then runs `done`.
  void shutdown(std::function<void()> done);
  [[nodiscard]] std::size_t session_count() const;

  struct Impl;  // public so the implementation's helpers can name it; defined in the .cpp only

 private:
  std::shared_ptr<Impl> m;
};

}  // namespace blastwall::proxy
