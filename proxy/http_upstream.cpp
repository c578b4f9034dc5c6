#include "proxy/http_upstream.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "proxy/json_scan.hpp"

namespace blastwall::proxy {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

Result<UpstreamOptions> make_upstream_options(std::string_view url) {
  auto parsed = parse_http_url(url);
  if (!parsed) return parsed.error();
  UpstreamOptions o;
  o.url = *parsed;
  asio::io_context io;
  tcp::resolver r(io);
  boost::system::error_code ec;
  o.endpoints = r.resolve(o.url.host, std::to_string(o.url.port), ec);
  if (ec || o.endpoints.empty()) {
    return make_error("--upstream: cannot resolve " + o.url.host + ": " + ec.message());
  }
  return o;
}

namespace {

constexpr std::size_t k_read_piece = 1 << 16;
constexpr std::size_t k_max_idle = 8;

// Request ids of one message or batch (canonical), and whether it is an initialize request.
void request_ids(std::string_view line, std::vector<std::string>& ids, bool& initialize,
                 bool& initialized_note) {
  const MessageShape s = scan_message(line);
  if (s.kind == MessageKind::request) {
    ids.push_back(s.id);
    initialize = s.method == "initialize";
  } else if (s.kind == MessageKind::notification) {
    initialized_note = s.method == "notifications/initialized";
  } else if (s.kind == MessageKind::batch) {
    try {
      for (const auto& el : json::parse(line)) {
        if (el.is_object() && el.contains("method") && el.contains("id")) {
          ids.push_back(el["id"].dump());
        }
      }
    } catch (const std::exception&) {
    }
  }
}

class Upstream;

// One HTTP request and its response (a POST, the standalone GET stream, a resumption GET, DELETE).
struct Exchange : std::enable_shared_from_this<Exchange> {
  enum class Kind { post, get_stream, resume, del };
  Kind kind = Kind::post;
  std::weak_ptr<Upstream> up;
  std::unique_ptr<beast::tcp_stream> conn;
  bool reused = false;
  bool got_bytes = false;
  std::string body;  // POST body
  std::vector<std::string> ids;
  std::set<std::string> waiting;  // request ids not answered yet
  std::string via;
  bool initialize = false;
  bool initialized_note = false;
  std::string last_event_id;
  int64_t retry_ms = -1;
  int attempts = 0;
  http::request<http::string_body> req;
  beast::flat_buffer buf;
  std::optional<http::response_parser<http::buffer_body>> parser;
  std::string piece = std::string(k_read_piece, '\0');
  bool sse = false;
  std::string json_body;
  std::optional<SseParser> sse_parser;
  bool failed_status = false;
  unsigned status = 0;
};

class Upstream : public std::enable_shared_from_this<Upstream> {
 public:
  Upstream(asio::io_context& io, UpstreamOptions o, LinkEvents ev)
      : m_io(io), m_o(std::move(o)), m_ev(std::move(ev)) {}

  void send(std::string_view line) {
    if (m_closing) return;
    if (m_init_inflight) {
      m_held.emplace_back(line);
      return;
    }
    auto x = std::make_shared<Exchange>();
    x->kind = Exchange::Kind::post;
    x->body = std::string(line);
    request_ids(line, x->ids, x->initialize, x->initialized_note);
    x->waiting.insert(x->ids.begin(), x->ids.end());
    if (!x->ids.empty()) x->via = x->ids.front();
    if (x->initialize) m_init_inflight = true;
    start(x);
  }

  void close(std::function<void(int)> done) {
    if (m_closing) return;
    m_closing = true;
    m_ev = LinkEvents{};
    for (auto& w : m_active) {
      if (auto x = w.lock(); x && x->conn) x->conn->cancel();
    }
    m_held.clear();
    if (m_session.empty()) {
      asio::post(m_io, [done = std::move(done)] { done(0); });
      return;
    }
    auto x = std::make_shared<Exchange>();
    x->kind = Exchange::Kind::del;
    m_on_deleted = std::move(done);
    start(x);
  }

  [[nodiscard]] std::string describe() const { return where(); }

 private:
  void start(const std::shared_ptr<Exchange>& x) {
    x->up = weak_from_this();
    m_active.push_back(x);
    build_request(*x);
    if (!m_idle.empty() && x->attempts == 0) {
      x->conn = std::move(m_idle.back());
      m_idle.pop_back();
      x->reused = true;
      write(x);
      return;
    }
    x->conn = std::make_unique<beast::tcp_stream>(m_io);
    x->reused = false;
    x->conn->expires_after(m_o.connect_timeout);
    x->conn->async_connect(
        m_o.endpoints, [self = shared_from_this(), x](beast::error_code ec, const auto&) {
          if (ec)
            return self->failed(x, "cannot connect to " + self->where() + ": " + ec.message());
          // Small requests and events must not wait for delayed ACKs.
          boost::system::error_code ignored;
          x->conn->socket().set_option(tcp::no_delay(true), ignored);
          self->write(x);
        });
  }

