// The transports around a Session for the asio-based modes (Streamable HTTP front and/or
// upstream). A Session only knows its Wire; LinkWire is a Wire whose two ends are a ServerLink
// (a stdio child or an HTTP upstream) and a client callback (stdout, or an HTTP session's streams).
// Everything here runs on one io_context thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "blastwall/result.hpp"
#include "proxy/framing.hpp"
#include "proxy/session.hpp"

namespace blastwall::proxy {

// What a server link reports. `via` names the client request whose response stream carried a
// server message (canonical id, "" when unknown or the standalone stream): a server request such
// as elicitation/create sent while a tools/call runs travels back on that call's stream.
struct LinkEvents {
  std::function<void(std::string_view line, const std::string& via)> on_line;
  std::function<void(const OversizeLine& info)> on_oversize;
  // The server is gone for good (exited, closed its output, HTTP session expired or unreachable).
  std::function<void(const std::string& why)> on_gone;
};

class ServerLink {
 public:
  virtual ~ServerLink() = default;
  // One JSON-RPC message (or batch), without the newline.
  virtual void send(std::string_view line) = 0;
  // Ends the server side (stdin close then signals; HTTP DELETE). `done` runs once it is over,
  // with the exit status (0 for HTTP). Events stop before `done`.
  virtual void close(std::function<void(int status)> done) = 0;
  [[nodiscard]] virtual std::string describe() const = 0;
};

using LinkFactory = std::function<Result<std::unique_ptr<ServerLink>>(LinkEvents events)>;

// The ServerLink facade over a link object shared with its own asio handlers (which hold weak or
// shared references): close() keeps the object alive until it reports that it is done.
template <class T>
class SharedLink : public ServerLink {
 public:
  explicit SharedLink(std::shared_ptr<T> impl) : m_impl(std::move(impl)) {}
  void send(std::string_view line) override { m_impl->send(line); }
  void close(std::function<void(int status)> done) override {
    auto keep = m_impl;
    m_impl->close([keep, done = std::move(done)](int status) mutable {
      if (done) done(status);
      keep.reset();
    });
  }
  [[nodiscard]] std::string describe() const override { return m_impl->describe(); }

 private:
  std::shared_ptr<T> m_impl;
};

// A stdio server child driven by asio (the poll-loop relay in relay.cpp is the one-client mode).
[[nodiscard]] Result<std::unique_ptr<ServerLink>> spawn_child_link(
    boost::asio::io_context& io, const std::vector<std::string>& command, std::size_t frame_cap,
    Ms shutdown_grace, LinkEvents events);

// The Wire between a Session and a ServerLink; lines for the client go to `to_client`.
class LinkWire : public Wire {
 public:
  using ClientFn = std::function<void(std::string_view line)>;
  LinkWire(ClientFn to_client, std::string log_prefix)
      : m_to_client(std::move(to_client)), m_prefix(std::move(log_prefix)) {}
  void set_server(ServerLink* server) { m_server = server; }

  void to_client(std::string_view line) override;
  void to_server(std::string_view line) override;
  void log(std::string_view message) override;
  // No cut-through in these modes (the framers have no stream threshold); kept whole.
  void to_client_partial(std::string_view bytes) override { m_partial.append(bytes); }
  void end_client_line() override;

 private:
  ClientFn m_to_client;
  std::string m_prefix;
  ServerLink* m_server = nullptr;
  std::string m_partial;
};

// Calls Session::on_tick when the session next has work (approval polls, keep-alive progress,
// call timeouts). arm() after every call into the session.
class SessionTimer {
 public:
  SessionTimer(boost::asio::io_context& io, Session& session) : m_timer(io), m_session(session) {}
  ~SessionTimer() { stop(); }
  void arm();
  void stop();

 private:
  boost::asio::steady_timer m_timer;
  Session& m_session;
  Clock::time_point m_armed = Clock::time_point::max();
  std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

}  // namespace blastwall::proxy
