// Private helpers of the shell parser (stage 1): pure string functions with no parser state, kept
// apart so they can be unit-tested directly. Not part of the public shell interface.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blastwall::shell::detail {

// Per-byte flags of a word being expanded (parallel to its text).
enum : uint8_t {
  k_flag_quoted = 1,    // came from a quoted context: no splitting, globbing, braces or tilde
  k_flag_expanded = 2,  // result of an unquoted expansion: subject to field splitting and globbing
  k_flag_dynamic = 4,   // placeholder text of an unresolved expansion (kept as written)
};

// A word during expansion: text plus one flag byte per text byte.
struct FlaggedText {
  std::string text;
  std::string flags;

  void append(std::string_view s, uint8_t flag) {
    text.append(s);
    flags.append(s.size(), static_cast<char>(flag));
  }
  void append(char c, uint8_t flag) {
    text.push_back(c);
    flags.push_back(static_cast<char>(flag));
  }
  void append(const FlaggedText& o) {
    text += o.text;
    flags += o.flags;
  }
  [[nodiscard]] bool empty() const { return text.empty(); }
};

// Decodes the body of an ANSI-C quoted string ($'...'), without the quotes. \xHH, \NNN, \uHHHH,
// \UHHHHHHHH (UTF-8), \cX, and the C escapes; unknown escapes keep the backslash.
[[nodiscard]] std::string decode_ansi_c(std::string_view body);

// Appends the UTF-8 encoding of a code point (invalid code points encode U+FFFD).
void append_utf8(std::string& out, uint32_t cp);

// Evaluates pure literal integer arithmetic (digits, + - * / % ( ) and blanks). nullopt when the
// expression is anything else, divides by zero, overflows or nests too deep.
[[nodiscard]] std::optional<int64_t> eval_literal_arith(std::string_view expr);

// Lexical path resolution: joins `path` to `base` when relative and removes `.`, `..` and
// duplicate slashes. Returns "" when `path` is relative and `base` is empty (unknown).
[[nodiscard]] std::string resolve_path(std::string_view base, std::string_view path);

// Brace expansion ({a,b}, {1..3}, {a..c}, {1..9..2}, nested) on bytes whose flag is 0 (unquoted
// literal). Results are appended to `out` in bash order. Returns false when the result would exceed
// `max_results` words or `max_bytes` bytes, or braces nest deeper than `max_depth`.
[[nodiscard]] bool brace_expand(const FlaggedText& word, size_t max_results, size_t max_bytes,
                                int max_depth, std::vector<FlaggedText>& out);

}  // namespace blastwall::shell::detail
