// Just enough TOML to find and rewrite `[mcp_servers.<name>]` tables in Codex's config.toml with a
// text edit, so comments, ordering and every other table stay byte for byte.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace blastwall::integrations {

struct TomlMcpServer {
  std::string name;
  bool has_command = false;  // a plain string `command = "..."`
  std::string command;
  size_t command_begin = 0;  // value span
  size_t command_end = 0;
  size_t command_line_end = 0;  // index just after the command line's newline
  bool has_args = false;        // a plain array of strings `args = [...]`
  std::vector<std::string> args;
  size_t args_begin = 0;
  size_t args_end = 0;
  bool unsupported = false;  // a form we do not edit (multi-line string, inline table, ...)
};

[[nodiscard]] std::vector<TomlMcpServer> scan_toml_mcp_servers(std::string_view text);
[[nodiscard]] std::string toml_string(std::string_view s);
[[nodiscard]] std::string toml_string_array(const std::vector<std::string>& items);

}  // namespace blastwall::integrations
