#include "proxy/stdio_front.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <deque>

namespace blastwall::proxy {
namespace asio = boost::asio;

int run_stdio_front(asio::io_context& io, const StdioFrontOptions& options,
                    const std::function<std::unique_ptr<Session>(Wire&)>& make_session,
                    const LinkFactory& make_link) {
  const int in_flags = ::fcntl(options.in_fd, F_GETFL);
  const int out_flags = ::fcntl(options.out_fd, F_GETFL);
  asio::posix::stream_descriptor in(io, ::dup(options.in_fd));
  asio::posix::stream_descriptor out(io, ::dup(options.out_fd));
  std::deque<std::string> queue;
  bool out_ok = true;
  std::function<void()> write_next = [&] {
    asio::async_write(out, asio::buffer(queue.front()),
                      [&](boost::system::error_code ec, std::size_t) {
                        if (ec) {
                          out_ok = false;
                          queue.clear();
                          return;
                        }
                        queue.pop_front();
                        if (!queue.empty()) write_next();
                      });
  };
  LinkWire wire(
      [&](std::string_view line) {
        if (!out_ok) return;
        queue.emplace_back(line);
        queue.back().push_back('\n');
        if (queue.size() == 1) write_next();
      },
      "blastwall mcp: ");
  std::unique_ptr<Session> session = make_session(wire);
  SessionTimer ticker(io, *session);
  int status = 0;
  bool ending = false;
  std::unique_ptr<ServerLink> link;
  // Let the last answers reach the client (bounded), then stop.
  asio::steady_timer drain(io);
  auto drain_deadline = Clock::time_point::max();
  std::function<void()> drain_then_stop = [&] {
    const auto now = Clock::now();
    if (drain_deadline == Clock::time_point::max()) drain_deadline = now + Ms(2000);
    if (queue.empty() || !out_ok || now >= drain_deadline) return io.stop();
    drain.expires_after(Ms(10));
    drain.async_wait([&](boost::system::error_code) { drain_then_stop(); });
  };
  auto end = [&](int code) {
    if (ending) return;
    ending = true;
    status = code;
    ticker.stop();
    boost::system::error_code ignored;
    in.cancel(ignored);
    if (!link) return io.stop();
    link->close([&](int) { drain_then_stop(); });
  };

  LinkEvents ev;
  ev.on_line = [&](std::string_view line, const std::string&) {
    if (ending) return;
    session->on_server_line(line, Clock::now());
    ticker.arm();
  };
  ev.on_oversize = [&](const OversizeLine& o) {
    if (ending) return;
    session->on_server_oversize(o, Clock::now());
    ticker.arm();
  };
  ev.on_gone = [&](const std::string& why) {
    if (ending) return;
    wire.log("the MCP server " + why);
    session->on_server_exit(why, Clock::now());
    end(1);
  };
  auto made = make_link(std::move(ev));
  if (!made) {
    wire.log(made.error().message);
    return 127;
  }
  link = std::move(*made);
  wire.set_server(link.get());

  asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) end(0);
  });
  struct sigaction ign {
  }, old_pipe{};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, &old_pipe);

  LineFramer framer(options.frame_cap);
  struct Feed : LineFramer::Handler {
    Session& s;
    explicit Feed(Session& session) : s(session) {}
    void on_line(std::string_view line) override { s.on_client_line(line, Clock::now()); }
    void on_oversize(const OversizeLine& o) override { s.on_client_oversize(o, Clock::now()); }
  } feed(*session);
  std::string buf(1 << 16, '\0');
  std::function<void()> read = [&] {
    in.async_read_some(asio::buffer(buf), [&](boost::system::error_code ec, std::size_t n) {
      if (ending) return;
      if (n > 0) {
        framer.feed(std::string_view(buf.data(), n), feed);
        ticker.arm();
      }
      if (ec) {
        wire.log("client closed its input; ending the upstream session");
        return end(0);
      }
      read();
    });
  };
  read();
  io.run();
  signals.cancel();
  ::sigaction(SIGPIPE, &old_pipe, nullptr);
  ::fcntl(options.in_fd, F_SETFL, in_flags);
  ::fcntl(options.out_fd, F_SETFL, out_flags);
  return status;
}

}  // namespace blastwall::proxy
