// The command table: what a command name is (cloud CLI, cluster CLI, database client, data tool,
// runner, shell, interpreter, file, writer or network command), for the analyses that ask it of
// every subject. Built once from the analyses' own name lists; one hash lookup answers every
// question about a name, and the last name asked is remembered, so the several analyses that
// ask about the same command pay one lookup between them instead of each scanning its list.
// Private to rules/scope; pure.
//
// Adding a command to one of these analyses: add the name to that analysis's own list
// (k_cloud_tools in cloud.cpp, k_file_cmds in commands.cpp, ...); the list is registered below, so
// the table follows. A new analysis that asks "is this one of my commands" for every subject
// registers its list as a new bit and provider (docs/ARCHITECTURE.md "Scope"). `tests/unit/engine/
// fact_gate_test.cpp` (CommandTable) evaluates every corpus and pack-test action with the table
// on and off (off: each predicate scans its list, as before) and requires the same verdicts and
// facts.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace blastwall::scope {

// One bit per registered list.
enum CommandBit : uint32_t {
  cmd_cloud = 1u << 0,            // cloud.cpp k_cloud_tools (is_cloud_tool)
  cmd_kube = 1u << 1,             // analyze.cpp k_kube (is_kube_family)
  cmd_db_client = 1u << 2,        // analyze.cpp k_db_clients (is_db_client)
  cmd_data_tool = 1u << 3,        // data.cpp k_data_tools (is_data_tool)
  cmd_runner = 1u << 4,           // data.cpp k_runners (is_runner)
  cmd_file = 1u << 5,             // commands.cpp k_file_cmds (is_file_command)
  cmd_writer = 1u << 6,           // commands.cpp k_writer_cmds (is_writer_command)
  cmd_code_first = 1u << 7,       // commands.cpp k_code_first (first_positional_is_code)
  cmd_network = 1u << 8,          // commands.cpp k_network_cmds (is_network_command)
  cmd_shell = 1u << 9,            // commands.cpp k_shells (is_shell)
  cmd_interpreter = 1u << 10,     // commands.cpp k_interpreters (is_interpreter)
  cmd_value_opts = 1u << 11,      // commands.cpp k_value_opt_cmds (option_takes_value knows them)
  cmd_lifecycle = 1u << 12,       // cloud.cpp k_lifecycle_cmds (lifecycle_of has a step for them)
  cmd_cloud_facts = 1u << 13,     // analyze.cpp k_cloud_fact_cmds (cloud_facts tests them by name)
  cmd_class_cred = 1u << 14,      // classes.cpp k_cred_cmds (the credential analyser knows them)
  cmd_class_store = 1u << 15,     // classes.cpp k_store_cmds (storage analyser)
  cmd_class_sys = 1u << 16,       // classes.cpp k_sys_cmds (system analyser)
  cmd_class_chan = 1u << 17,      // classes.cpp k_chan_cmds (channel analyser)
  cmd_known_tool = 1u << 18,      // classes.cpp k_known_tools (the production fallback leaves them)
  cmd_class_vps = 1u << 19,       // classes.cpp k_vps_cmds (long-tail cloud destroy analyser)
  cmd_class_dataplat = 1u << 20,  // classes.cpp k_dataplat_cmds (data-platform analyser)
  cmd_class_nix = 1u << 21,       // classes.cpp k_nix_cmds (Nix profile analyser)
  // (the last bit: the CommandTable test checks every bit up to it has a registered list)
};

// One registered list: every name in `names` gets `bit`.
struct CommandNames {
  uint32_t bit;
  std::span<const std::string_view> names;
};

// Providers, each defined next to the lists it registers.
[[nodiscard]] std::span<const CommandNames> cloud_command_names();     // cloud.cpp
[[nodiscard]] std::span<const CommandNames> analyze_command_names();   // analyze.cpp
[[nodiscard]] std::span<const CommandNames> data_command_names();      // data.cpp
[[nodiscard]] std::span<const CommandNames> commands_command_names();  // commands.cpp
[[nodiscard]] std::span<const CommandNames> classes_command_names();   // classes.cpp

// The bits of a command name (0 for a name no list holds).
[[nodiscard]] uint32_t command_bits(std::string_view name);

// The table on (the default) or off. Off, every predicate scans its own list as before the table:
// for the equivalence test only; not to be flipped while another thread evaluates.
[[nodiscard]] bool command_table_on();
void set_command_table(bool on);

// `name` in `list`, through the table when it is on.
[[nodiscard]] inline bool command_is(std::string_view name, uint32_t bit,
                                     std::span<const std::string_view> list) {
  if (command_table_on()) return (command_bits(name) & bit) != 0;
  for (const std::string_view n : list)
    if (n == name) return true;
  return false;
}

}  // namespace blastwall::scope
