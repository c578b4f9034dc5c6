// A validating, allocation-light scan of one JSON-RPC message: checks the whole line is one JSON
// value and extracts the top-level fields the relay routes on (id, method, result/error, and
// result.isError). The relay passes most server messages through byte-for-byte, so this scan, not a
// DOM parse, is what runs on a large tool result. The scanner is incremental (StreamScanner): a
// line may be fed in pieces as it arrives, which is how the relay checks a large server line while
// it is already streaming it to the client. Pure; thread-safe per instance.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace blastwall::proxy {

enum class MessageKind { invalid, request, notification, response, batch, other };

struct MessageShape {
  MessageKind kind = MessageKind::invalid;
  std::string id;      // canonical compact JSON of "id" ("3", "\"abc\"", "null"); empty = absent
  std::string method;  // decoded "method" when it is a string
  bool has_result = false;
  bool has_error = false;
  std::optional<bool> is_error;  // result.isError when result is an object holding a boolean
  std::string problem;           // why the line is invalid
};

inline constexpr std::size_t k_max_json_depth = 256;
// Longest raw "id" value kept (a longer one makes the message invalid: memory stays bounded).
inline constexpr std::size_t k_max_id_bytes = 4096;

// Incremental form of scan_message: feed() the line in any number of pieces, then finish().
// Memory is bounded whatever the line length (the nesting stack, the id and short keys only).
class StreamScanner {
 public:
  void feed(std::string_view bytes);
  // Ends the line: returns its shape and resets the scanner for the next line.
  MessageShape finish();
  [[nodiscard]] bool failed() const { return m_problem != nullptr; }

 private:
  enum class Mode : uint8_t {
    value,        // a value is expected
    obj_first,    // after '{': a key or '}'
    obj_key,      // after ',' in an object: a key
    colon,        // after a key
    after_value,  // ',' or the closing bracket
    arr_first,    // after '[': a value or ']'
    string,
    escape,
    unicode,
    number,
    literal,
    done,  // the top-level value is complete; only whitespace may follow
  };
  enum class Role : uint8_t { none, id, method, result, error, is_error };
  enum class Num : uint8_t { minus, zero, integer, dot, fraction, e, e_sign, exponent };

  const char* step(const char* p, const char* end);
  const char* scan_string(const char* p, const char* end);
  bool start_value(const char* p);
  void end_value(const char* after);
  void close_container(const char* after);
  void end_key();
  void out_append(const char* from, const char* to);
  void out_push(char c);
  void fail(const char* why) {
    if (!m_problem) m_problem = why;
  }

  Mode m_mode = Mode::value;
  const char* m_problem = nullptr;
  bool m_any = false;  // a non-blank byte was seen
  char m_top = 0;      // '{', '[' or 's' (scalar): the kind of the top-level value
  std::array<char, k_max_json_depth> m_stack{};
  std::size_t m_depth = 0;

  // Strings: whether the current one is a key, and where its decoded text goes (if anywhere).
  bool m_str_key = false;
  std::string* m_out = nullptr;
  std::size_t m_out_limit = 0;
  bool m_out_over = false;
  int m_hex_left = 0;
  uint32_t m_cp = 0;
  Num m_num = Num::minus;
  std::string_view m_lit;
  std::size_t m_lit_pos = 0;

  // What is extracted.
  std::string m_key;
  Role m_role = Role::none;     // of the value that follows the key just read
  bool m_result_open = false;   // inside the top-level "result" object (depth 2)
  bool m_pending_bool = false;  // an isError literal is being read
  bool m_capturing_id = false;
  std::size_t m_id_depth = 0;
  const char* m_id_from = nullptr;  // where the id capture resumes in the current piece
  std::string m_id_raw;
  bool m_has_id = false;
  bool m_has_method = false;
  MessageShape m_shape;
};

// Scans one line (without the newline). Duplicate keys: the last one wins, as in JSON.parse.
[[nodiscard]] MessageShape scan_message(std::string_view line);

// True when `line` is exactly one valid JSON value (surrounding whitespace allowed).
[[nodiscard]] bool is_valid_json(std::string_view line);

}  // namespace blastwall::proxy
