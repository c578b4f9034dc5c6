#include "proxy/http_front.hpp"

#include <sodium.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "proxy/digest.hpp"
#include "proxy/json_scan.hpp"

namespace blastwall::proxy {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

namespace {

std::string session_id() {
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return std::string(hex, sizeof raw * 2);
}

std::string rpc_error_body(int code, const std::string& message, const std::string& id = "null") {
  return jsonrpc_error(id, code, message);
}

const char* reason_of(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

struct Conn;
struct FSession;

struct Stream {
  uint64_t no = 0;
  bool standalone = false;
  std::set<std::string> pending;  // request ids not answered yet
  struct Event {
    uint64_t seq;
    std::string bytes;  // the SSE event
  };
  std::deque<Event> events;
  std::size_t bytes = 0;
  uint64_t next_seq = 1;
  uint64_t delivered = 0;  // events written to a connection successfully
  std::weak_ptr<Conn> conn;
  bool complete = false;
};

}  // namespace

struct HttpFront::Impl : std::enable_shared_from_this<HttpFront::Impl> {
  Impl(asio::io_context& io, FrontOptions o, SessionMaker ms, LinkFactory ml)
      : io(io),
        o(std::move(o)),
        make_session(std::move(ms)),
        make_link(std::move(ml)),
        acceptor(io),
        sweep(io) {}

  asio::io_context& io;
  FrontOptions o;
  SessionMaker make_session;
  LinkFactory make_link;
  tcp::acceptor acceptor;
  asio::steady_timer sweep;
  std::map<std::string, std::shared_ptr<FSession>> sessions;
  std::set<Conn*> conns;
  bool stopping = false;

  void accept();
  void arm_sweep();
  void end_session(const std::string& id, const std::string& why);
  void log(const std::string& m) {
    std::string s = "blastwall mcp: " + m + "\n";
    ssize_t ignored = ::write(STDERR_FILENO, s.data(), s.size());
    (void)ignored;
  }
};

namespace {

using Impl = HttpFront::Impl;

struct FSession : std::enable_shared_from_this<FSession> {
  FSession(Impl& f, std::string sid)
      : front(f),
        id(std::move(sid)),
        wire([this](std::string_view l) { route(l); },
             "blastwall mcp [" + id.substr(0, 8) + "]: ") {}

  Impl& front;
  std::string id;
  LinkWire wire;
  std::unique_ptr<Session> session;
  std::unique_ptr<ServerLink> link;
  std::map<uint64_t, Stream> streams;
  uint64_t next_stream = 1;
  uint64_t standalone = 0;
  std::map<std::string, std::string> progress;  // token -> request id
  std::string hint;                             // request whose stream gets what comes next
  std::string version;                          // negotiated (from the client's header)
  Clock::time_point last_activity = Clock::now();
  std::optional<SessionTimer> ticker;
  bool dead = false;     // ended: nothing more is routed
  std::string gone_why;  // the server went away

  Stream& new_stream(bool is_standalone) {
    const uint64_t n = next_stream++;
    Stream& s = streams[n];
    s.no = n;
    s.standalone = is_standalone;
    if (is_standalone) standalone = n;
    // Bounded: the oldest detached streams go first.
    while (streams.size() > front.o.retained_streams + 2) {
      auto victim = streams.end();
      for (auto it = streams.begin(); it != streams.end(); ++it) {
        if (it->first != n && it->first != standalone && it->second.conn.expired()) {
          victim = it;
          break;
        }
      }
      if (victim == streams.end()) break;
      streams.erase(victim);
    }
    return s;
  }

  Stream* stream_of(const std::string& request) {
    for (auto& [n, s] : streams) {
      if (s.pending.count(request)) return &s;
    }
    return nullptr;
  }

  void route(std::string_view line);
  void emit(Stream& s, std::string_view line);
  void attach(Stream& s, const std::shared_ptr<Conn>& c, uint64_t after);
  void finish_stream(Stream& s);

  void arm() {
    if (ticker && !dead) ticker->arm();
  }
};

struct Conn : std::enable_shared_from_this<Conn> {
  Conn(std::shared_ptr<Impl> f, tcp::socket s)
      : keep(std::move(f)), front(*keep), sock(std::move(s)) {
    front.conns.insert(this);
  }
  ~Conn() { front.conns.erase(this); }

