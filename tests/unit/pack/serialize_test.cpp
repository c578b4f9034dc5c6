#include "rules/pack/serialize.hpp"

#include <gtest/gtest.h>

#include "rules/pack/loader.hpp"

namespace blastwall::rules {
namespace {

// Field-by-field equality, independent of the JSON encoding under test.
bool same(const SourceLoc& a, const SourceLoc& b) {
  return a.file == b.file && a.line == b.line && a.column == b.column;
}

bool same(const Condition& a, const Condition& b) {
  if (a.type != b.type || a.field != b.field || a.op != b.op || a.values != b.values ||
      a.case_insensitive != b.case_insensitive || !same(a.loc, b.loc) ||
      a.children.size() != b.children.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.children.size(); ++i) {
    if (!same(a.children[i], b.children[i])) return false;
  }
  return true;
}

bool same(const RuleSpec& a, const RuleSpec& b) {
  if (a.exceptions.size() != b.exceptions.size()) return false;
  for (std::size_t i = 0; i < a.exceptions.size(); ++i) {
    const auto& x = a.exceptions[i];
    const auto& y = b.exceptions[i];
    if (x.name != y.name || x.field != y.field || x.op != y.op || x.values != y.values ||
        !same(x.loc, y.loc)) {
      return false;
    }
  }
  return a.id == b.id && a.title == b.title && a.applies_to == b.applies_to &&
         a.keywords == b.keywords && same(a.when, b.when) && a.decision == b.decision &&
         a.severity == b.severity && a.message == b.message && a.remediation == b.remediation &&
         a.rationale == b.rationale && a.references == b.references && a.tags == b.tags &&
         a.marks == b.marks && a.maturity == b.maturity && a.enabled == b.enabled &&
         a.tests.match == b.tests.match && a.tests.no_match == b.tests.no_match &&
         a.tests.todo_match == b.tests.todo_match && same(a.loc, b.loc);
}

bool same(const PackSpec& a, const PackSpec& b) {
  if (a.rules.size() != b.rules.size()) return false;
  for (std::size_t i = 0; i < a.rules.size(); ++i) {
    if (!same(a.rules[i], b.rules[i])) return false;
  }
  return a.format == b.format && a.id == b.id && a.version == b.version && a.title == b.title &&
         a.description == b.description && a.maturity == b.maturity &&
         a.requires_engine == b.requires_engine && a.lists == b.lists && a.source == b.source;
}

const char* const k_pack = R"(format: 1
pack:
  id: s.p
  version: 2.0.0
  title: Serialise me
  description: d
  maturity: experimental
  requires: {engine: ">=0.1"}
lists:
  - {id: l, items: [a, b]}
rules:
  - id: s.p.one
    title: One
    applies_to: [shell.exec, mcp.call]
    keywords: [k]
    when:
      all:
        - {cmd: [rm]}
        - not: {any: [{flag: -f}, {sub: 'a b'}, {option: -n, glob: 'prod*'}]}
        - {fact: prod}
        - {target: root}
        - {target_all: [temp]}
        - {field: line, contains: X, case_insensitive: true}
        - {field: url, exists: true}
    decision: deny
    severity: high
    marks: [destructive]
    message: m
    remediation: r
    rationale: why
    references: [ref]
    tags: [t]
    maturity: deprecated
    enabled: false
    exceptions:
      - {name: e, field: target, op: prefix, values: ['$l']}
    tests:
      match: ['rm x', {command: 'rm y'}]
      no_match: [ls]
      todo_match: ['rm z']
  - id: s.p.two
    title: Two
    when: {field: cmd, matches: '^x$'}
    decision: allow
    message: ''
)";

TEST(PackSerialize, round_trip_preserves_every_field) {
  auto p = load_pack_text(k_pack, "s.yaml");
  ASSERT_TRUE(p) << p.error().format();
  auto back = pack_from_json(pack_to_json(*p));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(same(*p, *back));
  EXPECT_EQ(pack_to_json(*back), pack_to_json(*p));
}

TEST(PackSerialize, round_trip_through_cbor_preserves_every_field) {
  auto p = load_pack_text(k_pack, "s.yaml");
  ASSERT_TRUE(p) << p.error().format();
  auto bytes = nlohmann::json::to_cbor(pack_to_json(*p));
  auto back = pack_from_json(nlohmann::json::from_cbor(bytes));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_TRUE(same(*p, *back));
}

TEST(PackSerialize, source_locations_survive_for_runtime_diagnostics) {
  auto p = load_pack_text(k_pack, "s.yaml");
  ASSERT_TRUE(p) << p.error().format();
  auto back = pack_from_json(pack_to_json(*p));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->rules[1].loc.file, "s.yaml");
  EXPECT_EQ(back->rules[1].loc.line, 41);
  EXPECT_EQ(back->rules[1].when.loc.line, 43);
  EXPECT_EQ(back->rules[0].exceptions[0].loc.line, 36);
}

TEST(PackSerialize, location_in_another_file_keeps_its_file) {
  auto p = load_pack_text(k_pack, "s.yaml");
  ASSERT_TRUE(p);
  p->rules[0].when.children[1].loc.file = "other.yaml";
  auto back = pack_from_json(pack_to_json(*p));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->rules[0].when.children[1].loc.file, "other.yaml");
  EXPECT_EQ(back->rules[0].when.children[0].loc.file, "s.yaml");
}

TEST(PackSerialize, malformed_json_is_an_error_not_an_exception) {
  EXPECT_FALSE(pack_from_json(nlohmann::json::array()));
  EXPECT_FALSE(pack_from_json(nlohmann::json{{"format", 1}}));
  EXPECT_FALSE(pack_from_json(nlohmann::json{{"format", "1"}, {"id", "x"}}));
  auto p = load_pack_text(k_pack, "s.yaml");
  ASSERT_TRUE(p);
  auto j = pack_to_json(*p);
  auto bad_decision = j;
  bad_decision["rules"][0]["decision"] = "maybe";
  auto r = pack_from_json(bad_decision);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("unknown decision 'maybe'"), std::string::npos);
  auto bad_op = j;
  bad_op["rules"][1]["when"]["op"] = "like";
  EXPECT_FALSE(pack_from_json(bad_op));
  auto bad_type = j;
  bad_type["rules"][0]["when"]["children"] = 5;
  EXPECT_FALSE(pack_from_json(bad_type));
  auto bad_kind = j;
  bad_kind["rules"][0]["applies_to"] = {"shell.run"};
  EXPECT_FALSE(pack_from_json(bad_kind));
}

}  // namespace
}  // namespace blastwall::rules
