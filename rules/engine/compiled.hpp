// Compiled form of the rule packs: conditions with resolved fields, prefilter indexes and lazily
// compiled RE2::Sets. Private to rules/engine. Immutable after Engine::create except for the lazy
// regex sets, which are built once under std::call_once.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "rules/pack/spec.hpp"

namespace blastwall::engine {

enum class Field {
  kind,
  cmd,
  argv0,
  args,
  argv,
  positionals,
  line,
  target,
  target_raw,
  target_rel,
  target_name,
  redirect,
  stdin_from,
  wrappers,
  origin,
  env,
  sql,
  path,
  content,
  url,
  method,
  mcp_server,
  mcp_tool,
  mcp_args,
  tool
};

bool parse_field(const std::string& name, Field& field, std::string& env_name);

// One RE2::Set over the `matches` leaves of one prefilter group for one field.
struct RegexSet {
  Field field = Field::args;
  std::string env_name;
  std::vector<std::string> patterns;  // index = set index
  std::vector<int> leaf_ids;          // set index -> leaf id
  std::once_flag once;
  std::unique_ptr<RE2::Set> set;  // null after a failed compile
  bool failed = false;
};

// Precomputed prefilter of one glob pattern (see glob_hint in engine.cpp).
struct GlobHint {
  bool filter = false;  // false: always call fnmatch
  bool exact = false;   // no wildcard: equality
  uint32_t head = 0;    // literal bytes before the first wildcard
  uint32_t tail = 0;    // literal bytes after the last wildcard
  // The longest literal run between wildcards (`/.config/fish/conf.d/` of
  // `*/.config/fish/conf.d/*`): it must occur between the head and the tail.
  uint32_t inner_at = 0, inner_len = 0;
};

struct Group;

struct CompiledCond {
  rules::Condition::Type type = rules::Condition::Type::all;
  std::vector<CompiledCond> children;
  Field field = Field::args;
  std::string env_name;  // Field::env, or the option name for Type::option
  rules::Op op = rules::Op::in;
  std::vector<std::string> values;
  bool case_insensitive = false;
  // Op::in / Op::equals: bit min(len, 63) set for each value's length (0 = no filter).
  uint64_t length_mask = 0;
  std::vector<GlobHint> glob_hints;                 // Op::glob: one per value
  std::vector<std::vector<std::string>> sub_words;  // Type::sub
  std::vector<int> classes;                         // Type::target / target_all (PathClass)
  int leaf_id = -1;  // `matches` leaves: global id, resolved through `set`
  RegexSet* set = nullptr;
  // A leaf of a rule indexed under several commands is in a set of each of their groups: the
  // group the subject is evaluated under answers for it, so one match of that group's set answers
  // every leaf of its rules on that field (`set` answers for subjects of other groups).
  std::vector<std::pair<const Group*, RegexSet*>> group_sets;
  // The `cmd` condition a rule is indexed by (index_names): it holds for every subject the rule is
  // a candidate for, since an indexed rule is a candidate only through its names' groups.
  bool implied_by_index = false;
  std::shared_ptr<RE2> option_regex;  // `matches` on an option value (not in a set)
};

struct CompiledException {
  std::string name;
  Field field = Field::target;
  std::string env_name;
  rules::Op op = rules::Op::prefix;
  std::vector<std::string> values;
  std::vector<GlobHint> glob_hints;  // op == glob: one per value
  std::shared_ptr<RE2> regex;        // op == matches
};

// What a subject has, for the fact gate (docs/RULES.md "Keywords and the prefilter"): bits below
// k_class_base = that Field has a value; then one bit per PathClass of the subject's targets; from
// k_named_base one bit per fact named by a rule's `fact` condition and per value of a `cmd`,
// `origin` or `stdin_from` condition inside a gate (Compiled::fact_bits, value_bits). Names beyond
// the capacity are not gated on (their condition falls back to "the field has a value" or to no
// gate).
struct FeatureMask {
  static constexpr int k_bits = 512;
  std::array<uint64_t, k_bits / 64> w{};
  // The words that may be non-zero (shrink() narrows it; clauses and marks are shrunk once
  // compiled, so testing one against a subject's mask touches a word or two, not eight).
  uint8_t lo = 0, hi = k_bits / 64 - 1;
  void set(int bit) {
    w[static_cast<size_t>(bit) >> 6] |= uint64_t{1} << (bit & 63);
    lo = 0;
    hi = k_bits / 64 - 1;
  }
  void shrink() {
    lo = 0;
    hi = 0;
    bool any = false;
    for (size_t i = 0; i < w.size(); ++i) {
      if (w[i] == 0) continue;
      if (!any) lo = static_cast<uint8_t>(i);
      hi = static_cast<uint8_t>(i);
      any = true;
    }
    if (!any) hi = 0, lo = 1;  // empty: no word to look at
  }
  // Whether this mask (a clause, over its words) shares a bit with `o`.
  [[nodiscard]] bool intersects(const FeatureMask& o) const {
    uint64_t acc = 0;
    for (size_t i = lo; i <= hi; ++i) acc |= w[i] & o.w[i];
    return acc != 0;
  }
  // Adds `o` (over its words); true when something was added.
  bool merge(const FeatureMask& o) {
    uint64_t added = 0;
    for (size_t i = o.lo; i <= o.hi; ++i) {
      added |= o.w[i] & ~w[i];
      w[i] |= o.w[i];
    }
    return added != 0;
  }
  [[nodiscard]] int count() const {
    int n = 0;
    for (auto x : w) n += __builtin_popcountll(x);
    return n;
  }
};
constexpr int k_class_base = 32;  // Field has fewer than 32 values
constexpr int k_named_base = 64;  // PathClass has fewer than 32 values

struct CompiledRule {
  const rules::RuleSpec* spec = nullptr;
  const rules::PackSpec* pack = nullptr;
  Decision decision = Decision::ask;
  std::vector<ActionKind> kinds;
  CompiledCond when;
  std::vector<CompiledException> exceptions;
  std::vector<std::string> cmd_index;  // command names this rule is indexed under
  std::vector<std::string> keywords;
  // Fact gate of a rule with no command or keyword index: `when` can only hold when the subject
  // has a feature of each clause of `gate` (a necessary condition derived from the conditions).
  // Clauses: every one must share a feature with the subject.
  bool gated = false;
  std::vector<FeatureMask> gate;
  FeatureMask marks;  // the gate bits of the facts this rule marks when it matches
};

struct Group {
  std::vector<int> rules;  // indexes into Compiled::rules
  std::vector<std::unique_ptr<RegexSet>> sets;
};

// Multi-keyword substring prefilter over a subject's text: a bitset of the keywords' first two
// bytes gates a short sorted list, so one pass over the text replaces one search per keyword.
// Keywords shorter than two bytes or containing '\n' (the separator of the old haystack) stay in
// `slow` and are searched the plain way.
struct KeywordIndex {
  std::vector<uint64_t> bigrams = std::vector<uint64_t>(1024);  // 65536 bits
  struct Entry {
    uint16_t key;  // first two bytes
    std::string keyword;
    int rule;
  };
  std::vector<Entry> entries;  // sorted by key
  std::vector<std::pair<std::string, int>> slow;

