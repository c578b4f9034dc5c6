#pragma once
// Double-quoted string literals with backslash escapes. JSON strings and TOML basic strings share
// one escape grammar (\" \\ \n \r \t and \u00XX for other control characters), so the audit
// shipper's hand-rolled JSON writer and the agent-config TOML editor use this one writer.

#include <string>
#include <string_view>

namespace blastwall {

/// Appends `s` to `out` as a double-quoted literal: `"`, `\` and control characters (and DEL)
/// escaped; every other byte, UTF-8 included, copied as is.
void append_quoted(std::string& out, std::string_view s);

/// `s` as a double-quoted literal (see append_quoted).
[[nodiscard]] std::string quoted(std::string_view s);

}  // namespace blastwall
