// Cursor: beforeShellExecution, beforeMCPExecution, beforeReadFile (allow/deny only) and
// preToolUse. Answers carry both message spellings (user_message/agent_message and the 1.7-era
// camelCase).
#include <filesystem>

#include "integrations/common/agent.hpp"

namespace blastwall::integrations {

namespace {

std::string first_workspace_root(const nlohmann::json& j) {
  auto it = j.find("workspace_roots");
  if (it != j.end() && it->is_array() && !it->empty() && (*it)[0].is_string()) {
    return (*it)[0].get<std::string>();
  }
  return {};
}

// Cursor does not name the MCP server in beforeMCPExecution: derive a stable name from the
// server's command (basename of its first word) or its URL host.
std::string mcp_server_name(const nlohmann::json& j) {
  for (const char* key : {"server_name", "server"}) {
    std::string s = str_field(j, key);
    if (!s.empty()) return s;
  }
  std::string url = str_field(j, "url");
  if (!url.empty()) {
    size_t b = url.find("://");
    b = b == std::string::npos ? 0 : b + 3;
    size_t e = url.find_first_of(":/?", b);
    return url.substr(b, e == std::string::npos ? std::string::npos : e - b);
  }
  std::string cmd = str_field(j, "command");
  if (!cmd.empty()) {
    // Skip launchers (npx, uvx, node, ...) and flags: name the server after its package/script.
    std::vector<std::string> words;
    size_t pos = 0;
    while (pos < cmd.size()) {
      size_t e = cmd.find(' ', pos);
      if (e == std::string::npos) e = cmd.size();
      if (e > pos) words.push_back(cmd.substr(pos, e - pos));
      pos = e + 1;
    }
    static constexpr std::string_view k_launchers[] = {
        "npx", "uvx", "node", "python", "python3", "bunx", "pnpm", "dlx", "uv", "run", "deno"};
    for (const auto& w : words) {
      std::string base = std::filesystem::path(w).filename().string();
      bool launcher = false;
      for (auto l : k_launchers) launcher = launcher || base == l;
      if (launcher || w.empty() || w[0] == '-') continue;
      return base;
    }
    if (!words.empty()) return std::filesystem::path(words.front()).filename().string();
  }
  return "cursor";
}

HookEnvelope parse(const nlohmann::json& j, ActionContext ctx) {
  HookEnvelope env;
  if (!j.is_object()) {
    env.error = "the hook input is not a JSON object";
    return env;
  }
  env.event = str_field(j, "hook_event_name");
  env.session = str_field(j, "conversation_id");
  env.cwd = str_field(j, "cwd");
  if (env.cwd.empty()) env.cwd = first_workspace_root(j);
  ctx.session = env.session;
  if (!env.cwd.empty()) ctx.cwd = env.cwd;
  if (env.event == "beforeShellExecution") {
    env.tool = "Shell";
    ctx.tool = env.tool;
    auto it = j.find("command");
    if (it == j.end() || !it->is_string()) {
      env.error = "beforeShellExecution without a string command";
      return env;
    }
    Action a;
    a.kind = ActionKind::shell_exec;
    a.ctx = ctx;
    a.command = it->get<std::string>();
    env.actions.push_back(std::move(a));
  } else if (env.event == "beforeMCPExecution") {
    env.tool = str_field(j, "tool_name");
    if (env.tool.empty()) {
      env.error = "beforeMCPExecution without tool_name";
      return env;
    }
    ctx.tool = env.tool;
    nlohmann::json args = j.contains("tool_input") ? object_or_json_string(j["tool_input"])
                                                   : nlohmann::json::object();
    if (args.is_null()) {
      env.error = "beforeMCPExecution tool_input is not JSON";
      return env;
    }
    Action a;
    a.kind = ActionKind::mcp_call;
    a.ctx = ctx;
    std::string server, tool;
    if (split_mcp_tool_name(env.tool, server, tool)) {
      a.mcp.server = server;
      a.mcp.tool = tool;
    } else {
      a.mcp.server = mcp_server_name(j);
      a.mcp.tool = env.tool;
    }
    a.mcp.arguments = args;
    env.actions.push_back(std::move(a));
  } else if (env.event == "beforeReadFile") {
    env.tool = "Read";
    ctx.tool = env.tool;
    std::string path = str_field(j, "file_path");
    if (path.empty()) {
      env.error = "beforeReadFile without file_path";
      return env;
    }
    Action a;
    a.kind = ActionKind::file_read;
    a.ctx = ctx;
    a.path = absolute_path(path, ctx.cwd);
    env.actions.push_back(std::move(a));
  } else if (env.event == "preToolUse") {
    env.tool = str_field(j, "tool_name");
    if (env.tool.empty()) {
      env.error = "preToolUse without tool_name";
      return env;
    }
    ctx.tool = env.tool;
    nlohmann::json input = j.contains("tool_input") ? j["tool_input"] : nlohmann::json::object();
    if (!tool_to_actions(env.tool, input, ctx, env.actions, env.error)) env.actions.clear();
  }
  return env;
}

bool can_ask(std::string_view event) { return event != "beforeReadFile"; }

HookAnswer answer(const AnswerRequest& r) {
  HookAnswer a;
  nlohmann::ordered_json out = {{"permission", std::string(to_string(r.decision))}};
  if (r.decision != Decision::allow) {
    out["user_message"] = r.reason;
    out["agent_message"] = r.reason;
    out["userMessage"] = r.reason;
    out["agentMessage"] = r.reason;
  }
  a.out = out.dump() + "\n";
  return a;
}

std::vector<ConfigFile> files(const InstallPaths& p, const std::string& cmd) {
  std::string dir = p.project_scope ? p.project + "/.cursor" : p.home + "/.cursor";
  ConfigFile hooks;
  hooks.kind = ConfigFile::Kind::hooks_json;
  hooks.path = dir + "/hooks.json";
  hooks.create = true;
  hooks.defaults.push_back({{"version"}, 1});
  for (const char* ev : {"beforeShellExecution", "beforeMCPExecution", "beforeReadFile"}) {
    hooks.slots.push_back({{"hooks", ev}, {{"command", cmd}}});
  }
  hooks.slots.push_back(
      {{"hooks", "preToolUse"}, {{"command", cmd}, {"matcher", "Write|StrReplace|Edit|Delete"}}});
  ConfigFile mcp;
  mcp.kind = ConfigFile::Kind::mcp_json;
  mcp.path = dir + "/mcp.json";
  mcp.containers = {{"mcpServers"}};
  return {hooks, mcp};
}

std::vector<std::string> dirs(const InstallPaths& p) {
  return {p.home + "/.cursor", p.project + "/.cursor"};
}

}  // namespace

AgentSpec cursor_spec() {
  AgentSpec s;
  s.name = "cursor";
  s.title = "Cursor";
  s.has_hooks = true;
  s.native_ask = true;
  s.default_event = "beforeShellExecution";
  s.parse = parse;
  s.can_ask = can_ask;
  s.answer = answer;
  s.config_files = files;
  s.detect_dirs = dirs;
  return s;
}

}  // namespace blastwall::integrations
