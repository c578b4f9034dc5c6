// VS Code agent hooks (Preview): PreToolUse with Claude-style hookSpecificOutput. Hook files are
// flat (no matcher groups); blastwall writes its own file so uninstall can simply remove it.
#include "integrations/common/agent.hpp"

namespace blastwall::integrations {

namespace {

HookEnvelope parse(const nlohmann::json& j, ActionContext ctx) {
  EnvelopeKeys keys;
  if (j.is_object() && j.contains("hookEventName")) keys.event = "hookEventName";
  if (j.is_object() && j.contains("sessionId")) keys.session = "sessionId";
  return parse_tool_envelope(j, std::move(ctx), keys, "PreToolUse", {"PreToolUse"});
}

bool can_ask(std::string_view) { return true; }

HookAnswer answer(const AnswerRequest& r) {
  HookAnswer a;
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (r.decision != Decision::allow) {
    out["hookSpecificOutput"] = {{"hookEventName", "PreToolUse"},
                                 {"permissionDecision", std::string(to_string(r.decision))},
                                 {"permissionDecisionReason", r.reason}};
  }
  a.out = out.dump() + "\n";
  return a;
}

std::vector<ConfigFile> files(const InstallPaths& p, const std::string& cmd) {
  ConfigFile hooks;
  hooks.kind = ConfigFile::Kind::hooks_json;
  hooks.path = p.project_scope ? p.project + "/.github/hooks/blastwall-vscode.json"
                               : p.home + "/.copilot/hooks/blastwall-vscode.json";
  hooks.create = true;
  hooks.slots.push_back(
      {{"hooks", "PreToolUse"}, {{"type", "command"}, {"command", cmd}, {"timeout", 30}}});
  ConfigFile mcp;
  mcp.kind = ConfigFile::Kind::mcp_json;
  mcp.path =
      p.project_scope ? p.project + "/.vscode/mcp.json" : p.xdg_config + "/Code/User/mcp.json";
  mcp.containers = {{"servers"}};
  return {hooks, mcp};
}

std::vector<std::string> dirs(const InstallPaths& p) {
  return {p.xdg_config + "/Code", p.home + "/.vscode", p.project + "/.vscode"};
}

}  // namespace

AgentSpec vscode_spec() {
  AgentSpec s;
  s.name = "vscode";
  s.title = "VS Code agent mode";
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

}  // namespace blastwall::integrations
