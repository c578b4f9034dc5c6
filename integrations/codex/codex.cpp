// Codex CLI: PreToolUse can only deny (an "ask" or a bare "allow" is an error that lets the call
// proceed), so asks fall back to the policy's no_native_ask decision. PermissionRequest leaves an
// ask to Codex's own approval prompt and only ever denies.
#include "integrations/common/agent.hpp"

namespace blastwall::integrations {

namespace {

constexpr std::string_view k_matcher = "Bash|apply_patch|Edit|Write|mcp__.*";

HookEnvelope parse(const nlohmann::json& j, ActionContext ctx) {
  return parse_tool_envelope(j, std::move(ctx), EnvelopeKeys{}, "PreToolUse",
                             {"PreToolUse", "PermissionRequest"});
}

bool can_ask(std::string_view event) { return event == "PermissionRequest"; }

HookAnswer answer(const AnswerRequest& r) {
  HookAnswer a;
  if (r.decision != Decision::deny) return a;  // no output: Codex's normal flow (and its prompt)
  nlohmann::ordered_json out;
  if (r.event == "PermissionRequest") {
    out["hookSpecificOutput"] = {{"hookEventName", "PermissionRequest"},
                                 {"decision", {{"behavior", "deny"}, {"message", r.reason}}}};
  } else {
    out["hookSpecificOutput"] = {{"hookEventName", "PreToolUse"},
                                 {"permissionDecision", "deny"},
                                 {"permissionDecisionReason", r.reason}};
  }
  a.out = out.dump() + "\n";
  return a;
}

std::vector<ConfigFile> files(const InstallPaths& p, const std::string& cmd) {
  std::string dir = p.project_scope ? p.project + "/.codex" : p.codex_home;
  ConfigFile hooks;
  hooks.kind = ConfigFile::Kind::hooks_json;
  hooks.path = dir + "/hooks.json";
  hooks.create = true;
  hooks.slots.push_back(
      {{"hooks", "PreToolUse"}, claude_style_group(std::string(k_matcher), cmd, 0)});
  ConfigFile mcp;
  mcp.kind = ConfigFile::Kind::mcp_toml;
  mcp.path = dir + "/config.toml";
  return {hooks, mcp};
}

std::vector<std::string> dirs(const InstallPaths& p) {
  return {p.codex_home, p.project + "/.codex"};
}

}  // namespace

AgentSpec codex_spec() {
  AgentSpec s;
  s.name = "codex";
  s.title = "Codex CLI";
  s.has_hooks = true;
  s.native_ask = false;
  s.default_event = "PreToolUse";
  s.parse = parse;
  s.can_ask = can_ask;
  s.answer = answer;
  s.config_files = files;
  s.detect_dirs = dirs;
  return s;
}

}  // namespace blastwall::integrations
