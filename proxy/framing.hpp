// Newline framing for MCP stdio (one JSON-RPC message per line). The frame cap is enforced on the
// partial line, whatever the pipe chunking: a line that grows past the cap is discarded as it
// arrives and reported once its newline is seen, so memory stays bounded by the cap.
//
// Cut-through: with a stream threshold set, a line that reaches the threshold without its newline
// is offered to the handler (on_stream_begin); if taken, its bytes are handed over as they arrive
// instead of being buffered, so a large line never sits in memory whole. A streamed line is still
// cut at the cap: the bytes up to the cap are handed over, on_stream_end(false) is called, and the
// rest is discarded and reported through on_oversize at its newline.
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

  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void on_line(std::string_view line) = 0;  // without '\n' and a trailing '\r'
    virtual void on_oversize(const OversizeLine& info) = 0;
    // A line reached the stream threshold without its newline. Return true to stream it: `head`
    // (everything buffered so far) then comes through on_stream_data. Asked once per line.
    virtual bool on_stream_begin(std::string_view head) {
      (void)head;
      return false;
    }
    virtual void on_stream_data(std::string_view bytes) { (void)bytes; }
    // The streamed line ended: at its newline (complete), or cut at the cap.
    virtual void on_stream_end(bool complete) { (void)complete; }
  };

  explicit LineFramer(std::size_t cap = k_default_frame_cap) : m_cap(cap) {}

  // Lines of at least this many bytes may be streamed (0, the default: never).
  void set_stream_threshold(std::size_t bytes) { m_threshold = bytes; }

  // Splits data into lines; blank lines are skipped.
  void feed(std::string_view data, Handler& handler);
  void feed(std::string_view data, const LineFn& on_line, const OversizeFn& on_oversize);

  // Bytes of an unterminated final line (reported at EOF by the caller if wanted).
  [[nodiscard]] std::size_t pending_bytes() const {
    return m_discarding ? m_dropped : m_streaming ? m_streamed : m_buf.size();
  }
  [[nodiscard]] bool streaming() const { return m_streaming; }
  [[nodiscard]] std::size_t cap() const { return m_cap; }

 private:
  void emit(std::string_view line, Handler& handler);
  void start_discard(std::string_view held, std::string_view chunk);
  void keep_tail(std::string_view more);
  void report_oversize(Handler& handler);
  void begin_stream(Handler& handler);
  void line_done();

  std::size_t m_cap;
  std::size_t m_threshold = 0;
  std::string m_buf;
  bool m_offered = false;  // the current line was offered for streaming
  bool m_streaming = false;
  std::size_t m_streamed = 0;
  bool m_discarding = false;
  std::size_t m_dropped = 0;
  OversizeLine m_over;
};

}  // namespace blastwall::proxy
