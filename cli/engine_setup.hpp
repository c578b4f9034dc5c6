// Builds the engine a command uses: shipped packs + policy layers found on disk
// (/etc/blastwall/policy.yaml > ~/.config/blastwall/policy.yaml > <project>/.blastwall/policy.yaml)
// + an explicit --policy file + extra pack paths. This is I/O, so it lives in the CLI room.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "blastwall/action.hpp"
#include "blastwall/engine.hpp"
#include "blastwall/result.hpp"

namespace blastwall::cli {

struct EngineSetup {
  std::string cwd;                       // where to look for the project policy; empty = getcwd
  std::string policy_file;               // explicit extra policy layer (may be empty)
  std::vector<std::string> extra_packs;  // files or directories of packs (replay --rules)
  bool builtin_packs = true;             // load the packs compiled into the binary
  bool user_layers = true;               // read /etc and ~/.config layers (off in tests)
};

[[nodiscard]] Result<std::shared_ptr<const Engine>> build_engine(const EngineSetup& setup);

// Fills ctx fields a surface usually knows from the OS: cwd, HOME, user, project root (nearest
// directory holding .git), current git branch (read from .git/HEAD, no git process).
void fill_context_from_os(ActionContext& ctx);

}  // namespace blastwall::cli
