#include "ui/server.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <list>
#include <map>
#include <mutex>
#include <thread>

#include "ui/api.hpp"
#include "ui/assets.hpp"
#include "ui/token.hpp"

namespace blastwall::ui {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Headers every answer carries: nothing is cached, framed or sniffed, and the page may load
// nothing but itself (no CDN, no inline script).
void harden(HttpResponse& r) {
  r.headers.emplace_back("Cache-Control", "no-store");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  r.headers.emplace_back("Cross-Origin-Resource-Policy", "same-origin");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' "
                         "data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
                         "form-action 'self'");
}

// The browser closed the event stream (navigated away): its FIN makes the socket readable with
// nothing to read. Without this check the thread would linger until its next write.
bool peer_closed(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLHUP | POLLERR)) return true;
  char c;
  return ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

struct Conn {
  int fd = -1;
  std::atomic<int64_t> last_ms{0};
  std::atomic<bool> streaming{false};
};

}  // namespace

bool is_loopback_address(std::string_view host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  boost::system::error_code ec;
  auto a = net::ip::make_address(std::string(host), ec);
  if (ec) return false;
  return a.is_loopback();
}

struct UiServer::Impl {
  UiOptions opts;
  net::io_context io;
  tcp::acceptor acceptor{io};
  uint16_t port = 0;
  std::unique_ptr<Api> api;
  std::thread accept_thread, janitor_thread;
  std::atomic<bool> stopping{false};
  std::mutex mu;
  std::condition_variable cv;
  std::list<std::shared_ptr<Conn>> conns;

  void accept_loop();
  void janitor_loop();
  void serve(tcp::socket& sock, const std::shared_ptr<Conn>& conn);
  void stream(tcp::socket& sock, Conn& conn, const HttpRequest& req);
};

void UiServer::Impl::accept_loop() {
  while (!stopping) {
    beast::error_code ec;
    tcp::socket sock(io);
    acceptor.accept(sock, ec);
    if (stopping) break;
    if (ec) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    auto conn = std::make_shared<Conn>();
    conn->fd = sock.native_handle();
    conn->last_ms = steady_ms();
    {
      std::lock_guard lock(mu);
      if (static_cast<int>(conns.size()) >= opts.max_connections) {
        static constexpr std::string_view k_busy =
            "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        net::write(sock, net::buffer(k_busy), ec);
        sock.close(ec);
        continue;
      }
      conns.push_back(conn);
    }
    // The socket dies inside the thread, before the connection is unlisted: stop() may destroy
    // the io_context as soon as the list is empty.
    auto owned = std::make_shared<tcp::socket>(std::move(sock));
    std::thread([this, owned, conn]() mutable {
      serve(*owned, conn);
      owned.reset();
      std::lock_guard lock(mu);
      conns.remove(conn);
      cv.notify_all();
    }).detach();
  }
}

void UiServer::Impl::janitor_loop() {
  std::unique_lock lock(mu);
  while (!stopping) {
    cv.wait_for(lock, std::chrono::seconds(1));
    const int64_t now = steady_ms();
    for (auto& c : conns) {
      if (!c->streaming && now - c->last_ms > opts.idle_close_ms) ::shutdown(c->fd, SHUT_RDWR);
    }
  }
}

void UiServer::Impl::serve(tcp::socket& sock, const std::shared_ptr<Conn>& conn) {
  beast::flat_buffer buf;
  beast::error_code ec;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(16 * 1024);
    parser.body_limit(256 * 1024);
    http::read(sock, buf, parser, ec);
    conn->last_ms = steady_ms();
    if (ec) {
      if (ec != http::error::end_of_stream && ec != net::error::eof && !stopping &&
          ec != net::error::connection_reset && ec != net::error::not_connected) {
        // Oversize or malformed request: say so, then close.
        static constexpr std::string_view k_bad =
            "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        net::write(sock, net::buffer(k_bad), ec);
      }
      break;
    }
    auto& req = parser.get();
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = std::string(req.target());
    for (const auto& f : req)
      r.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    r.body = std::move(req.body());
    if (r.method == "GET" && api->is_stream(r)) {
      stream(sock, *conn, r);
      break;
    }
    HttpResponse out = api->handle(r);
    harden(out);
    http::response<http::string_body> res{static_cast<http::status>(out.status), 11};
    res.set(http::field::content_type, out.content_type);
    for (const auto& [k, v] : out.headers) res.insert(k, v);
    res.body() = std::move(out.body);
    res.keep_alive(req.keep_alive() && !stopping);
    res.prepare_payload();
    http::write(sock, res, ec);
    conn->last_ms = steady_ms();
    if (ec || !res.keep_alive()) break;
  }
  sock.shutdown(tcp::socket::shutdown_both, ec);
  sock.close(ec);
}

