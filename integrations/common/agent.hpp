// One description per agent: how to read its hook envelope, how to answer it, and where its hook
// and MCP configuration files live. Each integrations/<agent>/ folder defines one AgentSpec; the
// table is immutable (built once, no mutable globals).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "blastwall/action.hpp"
#include "blastwall/verdict.hpp"
#include "integrations/common/jsonc.hpp"

namespace blastwall::integrations {

// The envelope reduced to what the engine needs.
struct HookEnvelope {
  std::string event;  // hook event name (PreToolUse, beforeShellExecution, ...)
  std::string session;
  std::string cwd;              // as the host reported it; empty = unknown
  std::string tool;             // the host's own tool name
  std::vector<Action> actions;  // what the tool would do; empty = a tool blastwall does not guard
  std::string error;            // non-empty: malformed envelope (answer fail-closed)
};

// What the agent reads back: stdout, stderr and the exit code.
struct HookAnswer {
  std::string out;
  std::string err;
  int exit_code = 0;
};

struct AnswerRequest {
  std::string event;
  Decision decision = Decision::allow;  // what to enforce (already mapped for agents without ask)
  std::string reason;                   // one paragraph for the model / user
};

// A hook entry to add to an array in a hooks file.
struct HookSlot {
  JsonPath array_path;
  nlohmann::ordered_json entry;
};

struct ConfigFile {
  enum class Kind { hooks_json, mcp_json, mcp_toml };
  Kind kind = Kind::hooks_json;
  std::string path;
  // hooks_json: entries to add, and keys set only when absent (e.g. Cursor's "version": 1).
  std::vector<HookSlot> slots;
  std::vector<std::pair<JsonPath, nlohmann::ordered_json>> defaults;
  // mcp_json: objects holding server entries; a "*" step means every key at that level.
  std::vector<JsonPath> containers;
  bool create = false;  // create the file when missing (hooks files); MCP files only when present
};

struct InstallPaths {
  std::string home;        // $HOME
  std::string project;     // project directory (cwd or --project DIR)
  std::string xdg_config;  // $XDG_CONFIG_HOME or ~/.config
  std::string codex_home;  // $CODEX_HOME or ~/.codex
  bool project_scope = false;
};

struct AgentSpec {
  std::string_view name;
  std::string_view title;
  bool has_hooks = false;
  bool native_ask = false;
  std::string_view default_event;
  // `ctx` carries what the runner knows (agent, surface, HOME, env); parse adds session, cwd, tool.
  HookEnvelope (*parse)(const nlohmann::json& envelope, ActionContext ctx) = nullptr;
  // Whether the host can show its own approval prompt for this event.
  bool (*can_ask)(std::string_view event) = nullptr;
  HookAnswer (*answer)(const AnswerRequest& request) = nullptr;
  // The files `install` edits; `hook_command` is the full command line that runs the hook.
  std::vector<ConfigFile> (*config_files)(const InstallPaths& paths,
                                          const std::string& hook_command) = nullptr;
  // Directories whose presence means the agent is used on this machine (doctor).
  std::vector<std::string> (*detect_dirs)(const InstallPaths& paths) = nullptr;
};

[[nodiscard]] const std::vector<AgentSpec>& agent_specs();
[[nodiscard]] const AgentSpec* find_agent_spec(std::string_view name);

// Per-agent definitions (integrations/<agent>/<agent>.cpp).
[[nodiscard]] AgentSpec claude_spec();
[[nodiscard]] AgentSpec claude_desktop_spec();
[[nodiscard]] AgentSpec cursor_spec();
[[nodiscard]] AgentSpec gemini_spec();
[[nodiscard]] AgentSpec codex_spec();
[[nodiscard]] AgentSpec vscode_spec();
[[nodiscard]] AgentSpec copilot_spec();
// MCP-only clients (no hooks): windsurf, cline, roo, zed.
[[nodiscard]] std::vector<AgentSpec> mcp_only_specs();

// ---- Normalisation helpers shared by the agents (integrations/common/normalize.cpp) ----

// Maps one tool call to the actions it would perform. Knows Claude, Codex, Gemini, VS Code,
// Copilot and Cursor tool names and MCP naming (mcp__srv__tool, mcp_srv_tool). Unknown tools that
// carry a string "command" are treated as shell. Returns false (and sets error) on a malformed
// tool_input for a guarded tool.
bool tool_to_actions(std::string_view tool, const nlohmann::json& input, const ActionContext& ctx,
                     std::vector<Action>& out, std::string& error);
// Codex apply_patch text to one action per touched file (add, update, delete, move).
[[nodiscard]] std::vector<Action> patch_to_actions(std::string_view patch,
                                                   const ActionContext& ctx);
// Splits "mcp__srv__tool" / "mcp_srv_tool"; false when the name is not an MCP tool name.
bool split_mcp_tool_name(std::string_view name, std::string& server, std::string& tool);
// A string member or "" (no throw on other types).
[[nodiscard]] std::string str_field(const nlohmann::json& j, std::string_view key);
// Parses tool_input given either as an object or as a JSON string holding one.
[[nodiscard]] nlohmann::json object_or_json_string(const nlohmann::json& j);
// Joins p onto cwd when relative and cwd is known.
[[nodiscard]] std::string absolute_path(const std::string& p, const std::string& cwd);
// Shared envelope reader for Claude-shaped hosts (Claude Code, Codex, Gemini, VS Code): reads the
// event, session, cwd, tool name and tool input under the given keys and maps the tool to actions.
// Events not in `guard_events` yield no actions.
struct EnvelopeKeys {
  std::string_view event = "hook_event_name";
  std::string_view session = "session_id";
  std::string_view cwd = "cwd";
  std::string_view tool = "tool_name";
  std::string_view input = "tool_input";
};
[[nodiscard]] HookEnvelope parse_tool_envelope(
    const nlohmann::json& j, ActionContext ctx, const EnvelopeKeys& keys,
    std::string_view default_event, std::initializer_list<std::string_view> guard_events);
// The hook command line written into agents' settings: "<bin> hook <agent>" (bin quoted if needed).
[[nodiscard]] std::string hook_command_line(const std::string& bin, std::string_view agent);
// Claude-shaped hooks file entry: {"matcher": m, "hooks": [{"type":"command","command":c, ...}]}.
[[nodiscard]] nlohmann::ordered_json claude_style_group(const std::string& matcher,
                                                        const std::string& command, int timeout_s);

}  // namespace blastwall::integrations
