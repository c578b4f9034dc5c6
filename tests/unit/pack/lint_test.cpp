#include <gtest/gtest.h>

#include <algorithm>

#include "rules/pack/loader.hpp"

namespace blastwall::rules {
namespace {

PackSpec load(const std::string& id, const std::string& rules, const std::string& source,
              const std::string& maturity = "stable") {
  auto r = load_pack_text("format: 1\npack: {id: " + id +
                              ", version: 1.0.0, maturity: " + maturity + "}\nrules:\n" + rules,
                          source);
  EXPECT_TRUE(r) << r.error().format();
  return r ? *r : PackSpec{};
}

const std::string k_clean_rule =
    "  - id: ID\n"
    "    title: T\n"
    "    when: {all: [{cmd: [rm]}, {flag: [-r]}]}\n"
    "    decision: ask\n"
    "    message: m\n"
    "    remediation: r\n"
    "    tests: {match: ['rm -r x'], no_match: ['rm x']}\n";

std::string rule(const std::string& id) {
  std::string s = k_clean_rule;
  s.replace(s.find("ID"), 2, id);
  return s;
}

std::vector<std::string> messages(const std::vector<LintFinding>& f, LintFinding::Level level) {
  std::vector<std::string> out;
  for (const auto& x : f) {
    if (x.level == level) out.push_back(x.where.message);
  }
  return out;
}

bool any_contains(const std::vector<std::string>& v, const std::string& needle) {
  return std::any_of(v.begin(), v.end(),
                     [&](const std::string& s) { return s.find(needle) != std::string::npos; });
}

TEST(PackLint, clean_rule_has_no_findings) {
  auto findings = lint_packs({load("a.p", rule("a.p.r"), "a.yaml")});
  for (const auto& f : findings) ADD_FAILURE() << f.where.format();
}

TEST(PackLint, rule_without_prefilter_is_warned_about) {
  auto findings = lint_packs({load("a.p",
                                   "  - id: a.p.r\n    title: T\n    decision: ask\n"
                                   "    message: m\n    remediation: r\n"
                                   "    when: {any: [{cmd: [rm]}, {fact: prod}]}\n"
                                   "    tests: {match: [x], no_match: [y]}\n",
                                   "a.yaml")});
  auto w = messages(findings, LintFinding::Level::warning);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("has no prefilter"), std::string::npos);
  EXPECT_EQ(findings[0].where.file, "a.yaml");
  EXPECT_EQ(findings[0].where.line, 4);
}

TEST(PackLint, keywords_count_as_a_prefilter) {
  auto findings = lint_packs({load("a.p",
                                   "  - id: a.p.r\n    title: T\n    decision: ask\n"
                                   "    message: m\n    remediation: r\n    keywords: [DROP]\n"
                                   "    when: {field: sql, matches: 'DROP'}\n"
                                   "    tests: {match: [x], no_match: [y]}\n",
                                   "a.yaml")});
  EXPECT_TRUE(findings.empty());
}

TEST(PackLint, missing_tests_and_empty_texts_are_warned_about) {
  auto findings = lint_packs({load("a.p",
                                   "  - id: a.p.r\n    title: T\n    decision: ask\n"
                                   "    message: ''\n    when: {cmd: [rm]}\n",
                                   "a.yaml")});
  auto w = messages(findings, LintFinding::Level::warning);
  EXPECT_TRUE(any_contains(w, "has no tests.match"));
  EXPECT_TRUE(any_contains(w, "has no tests.no_match"));
  EXPECT_TRUE(any_contains(w, "has an empty message"));
  EXPECT_TRUE(any_contains(w, "has an empty remediation"));
  EXPECT_TRUE(messages(findings, LintFinding::Level::error).empty());
}

TEST(PackLint, deprecated_pack_and_rule_are_warned_about) {
  std::string r = rule("a.p.r") + "    maturity: deprecated\n";
  auto findings = lint_packs({load("a.p", r, "a.yaml", "deprecated")});
  auto w = messages(findings, LintFinding::Level::warning);
  EXPECT_TRUE(any_contains(w, "pack 'a.p' is deprecated"));
  EXPECT_TRUE(any_contains(w, "rule 'a.p.r' is deprecated"));
}

TEST(PackLint, duplicate_rule_ids_across_packs_are_errors) {
  PackSpec one = load("a.p", rule("a.p.r"), "one.yaml");
  PackSpec two = load("a.p", rule("a.p.r"), "two.yaml");
  auto findings = lint_packs({one, two});
  auto e = messages(findings, LintFinding::Level::error);
  EXPECT_TRUE(any_contains(e, "duplicate rule id 'a.p.r' (first defined at one.yaml:4)"));
  EXPECT_TRUE(any_contains(e, "duplicate pack id 'a.p' (also in one.yaml)"));
  auto it = std::find_if(findings.begin(), findings.end(), [](const LintFinding& f) {
    return f.where.message.find("duplicate rule id") != std::string::npos;
  });
  ASSERT_NE(it, findings.end());
  EXPECT_EQ(it->where.file, "two.yaml");
  EXPECT_EQ(it->where.line, 4);
}

TEST(PackLint, rule_not_under_its_pack_id_is_an_error) {
  PackSpec p = load("a.p", rule("a.p.r"), "a.yaml");
  p.rules[0].id = "b.q.r";  // possible for packs built from JSON, never from YAML
  auto e = messages(lint_packs({p}), LintFinding::Level::error);
  EXPECT_TRUE(any_contains(e, "is not under its pack id"));
}

}  // namespace
}  // namespace blastwall::rules
