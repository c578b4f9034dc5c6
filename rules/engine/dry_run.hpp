// Dry runs (scope fact `dry_run`: rsync -n, kubectl --dry-run=server, terraform plan, make -n, npm
// publish --dry-run, ...) change nothing, so the rules that judge what a change would do —
// destruction, production, publishing — do not apply to that subject. Rules about what the command
// reads, sends or runs still do: a dry run that prints a key or pipes a download to a shell is
// still that.
#pragma once

#include <algorithm>
#include <array>
#include <string_view>

#include "rules/pack/spec.hpp"

namespace blastwall::rules {

[[nodiscard]] inline bool survives_dry_run(const RuleSpec& rule) {
  static constexpr std::array<std::string_view, 11> k_kept_tags{
      "secrets",     "exfiltration", "self",      "tamper", "remote_exec", "supply_chain",
      "persistence", "security",     "privilege", "escape", "evasion"};
  static constexpr std::array<std::string_view, 4> k_kept_marks{"secrets_send", "self",
                                                                "remote_exec", "secrets_read"};
  for (const auto& t : rule.tags)
    if (std::find(k_kept_tags.begin(), k_kept_tags.end(), t) != k_kept_tags.end()) return true;
  for (const auto& m : rule.marks)
    if (std::find(k_kept_marks.begin(), k_kept_marks.end(), m) != k_kept_marks.end()) return true;
  return false;
}

}  // namespace blastwall::rules
