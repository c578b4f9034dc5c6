// What scope analysis knows about commands: which options take values, which commands operate on
// files, write, talk to the network, or run code. Private to rules/scope.
#pragma once

#include <string_view>

namespace blastwall::scope {

// True when `opt` (e.g. "-n", "--context") consumes the next word as its value for command `cmd`.
bool option_takes_value(std::string_view cmd, std::string_view opt);
// Every positional argument of these commands is a path.
bool is_file_command(std::string_view cmd);
// Commands that write, truncate or delete their path arguments.
bool is_writer_command(std::string_view cmd);
// Commands whose first positional is a pattern or script, not a path (grep, sed, awk, ...).
bool first_positional_is_code(std::string_view cmd);
bool is_network_command(std::string_view cmd);
bool is_shell(std::string_view cmd);
bool is_interpreter(std::string_view cmd);
// Commands that print the environment when run without arguments.
bool is_env_dumper(std::string_view cmd);

}  // namespace blastwall::scope
