// ServerLink to a Streamable HTTP MCP server (`blastwall mcp --upstream URL`), Boost.Beast client.
//
// Each message is its own POST (Accept: application/json, text/event-stream). A 202 ends it; a JSON
// body or an SSE stream carries the server's messages, each reported with the request it came
// with. Mcp-Session-Id from the initialize response and the negotiated MCP-Protocol-Version are
// sent on every later request; messages sent while initialize is in flight wait for it. After
// notifications/initialized a GET stream is opened for server-initiated messages (405 = none).
// A response stream that breaks before its response arrives is resumed with GET + Last-Event-ID
// (when the server gave event ids); the GET stream reconnects the same way. An HTTP error answers
// the requests of that POST with a JSON-RPC error; 404 on a session means it expired (on_gone).
// Closing sends DELETE with the session id. Connections are kept alive and reused.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string>
#include <utility>
#include <vector>

#include "proxy/http_util.hpp"
#include "proxy/links.hpp"

namespace blastwall::proxy {

struct UpstreamOptions {
  HttpUrl url;
  boost::asio::ip::tcp::resolver::results_type endpoints;  // resolved once, at start
  // Extra request headers (e.g. Authorization for the upstream). Never logged.
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t body_cap = k_default_frame_cap;  // one JSON body or one SSE event
  Ms connect_timeout{10000};
  int max_resume = 5;  // reconnect attempts for one broken stream
};

// Resolves the upstream's host (blocking; once at start-up).
[[nodiscard]] Result<UpstreamOptions> make_upstream_options(std::string_view url);

[[nodiscard]] std::unique_ptr<ServerLink> open_http_upstream(boost::asio::io_context& io,
                                                             UpstreamOptions options,
                                                             LinkEvents events);

}  // namespace blastwall::proxy
