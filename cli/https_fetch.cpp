#include "cli/https_fetch.hpp"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <exception>
#include <optional>

namespace blastwall::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct Url {
  std::string host, port = "443", target = "/";
};

Result<Url> parse_https_url(const std::string& url) {
  constexpr std::string_view k_scheme = "https://";
  if (url.rfind(k_scheme, 0) != 0) {
    return make_error("only https:// URLs are fetched (got " + url + ")");
  }
  std::string rest = url.substr(k_scheme.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  Url u;
  if (slash != std::string::npos) u.target = rest.substr(slash);
  if (authority.find('@') != std::string::npos) {
    return make_error("URLs with credentials are refused: " + url);
  }
  if (!authority.empty() && authority[0] == '[') {  // [::1]:8443
    auto close = authority.find(']');
    if (close == std::string::npos) return make_error("bad IPv6 host in " + url);
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      u.port = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) u.port = authority.substr(colon + 1);
  }
  if (u.host.empty() || u.port.empty() ||
      u.port.find_first_not_of("0123456789") != std::string::npos) {
    return make_error("bad host or port in " + url);
  }
  if (auto hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
  return u;
}

// Resolves a Location header against the URL it came from.
std::string resolve_location(const std::string& base, const Url& u, const std::string& loc) {
  if (loc.find("://") != std::string::npos) return loc;
  std::string origin = "https://" + u.host + (u.port == "443" ? "" : ":" + u.port);
  if (u.host.find(':') != std::string::npos) {
    origin = "https://[" + u.host + "]" + (u.port == "443" ? "" : ":" + u.port);
  }
  if (!loc.empty() && loc[0] == '/') return origin + loc;
  auto last = u.target.rfind('/');
  (void)base;
  return origin + u.target.substr(0, last + 1) + loc;
}

struct Exchange {
  int status = 0;
  std::string body;
  std::string location;
  std::string error;
};

asio::awaitable<void> get_once(asio::ssl::context& ctx, Url u, std::size_t max_bytes,
                               Exchange& out) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  beast::ssl_stream<beast::tcp_stream> stream(ex, ctx);
  // SNI and host name verification (an IP address is checked against the certificate's IP SANs).
  if (!SSL_set_tlsext_host_name(stream.native_handle(), u.host.c_str())) {
    out.error = "cannot set TLS server name";
    co_return;
  }
  stream.set_verify_mode(asio::ssl::verify_peer);
  stream.set_verify_callback(asio::ssl::host_name_verification(u.host));
  auto endpoints = co_await resolver.async_resolve(u.host, u.port, asio::use_awaitable);
  co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
  co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  http::request<http::empty_body> req{http::verb::get, u.target, 11};
  req.set(http::field::host, u.host);
  req.set(http::field::user_agent, "blastwall/" BLASTWALL_VERSION);
  req.set(http::field::accept, "*/*");
  req.set(http::field::connection, "close");
  co_await http::async_write(stream, req, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(max_bytes);
  parser.header_limit(64 * 1024);
  co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
  auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  out.body = std::move(res.body());
  if (auto it = res.find(http::field::location); it != res.end()) {
    out.location = std::string(it->value());
  }
  beast::error_code ec;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ec);
}

}  // namespace

Result<HttpsResponse> https_get(const std::string& url, const HttpsOptions& options) {
  try {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1);
    ctx.set_default_verify_paths();
    if (!options.ca_file.empty()) {
      beast::error_code ec;
      ctx.load_verify_file(options.ca_file, ec);
      if (ec) return make_error("cannot load CA file " + options.ca_file + ": " + ec.message());
    }
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeout_ms);
    std::string current = url;
    for (int hop = 0; hop <= options.max_redirects; ++hop) {
      auto u = parse_https_url(current);
      if (!u) return u.error();
      asio::io_context io;
      Exchange x;
      std::exception_ptr failure;
      bool done = false;
      asio::co_spawn(io, get_once(ctx, *u, options.max_bytes, x), [&](std::exception_ptr e) {
        failure = e;
        done = true;
      });
      auto left = deadline - std::chrono::steady_clock::now();
      if (left > std::chrono::steady_clock::duration::zero()) io.run_for(left);
      if (!done) {
        io.stop();
        return make_error("timed out after " + std::to_string(options.timeout_ms) +
                          " ms fetching " + current);
      }
      if (failure) {
        try {
          std::rethrow_exception(failure);
        } catch (const boost::system::system_error& e) {
          if (e.code() == http::error::body_limit) {
            return make_error(current + ": response larger than " +
                              std::to_string(options.max_bytes) + " bytes");
          }
          std::string what = e.code().message();
          if (e.code().category() == asio::error::get_ssl_category()) {
            what = "TLS: " + what + " (certificate not trusted? see --ca-file)";
          }
          return make_error("cannot fetch " + current + ": " + what);
        } catch (const std::exception& e) {
          return make_error("cannot fetch " + current + ": " + e.what());
        }
      }
      if (!x.error.empty()) return make_error("cannot fetch " + current + ": " + x.error);
      if (x.status >= 300 && x.status < 400 && x.status != 304 && !x.location.empty()) {
        current = resolve_location(current, *u, x.location);
        continue;
      }
      return HttpsResponse{x.status, std::move(x.body), current};
    }
    return make_error("too many redirects fetching " + url);
  } catch (const std::exception& e) {
    return make_error("cannot fetch " + url + ": " + e.what());
  }
}

}  // namespace blastwall::cli
