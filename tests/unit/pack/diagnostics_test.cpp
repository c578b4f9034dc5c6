// Every loader diagnostic names file:line:col exactly (1-based) and carries the source line.
#include <gtest/gtest.h>

#include <string>

#include "pack_test_util.hpp"
#include "rules/pack/loader.hpp"

namespace blastwall::rules {
namespace {

using testing::pack_with_rules;
using testing::pack_with_when;

struct Where {
  int line;
  int column;
};

// Loads `text` expecting failure at line:col with `needle` in the message.
void expect_error(const std::string& text, Where where, const std::string& needle) {
  auto r = load_pack_text(text, "p.yaml");
  ASSERT_FALSE(r) << "expected an error containing: " << needle;
  const Error& e = r.error();
  EXPECT_EQ(e.file, "p.yaml");
  EXPECT_EQ(e.line, where.line) << e.format();
  EXPECT_EQ(e.column, where.column) << e.format();
  EXPECT_NE(e.message.find(needle), std::string::npos) << e.format();
}

const std::string k_rule_head =
    "  - id: t.pack.r\n"   // 6
    "    title: T\n"       // 7
    "    decision: ask\n"  // 8
    "    message: m\n";    // 9

TEST(PackDiagnostics, unknown_rule_key_points_at_the_key_with_a_hint) {
  expect_error(pack_with_rules(k_rule_head + "    whne: {cmd: [rm]}\n"), {10, 5},
               "unknown key 'whne' in rule; did you mean 'when'?");
}

TEST(PackDiagnostics, unknown_top_level_key_lists_the_allowed_keys) {
  expect_error("format: 1\nzzz: 1\n", {2, 1},
               "unknown key 'zzz' in the pack file (expected one of:");
}

TEST(PackDiagnostics, unknown_pack_header_key) {
  expect_error("format: 1\npack:\n  id: t.pack\n  version: 1.0.0\n  licence: MIT\nrules: []\n",
               {5, 3}, "unknown key 'licence' in pack");
}

TEST(PackDiagnostics, unknown_condition_key_suggests_the_form) {
  expect_error(pack_with_when("{cmd: [rm], flags: [-r]}"), {9, 23},
               "unknown key 'flags' in condition; did you mean 'flag'?");
}

TEST(PackDiagnostics, unknown_exception_key) {
  expect_error(pack_with_rules(k_rule_head +
                               "    when: {cmd: [rm]}\n"
                               "    exceptions:\n"
                               "      - {name: x, field: target, op: prefix, value: [/tmp]}\n"),
               {12, 46}, "unknown key 'value' in exception; did you mean 'values'?");
}

TEST(PackDiagnostics, unknown_tests_key) {
  expect_error(pack_with_rules(k_rule_head + "    when: {cmd: [rm]}\n"
                                             "    tests:\n"
                                             "      matches: ['rm -rf /']\n"),
               {12, 7}, "unknown key 'matches' in tests; did you mean 'match'?");
}

TEST(PackDiagnostics, wrong_type_names_the_key) {
  expect_error(pack_with_rules("  - id: t.pack.r\n    title: [a, b]\n"), {7, 12},
               "title must be a string");
}

TEST(PackDiagnostics, missing_format_is_reported_at_the_document) {
  expect_error("pack: {id: t.pack, version: 1.0.0}\nrules: []\n", {1, 1},
               "missing required key 'format'");
}

TEST(PackDiagnostics, unsupported_format_version) {
  expect_error("format: 2\npack: {id: t.pack, version: 1.0.0}\nrules: []\n", {1, 9},
               "unsupported format '2'");
}

TEST(PackDiagnostics, missing_pack_id_and_version) {
  expect_error("format: 1\npack:\n  version: 1.0.0\nrules: []\n", {3, 3},
               "pack is missing required key 'id'");
  expect_error("format: 1\npack:\n  id: t.pack\nrules: []\n", {3, 3},
               "pack is missing required key 'version'");
}

TEST(PackDiagnostics, missing_required_rule_keys_are_each_reported) {
  expect_error(pack_with_rules("  - title: T\n    decision: ask\n"), {6, 5},
               "rule is missing required key 'id'");
  expect_error(pack_with_rules("  - id: t.pack.r\n    decision: ask\n"), {6, 5},
               "rule is missing required key 'title'");
  expect_error(pack_with_rules("  - id: t.pack.r\n    title: T\n"), {6, 5},
               "rule is missing required key 'message'");
  expect_error(pack_with_rules("  - id: t.pack.r\n    title: T\n    message: m\n"), {6, 5},
               "rule is missing required key 'decision'");
  expect_error(pack_with_rules(k_rule_head), {6, 5}, "rule is missing required key 'when'");
}

TEST(PackDiagnostics, bad_semver_points_at_the_version) {
  expect_error("format: 1\npack:\n  id: t.pack\n  version: 1.0\nrules: []\n", {4, 12},
               "pack version '1.0' is not SemVer");
  expect_error("format: 1\npack:\n  id: t.pack\n  version: 01.0.0\nrules: []\n", {4, 12},
               "is not SemVer");
}

TEST(PackDiagnostics, rule_id_must_start_with_the_pack_id) {
  expect_error(pack_with_rules("  - id: other.r\n"), {6, 9},
               "rule id 'other.r' must start with the pack id 't.pack.'");
  expect_error(pack_with_rules("  - id: t.packx.r\n"), {6, 9}, "must start with the pack id");
}

TEST(PackDiagnostics, duplicate_rule_id_names_the_first_definition) {
  const std::string rule = k_rule_head + "    when: {cmd: [rm]}\n";
  expect_error(pack_with_rules(rule + rule), {11, 9},
               "duplicate rule id 't.pack.r' (first defined at line 6)");
}

TEST(PackDiagnostics, duplicate_yaml_key_is_an_error) {
  expect_error(pack_with_rules(k_rule_head + "    when: {cmd: [rm]}\n    title: U\n"), {11, 5},
               "duplicate key 'title' in rule (first at line 7)");
}

TEST(PackDiagnostics, unknown_list_reference_points_at_the_item) {
  expect_error(pack_with_when("{cmd: [rm, '$nope']}"), {9, 22}, "unknown list '$nope'");
}

TEST(PackDiagnostics, unknown_decision_severity_and_maturity) {
  expect_error(pack_with_rules("  - id: t.pack.r\n    title: T\n    message: m\n"
                               "    decision: block\n"),
               {9, 15}, "unknown decision 'block' (allow, ask, deny)");
  expect_error(pack_with_rules(k_rule_head + "    when: {cmd: [rm]}\n    severity: severe\n"),
               {11, 15}, "unknown severity 'severe'");
  expect_error(pack_with_rules(k_rule_head + "    when: {cmd: [rm]}\n    maturity: beta\n"),
               {11, 15}, "unknown maturity 'beta'");
  expect_error("format: 1\npack: {id: t.pack, version: 1.0.0, maturity: gold}\nrules: []\n",
               {2, 46}, "unknown maturity 'gold'");
}

TEST(PackDiagnostics, unknown_action_kind_points_at_the_item) {
  expect_error(pack_with_rules(k_rule_head +
                               "    when: {cmd: [rm]}\n    applies_to: [shell.exec, file.nuke]\n"),
               {11, 30}, "unknown action kind 'file.nuke'");
}

TEST(PackDiagnostics, unknown_path_class_points_at_the_item) {
  expect_error(pack_with_when("{target: [root, home]}"), {9, 27}, "unknown path class 'home'");
}

TEST(PackDiagnostics, fact_names_must_be_snake_case) {
  expect_error(pack_with_when("{fact: [prod, Global-x]}"), {9, 25}, "fact 'Global-x'");
  expect_error(pack_with_rules(k_rule_head + "    when: {cmd: [rm]}\n    marks: [Bad]\n"), {11, 13},
               "mark 'Bad'");
}

TEST(PackDiagnostics, condition_with_no_form) {
  expect_error(pack_with_when("{in: [rm]}"), {9, 11}, "condition has no form");
  expect_error(pack_with_when("{cmd: [rm], in: [x]}"), {9, 23}, "'in' is only valid with field:");
  expect_error(pack_with_when("{}"), {9, 11}, "condition has no form");
}

TEST(PackDiagnostics, condition_with_two_forms_points_at_the_second) {
  expect_error(pack_with_when("{cmd: [rm], flag: [-r]}"), {9, 23},
               "condition has two forms ('cmd' and 'flag')");
}

TEST(PackDiagnostics, not_with_a_list_is_rejected) {
  expect_error(pack_with_when("{not: [{cmd: [rm]}]}"), {9, 17},
               "not takes one condition, not a list");
}

TEST(PackDiagnostics, empty_all_and_any_are_rejected) {
  expect_error(pack_with_when("{all: []}"), {9, 17}, "empty all: needs at least one condition");
  expect_error(pack_with_when("{any: []}"), {9, 17}, "empty any:");
}

TEST(PackDiagnostics, invalid_regex_is_reported_at_the_regex_itself) {
  expect_error(pack_with_when("{field: line, matches: ['ok', '(unclosed']}"), {9, 41},
               "invalid regex '(unclosed': missing ): (unclosed");
}

TEST(PackDiagnostics, invalid_regex_from_a_list_points_into_the_list) {
  const std::string text =
      "format: 1\npack: {id: t.pack, version: 1.0.0}\n"
      "lists:\n"
      "  - id: pats\n"
      "    items:\n"
      "      - 'fine'\n"
      "      - '[z-a]'\n"
      "rules:\n"
      "  - {id: t.pack.r, title: T, decision: ask, message: m,\n"
      "     when: {field: args, matches: ['$pats']}}\n";
  expect_error(text, {7, 9}, "invalid regex '[z-a]'");
}

TEST(PackDiagnostics, invalid_regex_in_an_exception_is_rejected) {
  expect_error(pack_with_rules(k_rule_head + "    when: {cmd: [rm]}\n"
                                             "    exceptions:\n"
                                             "      - name: x\n"
                                             "        field: target\n"
                                             "        op: matches\n"
                                             "        values: ['a**']\n"),
               {15, 18}, "invalid regex 'a**'");
}

TEST(PackDiagnostics, exception_field_and_op_are_validated) {
  const std::string head = k_rule_head + "    when: {cmd: [rm]}\n    exceptions:\n";
  expect_error(pack_with_rules(head + "      - {name: x, field: nowhere, op: in}\n"), {12, 26},
               "unknown field 'nowhere'");
  expect_error(pack_with_rules(head + "      - {name: x, field: target, op: startswith}\n"),
               {12, 38}, "unknown exception op 'startswith'");
  expect_error(pack_with_rules(head + "      - {name: x, field: target, op: exists}\n"), {12, 38},
               "unknown exception op 'exists'");
  expect_error(pack_with_rules(head + "      - {name: x, field: target, op: in}\n"
                                      "      - {name: x, field: cmd, op: in}\n"),
               {13, 16}, "duplicate exception name 'x'");
}

TEST(PackDiagnostics, unknown_field_is_rejected_but_env_fields_are_allowed) {
  expect_error(pack_with_when("{field: argv1, in: [x]}"), {9, 19}, "unknown field 'argv1'");
  expect_error(pack_with_when("{field: env.9X, in: [x]}"), {9, 19}, "unknown field 'env.9X'");
  auto ok = load_pack_text(pack_with_when("{field: env.KUBECONFIG, contains: prod}"), "p.yaml");
  EXPECT_TRUE(ok) << ok.error().format();
}

TEST(PackDiagnostics, field_condition_needs_exactly_one_operator) {
  expect_error(pack_with_when("{field: cmd}"), {9, 11}, "field condition needs one operator");
  expect_error(pack_with_when("{field: cmd, in: [a], prefix: b}"), {9, 33},
               "condition has two operators ('in' and 'prefix')");
}

TEST(PackDiagnostics, equals_takes_one_string_and_exists_only_true) {
  expect_error(pack_with_when("{field: cmd, equals: [a, b]}"), {9, 32}, "equals takes one string");
  expect_error(pack_with_when("{field: cmd, exists: false}"), {9, 32}, "exists: false");
  expect_error(pack_with_when("{field: cmd, prefix: ''}"), {9, 32},
               "empty prefix value would match everything");
}

TEST(PackDiagnostics, option_name_must_look_like_an_option) {
  expect_error(pack_with_when("{option: context, equals: prod}"), {9, 20}, "must start with '-'");
}

TEST(PackDiagnostics, test_line_starting_with_brace_must_be_a_mapping) {
  expect_error(pack_with_rules(k_rule_head + "    when: {cmd: [rm]}\n"
                                             "    tests: {match: ['{ rm -rf /; }']}\n"),
               {11, 21}, "ambiguous");
}

TEST(PackDiagnostics, test_mapping_must_be_a_valid_action) {
  expect_error(pack_with_rules(k_rule_head + "    when: {cmd: [rm]}\n"
                                             "    tests: {match: [{kind: file.write}]}\n"),
               {11, 21}, "invalid test action: file.write action needs 'path'");
  expect_error(pack_with_rules(k_rule_head + "    when: {cmd: [rm]}\n"
                                             "    tests: {match: [{comand: ls}]}\n"),
               {11, 22}, "unknown key 'comand' in a test action; did you mean 'command'?");
}

TEST(PackDiagnostics, format_prints_file_line_col_and_a_caret) {
  auto r = load_pack_text(pack_with_rules(k_rule_head + "    whne: {cmd: [rm]}\n"), "p.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().snippet, "    whne: {cmd: [rm]}");
  EXPECT_EQ(r.error().format(),
            "p.yaml:10:5: unknown key 'whne' in rule; did you mean 'when'?\n"
            "      whne: {cmd: [rm]}\n"
            "      ^");
}

TEST(PackDiagnostics, yaml_syntax_error_carries_its_position) {
  expect_error("format: 1\npack: {id: t.pack, version: 1.0.0\nrules: []\n", {3, 6},
               "YAML syntax error");
}

}  // namespace
}  // namespace blastwall::rules
