// GitHub Copilot CLI: preToolUse with {toolName, toolArgs (a JSON string)}; answers
// {"permissionDecision": "allow|deny|ask", "permissionDecisionReason": ...}.
#include "integrations/common/agent.hpp"

namespace blastwall::integrations {

namespace {

HookEnvelope parse(const nlohmann::json& j, ActionContext ctx) {
  EnvelopeKeys keys;
  keys.event = "hookEventName";
  keys.session = "sessionId";
  keys.tool = "toolName";
  keys.input = "toolArgs";
  if (j.is_object() && !j.contains("toolName") && j.contains("tool_name")) {
    keys.tool = "tool_name";
    keys.input = "tool_input";
  }
  return parse_tool_envelope(j, std::move(ctx), keys, "preToolUse", {"preToolUse", "PreToolUse"});
}

bool can_ask(std::string_view) { return true; }

HookAnswer answer(const AnswerRequest& r) {
  HookAnswer a;
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (r.decision != Decision::allow) {
    out["permissionDecision"] = std::string(to_string(r.decision));
    out["permissionDecisionReason"] = r.reason;
  }
  a.out = out.dump() + "\n";
  return a;
}

std::vector<ConfigFile> files(const InstallPaths& p, const std::string& cmd) {
  ConfigFile hooks;
  hooks.kind = ConfigFile::Kind::hooks_json;
  hooks.path = p.project_scope ? p.project + "/.github/hooks/blastwall-copilot.json"
                               : p.home + "/.copilot/hooks/blastwall-copilot.json";
  hooks.create = true;
  hooks.defaults.push_back({{"version"}, 1});
  hooks.slots.push_back(
      {{"hooks", "preToolUse"},
       {{"type", "command"}, {"bash", cmd}, {"powershell", cmd}, {"timeoutSec", 30}}});
  std::vector<ConfigFile> out{hooks};
  if (!p.project_scope) {
    ConfigFile mcp;
    mcp.kind = ConfigFile::Kind::mcp_json;
    mcp.path = p.home + "/.copilot/mcp-config.json";
    mcp.containers = {{"mcpServers"}};
    out.push_back(std::move(mcp));
  }
  return out;
}

std::vector<std::string> dirs(const InstallPaths& p) {
  return {p.home + "/.copilot", p.project + "/.github/hooks"};
}

}  // namespace

AgentSpec copilot_spec() {
  AgentSpec s;
  s.name = "copilot";
  s.title = "GitHub Copilot CLI";
  s.has_hooks = true;
  s.native_ask = true;
  s.default_event = "preToolUse";
  s.parse = parse;
  s.can_ask = can_ask;
  s.answer = answer;
  s.config_files = files;
  s.detect_dirs = dirs;
  return s;
}

}  // namespace blastwall::integrations