  std::shared_ptr<Impl> keep;  // a connection may outlive the HttpFront object (handlers in flight)
  Impl& front;
  tcp::socket sock;
  beast::flat_buffer buf;
  std::optional<http::request_parser<http::string_body>> parser;
  struct Out {
    std::string bytes;
    std::function<void()> done;
  };
  std::deque<Out> out;
  std::size_t out_bytes = 0;
  bool writing = false;
  bool reading = false;
  bool closed = false;
  bool close_after_write = false;
  // The SSE stream this connection carries (session id, stream number), if any.
  std::string stream_session;
  uint64_t stream_no = 0;
  std::string origin;  // allowed Origin of the current request, echoed for CORS

  void start() { read(); }

  void read() {
    if (closed || reading) return;
    if (buf.size() > front.o.body_cap + front.o.header_cap + 4096) return close();
    reading = true;
    sock.async_read_some(buf.prepare(16 * 1024),
                         [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                           self->reading = false;
                           if (ec) return self->close();
                           self->buf.commit(n);
                           self->parse();
                           self->read();
                         });
  }

  void parse();
  void handle(http::request<http::string_body>& req);
  void handle_post(http::request<http::string_body>& req);
  void handle_get(http::request<http::string_body>& req);
  void handle_delete(http::request<http::string_body>& req);
  std::shared_ptr<FSession> find_session(http::request<http::string_body>& req, bool& answered);

  std::string cors() const {
    if (origin.empty()) return {};
    return "Access-Control-Allow-Origin: " + origin +
           "\r\nAccess-Control-Expose-Headers: Mcp-Session-Id, MCP-Protocol-Version\r\nVary: "
           "Origin\r\n";
  }

  void respond(unsigned status, const std::string& body, const std::string& extra = {},
               const std::string& ctype = "application/json") {
    std::string h = "HTTP/1.1 " + std::to_string(status) + " " + reason_of(status) + "\r\n";
    if (!body.empty()) h += "Content-Type: " + ctype + "\r\n";
    h += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    h += extra;
    h += cors();
    if (close_after_write) h += "Connection: close\r\n";
    h += "\r\n";
    h += body;
    send(std::move(h));
  }

  void send(std::string bytes, std::function<void()> done = {}) {
    if (closed) return;
    out_bytes += bytes.size();
    out.push_back(Out{std::move(bytes), std::move(done)});
    // A client that stops reading is cut off rather than buffered without bound.
    if (out_bytes > front.o.body_cap + 4 * front.o.replay_bytes) return close();
    if (!writing) write();
  }

  void write() {
    writing = true;
    asio::async_write(sock, asio::buffer(out.front().bytes),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        self->writing = false;
                        if (ec) return self->close();
                        Out done = std::move(self->out.front());
                        self->out.pop_front();
                        self->out_bytes -= done.bytes.size();
                        if (done.done) done.done();
                        if (!self->out.empty()) return self->write();
                        if (self->close_after_write) return self->close();
                        if (self->stream_no == 0) self->parse();  // a pipelined request
                      });
  }

