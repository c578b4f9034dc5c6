// Newline framing for MCP stdio (one JSON-RPC message per line). The frame cap is enforced on the
// partial line, whatever the pipe chunking: a line that grows past the cap is discarded as it
// arrives and reported once its newline is seen, so memory stays bounded by the cap.
// Not thread-safe; one framer per direction.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace blastwall::proxy {

inline constexpr std::size_t k_default_frame_cap = 16u * 1024u * 1024u;

struct OversizeLine {
  std::size_t bytes = 0;  // total length of the dropped line
  std::string head;       // its first bytes (for diagnostics and id recovery)
  std::string tail;       // its last bytes
};

class LineFramer {
 public:
  using LineFn = std::function<void(std::string_view line)>;
  using OversizeFn = std::function<void(const OversizeLine& info)>;

  explicit LineFramer(std::size_t cap = k_default_frame_cap) : m_cap(cap) {}

  // Splits data into lines (without '\n' and a trailing '\r'); blank lines are skipped.
  void feed(std::string_view data, const LineFn& on_line, const OversizeFn& on_oversize);

  // Bytes of an unterminated final line (reported at EOF by the caller if wanted).
  [[nodiscard]] std::size_t pending_bytes() const {
    return m_discarding ? m_dropped : m_buf.size();
  }
  [[nodiscard]] std::size_t cap() const { return m_cap; }

 private:
  void emit(std::string_view line, const LineFn& on_line);
  void start_discard(std::string_view first);
  void keep_tail(std::string_view more);

  std::size_t m_cap;
  std::string m_buf;
  bool m_discarding = false;
  std::size_t m_dropped = 0;
  OversizeLine m_over;
};

}  // namespace blastwall::proxy
