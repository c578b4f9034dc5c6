// Private to rules/shell: helpers shared by unwrap.cpp, inline_code.cpp and decode.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blastwall::shell::detail {

// ---- decode.cpp -------------------------------------------------------------------------------
// Standard or URL-safe base64, whitespace ignored, padding optional. nullopt when the text is not
// base64 at all.
[[nodiscard]] std::optional<std::string> decode_base64(std::string_view text);
// Plain hex digits (xxd -r -p): whitespace ignored, optional 0x prefix. nullopt on odd length or
// a non-hex character.
[[nodiscard]] std::optional<std::string> decode_hex(std::string_view text);
// True when a decoded payload looks like text a shell could run (printable ASCII/UTF-8, tabs and
// newlines); junk (NULs, control bytes) is a reason to fail closed rather than guess.
[[nodiscard]] bool looks_like_text(std::string_view payload);

// ---- inline_code.cpp --------------------------------------------------------------------------
// What a destructive call in interpreter code amounts to.
struct CodeArg {
  std::string text;      // literal value, or the expression as written when dynamic
  bool dynamic = false;  // not a plain string literal
};

struct CodeFinding {
  enum class Kind {
    argv,        // an equivalent argv (rm -rf P, rm P, rmdir P, tee P, or an exec'd argv list)
    shell_text,  // a string the code hands to a shell (os.system, backticks, execSync, ...)
    sql,         // an SQL statement passed to execute()/query()
  };
  Kind kind = Kind::argv;
  std::vector<CodeArg> argv;  // for argv
  CodeArg text;               // for shell_text / sql
  std::string call;           // the call that produced it (for the trace)
};

// language: python, node, perl, ruby, php (deno = node). Never throws; bounded by code size.
[[nodiscard]] std::vector<CodeFinding> scan_inline_code(std::string_view language,
                                                        std::string_view code);

// Split SQL text into statements on `;` outside quotes and comments; trims; drops empty ones.
[[nodiscard]] std::vector<std::string> split_sql(std::string_view sql);

}  // namespace blastwall::shell::detail
