// The pack-test context (docs/RULES.md "Tests": cwd and project root /home/dev/project, HOME
// /home/dev, branch feature/x) and actions in it, shared by the engine and scope unit tests.
#pragma once

#include <map>
#include <string>

#include "blastwall/action.hpp"

namespace blastwall::testing_support {

inline ActionContext test_context() {
  ActionContext c;
  c.cwd = "/home/dev/project";
  c.home = "/home/dev";
  c.user = "dev";
  c.project_root = "/home/dev/project";
  c.vcs_branch = "feature/x";
  return c;
}

inline Action shell_action(const std::string& cmd, std::map<std::string, std::string> env = {}) {
  Action a;
  a.kind = ActionKind::shell_exec;
  a.ctx = test_context();
  a.ctx.env = std::move(env);
  a.command = cmd;
  return a;
}

}  // namespace blastwall::testing_support
