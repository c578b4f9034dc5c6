// Pack loader: YAML rule packs -> PackSpec, with diagnostics that point at file:line:col.
// Never throws (yaml-cpp exceptions are caught here). Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "blastwall/result.hpp"
#include "rules/pack/spec.hpp"

namespace blastwall::rules {

// Parses and validates one pack. `source` names it in diagnostics (a path or "builtin:<name>").
[[nodiscard]] Result<PackSpec> load_pack_text(std::string_view yaml, const std::string& source);
[[nodiscard]] Result<PackSpec> load_pack_file(const std::string& path);
// A file, or every *.yaml / *.yml in a directory (sorted). Stops at the first broken pack.
[[nodiscard]] Result<std::vector<PackSpec>> load_pack_path(const std::string& path);

// The packs compiled into the binary (rules/packs/*.yaml at build time). Defined in
// rules/engine/builtin_packs.cpp (it needs the generated table, which lives in blastwall_rules).
// The default leaves out what evaluation never reads (embedded tests, rationale, references) so
// that a short-lived hook process decodes less; `rules test` and `rules list --json` ask for all.
[[nodiscard]] Result<std::vector<PackSpec>> load_builtin_packs(bool with_tests = false);

struct LintFinding {
  enum class Level { warning, error };
  Level level = Level::warning;
  Error where;  // message + file:line:col
};
// Checks beyond what loading enforces: rules without prefilter, missing tests, duplicate ids
// across packs, rule ids not under the pack id, empty messages/remediations.
[[nodiscard]] std::vector<LintFinding> lint_packs(const std::vector<PackSpec>& packs);

}  // namespace blastwall::rules
