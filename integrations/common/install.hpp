// `install` / `uninstall` / `doctor` over an agent's config files. Every edit is a span edit (JSONC
// editor, TOML text edit), so other keys, comments and formatting survive; the first install keeps
// a backup so uninstall restores the file byte for byte when nothing else changed it since.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "blastwall/result.hpp"
#include "integrations/common/agent.hpp"

namespace blastwall::integrations {

struct InstallOptions {
  InstallPaths paths;
  std::string bin;         // absolute path of the blastwall binary written into configs
  std::string backup_dir;  // BackupStore directory
  bool dry_run = false;
};

struct FileChange {
  std::string path;
  std::string action;  // created, updated, unchanged, restored, removed, cleaned, missing
  std::string diff;    // unified diff of the change (also filled on dry runs)
  std::vector<std::string> notes;
};

struct InstallReport {
  std::vector<FileChange> files;
  std::vector<std::string> errors;
};

[[nodiscard]] InstallReport install_agent(const AgentSpec& spec, const InstallOptions& opts);
[[nodiscard]] InstallReport uninstall_agent(const AgentSpec& spec, const InstallOptions& opts);

// Pure text transforms (exposed for tests).
[[nodiscard]] Result<std::string> apply_install(const ConfigFile& file, const std::string& text,
                                                const std::string& bin, std::string_view agent,
                                                std::vector<std::string>& notes);
[[nodiscard]] Result<std::string> apply_uninstall(const ConfigFile& file, const std::string& text,
                                                  std::string_view agent);

[[nodiscard]] bool is_wrapped_command(const std::string& command, const nlohmann::json& args);
[[nodiscard]] bool is_blastwall_hook_entry(const nlohmann::json& entry, std::string_view agent);

struct McpServerStatus {
  std::string key;
  bool wrapped = false;
  bool remote = false;
};
// Servers in one MCP config text (JSON or TOML per file.kind).
[[nodiscard]] std::vector<McpServerStatus> mcp_servers_in(const ConfigFile& file,
                                                          const std::string& text);

struct DoctorCheck {
  std::string agent;
  std::string title;
  bool found = false;
  std::vector<std::string> ok;
  std::vector<std::string> problems;
  std::vector<std::string> fixes;
};

// last_fired returns the newest audit timestamp (µs) of a hook row for an agent, if any.
[[nodiscard]] std::vector<DoctorCheck> run_doctor(
    const InstallPaths& paths,
    const std::function<std::optional<int64_t>(std::string_view)>& last_fired, int64_t now_us,
    const std::string& path_env);

}  // namespace blastwall::integrations