  void close();
};

void Conn::close() {
  if (closed) return;
  closed = true;
  boost::system::error_code ignored;
  sock.shutdown(tcp::socket::shutdown_both, ignored);
  sock.close(ignored);
  out.clear();
  out_bytes = 0;
  // The stream it carried stays in its session for resumption.
  stream_no = 0;
  stream_session.clear();
}

void Conn::parse() {
  while (!closed && stream_no == 0 && !writing && buf.size() > 0) {
    if (!parser) {
      parser.emplace();
      parser->header_limit(static_cast<std::uint32_t>(front.o.header_cap));
      parser->body_limit(front.o.body_cap);
      parser->eager(true);
    }
    beast::error_code ec;
    const std::size_t n = parser->put(buf.data(), ec);
    buf.consume(n);
    if (ec == http::error::need_more) return;
    if (ec) {
      close_after_write = true;
      if (ec == http::error::body_limit) {
        respond(413, rpc_error_body(-32600, "request body exceeds " +
                                                std::to_string(front.o.body_cap) + " bytes"));
      } else if (ec == http::error::header_limit) {
        respond(431, rpc_error_body(-32600, "request headers exceed " +
                                                std::to_string(front.o.header_cap) + " bytes"));
      } else {
        respond(400, rpc_error_body(-32600, "malformed HTTP request: " + ec.message()));
      }
      parser.reset();
      buf.consume(buf.size());
      return;
    }
    if (!parser->is_done()) {
      if (n == 0) return;
      continue;
    }
    auto req = parser->release();
    parser.reset();
    if (!req.keep_alive()) close_after_write = true;
    handle(req);
  }
}

void Conn::handle(http::request<http::string_body>& req) {
  origin.clear();
  // DNS rebinding: a page on another origin that resolves to 127.0.0.1 sends its own Host and
  // Origin. Both must name loopback.
  const std::string host = host_of_authority(std::string(req[http::field::host]));
  if (!is_loopback_host(host)) {
    return respond(403, rpc_error_body(-32600,
                                       "Forbidden: Host header must name a loopback "
                                       "address"));
  }
  if (auto it = req.find(http::field::origin); it != req.end()) {
    const std::string o(it->value());
    if (!origin_allowed(o)) {
      return respond(403, rpc_error_body(-32600, "Forbidden: Origin " + o + " is not allowed"));
    }
    origin = o;
  }
  std::string_view target(req.target().data(), req.target().size());
  target = target.substr(0, target.find('?'));
  if (target != front.o.path) {
    return respond(404, rpc_error_body(-32600, "Not found: the MCP endpoint is " + front.o.path));
  }
  if (req.method() == http::verb::options) {
    return respond(204, {},
                   "Access-Control-Allow-Methods: GET, POST, DELETE\r\nAccess-Control-Allow-"
                   "Headers: Authorization, Content-Type, Accept, Mcp-Session-Id, "
                   "MCP-Protocol-Version, Last-Event-ID\r\nAccess-Control-Max-Age: 600\r\n");
  }
  if (!front.o.token.empty()) {
    auto it = req.find(http::field::authorization);
    if (it == req.end() ||
        !bearer_matches(std::string_view(it->value().data(), it->value().size()), front.o.token)) {
      return respond(401,
                     rpc_error_body(-32600,
                                    "Unauthorized: send Authorization: Bearer "
                                    "<token from the blastwall token file>"),
                     "WWW-Authenticate: Bearer realm=\"blastwall\"\r\n");
    }
  }
  if (auto it = req.find("MCP-Protocol-Version"); it != req.end()) {
    if (!known_protocol_version(std::string_view(it->value().data(), it->value().size()))) {
      return respond(400, rpc_error_body(-32600, "Bad Request: unsupported MCP-Protocol-Version " +
                                                     std::string(it->value())));
    }
  }
  switch (req.method()) {
    case http::verb::post:
      return handle_post(req);
    case http::verb::get:
      return handle_get(req);
    case http::verb::delete_:
      return handle_delete(req);
    default:
      return respond(405, rpc_error_body(-32600, "Method not allowed"),
                     "Allow: GET, POST, DELETE\r\n");
  }
}

std::shared_ptr<FSession> Conn::find_session(http::request<http::string_body>& req,
                                             bool& answered) {
  answered = true;
  auto it = req.find("Mcp-Session-Id");
  if (it == req.end()) {
    respond(400, rpc_error_body(-32000, "Bad Request: Mcp-Session-Id header is required"));
    return nullptr;
  }
  auto s = front.sessions.find(std::string(it->value()));
  if (s == front.sessions.end()) {
    respond(404, rpc_error_body(-32001, "Session not found (expired or ended); initialize again"));
    return nullptr;
  }
  if (!s->second->gone_why.empty()) {
    respond(404, rpc_error_body(-32001, "Session ended: the MCP server " + s->second->gone_why +
                                            "; initialize again"));
    return nullptr;
  }
  answered = false;
  s->second->last_activity = Clock::now();
  return s->second;
}

std::string sse_headers(const std::string& sid, const std::string& cors) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
         "X-Accel-Buffering: no\r\nTransfer-Encoding: chunked\r\nMcp-Session-Id: " +
         sid + "\r\n" + cors + "\r\n";
}

void Conn::handle_post(http::request<http::string_body>& req) {
  if (media_type_of(std::string(req[http::field::content_type])) != "application/json") {
    return respond(415, rpc_error_body(-32600, "Content-Type must be application/json"));
  }
  const std::string accept(req[http::field::accept]);
  if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
    return respond(406, rpc_error_body(-32600,
                                       "Accept must list application/json and "
                                       "text/event-stream"));
  }
  std::string& body = req.body();
  // One line for the session: SDKs send compact JSON; anything with raw newlines is re-serialised.
  if (body.find_first_of("\r\n") != std::string::npos) {
    try {
      body = json::parse(body).dump();
    } catch (const std::exception&) {
      return respond(400, rpc_error_body(-32700, "Parse error"));
    }
  }
  const MessageShape shape = scan_message(body);
  if (shape.kind == MessageKind::invalid || shape.kind == MessageKind::other) {
    return respond(
        400, rpc_error_body(-32700,
                            "Parse error" + (shape.problem.empty() ? "" : ": " + shape.problem)));
  }
  std::vector<std::string> ids;
  std::vector<std::pair<std::string, std::string>> tokens;  // progress token -> request id
  auto note_request = [&](const json* parsed, const std::string& rid) {
    ids.push_back(rid);
    if (parsed && parsed->contains("params") && (*parsed)["params"].is_object()) {
      const json& p = (*parsed)["params"];
      if (p.contains("_meta") && p["_meta"].is_object() && p["_meta"].contains("progressToken")) {
        tokens.emplace_back(canonical_json(p["_meta"]["progressToken"]), rid);
      }
    }
  };
  bool is_init = false;
  if (shape.kind == MessageKind::request) {
    is_init = shape.method == "initialize";
    if (body.find("progressToken") != std::string::npos) {
      try {
        const json parsed = json::parse(body);
        note_request(&parsed, shape.id);
      } catch (const std::exception&) {
        note_request(nullptr, shape.id);
      }
    } else {
      note_request(nullptr, shape.id);
    }
  } else if (shape.kind == MessageKind::batch) {
    try {
      for (const auto& el : json::parse(body)) {
        if (!el.is_object() || !el.contains("method") || !el.contains("id")) continue;
        if (el["method"] == "initialize") {
          return respond(400, rpc_error_body(-32600, "initialize must not be part of a batch"));
        }
        note_request(&el, canonical_json(el["id"]));
      }
    } catch (const std::exception&) {
      return respond(400, rpc_error_body(-32700, "Parse error"));
    }
  }

