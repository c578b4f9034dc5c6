// Compiled form of the rule packs: conditions with resolved fields, prefilter indexes and lazily
// compiled RE2::Sets. Private to rules/engine. Immutable after Engine::create except for the lazy
// regex sets, which are built once under std::call_once.
#pragma once

#include <re2/re2.h>
#include <re2/set.h>

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
};

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

struct CompiledRule {
  const rules::RuleSpec* spec = nullptr;
  const rules::PackSpec* pack = nullptr;
  Decision decision = Decision::ask;
  std::vector<ActionKind> kinds;
  CompiledCond when;
  std::vector<CompiledException> exceptions;
  std::vector<std::string> cmd_index;  // command names this rule is indexed under
  std::vector<std::string> keywords;
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
  std::unique_ptr<Group> always;         // rules with no prefilter
  int leaf_count = 0;
};

}  // namespace blastwall::engine
