// Gemini CLI: BeforeTool. deny/ask through "decision"; MCP tools are named mcp_<server>_<tool> and
// come with mcp_context {server_name, tool_name}, which we prefer (server names may hold '_').
#include "integrations/common/agent.hpp"

namespace blastwall::integrations {

namespace {

constexpr std::string_view k_matcher =
    "run_shell_command|write_file|replace|read_file|read_many_files|web_fetch|mcp_.*";

HookEnvelope parse(const nlohmann::json& j, ActionContext ctx) {
  HookEnvelope env = parse_tool_envelope(j, ctx, EnvelopeKeys{}, "BeforeTool", {"BeforeTool"});
  if (!env.error.empty() || env.event != "BeforeTool") return env;
  auto mc = j.find("mcp_context");
  if (mc != j.end() && mc->is_object()) {
    std::string server = str_field(*mc, "server_name");
    std::string tool = str_field(*mc, "tool_name");
    if (!server.empty() && !tool.empty()) {
      for (auto& a : env.actions) {
        if (a.kind == ActionKind::mcp_call) {
          a.mcp.server = server;
          a.mcp.tool = tool;
        }
      }
      if (env.actions.empty()) {  // a tool name we could not split
        Action a;
        a.kind = ActionKind::mcp_call;
        a.ctx = ctx;
        a.ctx.session = env.session;
        if (!env.cwd.empty()) a.ctx.cwd = env.cwd;
        a.ctx.tool = env.tool;
        a.mcp.server = server;
        a.mcp.tool = tool;
        auto in = j.find("tool_input");
        a.mcp.arguments = in != j.end() ? *in : nlohmann::json::object();
        env.actions.push_back(std::move(a));
      }
    }
  }
  return env;
}

bool can_ask(std::string_view) { return true; }

HookAnswer answer(const AnswerRequest& r) {
  HookAnswer a;
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  if (r.decision != Decision::allow) {
    out["decision"] = std::string(to_string(r.decision));
    out["reason"] = r.reason;
  }
  a.out = out.dump() + "\n";
  return a;
}

std::vector<ConfigFile> files(const InstallPaths& p, const std::string& cmd) {
  ConfigFile f;
  f.kind = ConfigFile::Kind::hooks_json;
  f.path = (p.project_scope ? p.project : p.home) + "/.gemini/settings.json";
  f.create = true;
  nlohmann::ordered_json handler = {
      {"type", "command"}, {"name", "blastwall"}, {"command", cmd}, {"timeout", 30000}};
  f.slots.push_back(
      {{"hooks", "BeforeTool"},
       {{"matcher", std::string(k_matcher)}, {"hooks", nlohmann::ordered_json::array({handler})}}});
  f.containers = {{"mcpServers"}};
  return {f};
}

std::vector<std::string> dirs(const InstallPaths& p) {
  return {p.home + "/.gemini", p.project + "/.gemini"};
}

}  // namespace

AgentSpec gemini_spec() {
  AgentSpec s;
  s.name = "gemini";
  s.title = "Gemini CLI";
  s.has_hooks = true;
  s.native_ask = true;
  s.default_event = "BeforeTool";
  s.parse = parse;
  s.can_ask = can_ask;
  s.answer = answer;
  s.config_files = files;
  s.detect_dirs = dirs;
  return s;
}

}  // namespace blastwall::integrations
