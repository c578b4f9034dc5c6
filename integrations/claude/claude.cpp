// Claude Code: PreToolUse (deny / ask / no opinion) and PermissionRequest (deny only; anything else
// leaves Claude's own permission dialog in place). Claude Desktop: MCP wrapping only.
#include "integrations/common/agent.hpp"

namespace blastwall::integrations {

namespace {

constexpr std::string_view k_matcher =
    "Bash|PowerShell|Write|Edit|MultiEdit|NotebookEdit|Read|Glob|Grep|WebFetch|mcp__.*";

HookEnvelope parse(const nlohmann::json& j, ActionContext ctx) {
  return parse_tool_envelope(j, std::move(ctx), EnvelopeKeys{}, "PreToolUse",
                             {"PreToolUse", "PermissionRequest"});
}

bool can_ask(std::string_view) { return true; }

HookAnswer answer(const AnswerRequest& r) {
  HookAnswer a;
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (r.event == "PermissionRequest") {
    // Only a deny is ours to give; allow would skip the user's dialog, ask is the dialog itself.
    if (r.decision == Decision::deny) {
      out["hookSpecificOutput"] = {{"hookEventName", "PermissionRequest"},
                                   {"decision", {{"behavior", "deny"}, {"message", r.reason}}}};
    }
  } else if (r.decision != Decision::allow) {
    // Allow stays silent ({}): an explicit "allow" would bypass Claude's own permission rules.
    out["hookSpecificOutput"] = {{"hookEventName", r.event.empty() ? "PreToolUse" : r.event},
                                 {"permissionDecision", std::string(to_string(r.decision))},
                                 {"permissionDecisionReason", r.reason}};
  }
  a.out = out.dump() + "\n";
  return a;
}

std::vector<ConfigFile> files(const InstallPaths& p, const std::string& cmd) {
  std::vector<ConfigFile> out;
  ConfigFile hooks;
  hooks.kind = ConfigFile::Kind::hooks_json;
  hooks.create = true;
  hooks.slots.push_back(
      {{"hooks", "PreToolUse"}, claude_style_group(std::string(k_matcher), cmd, 30)});
  ConfigFile mcp;
  mcp.kind = ConfigFile::Kind::mcp_json;
  if (p.project_scope) {
    hooks.path = p.project + "/.claude/settings.json";
    mcp.path = p.project + "/.mcp.json";
    mcp.containers = {{"mcpServers"}};
  } else {
    hooks.path = p.home + "/.claude/settings.json";
    mcp.path = p.home + "/.claude.json";
    mcp.containers = {{"mcpServers"}, {"projects", "*", "mcpServers"}};
  }
  out.push_back(std::move(hooks));
  out.push_back(std::move(mcp));
  return out;
}

std::vector<std::string> dirs(const InstallPaths& p) {
  return {p.home + "/.claude", p.home + "/.claude.json", p.project + "/.claude",
          p.project + "/.mcp.json"};
}

std::vector<ConfigFile> desktop_files(const InstallPaths& p, const std::string&) {
  if (p.project_scope) return {};
  std::vector<ConfigFile> out;
  for (const std::string& path :
       {p.xdg_config + "/Claude/claude_desktop_config.json",
        p.home + "/Library/Application Support/Claude/claude_desktop_config.json"}) {
    ConfigFile f;
    f.kind = ConfigFile::Kind::mcp_json;
    f.path = path;
    f.containers = {{"mcpServers"}};
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<std::string> desktop_dirs(const InstallPaths& p) {
  return {p.xdg_config + "/Claude", p.home + "/Library/Application Support/Claude"};
}

}  // namespace

AgentSpec claude_spec() {
  AgentSpec s;
  s.name = "claude";
  s.title = "Claude Code";
  s.has_hooks = true;
  s.native_ask = true;
  s.default_event = "PreToolUse";
  s.parse = parse;
  s.can_ask = can_ask;
  s.answer = answer;
  s.config_files = files;
  s.detect_dirs = dirs;
  return s;
}

AgentSpec claude_desktop_spec() {
  AgentSpec s;
  s.name = "claude-desktop";
  s.title = "Claude Desktop";
  s.config_files = desktop_files;
  s.detect_dirs = desktop_dirs;
  return s;
}

}  // namespace blastwall::integrations