  [[nodiscard]] std::string where() const {
    return "http://" + m_o.url.host_header() + m_o.url.target;
  }

  void build_request(Exchange& x) {
    x.req = {};
    x.req.version(11);
    x.req.target(m_o.url.target);
    x.req.set(http::field::host, m_o.url.host_header());
    x.req.set(http::field::user_agent, "blastwall-mcp");
    switch (x.kind) {
      case Exchange::Kind::post:
        x.req.method(http::verb::post);
        x.req.set(http::field::content_type, "application/json");
        x.req.set(http::field::accept, "application/json, text/event-stream");
        x.req.body() = x.body;
        break;
      case Exchange::Kind::get_stream:
      case Exchange::Kind::resume:
        x.req.method(http::verb::get);
        x.req.set(http::field::accept, "text/event-stream");
        if (!x.last_event_id.empty()) x.req.set("Last-Event-ID", x.last_event_id);
        break;
      case Exchange::Kind::del:
        x.req.method(http::verb::delete_);
        break;
    }
    if (!m_session.empty()) x.req.set("Mcp-Session-Id", m_session);
    if (!m_version.empty()) x.req.set("MCP-Protocol-Version", m_version);
    for (const auto& [k, v] : m_o.headers) x.req.set(k, v);
    x.req.keep_alive(true);
    x.req.prepare_payload();
  }

  void write(const std::shared_ptr<Exchange>& x) {
    x->conn->expires_after(m_o.connect_timeout);
    http::async_write(*x->conn, x->req,
                      [self = shared_from_this(), x](beast::error_code ec, std::size_t) {
                        if (ec) return self->io_failed(x, ec);
                        if (x->kind == Exchange::Kind::del) {
                          x->conn->expires_after(Ms(2000));  // ending; do not hang on it
                        } else {
                          x->conn->expires_never();
                        }
                        x->parser.emplace();
                        x->parser->body_limit(boost::none);
                        x->parser->header_limit(64 * 1024);
                        http::async_read_header(*x->conn, x->buf, *x->parser,
                                                [self, x](beast::error_code ec2, std::size_t) {
                                                  if (ec2) return self->io_failed(x, ec2);
                                                  self->on_header(x);
                                                });
                      });
  }

  // A reused keep-alive connection the server closed meanwhile fails at once: try a fresh one.
  void io_failed(const std::shared_ptr<Exchange>& x, beast::error_code ec) {
    if (m_closing && x->kind != Exchange::Kind::del) return drop(x);
    if (x->reused && !x->got_bytes && x->attempts == 0) {
      x->attempts = 1;
      x->conn.reset();
      drop(x);
      start(x);
      return;
    }
    failed(x, "connection to " + where() + " failed: " + ec.message());
  }

  void on_header(const std::shared_ptr<Exchange>& x) {
    x->got_bytes = true;
    auto& res = x->parser->get();
    x->status = res.result_int();
    if (auto it = res.find("Mcp-Session-Id"); it != res.end() && m_session.empty()) {
      m_session = std::string(it->value());
    }
    if (x->initialize) release_held();
    const std::string ctype = media_type_of(std::string(res[http::field::content_type]));
    if (x->kind == Exchange::Kind::del) return finish(x);
    if (x->status == 404 && !m_session.empty()) {
      drop(x);
      return gone("the upstream MCP session expired (HTTP 404 from " + where() + ")");
    }
    if (x->kind != Exchange::Kind::post && x->status == 405) {
      return finish(x);  // no GET stream offered
    }
    if (x->status >= 300) {
      x->failed_status = true;
    } else if (ctype == "text/event-stream") {
      x->sse = true;
      x->sse_parser.emplace(m_o.body_cap);
      if (x->kind != Exchange::Kind::post) x->attempts = 0;  // the stream is back
    } else if (x->status == 202 || x->kind != Exchange::Kind::post) {
      // nothing to read but the (empty) body
    }
    if (x->initialized_note && x->status < 300 && !m_get_started) {
      m_get_started = true;
      auto g = std::make_shared<Exchange>();
      g->kind = Exchange::Kind::get_stream;
      start(g);
    }
    read_body(x);
  }

