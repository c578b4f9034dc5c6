#include "cli/test_context.hpp"

namespace blastwall::cli {

ActionContext test_context() {
  ActionContext ctx;
  ctx.agent = "test";
  ctx.surface = "check";
  ctx.cwd = "/home/dev/project";
  ctx.home = "/home/dev";
  ctx.user = "dev";
  ctx.project_root = "/home/dev/project";
  ctx.vcs_branch = "feature/x";
  return ctx;
}

Result<Action> test_action_from_json(const nlohmann::json& fields) {
  if (!fields.is_object()) return make_error("test entry must be a string or an object");
  nlohmann::json j = fields;
  const auto ctx = test_context();
  auto dflt = [&](const char* key, const std::string& v) {
    if (!j.contains(key)) j[key] = v;
  };
  dflt("cwd", ctx.cwd);
  dflt("home", ctx.home);
  dflt("user", ctx.user);
  dflt("project_root", ctx.project_root);
  dflt("branch", ctx.vcs_branch);
  dflt("agent", ctx.agent);
  dflt("surface", ctx.surface);
  return action_from_json(j);
}

Result<Action> test_action(const std::string& entry) {
  size_t i = entry.find_first_not_of(" \t\n");
  if (i != std::string::npos && entry[i] == '{') {
    try {
      return test_action_from_json(nlohmann::json::parse(entry));
    } catch (const nlohmann::json::exception& e) {
      // Not JSON after all: a shell line that starts with `{` (a brace group).
      (void)e;
    }
  }
  Action a;
  a.kind = ActionKind::shell_exec;
  a.ctx = test_context();
  a.command = entry;
  return a;
}

}  // namespace blastwall::cli
