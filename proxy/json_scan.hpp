// A validating, allocation-light scan of one JSON-RPC message: checks the whole line is one JSON
// value and extracts the top-level fields the relay routes on (id, method, result/error, and
// result.isError). The relay passes most server messages through byte-for-byte, so this scan, not a
// DOM parse, is what runs on an 8 MiB tool result. Pure; thread-safe.
#pragma once

#include <cstddef>
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

// Scans one line (without the newline). Duplicate keys: the last one wins, as in JSON.parse.
[[nodiscard]] MessageShape scan_message(std::string_view line);

// True when `line` is exactly one valid JSON value (surrounding whitespace allowed).
[[nodiscard]] bool is_valid_json(std::string_view line);

}  // namespace blastwall::proxy