  [[nodiscard]] bool has(uint16_t key) const { return (bigrams[key >> 6] >> (key & 63)) & 1u; }
};

struct Compiled {
  std::vector<CompiledRule> rules;
  std::unordered_map<std::string, Group> by_cmd;  // cmd name -> group
  std::vector<std::pair<std::string, int>>
      keyword_rules;                     // (keyword, rule) for keyword-gated rules
  KeywordIndex keyword_index;            // built from keyword_rules
  std::unique_ptr<Group> keyword_group;  // regex sets for keyword-gated rules
  std::unique_ptr<Group> always;         // rules with no index (regex sets; `rules` unused)
  // Rules with no index, per ActionKind, ascending: without a fact gate (run for every subject of
  // that kind) and behind one.
  static constexpr size_t k_kinds = static_cast<size_t>(ActionKind::mcp_call) + 1;
  std::array<std::vector<int>, k_kinds> ungated_by_kind;
  std::array<std::vector<int>, k_kinds> gated_by_kind;
  bool any_gated = false;
  // Set when any regex set failed to compile: from then on every evaluation fails closed, so a
  // broken set is never skipped because the fact gate kept its rules from being evaluated.
  mutable std::atomic<bool> regex_failed{false};
  std::unordered_map<std::string, int> fact_bits;  // fact name -> FeatureMask bit
  // Values of single-valued fields (cmd, origin, stdin_from) named by `in`/`equals` conditions
  // inside gates: field -> value -> FeatureMask bit.
  std::vector<std::pair<Field, std::unordered_map<std::string, int>>> value_bits;
  int next_bit = k_named_base;
  int leaf_count = 0;
};

}  // namespace blastwall::engine
