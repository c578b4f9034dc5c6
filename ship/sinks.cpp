#include "ship/sinks.hpp"

#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/local/datagram_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

namespace blastwall::ship {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// Runs one asynchronous step to completion within `timeout`: Beast's and Asio's synchronous calls
// ignore expiry, so every network step here is async + run_for, and a late one is cancelled.
template <typename Start>
void run_bounded(asio::io_context& io, std::chrono::milliseconds timeout, Start start,
                 const char* what) {
  beast::error_code result = asio::error::would_block;
  bool done = false;
  io.restart();
  start([&](beast::error_code ec) {
    result = ec;
    done = true;
  });
  io.run_for(timeout);
  if (!done) {
    io.stop();
    throw std::runtime_error(std::string(what) + " timed out after " +
                             std::to_string(timeout.count()) + " ms");
  }
  if (result) throw beast::system_error(result);
}

class OtlpSink final : public Sink {
 public:
  OtlpSink(Destination t, Endpoint ep, Resource res,
           std::vector<std::pair<std::string, std::string>> h)
      : m_t(std::move(t)), m_ep(std::move(ep)), m_res(std::move(res)), m_headers(std::move(h)) {}

  SendResult send(std::span<const audit::AuditRow> rows) override {
    std::string body = otlp_logs_json(rows, m_res);
    try {
      auto timeout = std::chrono::milliseconds(m_t.timeout_ms);
      if (!m_stream) {
        m_stream.emplace(m_io);
        tcp::resolver resolver(m_io);
        auto hosts = resolver.resolve(m_ep.host, m_ep.port);
        run_bounded(
            m_io, timeout,
            [&](auto done) {
              m_stream->async_connect(hosts, [done](beast::error_code ec, auto) { done(ec); });
            },
            "connect");
      }
      http::request<http::string_body> req{http::verb::post, m_ep.path, 11};
      req.set(http::field::host, m_ep.host + ":" + m_ep.port);
      req.set(http::field::content_type, "application/json");
      req.set(http::field::user_agent, "blastwall/" + m_res.version);
      req.keep_alive(true);
      for (const auto& [k, v] : m_headers) req.set(k, v);
      req.body() = std::move(body);
      req.prepare_payload();
      beast::flat_buffer buf;
      http::response_parser<http::string_body> parser;
      parser.body_limit(1 << 20);
      run_bounded(
          m_io, timeout,
          [&](auto done) {
            http::async_write(*m_stream, req, [&, done](beast::error_code ec, size_t) {
              if (ec) return done(ec);
              http::async_read(*m_stream, buf, parser,
                               [done](beast::error_code ec2, size_t) { done(ec2); });
            });
          },
          "collector request");
      auto res = parser.release();
      if (!res.keep_alive()) reset();
      return classify(res);
    } catch (const beast::system_error& e) {
      // The code's message only: what() carries Boost's source location, which status and
      // doctor would otherwise print.
      reset();
      return {SendOutcome::retry,
              std::string("cannot reach collector ") + m_t.endpoint + ": " + e.code().message(), 0,
              0};
    } catch (const std::exception& e) {
      reset();
      return {SendOutcome::retry,
              std::string("cannot reach collector ") + m_t.endpoint + ": " + e.what(), 0, 0};
    }
  }

  void reset() override {
    if (m_stream) {
      beast::error_code ec;
      m_stream->socket().close(ec);
      m_stream.reset();
    }
  }

 private:
  static SendResult classify(const http::response<http::string_body>& res) {
    unsigned code = res.result_int();
    SendResult r;
    if (code >= 200 && code < 300) {
      // Partial success: the collector dropped some records on purpose; the spec says not to
      // retry them. Counted and reported, the cursor still advances.
      auto j = nlohmann::json::parse(res.body(), nullptr, false);
      if (j.is_object()) {
        if (auto ps = j.find("partialSuccess"); ps != j.end() && ps->is_object()) {
          auto rej = ps->value("rejectedLogRecords", nlohmann::json());
          if (rej.is_string()) r.rejected = std::atoll(rej.get<std::string>().c_str());
          if (rej.is_number_integer()) r.rejected = rej.get<int64_t>();
          r.message = ps->value("errorMessage", std::string());
        }
      }
      return r;
    }
    std::string snippet = res.body().substr(0, 200);
    r.message =
        "collector answered HTTP " + std::to_string(code) + (snippet.empty() ? "" : ": " + snippet);
    if (auto ra = res.find(http::field::retry_after); ra != res.end()) {
      int secs = std::atoi(std::string(ra->value()).c_str());
      if (secs > 0) r.retry_after_ms = secs * 1000;
    }
    r.outcome = (code == 429 || code == 502 || code == 503 || code == 504 || code == 408)
                    ? SendOutcome::retry
                    : SendOutcome::permanent;
    return r;
  }

