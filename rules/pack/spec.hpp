// The in-memory form of a rule pack, as loaded from YAML (pack loader) or from the packs compiled
// into the binary. Plain data; the evaluator compiles it into matchers (rules/engine/).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "blastwall/action.hpp"
#include "blastwall/verdict.hpp"

namespace blastwall::rules {

struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;
};

// Text operators for field conditions. For multi-valued fields a condition holds when ANY value
// satisfies it (see docs/RULES.md "Fields").
enum class Op { in, equals, prefix, suffix, contains, matches, glob, exists };

struct Condition {
  enum class Type {
    all,     // children all hold
    any,     // at least one child holds
    not_,    // children[0] does not hold
    field,   // field `field` satisfies op/values
    flag,    // the command has any of `values` as a flag (short flags unbundled: -rf has -r, -f)
    sub,     // positionals start with one of `values` (each value: space-separated words)
    option,  // option `field` (e.g. --context) is present and its value satisfies op/values
    fact,    // any fact named in `values` is set
    target,  // any target's class is in `values` (path classes, e.g. root, home-root)
    target_all,  // every target's class is in `values` (false when there are no targets)
  };
  Type type = Type::all;
  std::vector<Condition> children;
  std::string field;  // field name (Type::field) or option name (Type::option)
  Op op = Op::in;
  std::vector<std::string> values;  // list items; `$list_id` entries are expanded at load time
  bool case_insensitive = false;  // `matches` with (?i) is preferred; this applies to in/equals/...
  SourceLoc loc;
};

struct ExceptionSpec {
  std::string name;   // users add values under this name in their policy
  std::string field;  // field tested (target, cmd, args, path, ...)
  Op op = Op::prefix;
  std::vector<std::string> values;  // the pack's own default values (may be empty)
  SourceLoc loc;
};

struct RuleTests {
  std::vector<std::string> match;       // must produce a match of this rule
  std::vector<std::string> no_match;    // must not
  std::vector<std::string> todo_match;  // known gaps: reported, not failing
  // Tests are shell command lines unless the rule applies only to non-shell kinds; then each test
  // is an Action JSON object text (see docs/RULES.md "Tests").
};

struct RuleSpec {
  std::string id;
  std::string title;
  std::vector<ActionKind> applies_to;  // default: shell.exec
  std::vector<std::string> keywords;   // literal prefilter (see docs/RULES.md)
  Condition when;
  Decision decision = Decision::ask;
  Severity severity = Severity::medium;
  std::string message;  // may contain {placeholders}
  std::string remediation;
  std::string rationale;
  std::vector<std::string> references;
  std::vector<std::string> tags;
  std::vector<std::string>
      marks;  // facts a match sets (destructive, global, prod, secrets_send, self, ...)
  std::vector<ExceptionSpec> exceptions;
  std::string maturity;  // inherits the pack's when empty
  bool enabled = true;   // `enabled: false` ships a rule off by default
  RuleTests tests;
  SourceLoc loc;
};

struct PackSpec {
  int format = 1;
  std::string id;
  std::string version;  // SemVer
  std::string title;
  std::string description;
  std::string maturity = "stable";  // stable | incubating | experimental | deprecated
  std::string requires_engine;      // e.g. ">=0.1"
  std::map<std::string, std::vector<std::string>> lists;
  std::vector<RuleSpec> rules;
  std::string source;  // file path or "builtin:<name>"
};

}  // namespace blastwall::rules
