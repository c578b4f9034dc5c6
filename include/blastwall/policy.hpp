// Policy: the user's and organisation's settings over the shipped rules. Layered managed
// (/etc/blastwall/) > user (~/.config/blastwall/) > project (.blastwall/); a project layer may only
// tighten. Plain data; the loader lives in rules/pack/policy_loader.cpp.
#pragma once

#include <cstdint>
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
  std::vector<std::string> set_by;  // "tier path" of every layer that set something here
  // Set when `decision` comes only from a project layer, which may only tighten: the engine
  // applies it only when it is more restrictive than the rule's own decision.
  bool tighten_only = false;
};

// One `packs.trusted_keys` entry: a minisign public key trusted to sign packs of one namespace.
struct TrustedPackKey {
  std::string name;       // who holds the key ("acme-security")
  std::string space;      // pack ids it may sign: this id and ids under it; "*" = any
  std::string key;        // the public key's base64 line ("RWQ...")
  std::string not_after;  // YYYY-MM-DD (UTC, inclusive); empty = no expiry
  bool managed = false;   // declared by the managed tier: its namespace is then reserved for it
  std::string source;     // policy file
};

// One `packs.required` entry: a pack that must be loaded. Required by the managed tier, it is also
// locked: lower layers may only tighten its rules (see check_locked_packs).
struct RequiredPack {
  std::string id;
  std::string min_version;  // SemVer; empty = any
  std::string sha256;       // exact content pin; empty = any
  std::string source;       // where `blastwall packs sync` installs it from (URL, file, dir)
  bool locked = false;
  std::string declared_in;  // policy file
};

struct PackPolicy {
  bool require_signed = false;  // every non-shipped pack needs a trusted signature
  std::vector<TrustedPackKey> trusted_keys;
  std::vector<RequiredPack> required;
};

// A setting of a non-managed layer that would weaken a rule if it fell on a locked pack: checked
// once the packs are known (check_locked_packs), with the position of the key for the error.
struct WeakeningEdit {
  enum class Kind { disable_pack, disable_tag, rule_disabled, rule_decision, rule_exception };
  Kind kind = Kind::rule_disabled;
  std::string subject;                  // pack id, tag or rule id
  Decision decision = Decision::allow;  // for rule_decision
  Error where;
};

struct Policy {
  std::vector<std::string> prod_patterns{"prod", "production", "prd", "live"};
  std::vector<std::string> protected_branches{"main", "master", "release/*"};
  std::vector<std::string> temp_dirs{"/tmp", "/var/tmp"};
  std::map<std::string, RuleOverride> rules;    // by rule id
  std::vector<std::string> disabled_tags;       // rules carrying any of these tags are off
  std::vector<std::string> disabled_packs;      // by pack id
  std::vector<std::string> extra_pack_paths;    // more packs to load (files or directories)
  std::vector<std::string> project_pack_paths;  // those of extra_pack_paths a project layer added
  PackPolicy packs;
  std::vector<WeakeningEdit> weakening_edits;
  // Decisions for the default table (DESIGN.md "Default decisions").
  Decision destructive_scoped = Decision::deny;  // destructive and (prod or global)
  Decision destructive = Decision::ask;
  Decision fail_closed = Decision::ask;     // dynamic verb, unparseable, oversize, internal error
  Decision no_native_ask = Decision::deny;  // what hooks answer when the agent has no "ask"
  // Session memory (docs/RULES.md "Session facts"): how far back an adapter recalls the session's
  // actions, and how many destructive ones in that window make the next one a burst (0 = off).
  int64_t session_window_s = 600;
  int burst_threshold = 5;
  std::vector<std::string> sources;  // files merged into this policy, in order
};

// One policy layer as read from a file, before merging.
struct PolicyLayer {
  enum class Tier { managed, user, project, explicit_file };
  Tier tier = Tier::user;
  std::string path;
  std::string text;
};

[[nodiscard]] Result<Policy> parse_policy_layers(const std::vector<PolicyLayer>& layers);

// The managed tier's required packs are locked: any weakening edit of a lower layer that reaches
// one of their rules (disabling it, its pack or a tag it carries, an exception value, a decision
// less restrictive than the pack's own) is an error at that key. `pack_of_rule` and
// `rules_of_pack` describe the loaded packs: rule id -> (pack id, decision, tags).
struct LockedRuleInfo {
  std::string pack_id;
  Decision decision = Decision::ask;
  std::vector<std::string> tags;
};
[[nodiscard]] Result<bool> check_locked_packs(const Policy& policy,
                                              const std::map<std::string, LockedRuleInfo>& rules);

}  // namespace blastwall