  Destination m_t;
  Endpoint m_ep;
  Resource m_res;
  std::vector<std::pair<std::string, std::string>> m_headers;
  asio::io_context m_io;
  std::optional<beast::tcp_stream> m_stream;
};

class SyslogSink final : public Sink {
 public:
  SyslogSink(Destination t, Endpoint ep, Resource res)
      : m_t(std::move(t)), m_ep(std::move(ep)), m_res(std::move(res)) {}

  SendResult send(std::span<const audit::AuditRow> rows) override {
    try {
      if (m_ep.scheme == "tcp") return send_tcp(rows);
      if (m_ep.scheme == "udp") return send_udp(rows);
      return send_unix(rows);
    } catch (const beast::system_error& e) {
      reset();
      return {SendOutcome::retry, "cannot reach syslog " + m_t.address + ": " + e.code().message(),
              0, 0};
    } catch (const std::exception& e) {
      reset();
      return {SendOutcome::retry, "cannot reach syslog " + m_t.address + ": " + e.what(), 0, 0};
    }
  }

  void reset() override {
    beast::error_code ec;
    if (m_tcp) m_tcp->socket().close(ec);
    m_tcp.reset();
    if (m_udp) m_udp->close(ec);
    m_udp.reset();
    if (m_unix) m_unix->close(ec);
    m_unix.reset();
  }

 private:
  SendResult send_tcp(std::span<const audit::AuditRow> rows) {
    auto timeout = std::chrono::milliseconds(m_t.timeout_ms);
    if (!m_tcp) {
      m_tcp.emplace(m_io);
      tcp::resolver resolver(m_io);
      auto hosts = resolver.resolve(m_ep.host, m_ep.port);
      run_bounded(
          m_io, timeout,
          [&](auto done) {
            m_tcp->async_connect(hosts, [done](beast::error_code ec, auto) { done(ec); });
          },
          "connect");
    }
    // RFC 6587 octet counting: "LEN SP MSG", one write per batch.
    std::string out;
    for (const auto& r : rows) {
      std::string m = syslog_5424(r, m_t, m_res, 64 * 1024);
      out += std::to_string(m.size()) + " " + m;
    }
    run_bounded(
        m_io, timeout,
        [&](auto done) {
          asio::async_write(*m_tcp, asio::buffer(out),
                            [done](beast::error_code ec, size_t) { done(ec); });
        },
        "syslog write");
    return {};
  }

  SendResult send_udp(std::span<const audit::AuditRow> rows) {
    if (!m_udp) {
      asio::ip::udp::resolver resolver(m_io);
      m_udp_to = *resolver.resolve(m_ep.host, m_ep.port).begin();
      m_udp.emplace(m_io);
      m_udp->open(m_udp_to.protocol());
    }
    // One message per datagram (RFC 5426); 8 KiB is what common receivers accept. UDP gives no
    // delivery guarantee: documented (docs/TEAMS.md) — prefer tcp:// for at-least-once.
    for (const auto& r : rows) m_udp->send_to(asio::buffer(syslog_5424(r, m_t, m_res)), m_udp_to);
    return {};
  }

  SendResult send_unix(std::span<const audit::AuditRow> rows) {
    using dgram = asio::local::datagram_protocol;
    if (!m_unix) {
      m_unix.emplace(m_io);
      m_unix->open();
      m_unix->connect(dgram::endpoint(m_ep.path));
    }
    // A local daemon that stops reading fills the socket's queue: each send is bounded.
    auto timeout = std::chrono::milliseconds(m_t.timeout_ms);
    for (const auto& r : rows) {
      std::string m = syslog_5424(r, m_t, m_res);
      run_bounded(
          m_io, timeout,
          [&](auto done) {
            m_unix->async_send(asio::buffer(m), [done](beast::error_code ec, size_t) { done(ec); });
          },
          "syslog send");
    }
    return {};
  }

  Destination m_t;
  Endpoint m_ep;
  Resource m_res;
  asio::io_context m_io;
  std::optional<beast::tcp_stream> m_tcp;
  std::optional<asio::ip::udp::socket> m_udp;
  asio::ip::udp::endpoint m_udp_to;
  std::optional<asio::local::datagram_protocol::socket> m_unix;
};

}  // namespace

Resource local_resource() {
  Resource r;
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) == 0) r.host = host;
  if (const char* u = std::getenv("USER")) r.user = u;
#ifdef BLASTWALL_VERSION
  r.version = BLASTWALL_VERSION;
#endif
  return r;
}

Result<std::unique_ptr<Sink>> make_sink(const Destination& target, const Resource& res) {
  auto ep = parse_endpoint(target.type == TargetType::otlp ? target.endpoint : target.address,
                           target.type);
  if (!ep) return ep.error();
  if (target.type == TargetType::otlp) {
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& [k, v] : target.headers) {
      auto e = expand_env(v);
      if (!e)
        return make_error("target '" + target.name + "' header " + k + ": " + e.error().message);
      headers.emplace_back(k, *e);
    }
    return std::unique_ptr<Sink>(new OtlpSink(target, *ep, res, std::move(headers)));
  }
  return std::unique_ptr<Sink>(new SyslogSink(target, *ep, res));
}

}  // namespace blastwall::ship
