// Facts beyond the core scope analysis (issue #9: judgement by what an action is, not by verb
// lists): credential files recognised by what they are, dry runs, containers, task runners aimed
// at production, system-wide installs. Private to rules/scope; analyze.cpp calls these hooks.
#pragma once

#include <string_view>
#include <vector>

#include "rules/scope/scope.hpp"

namespace blastwall::scope {

// Why the resolved path `p` holds credentials (a static string), or nullptr. `home` may be empty.
const char* credential_reason(std::string_view p, std::string_view home,
                              std::string_view project_root);

// Per-command facts: dry_run, container facts (container_escape, host_mount, publish, prod for a
// production docker context or compose file, docker_all), runner_prod / publish for project task
// runners, system_install. Called once per shell subject after its targets are known.
void extension_facts(Subject& s, const shell::SimpleCommand& cmd, const ActionContext& ctx,
                     const ScopeConfig& config);

// Facts that need the other commands of the same line (a container stopped before `rm -f`, a file
// written with secrets and then uploaded).
void extension_cross_facts(std::vector<Subject>& subjects);

}  // namespace blastwall::scope
