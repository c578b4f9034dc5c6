// Actions in the pack-test context (docs/RULES.md "Tests"), shared by the engine tests.
#pragma once

#include <map>
#include <string>

#include "blastwall/action.hpp"

namespace blastwall::testing_support {

inline Action shell_action(const std::string& cmd, std::map<std::string, std::string> env = {}) {
  Action a;
  a.kind = ActionKind::shell_exec;
  a.ctx.cwd = "/home/dev/project";
  a.ctx.home = "/home/dev";
  a.ctx.user = "dev";
  a.ctx.project_root = "/home/dev/project";
  a.ctx.vcs_branch = "feature/x";
  a.ctx.env = std::move(env);
  a.command = cmd;
  return a;
}

}  // namespace blastwall::testing_support
