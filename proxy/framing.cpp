#include "proxy/framing.hpp"

#include <cstring>

namespace blastwall::proxy {
namespace {
constexpr std::size_t k_keep_head = 4096;
constexpr std::size_t k_keep_tail = 512;

bool blank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}
}  // namespace

void LineFramer::emit(std::string_view line, const LineFn& on_line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (blank(line)) return;
  on_line(line);
}

void LineFramer::start_discard(std::string_view first) {
  m_discarding = true;
  m_dropped = 0;
  m_over = OversizeLine{};
  m_over.head.assign(first.substr(0, k_keep_head));
  keep_tail(first);
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

void LineFramer::feed(std::string_view data, const LineFn& on_line, const OversizeFn& on_oversize) {
  while (!data.empty()) {
    const void* nl = std::memchr(data.data(), '\n', data.size());
    const std::size_t upto =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - data.data()) : data.size();
    std::string_view chunk = data.substr(0, upto);
    if (m_discarding) {
      keep_tail(chunk);
      if (nl) {
        m_over.bytes = m_dropped;
        on_oversize(m_over);
        m_discarding = false;
        m_over = OversizeLine{};
      }
    } else if (m_buf.size() + chunk.size() > m_cap) {
      std::string first = std::move(m_buf);
      m_buf.clear();
      first.append(chunk);
      start_discard(first);
      if (nl) {
        m_over.bytes = m_dropped;
        on_oversize(m_over);
        m_discarding = false;
        m_over = OversizeLine{};
      }
    } else if (nl) {
      if (m_buf.empty()) {
        emit(chunk, on_line);  // zero-copy: the whole line is in this read
      } else {
        m_buf.append(chunk);
        std::string line = std::move(m_buf);
        m_buf.clear();
        emit(line, on_line);
      }
    } else {
      m_buf.append(chunk);
    }
    if (!nl) break;
    data.remove_prefix(upto + 1);
  }
}

}  // namespace blastwall::proxy
