// Policy: the user's and organisation's settings over the shipped rules. Layered managed
// (/etc/blastwall/) > user (~/.config/blastwall/) > project (.blastwall/); a project layer may only
// tighten. Plain data; the loader lives in rules/pack/policy_loader.cpp.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "blastwall/result.hpp"
#include "blastwall/verdict.hpp"

namespace blastwall {

struct RuleOverride {
  std::optional<bool> enabled;
  std::optional<Decision> decision;
  std::map<std::string, std::vector<std::string>> exceptions;  // exception name -> extra values
  // Set when `decision` comes only from a project layer, which may only tighten: the engine
  // applies it only when it is more restrictive than the rule's own decision.
  bool tighten_only = false;
};

struct Policy {
  std::vector<std::string> prod_patterns{"prod", "production", "prd", "live"};
  std::vector<std::string> protected_branches{"main", "master", "release/*"};
  std::vector<std::string> temp_dirs{"/tmp", "/var/tmp"};
  std::map<std::string, RuleOverride> rules;  // by rule id
  std::vector<std::string> disabled_tags;     // rules carrying any of these tags are off
  std::vector<std::string> disabled_packs;    // by pack id
  std::vector<std::string> extra_pack_paths;  // more packs to load (files or directories)
  // Decisions for the default table (DESIGN.md "Default decisions").
  Decision destructive_scoped = Decision::deny;  // destructive and (prod or global)
  Decision destructive = Decision::ask;
  Decision fail_closed = Decision::ask;     // dynamic verb, unparseable, oversize, internal error
  Decision no_native_ask = Decision::deny;  // what hooks answer when the agent has no "ask"
  std::vector<std::string> sources;         // files merged into this policy, in order
};

// One policy layer as read from a file, before merging.
struct PolicyLayer {
  enum class Tier { managed, user, project, explicit_file };
  Tier tier = Tier::user;
  std::string path;
  std::string text;
};

[[nodiscard]] Result<Policy> parse_policy_layers(const std::vector<PolicyLayer>& layers);

}  // namespace blastwall