// Server-sent events: the response stays open (Connection: close framing, no chunking) and
// each new matching row is one `data:` event. A comment line every 15 s keeps proxies and the
// browser from giving up; a failed write means the page went away.
void UiServer::Impl::stream(tcp::socket& sock, Conn& conn, const HttpRequest& req) {
  beast::error_code ec;
  auto session = api->open_stream(req);
  if (!session.ok) {
    HttpResponse out = std::move(session.refusal);
    harden(out);
    http::response<http::string_body> res{static_cast<http::status>(out.status), 11};
    res.set(http::field::content_type, out.content_type);
    res.body() = std::move(out.body);
    res.keep_alive(false);
    res.prepare_payload();
    http::write(sock, res, ec);
    return;
  }
  conn.streaming = true;
  HttpResponse head;
  harden(head);
  std::string h = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n";
  for (const auto& [k, v] : head.headers) h += k + ": " + v + "\r\n";
  h += "\r\nretry: 1000\n\n";
  net::write(sock, net::buffer(h), ec);
  int64_t last_ping = steady_ms();
  while (!ec && !stopping && !peer_closed(sock.native_handle())) {
    std::string events = api->poll_stream(*session.state);
    const int64_t now = steady_ms();
    if (events.empty() && now - last_ping > 15'000) events = ": ping\n\n";
    if (!events.empty()) {
      net::write(sock, net::buffer(events), ec);
      last_ping = now;
    }
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(opts.poll_ms), [this] { return stopping.load(); });
  }
}

UiServer::UiServer(std::unique_ptr<Impl> impl) : m(std::move(impl)) {}

UiServer::~UiServer() { stop(); }

Result<std::unique_ptr<UiServer>> UiServer::start(UiOptions options) {
  if (!is_loopback_address(options.host)) {
    return make_error("blastwall ui binds only to a loopback address (127.0.0.1, ::1), not '" +
                      options.host + "'");
  }
  if (options.token.size() < 32) return make_error("no dashboard token");
  auto impl = std::make_unique<Impl>();
  impl->opts = std::move(options);
  beast::error_code ec;
  const std::string host = impl->opts.host == "localhost" ? "127.0.0.1" : impl->opts.host;
  auto addr = net::ip::make_address(host == "[::1]" ? "::1" : host, ec);
  if (ec) return make_error("bad address " + host + ": " + ec.message());
  tcp::endpoint ep(addr, impl->opts.port);
  impl->acceptor.open(ep.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(ep, ec);
  if (!ec) impl->acceptor.listen(64, ec);
  if (ec) {
    return make_error("cannot listen on " + host + ":" + std::to_string(impl->opts.port) + ": " +
                      ec.message());
  }
  impl->port = impl->acceptor.local_endpoint().port();
  ApiConfig cfg;
  cfg.port = impl->port;
  cfg.v6 = addr.is_v6();
  cfg.state_dir = impl->opts.state_dir;
  cfg.audit_db = impl->opts.audit_db;
  cfg.token = impl->opts.token;
  cfg.who = impl->opts.who;
  cfg.engine_factory = impl->opts.engine_factory;
  cfg.approved_ttl_ms = impl->opts.approved_ttl_ms;
  impl->api = std::make_unique<Api>(std::move(cfg));
  Impl* p = impl.get();
  impl->accept_thread = std::thread([p] { p->accept_loop(); });
  impl->janitor_thread = std::thread([p] { p->janitor_loop(); });
  return std::unique_ptr<UiServer>(new UiServer(std::move(impl)));
}

uint16_t UiServer::port() const { return m->port; }

std::string UiServer::base_url() const {
  const bool v6 = m->acceptor.local_endpoint().address().is_v6();
  return std::string("http://") + (v6 ? "[::1]" : "127.0.0.1") + ":" + std::to_string(m->port) +
         "/";
}

std::string UiServer::login_url() const { return base_url() + "#token=" + m->opts.token; }

void UiServer::stop() {
  if (!m || m->stopping.exchange(true)) return;
  // shutdown() wakes a thread blocked in accept() or read(); close() alone would not.
  ::shutdown(m->acceptor.native_handle(), SHUT_RDWR);
  if (m->accept_thread.joinable()) m->accept_thread.join();
  beast::error_code ec;
  m->acceptor.close(ec);
  std::unique_lock lock(m->mu);
  for (auto& c : m->conns) ::shutdown(c->fd, SHUT_RDWR);
  m->cv.notify_all();
  m->cv.wait(lock, [this] { return m->conns.empty(); });
  lock.unlock();
  if (m->janitor_thread.joinable()) m->janitor_thread.join();
}

}  // namespace blastwall::ui