  std::shared_ptr<FSession> s;
  if (is_init && req.find("Mcp-Session-Id") == req.end()) {
    if (front.sessions.size() >= front.o.max_sessions) {
      return respond(
          503, rpc_error_body(-32000,
                              "too many MCP sessions (" + std::to_string(front.o.max_sessions) +
                                  "); end one or raise --max-sessions",
                              shape.id));
    }
    s = std::make_shared<FSession>(front, session_id());
    s->session = front.make_session(s->wire);
    s->ticker.emplace(front.io, *s->session);
    std::weak_ptr<FSession> w = s;
    LinkEvents ev;
    ev.on_line = [w](std::string_view line, const std::string& via) {
      auto me = w.lock();
      if (!me || me->dead) return;
      me->hint = via;
      me->session->on_server_line(line, Clock::now());
      me->hint.clear();
      me->arm();
    };
    ev.on_oversize = [w](const OversizeLine& info) {
      auto me = w.lock();
      if (!me || me->dead) return;
      me->session->on_server_oversize(info, Clock::now());
      me->arm();
    };
    ev.on_gone = [w](const std::string& why) {
      auto me = w.lock();
      if (!me || me->dead) return;
      me->gone_why = why;
      me->session->on_server_exit(why, Clock::now());
      me->front.log("session " + me->id.substr(0, 8) + ": the server " + why);
      me->arm();
    };
    auto link = front.make_link(std::move(ev));
    if (!link) {
      front.log("cannot start the MCP server: " + link.error().message);
      return respond(
          502, rpc_error_body(-32000,
                              "blastwall could not start the MCP server: " + link.error().message,
                              shape.id));
    }
    s->link = std::move(*link);
    s->wire.set_server(s->link.get());
    front.sessions[s->id] = s;
    if (auto v = req.find("MCP-Protocol-Version"); v != req.end()) s->version = v->value();
    try {
      const json parsed = json::parse(body);
      const json* pv = parsed.contains("params") && parsed["params"].is_object() &&
                               parsed["params"].contains("protocolVersion")
                           ? &parsed["params"]["protocolVersion"]
                           : nullptr;
      if (pv && pv->is_string()) s->version = pv->get<std::string>();
    } catch (const std::exception&) {
    }
  } else {
    bool answered = false;
    s = find_session(req, answered);
    if (!s) return;
    if (auto v = req.find("MCP-Protocol-Version"); v != req.end()) s->version = v->value();
  }

