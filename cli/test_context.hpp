// The fixed context pack tests and the project corpus are evaluated in (docs/RULES.md "Tests"):
// cwd /home/dev/project, HOME /home/dev, project root /home/dev/project, branch feature/x.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "blastwall/action.hpp"
#include "blastwall/result.hpp"

namespace blastwall::cli {

[[nodiscard]] ActionContext test_context();
// A test entry: a shell line, or JSON text of Action fields merged onto the test context
// ({"kind":"file.write","path":...} or {"command":..., "env":{...}, "cwd":..., "branch":...}).
[[nodiscard]] Result<Action> test_action(const std::string& entry);
[[nodiscard]] Result<Action> test_action_from_json(const nlohmann::json& fields);

}  // namespace blastwall::cli
