// The one action model every surface builds (hooks, MCP proxy, `check`, replay).
// Plain value types; copying is cheap enough for the per-call path (strings are small).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blastwall/result.hpp"

namespace blastwall {

enum class ActionKind {
  shell_exec,
  file_read,
  file_write,
  file_edit,
  file_delete,
  net_fetch,
  mcp_call
};

// "shell.exec", "file.read", ...
[[nodiscard]] std::string_view to_string(ActionKind kind);
[[nodiscard]] std::optional<ActionKind> parse_action_kind(std::string_view text);

// One earlier action of the same agent session, as the adapter remembers it (docs/ARCHITECTURE.md
// "Session memory"). The engine reads no clock and keeps no state: adapters pass what they recall.
struct RecentAction {
  int64_t at_us = 0;                       // when it was evaluated (adapter's clock)
  bool destructive = false;                // counted by the bulk-operation (burst) fact
  std::vector<std::string> teardown;       // resources it tore down ("terraform:/p/infra", ...)
  std::vector<std::string> teardown_prod;  // the subset that was production
  std::string summary;                     // a few words for the burst message
};

// Where the action comes from. Filled by the surface adapter (the engine never reads the OS).
struct ActionContext {
  std::string agent;         // claude, cursor, gemini, codex, vscode, copilot, mcp-client, cli
  std::string surface;       // hook, mcp, check, replay
  std::string session;       // agent's session id, when known
  std::string cwd;           // absolute; empty = unknown
  std::string home;          // absolute; empty = unknown
  std::string user;          // login name, for ~user
  std::string project_root;  // nearest VCS root or configured; empty = unknown
  std::string vcs_branch;    // current git branch of cwd when the adapter knows it
  std::string tool;          // the agent's own tool name (Bash, Write, mcp__fs__write_file, ...)
  std::map<std::string, std::string>
      env;  // variables the agent passed (AWS_PROFILE, KUBECONFIG, ...)
  // Session memory: the session's recent actions, oldest first, and the adapter's clock when this
  // action was received. Read from JSON ("recent", "now_us") but never written by to_json: the
  // audit log rebuilds it from earlier rows.
  std::vector<RecentAction> recent;
  int64_t now_us = 0;
};

struct McpCall {
  std::string server;
  std::string tool;
  nlohmann::json arguments = nlohmann::json::object();
  nlohmann::json annotations = nlohmann::json::object();  // as last listed by tools/list
};

struct Action {
  ActionKind kind = ActionKind::shell_exec;
  ActionContext ctx;
  std::string command;      // shell.exec: the raw command line
  std::string path;         // file.*: the target path (as given; resolved by scope analysis)
  std::string content;      // file.write/file.edit: new content (or the replacement text)
  std::string old_content;  // file.edit: the text being replaced, when known
  std::string url;          // net.fetch
  std::string method;       // net.fetch: GET, POST, ...
  McpCall mcp;              // mcp.call
};

// JSON form (docs/ARCHITECTURE.md "Action JSON"). Flat: {"kind":"shell.exec","command":"...",
// "cwd":"...", ...}. from_json validates types and kinds; errors name the offending key.
[[nodiscard]] nlohmann::json to_json(const Action& action);
[[nodiscard]] Result<Action> action_from_json(const nlohmann::json& j);
[[nodiscard]] Result<Action> action_from_json_text(std::string_view text);

}  // namespace blastwall