  const auto now = Clock::now();
  if (ids.empty()) {
    respond(202, {}, "Mcp-Session-Id: " + s->id + "\r\n");
    s->session->on_client_line(body, now);
    s->arm();
    return;
  }
  Stream& st = s->new_stream(false);
  st.pending.insert(ids.begin(), ids.end());
  for (auto& [tok, rid] : tokens) s->progress[tok] = rid;
  stream_session = s->id;
  stream_no = st.no;
  send(sse_headers(s->id, cors()));
  // A priming event (an id, no data) lets a 2025-11-25 client resume this stream if it breaks.
  if (s->version >= "2025-11-25")
    send(http_chunk("id: " + std::to_string(st.no) + "-0\ndata: \n\n"));
  st.conn = shared_from_this();
  s->hint = ids.front();
  s->session->on_client_line(body, now);
  s->hint.clear();
  s->arm();
}

void Conn::handle_get(http::request<http::string_body>& req) {
  if (!accepts(std::string(req[http::field::accept]), "text/event-stream")) {
    return respond(406, rpc_error_body(-32600, "Accept must list text/event-stream"));
  }
  bool answered = false;
  auto s = find_session(req, answered);
  if (!s) return;
  Stream* st = nullptr;
  uint64_t after = 0;
  bool resumed = false;
  if (auto it = req.find("Last-Event-ID"); it != req.end()) {
    const std::string last(it->value());
    const auto dash = last.find('-');
    uint64_t no = 0;
    try {
      if (dash == std::string::npos) throw std::invalid_argument("no dash");
      no = std::stoull(last.substr(0, dash));
      after = std::stoull(last.substr(dash + 1));
    } catch (const std::exception&) {
      return respond(400, rpc_error_body(-32600, "Bad Request: malformed Last-Event-ID"));
    }
    auto f = s->streams.find(no);
    // The events after `after` must all still be held, else the client would silently miss some.
    if (f == s->streams.end() ||
        (!f->second.events.empty() && f->second.events.front().seq > after + 1) ||
        (f->second.events.empty() && f->second.next_seq > after + 1)) {
      return respond(404, rpc_error_body(-32600, "Last-Event-ID " + last +
                                                     " is unknown or its events were dropped "
                                                     "(the replay buffer is bounded)"));
    }
    st = &f->second;
    resumed = true;
  } else {
    if (s->standalone) {
      st = &s->streams[s->standalone];
      if (auto c = st->conn.lock(); c && !c->closed) {
        return respond(409, rpc_error_body(-32600,
                                           "Conflict: a GET stream is already open for "
                                           "this session"));
      }
      after = st->delivered;
    } else {
      st = &s->new_stream(true);
    }
  }
  if (auto old = st->conn.lock(); old && old.get() != this) old->close();
  stream_session = s->id;
  stream_no = st->no;
  send(sse_headers(s->id, cors()));
  (void)resumed;
  s->attach(*st, shared_from_this(), after);
}

void Conn::handle_delete(http::request<http::string_body>& req) {
  auto it = req.find("Mcp-Session-Id");
  if (it == req.end()) {
    return respond(400, rpc_error_body(-32000, "Bad Request: Mcp-Session-Id header is required"));
  }
  const std::string sid(it->value());
  if (!front.sessions.count(sid)) {
    return respond(404, rpc_error_body(-32001, "Session not found (expired or ended)"));
  }
  front.end_session(sid, "ended by the client");
  respond(200, {});
}

// ---------------------------------------------------------------------------------------------

