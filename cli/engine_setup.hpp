// Builds the engine a command uses: shipped packs + policy layers found on disk
// (/etc/blastwall/policy.yaml > ~/.config/blastwall/policy.yaml > <project>/.blastwall/policy.yaml)
// + an explicit --policy file + extra pack paths. This is I/O, so it lives in the CLI room.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "blastwall/action.hpp"
#include "blastwall/engine.hpp"
#include "blastwall/policy.hpp"
#include "blastwall/result.hpp"

namespace blastwall::cli {

// Where each loaded pack came from (`rules list`, `doctor`).
struct LoadedPackInfo {
  std::string id, version;
  std::string origin;    // builtin | installed | policy | command line
  std::string location;  // file, or the lockfile entry's source
  std::string signer;    // trusted key name; empty = unsigned
  std::string key_id;
  std::string sha256;  // of the file (empty for builtin packs)
  bool required = false, locked = false;
};
struct EngineReport {
  std::vector<LoadedPackInfo> packs;
  std::string lockfile;  // the lockfile read, if any
};

struct EngineSetup {
  std::string cwd;                       // where to look for the project policy; empty = getcwd
  std::string policy_file;               // explicit extra policy layer (may be empty)
  std::vector<std::string> extra_packs;  // files or directories of packs (replay --rules)
  bool builtin_packs = true;             // load the packs compiled into the binary
  bool user_layers = true;               // read /etc and ~/.config layers (off in tests)
  std::string lockfile;                  // installed packs; empty = the user's packs.lock when
                                         // user_layers (cli/pack_store.hpp)
  EngineReport* report = nullptr;        // filled when set (bypasses the resident cache)
};

[[nodiscard]] Result<std::shared_ptr<const Engine>> build_engine(const EngineSetup& setup);
// The merged policy alone (what `packs add` verifies against).
[[nodiscard]] Result<Policy> load_policy(const EngineSetup& setup);

// Fills ctx fields a surface usually knows from the OS: cwd, HOME, user, project root (nearest
// directory holding .git), current git branch (read from .git/HEAD, no git process).
void fill_context_from_os(ActionContext& ctx);

}  // namespace blastwall::cli
