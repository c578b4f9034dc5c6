// Pieces of the Streamable HTTP transport that need no socket: URL and host checks (loopback
// only, DNS-rebinding Origin check), the bearer token file, and Server-Sent Events framing and
// parsing. Pure functions and small value types, unit-tested on their own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "blastwall/result.hpp"

namespace blastwall::proxy {

// Protocol versions whose Streamable HTTP transport is served (2025-03-26 .. 2025-11-25).
[[nodiscard]] bool known_protocol_version(std::string_view v);

struct HttpUrl {
  std::string host;  // without brackets for IPv6
  uint16_t port = 80;
  std::string target = "/";  // path and query
  [[nodiscard]] std::string host_header() const;
};

// http://host[:port][/path]. https is refused (no TLS in this build): the error says so.
[[nodiscard]] Result<HttpUrl> parse_http_url(std::string_view url);

// "127.0.0.1" / any 127.x.y.z, "::1", "[::1]", "localhost" (case-insensitive).
[[nodiscard]] bool is_loopback_host(std::string_view host);

// HOST:PORT for --listen; the host must be a loopback address (a name other than localhost is
// refused: it could resolve anywhere). PORT 0 picks a free port.
struct ListenAddress {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
};
[[nodiscard]] Result<ListenAddress> parse_listen_address(std::string_view text);

// The host part of a Host header value ("127.0.0.1:8080" -> "127.0.0.1", "[::1]:80" -> "::1").
[[nodiscard]] std::string host_of_authority(std::string_view authority);

// An Origin header a browser page on a loopback origin sends ("http://localhost:3000") is
// accepted; any other origin, "null" included, is not. (An absent header is the caller's case:
// non-browser clients send none.)
[[nodiscard]] bool origin_allowed(std::string_view origin);

// The bearer token. Loaded from `path` when it exists (it must be a regular file owned by this
// user with no group/other permission bits, else an error), otherwise 32 random bytes from
// libsodium written there as 64 hex digits with mode 0600 (parent created 0700).
[[nodiscard]] Result<std::string> load_or_create_token(const std::string& path);
// Constant-time check of an Authorization header against the token ("Bearer <token>").
[[nodiscard]] bool bearer_matches(std::string_view authorization, std::string_view token);

// Does an Accept header list this media type (or */*, or type/*)?
[[nodiscard]] bool accepts(std::string_view accept, std::string_view media_type);
// "text/event-stream; charset=utf-8" -> "text/event-stream" (lower case).
[[nodiscard]] std::string media_type_of(std::string_view content_type);

// A JSON-RPC error response as text; `id_json` is the id's JSON ("3", "\"a\"", "null").
[[nodiscard]] std::string jsonrpc_error(std::string_view id_json, int code,
                                        std::string_view message);

// One SSE event as bytes: "id: ID\n" (when given), one "data: " line per line of data, "\n".
[[nodiscard]] std::string sse_event(std::string_view id, std::string_view data);
// HTTP/1.1 chunked framing of one piece (never empty: an empty chunk ends the body).
[[nodiscard]] std::string http_chunk(std::string_view bytes);

struct SseEvent {
  std::string id;  // last id seen in the event ("" if none)
  bool has_id = false;
  std::string event;  // "" = message
  std::string data;   // data lines joined with '\n'
  std::optional<int64_t> retry_ms;
};

// Incremental text/event-stream parser (WHATWG rules: \n, \r\n or \r line ends, "field: value",
// comments, multi-line data). Events without data are reported too (priming events carry only
// an id). A line longer than `cap` bytes poisons the stream (failed()).
class SseParser {
 public:
  using EventFn = std::function<void(const SseEvent&)>;
  explicit SseParser(std::size_t cap) : m_cap(cap) {}
  void feed(std::string_view bytes, const EventFn& on_event);
  [[nodiscard]] bool failed() const { return m_failed; }

 private:
  void line(std::string_view l, const EventFn& on_event);
  std::size_t m_cap;
  std::string m_line;
  bool m_after_cr = false;
  bool m_failed = false;
  SseEvent m_ev;
  bool m_any = false;
  bool m_has_data = false;
};

}  // namespace blastwall::proxy