void FSession::route(std::string_view line) {
  if (dead) return;
  const MessageShape shape = scan_message(line);
  Stream* target = nullptr;
  std::vector<std::string> answered;
  if (shape.kind == MessageKind::response) {
    answered.push_back(shape.id);
  } else if (shape.kind == MessageKind::batch) {
    try {
      for (const auto& el : json::parse(line)) {
        if (el.is_object() && el.contains("id") && !el.contains("method")) {
          answered.push_back(canonical_json(el["id"]));
        }
      }
    } catch (const std::exception&) {
    }
  }
  for (const auto& id : answered) {
    if (!target) target = stream_of(id);
  }
  if (!target && !hint.empty()) target = stream_of(hint);
  if (!target && shape.kind == MessageKind::notification &&
      shape.method == "notifications/progress") {
    try {
      const json n = json::parse(line);
      if (n.contains("params") && n["params"].is_object() &&
          n["params"].contains("progressToken")) {
        auto p = progress.find(canonical_json(n["params"]["progressToken"]));
        if (p != progress.end()) target = stream_of(p->second);
      }
    } catch (const std::exception&) {
    }
  }
  if (!target) target = standalone ? &streams[standalone] : &new_stream(true);
  emit(*target, line);
  if (!answered.empty() && !target->standalone) {
    for (const auto& id : answered) {
      target->pending.erase(id);
      for (auto it = progress.begin(); it != progress.end();) {
        it = it->second == id ? progress.erase(it) : std::next(it);
      }
    }
    if (target->pending.empty()) finish_stream(*target);
  }
}

void FSession::emit(Stream& s, std::string_view line) {
  const uint64_t seq = s.next_seq++;
  std::string ev = sse_event(std::to_string(s.no) + "-" + std::to_string(seq), line);
  auto c = s.conn.lock();
  if (c && !c->closed && c->stream_no == s.no) {
    const uint64_t no = s.no;
    std::weak_ptr<FSession> w = weak_from_this();
    c->send(http_chunk(ev), [w, no, seq] {
      auto me = w.lock();
      if (!me) return;
      auto it = me->streams.find(no);
      if (it != me->streams.end()) it->second.delivered = std::max(it->second.delivered, seq);
    });
  }
  s.bytes += ev.size();
  s.events.push_back(Stream::Event{seq, std::move(ev)});
  while (!s.events.empty() &&
         (s.events.size() > front.o.replay_events || s.bytes > front.o.replay_bytes)) {
    s.bytes -= s.events.front().bytes.size();
    s.events.pop_front();
  }
}

void FSession::attach(Stream& s, const std::shared_ptr<Conn>& c, uint64_t after) {
  s.conn = c;
  const uint64_t no = s.no;
  std::weak_ptr<FSession> w = weak_from_this();
  for (const auto& e : s.events) {
    if (e.seq <= after) continue;
    const uint64_t seq = e.seq;
    c->send(http_chunk(e.bytes), [w, no, seq] {
      auto me = w.lock();
      if (!me) return;
      auto it = me->streams.find(no);
      if (it != me->streams.end()) it->second.delivered = std::max(it->second.delivered, seq);
    });
  }
  if (s.complete) finish_stream(s);
}

// Every request of the stream is answered: end the HTTP response. The stream is forgotten once
// that end reached the client; until then it can be resumed.
void FSession::finish_stream(Stream& s) {
  s.complete = true;
  auto c = s.conn.lock();
  if (!c || c->closed || c->stream_no != s.no) return;
  const uint64_t no = s.no;
  std::weak_ptr<FSession> w = weak_from_this();
  std::weak_ptr<Conn> wc = c;
  c->stream_no = 0;
  c->stream_session.clear();
  c->send("0\r\n\r\n", [w, wc, no] {
    if (auto me = w.lock()) me->streams.erase(no);
    if (auto cc = wc.lock()) cc->parse();
  });
}

}  // namespace

// ---------------------------------------------------------------------------------------------

void Impl::accept() {
  acceptor.async_accept([self = shared_from_this()](boost::system::error_code ec, tcp::socket s) {
    if (self->stopping) return;
    if (!ec) {
      if (self->conns.size() >= self->o.max_connections) {
        boost::system::error_code ignored;
        s.close(ignored);
      } else {
        s.set_option(tcp::no_delay(true), ec);
        std::make_shared<Conn>(self, std::move(s))->start();
      }
    }
    self->accept();
  });
}

