// LinkWire, SessionTimer, and the ServerLink over a stdio child (one child per HTTP session).
#include "proxy/links.hpp"

#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <deque>

#include "proxy/child.hpp"

namespace blastwall::proxy {
namespace asio = boost::asio;

void LinkWire::to_client(std::string_view line) { m_to_client(line); }

void LinkWire::to_server(std::string_view line) {
  if (m_server) m_server->send(line);
}

void LinkWire::log(std::string_view message) {
  std::string s = m_prefix;
  s.append(message);
  s.push_back('\n');
  ssize_t ignored = ::write(STDERR_FILENO, s.data(), s.size());
  (void)ignored;
}

void LinkWire::end_client_line() {
  std::string line = std::move(m_partial);
  m_partial.clear();
  m_to_client(line);
}

void SessionTimer::arm() {
  if (!*m_alive) return;
  const auto wake = m_session.next_wakeup();
  if (wake == m_armed) return;
  m_armed = wake;
  if (wake == Clock::time_point::max()) {
    m_timer.cancel();
    return;
  }
  m_timer.expires_at(wake);
  m_timer.async_wait([this, alive = m_alive](boost::system::error_code ec) {
    if (ec || !*alive) return;
    m_armed = Clock::time_point::max();
    m_session.on_tick(Clock::now());
    arm();
  });
}

void SessionTimer::stop() {
  *m_alive = false;
  m_timer.cancel();
}

namespace {

class ChildLink : public ServerLink, public std::enable_shared_from_this<ChildLink> {
 public:
  ChildLink(asio::io_context& io, ChildProcess child, std::size_t cap, Ms grace, LinkEvents ev)
      : m_child(std::move(child)),
        m_in(io),
        m_out(io),
        m_timer(io),
        m_framer(cap),
        m_grace(grace),
        m_ev(std::move(ev)),
        m_buf(1 << 16, '\0') {
    // asio owns duplicates; the ChildProcess keeps the pid and closes its own copies now.
    m_in.assign(::dup(m_child.stdin_fd()));
    m_out.assign(::dup(m_child.stdout_fd()));
    m_child.close_stdin();
    m_child.close_stdout();
  }
  ~ChildLink() override {
    if (!m_child.exited()) {
      m_child.signal(SIGKILL);
      m_child.wait_for(500);
    }
  }

  void start() { read(); }

  void send(std::string_view line) override {
    if (!m_in.is_open() || m_closing) return;
    m_queue.emplace_back(line);
    m_queue.back().push_back('\n');
    if (m_queue.size() == 1) write();
  }

  void close(std::function<void(int)> done) override {
    m_closing = true;
    m_done = std::move(done);
    m_ev = LinkEvents{};  // nobody listens any more
    m_queue.clear();
    boost::system::error_code ignored;
    m_in.close(ignored);
    m_stage = 1;
    tick();
  }

  [[nodiscard]] std::string describe() const override { return m_child.describe(); }

 private:
  void write() {
    auto self = weak_from_this();
    asio::async_write(m_in, asio::buffer(m_queue.front()),
                      [self](boost::system::error_code ec, std::size_t) {
                        auto me = self.lock();
                        if (!me) return;
                        if (ec) {
                          me->m_queue.clear();
                          return;  // the read side notices the server's end
                        }
                        me->m_queue.pop_front();
                        if (!me->m_queue.empty()) me->write();
                      });
  }

  struct Feed : LineFramer::Handler {
    ChildLink& l;
    explicit Feed(ChildLink& link) : l(link) {}
    void on_line(std::string_view line) override {
      if (l.m_ev.on_line) l.m_ev.on_line(line, std::string());
    }
    void on_oversize(const OversizeLine& o) override {
      if (l.m_ev.on_oversize) l.m_ev.on_oversize(o);
    }
  };

  void read() {
    auto self = weak_from_this();
    m_out.async_read_some(asio::buffer(m_buf), [self](boost::system::error_code ec, std::size_t n) {
      auto me = self.lock();
      if (!me) return;
      if (n > 0) {
        Feed feed(*me);
        me->m_framer.feed(std::string_view(me->m_buf.data(), n), feed);
      }
      if (ec) {
        me->output_ended();
        return;
      }
      me->read();
    });
  }

  // The server closed its stdout (it exited or is about to): wait a moment for its status.
  void output_ended() {
    boost::system::error_code ignored;
    m_out.close(ignored);
    if (m_closing) return;
    m_reaping = true;
    m_reap_deadline = Clock::now() + m_grace;
    tick();
  }

  void tick() {
    m_child.try_reap();
    if (m_reaping && !m_closing) {
      if (m_child.exited() || Clock::now() >= m_reap_deadline) {
        m_reaping = false;
        const std::string why =
            m_child.exited() ? m_child.describe() : std::string("closed its output");
        if (!m_child.exited()) m_child.signal(SIGTERM);
        if (auto gone = m_ev.on_gone) gone(why);
        return;
      }
    }
    if (m_closing) {
      if (m_child.exited()) {
        if (auto done = std::move(m_done)) {
          m_done = nullptr;
          done(m_child.status());
        }
        return;
      }
      const auto now = Clock::now();
      if (m_stage == 1 && m_stage_at == Clock::time_point{}) m_stage_at = now + m_grace;
      if (now >= m_stage_at) {
        if (m_stage == 1) {
          m_child.signal(SIGTERM);
          m_stage = 2;
          m_stage_at = now + m_grace;
        } else if (m_stage == 2) {
          m_child.signal(SIGKILL);
          m_stage = 3;
          m_stage_at = now + Ms(60000);
        }
      }
    }
    auto self = weak_from_this();
    m_timer.expires_after(Ms(25));
    m_timer.async_wait([self](boost::system::error_code ec) {
      auto me = self.lock();
      if (me && !ec) me->tick();
    });
  }

  ChildProcess m_child;
  asio::posix::stream_descriptor m_in;
  asio::posix::stream_descriptor m_out;
  asio::steady_timer m_timer;
  LineFramer m_framer;
  Ms m_grace;
  LinkEvents m_ev;
  std::string m_buf;
  std::deque<std::string> m_queue;
  bool m_closing = false;
  bool m_reaping = false;
  Clock::time_point m_reap_deadline{};
  int m_stage = 0;
  Clock::time_point m_stage_at{};
  std::function<void(int)> m_done;
};

}  // namespace

Result<std::unique_ptr<ServerLink>> spawn_child_link(asio::io_context& io,
                                                     const std::vector<std::string>& command,
                                                     std::size_t frame_cap, Ms shutdown_grace,
                                                     LinkEvents events) {
  auto child = ChildProcess::spawn(command);
  if (!child) return child.error();
  auto link = std::make_shared<ChildLink>(io, std::move(*child), frame_cap, shutdown_grace,
                                          std::move(events));
  link->start();
  return std::unique_ptr<ServerLink>(new SharedLink<ChildLink>(std::move(link)));
}

}  // namespace blastwall::proxy