  void read_body(const std::shared_ptr<Exchange>& x) {
    if (x->parser->is_done()) return finish(x);
    auto& body = x->parser->get().body();
    body.data = x->piece.data();
    body.size = x->piece.size();
    http::async_read_some(*x->conn, x->buf, *x->parser,
                          [self = shared_from_this(), x](beast::error_code ec, std::size_t) {
                            const std::size_t got = x->piece.size() - x->parser->get().body().size;
                            if (got > 0 && !self->m_closing)
                              self->on_bytes(x, std::string_view(x->piece.data(), got));
                            if (ec == http::error::need_buffer) ec = {};
                            if (ec) return self->stream_ended(x, ec.message());
                            if (self->m_closing && x->kind != Exchange::Kind::del)
                              return self->drop(x);
                            self->read_body(x);
                          });
  }

  void on_bytes(const std::shared_ptr<Exchange>& x, std::string_view bytes) {
    if (x->sse) {
      x->sse_parser->feed(bytes, [&](const SseEvent& e) { on_event(x, e); });
      if (x->sse_parser->failed()) {
        log("upstream sent an SSE line over the cap of " + std::to_string(m_o.body_cap) +
            " bytes; stream dropped");
        x->conn->cancel();
      }
      return;
    }
    if (x->json_body.size() + bytes.size() > m_o.body_cap) {
      x->conn->cancel();
      return;
    }
    x->json_body.append(bytes);
  }

  void on_event(const std::shared_ptr<Exchange>& x, const SseEvent& e) {
    if (e.has_id) x->last_event_id = e.id;
    if (e.retry_ms) x->retry_ms = *e.retry_ms;
    if (e.data.empty() || !(e.event.empty() || e.event == "message")) return;
    deliver(x, e.data);
  }

  void deliver(const std::shared_ptr<Exchange>& x, std::string_view data) {
    std::string compact;
    if (data.find_first_of("\r\n") != std::string_view::npos) {
      // A message must be one line for the session (and a stdio client): re-serialise it.
      try {
        compact = json::parse(data).dump();
      } catch (const std::exception&) {
        log("upstream sent an event that is not JSON; dropped");
        return;
      }
      data = compact;
    }
    const MessageShape s = scan_message(data);
    if (s.kind == MessageKind::response) {
      x->waiting.erase(s.id);
      if (x->initialize && m_version.empty()) {
        try {
          const json r = json::parse(data);
          const json* v = r.contains("result") && r["result"].is_object() &&
                                  r["result"].contains("protocolVersion")
                              ? &r["result"]["protocolVersion"]
                              : nullptr;
          if (v && v->is_string()) m_version = v->get<std::string>();
        } catch (const std::exception&) {
        }
      }
    } else if (s.kind == MessageKind::batch) {
      try {
        for (const auto& el : json::parse(data)) {
          if (el.is_object() && el.contains("id") && !el.contains("method")) {
            x->waiting.erase(el["id"].dump());
          }
        }
      } catch (const std::exception&) {
      }
    }
    if (m_ev.on_line) m_ev.on_line(data, x->via);
  }

  void deleted(const std::shared_ptr<Exchange>& x) {
    x->conn.reset();
    drop(x);
    if (auto d = std::move(m_on_deleted)) {
      m_on_deleted = nullptr;
      d(0);
    }
  }

  void finish(const std::shared_ptr<Exchange>& x) {
    if (x->kind == Exchange::Kind::del) return deleted(x);
    if (x->failed_status) {
      std::string snippet = x->json_body.substr(0, 300);
      for (char& c : snippet) {
        if (static_cast<unsigned char>(c) < 0x20) c = ' ';
      }
      answer_all(x, "blastwall: the upstream MCP server answered HTTP " +
                        std::to_string(x->status) + (snippet.empty() ? "" : ": " + snippet));
      keep_or_close(x);
      return drop(x);
    }
    if (!x->sse && !x->json_body.empty()) deliver(x, x->json_body);
    keep_or_close(x);
    if (x->sse && (x->kind == Exchange::Kind::get_stream || !x->waiting.empty())) {
      return reconnect(x, "the upstream ended the stream");
    }
    answer_all(x, "blastwall: the upstream MCP server ended its reply without answering");
    drop(x);
  }