void Impl::arm_sweep() {
  sweep.expires_after(std::min<Ms>(Ms(5000), std::max<Ms>(Ms(100), o.idle_timeout / 4)));
  sweep.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (ec || self->stopping) return;
    const auto now = Clock::now();
    std::vector<std::pair<std::string, std::string>> expired;
    for (auto& [id, s] : self->sessions) {
      bool open = false;
      for (auto& [n, st] : s->streams) {
        if (auto c = st.conn.lock(); c && !c->closed && c->stream_no == n) open = true;
      }
      if (!s->gone_why.empty() && !open) {
        expired.emplace_back(id, "its server " + s->gone_why);
      } else if (!open && now - s->last_activity >= self->o.idle_timeout &&
                 s->session->waiting_calls() == 0) {
        expired.emplace_back(id, "idle");
      }
    }
    for (auto& [id, why] : expired) self->end_session(id, why);
    self->arm_sweep();
  });
}

void Impl::end_session(const std::string& id, const std::string& why) {
  auto it = sessions.find(id);
  if (it == sessions.end()) return;
  std::shared_ptr<FSession> s = it->second;
  sessions.erase(it);
  // Calls still waiting are failed (and their queued approvals cancelled) before the wire goes.
  if (s->gone_why.empty()) s->session->on_server_exit("session ended (" + why + ")", Clock::now());
  s->dead = true;
  if (s->ticker) s->ticker->stop();
  for (auto& [n, st] : s->streams) {
    if (auto c = st.conn.lock(); c && !c->closed && c->stream_no == n) {
      c->stream_no = 0;
      c->close_after_write = true;
      c->send("0\r\n\r\n");
    }
  }
  log("session " + id.substr(0, 8) + " ended: " + why);
  if (s->link) {
    s->link->close([s](int) {});
  }
}

HttpFront::HttpFront(asio::io_context& io, FrontOptions options, SessionMaker make_session,
                     LinkFactory make_link)
    : m(std::make_shared<Impl>(io, std::move(options), std::move(make_session),
                               std::move(make_link))) {}

HttpFront::~HttpFront() = default;

Result<uint16_t> HttpFront::start() {
  if (sodium_init() < 0) return make_error("libsodium failed to initialise");
  boost::system::error_code ec;
  const auto addr = asio::ip::make_address(m->o.listen.host, ec);
  if (ec || !addr.is_loopback()) {
    return make_error("--listen: " + m->o.listen.host + " is not a loopback address");
  }
  tcp::endpoint ep(addr, m->o.listen.port);
  m->acceptor.open(ep.protocol(), ec);
  if (!ec) m->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) m->acceptor.bind(ep, ec);
  if (!ec) m->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error("cannot listen on " + m->o.listen.host + ":" +
                      std::to_string(m->o.listen.port) + ": " + ec.message());
  }
  m->accept();
  m->arm_sweep();
  return m->acceptor.local_endpoint().port();
}

void HttpFront::shutdown(std::function<void()> done) {
  m->stopping = true;
  boost::system::error_code ignored;
  m->acceptor.close(ignored);
  m->sweep.cancel();
  std::vector<std::string> ids;
  for (auto& [id, s] : m->sessions) ids.push_back(id);
  auto remaining = std::make_shared<std::size_t>(0);
  auto finish = std::make_shared<std::function<void()>>(std::move(done));
  for (const auto& id : ids) {
    auto it = m->sessions.find(id);
    if (it == m->sessions.end()) continue;
    std::shared_ptr<FSession> s = it->second;
    m->sessions.erase(it);
    if (s->gone_why.empty()) s->session->on_server_exit("blastwall is shutting down", Clock::now());
    s->dead = true;
    if (s->ticker) s->ticker->stop();
    if (s->link) {
      ++*remaining;
      s->link->close([s, remaining, finish](int) {
        if (--*remaining == 0 && *finish) (*finish)();
      });
    }
  }
  for (Conn* c : std::vector<Conn*>(m->conns.begin(), m->conns.end())) c->close();
  if (*remaining == 0)
    asio::post(m->io, [finish] {
      if (*finish) (*finish)();
    });
}

std::size_t HttpFront::session_count() const { return m->sessions.size(); }

}  // namespace blastwall::proxy
