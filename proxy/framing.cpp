#include "proxy/framing.hpp"

#include <cstring>

namespace blastwall::proxy {
namespace {
constexpr std::size_t k_keep_head = 4096;
constexpr std::size_t k_keep_tail = 512;
// A buffer that held a line larger than this is released afterwards instead of kept for reuse.
constexpr std::size_t k_keep_capacity = 1u << 20;

bool blank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

class FnHandler : public LineFramer::Handler {
 public:
  FnHandler(const LineFramer::LineFn& l, const LineFramer::OversizeFn& o) : m_line(l), m_over(o) {}
  void on_line(std::string_view line) override { m_line(line); }
  void on_oversize(const OversizeLine& info) override { m_over(info); }

 private:
  const LineFramer::LineFn& m_line;
  const LineFramer::OversizeFn& m_over;
};
}  // namespace

void LineFramer::emit(std::string_view line, Handler& handler) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (blank(line)) return;
  handler.on_line(line);
}

// A buffered line went over the cap: `held` was buffered, `chunk` is the piece that did not fit.
void LineFramer::start_discard(std::string_view held, std::string_view chunk) {
  m_discarding = true;
  m_dropped = 0;
  m_over = OversizeLine{};
  m_over.head.assign(held.substr(0, k_keep_head));
  m_over.head.append(chunk.substr(0, k_keep_head - m_over.head.size()));
  keep_tail(held);
  keep_tail(chunk);
}

void LineFramer::keep_tail(std::string_view more) {
  m_dropped += more.size();
  if (more.size() >= k_keep_tail) {
    m_over.tail.assign(more.substr(more.size() - k_keep_tail));
  } else {
    m_over.tail.append(more);
    if (m_over.tail.size() > k_keep_tail) m_over.tail.erase(0, m_over.tail.size() - k_keep_tail);
  }
}

void LineFramer::report_oversize(Handler& handler) {
  m_over.bytes = m_dropped;
  handler.on_oversize(m_over);
  m_discarding = false;
  m_offered = false;
  m_over = OversizeLine{};
}

void LineFramer::line_done() {
  m_offered = false;
  if (m_buf.capacity() > k_keep_capacity) {
    std::string().swap(m_buf);
  } else {
    m_buf.clear();
  }
}

void LineFramer::begin_stream(Handler& handler) {
  m_offered = true;
  if (!handler.on_stream_begin(m_buf)) return;
  m_streaming = true;
  m_streamed = m_buf.size();
  m_over = OversizeLine{};
  m_over.head.assign(std::string_view(m_buf).substr(0, k_keep_head));
  handler.on_stream_data(m_buf);
  m_buf.clear();
}

void LineFramer::feed(std::string_view data, Handler& handler) {
  while (!data.empty()) {
    const void* nl = std::memchr(data.data(), '\n', data.size());
    const std::size_t upto =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data.data()) : data.size();
    std::string_view chunk = data.substr(0, upto);
    if (m_discarding) {
      keep_tail(chunk);
      if (nl) report_oversize(handler);
    } else if (m_streaming) {
      if (m_streamed + chunk.size() > m_cap) {
        // Cut at the cap: hand over what fits, end the line, drop the rest as an oversize line
        // (its head was kept when the stream began).
        if (m_cap > m_streamed) handler.on_stream_data(chunk.substr(0, m_cap - m_streamed));
        m_streaming = false;
        handler.on_stream_end(false);
        m_discarding = true;
        m_dropped = m_streamed;
        m_over.tail.clear();
        keep_tail(chunk);
        if (nl) report_oversize(handler);
      } else {
        m_streamed += chunk.size();
        if (!chunk.empty()) handler.on_stream_data(chunk);
        if (nl) {
          m_streaming = false;
          handler.on_stream_end(true);
        }
      }
      if (nl) line_done();
    } else if (m_buf.size() + chunk.size() > m_cap) {
      start_discard(m_buf, chunk);
      line_done();
      if (nl) report_oversize(handler);
    } else if (nl) {
      if (m_buf.empty()) {
        emit(chunk, handler);  // zero-copy: the whole line is in this read
      } else {
        m_buf.append(chunk);
        emit(m_buf, handler);
      }
      line_done();
    } else {
      m_buf.append(chunk);
      if (m_threshold > 0 && !m_offered && m_buf.size() >= m_threshold) begin_stream(handler);
    }
    if (!nl) break;
    data.remove_prefix(upto + 1);
  }
}

void LineFramer::feed(std::string_view data, const LineFn& on_line, const OversizeFn& on_oversize) {
  FnHandler handler(on_line, on_oversize);
  feed(data, handler);
}

}  // namespace blastwall::proxy