  // The connection broke (or the server closed it) while reading a body.
  void stream_ended(const std::shared_ptr<Exchange>& x, const std::string& why) {
    x->conn.reset();
    if (x->kind == Exchange::Kind::del) return deleted(x);
    if (m_closing) return drop(x);
    if (x->kind == Exchange::Kind::get_stream || (x->sse && !x->waiting.empty())) {
      return reconnect(x, why);
    }
    answer_all(x, "blastwall: connection to the upstream MCP server failed: " + why);
    drop(x);
  }

  // Resume a broken stream with GET + Last-Event-ID, after the server's retry interval.
  void reconnect(const std::shared_ptr<Exchange>& x, const std::string& why) {
    drop(x);
    if (m_closing) return;
    const bool standalone = x->kind == Exchange::Kind::get_stream;
    if (!standalone && x->last_event_id.empty()) {
      answer_all(x, "blastwall: the upstream stream broke before the reply (" + why +
                        ") and cannot be resumed (no event id)");
      return;
    }
    if (++x->attempts > m_o.max_resume) {
      if (standalone) {
        log("the upstream GET stream is gone (" + why + "); server-initiated messages stop");
      } else {
        answer_all(x, "blastwall: the upstream stream broke before the reply (" + why +
                          "); resuming failed");
      }
      return;
    }
    auto r = std::make_shared<Exchange>();
    r->kind = standalone ? Exchange::Kind::get_stream : Exchange::Kind::resume;
    r->waiting = x->waiting;
    r->ids = x->ids;
    r->via = x->via;
    r->initialize = x->initialize;
    r->last_event_id = x->last_event_id;
    r->attempts = x->attempts;
    r->retry_ms = x->retry_ms;
    const int64_t delay =
        std::clamp<int64_t>(x->retry_ms >= 0 ? x->retry_ms : 200 * x->attempts, 0, 5000);
    auto timer = std::make_shared<asio::steady_timer>(m_io, Ms(delay));
    timer->async_wait([self = shared_from_this(), r, timer](beast::error_code ec) {
      if (!ec && !self->m_closing) self->start(r);
    });
  }

  void failed(const std::shared_ptr<Exchange>& x, const std::string& why) {
    x->conn.reset();
    if (x->initialize) release_held();
    if (x->kind == Exchange::Kind::del) return deleted(x);
    if (m_closing) return drop(x);
    if (x->kind == Exchange::Kind::get_stream || x->kind == Exchange::Kind::resume) {
      return reconnect(x, why);
    }
    log(why);
    answer_all(x, "blastwall: " + why);
    drop(x);
  }

  void answer_all(const std::shared_ptr<Exchange>& x, const std::string& message) {
    for (const std::string& id : x->waiting) {
      if (m_ev.on_line) m_ev.on_line(jsonrpc_error(id, k_err_server_exited, message), x->via);
    }
    x->waiting.clear();
  }

  void keep_or_close(const std::shared_ptr<Exchange>& x) {
    if (x->conn && x->parser && x->parser->is_done() && x->parser->keep_alive() &&
        m_idle.size() < k_max_idle && !m_closing) {
      x->buf.clear();
      m_idle.push_back(std::move(x->conn));
    }
    x->conn.reset();
  }

  void drop(const std::shared_ptr<Exchange>& x) {
    for (auto it = m_active.begin(); it != m_active.end();) {
      auto p = it->lock();
      it = !p || p == x ? m_active.erase(it) : std::next(it);
    }
  }

  void release_held() {
    if (!m_init_inflight) return;
    m_init_inflight = false;
    std::deque<std::string> held = std::move(m_held);
    m_held.clear();
    for (const auto& line : held) send(line);
  }

  void gone(const std::string& why) {
    if (auto g = m_ev.on_gone) g(why);
  }

  void log(const std::string& message) {
    std::string s = "blastwall mcp: " + message + "\n";
    ssize_t ignored = ::write(2, s.data(), s.size());
    (void)ignored;
  }

  asio::io_context& m_io;
  UpstreamOptions m_o;
  LinkEvents m_ev;
  std::string m_session;
  std::string m_version;
  bool m_init_inflight = false;
  bool m_get_started = false;
  bool m_closing = false;
  std::deque<std::string> m_held;
  std::vector<std::unique_ptr<beast::tcp_stream>> m_idle;
  std::vector<std::weak_ptr<Exchange>> m_active;
  std::function<void(int)> m_on_deleted;
};

}  // namespace

std::unique_ptr<ServerLink> open_http_upstream(asio::io_context& io, UpstreamOptions options,
                                               LinkEvents events) {
  auto u = std::make_shared<Upstream>(io, std::move(options), std::move(events));
  return std::make_unique<SharedLink<Upstream>>(std::move(u));
}

}  // namespace blastwall::proxy
