// One level of payload decoding for `echo X | base64 -d | sh` style lines. Implemented here (no
// dependency) because the inputs are small and untrusted: every byte is checked, nothing throws.
#include <cstdint>

#include "rules/shell/unwrap_internal.hpp"

namespace blastwall::shell::detail {

namespace {

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t symbols = 0;
  bool padding = false;
  for (char c : text) {
    if (is_space(c)) continue;
    if (c == '=') {
      padding = true;
      continue;
    }
    if (padding) return std::nullopt;  // data after padding
    const int v = base64_value(c);
    if (v < 0) return std::nullopt;
    ++symbols;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFFu));
    }
  }
  if (symbols == 0 || symbols % 4 == 1) return std::nullopt;
  return out;
}

std::optional<std::string> decode_hex(std::string_view text) {
  std::string digits;
  size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  if (i + 1 < text.size() && text[i] == '0' && (text[i + 1] == 'x' || text[i + 1] == 'X')) i += 2;
  for (; i < text.size(); ++i) {
    if (is_space(text[i])) continue;
    if (hex_value(text[i]) < 0) return std::nullopt;
    digits.push_back(text[i]);
  }
  if (digits.empty() || digits.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(digits.size() / 2);
  for (size_t k = 0; k < digits.size(); k += 2) {
    out.push_back(static_cast<char>(hex_value(digits[k]) * 16 + hex_value(digits[k + 1])));
  }
  return out;
}

bool looks_like_text(std::string_view payload) {
  if (payload.empty()) return false;
  for (char ch : payload) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n' || c == '\t' || c == '\r') continue;
    if (c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

}  // namespace blastwall::shell::detail
