#include "rules/pack/loader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "pack_test_util.hpp"

namespace blastwall::rules {
namespace {

const char* const k_good_pack = R"(format: 1
pack:
  id: core.demo
  version: 1.2.3-beta.1+build.5
  title: Demo pack
  description: Every form the loader understands.
  maturity: incubating
  requires: {engine: ">=0.1"}
lists:
  - {id: build_dirs, items: [build, dist]}
  - {id: more_dirs, items: ['$build_dirs', out]}
rules:
  - id: core.demo.rm-recursive
    title: Recursive delete
    keywords: [rm]
    when:
      all:
        - {cmd: [rm, rmdir]}
        - {flag: [-r, -R, --recursive]}
        - {sub: 'stash drop'}
        - {option: --context, matches: '(?i)prod'}
        - {fact: [prod, global]}
        - {target: [root, home-root]}
        - {target_all: temp}
        - any:
            - {field: env.AWS_PROFILE, equals: prod}
            - {field: args, in: ['$more_dirs']}
            - {field: target, prefix: [/etc, /usr]}
            - {field: target_name, suffix: .bak}
            - {field: line, contains: '--force', case_insensitive: true}
            - {field: path, glob: '*.pem'}
            - {field: url, exists: true}
        - not: {field: cmd, in: [echo]}
    decision: deny
    severity: critical
    marks: [destructive, custom_mark]
    message: 'Recursive delete of {targets}'
    remediation: 'Delete the specific build output.'
    rationale: 'Irreversible.'
    references: ['https://example.com']
    tags: [destructive, filesystem]
    maturity: experimental
    enabled: false
    exceptions:
      - {name: build_outputs, field: target_rel, op: in, values: ['$build_dirs', '$$HOME']}
      - {name: scratch, field: target, op: prefix}
    tests:
      match: ['rm -rf src', {command: 'rm -rf x', env: {AWS_PROFILE: prod}}]
      no_match: 'rm notes.txt'
      todo_match: []
  - id: core.demo.write-secret
    title: Write a secret
    applies_to: [file.write, file.edit]
    when: {field: path, matches: ['\.pem$', '/\.ssh/']}
    decision: ask
    message: 'Writes {target}'
    tests:
      match: [{kind: file.write, path: '~/.ssh/config', content: 'x'}]
)";

TEST(PackLoader, good_pack_fills_header_lists_and_rules) {
  auto r = load_pack_text(k_good_pack, "demo.yaml");
  ASSERT_TRUE(r) << r.error().format();
  const PackSpec& p = *r;
  EXPECT_EQ(p.format, 1);
  EXPECT_EQ(p.id, "core.demo");
  EXPECT_EQ(p.version, "1.2.3-beta.1+build.5");
  EXPECT_EQ(p.title, "Demo pack");
  EXPECT_EQ(p.maturity, "incubating");
  EXPECT_EQ(p.requires_engine, ">=0.1");
  EXPECT_EQ(p.source, "demo.yaml");
  ASSERT_EQ(p.rules.size(), 2u);
  EXPECT_EQ(p.lists.at("build_dirs"), (std::vector<std::string>{"build", "dist"}));
}

TEST(PackLoader, lists_may_reference_earlier_lists) {
  auto r = load_pack_text(k_good_pack, "demo.yaml");
  ASSERT_TRUE(r) << r.error().format();
  EXPECT_EQ(r->lists.at("more_dirs"), (std::vector<std::string>{"build", "dist", "out"}));
}

TEST(PackLoader, rule_scalars_and_lists_are_filled) {
  auto r = load_pack_text(k_good_pack, "demo.yaml");
  ASSERT_TRUE(r) << r.error().format();
  const RuleSpec& rule = r->rules[0];
  EXPECT_EQ(rule.id, "core.demo.rm-recursive");
  EXPECT_EQ(rule.title, "Recursive delete");
  EXPECT_EQ(rule.applies_to, std::vector<ActionKind>{ActionKind::shell_exec});
  EXPECT_EQ(rule.keywords, std::vector<std::string>{"rm"});
  EXPECT_EQ(rule.decision, Decision::deny);
  EXPECT_EQ(rule.severity, Severity::critical);
  EXPECT_EQ(rule.marks, (std::vector<std::string>{"destructive", "custom_mark"}));
  EXPECT_EQ(rule.message, "Recursive delete of {targets}");
  EXPECT_EQ(rule.remediation, "Delete the specific build output.");
  EXPECT_EQ(rule.rationale, "Irreversible.");
  EXPECT_EQ(rule.references, std::vector<std::string>{"https://example.com"});
  EXPECT_EQ(rule.tags, (std::vector<std::string>{"destructive", "filesystem"}));
  EXPECT_EQ(rule.maturity, "experimental");
  EXPECT_FALSE(rule.enabled);
  EXPECT_EQ(rule.loc.file, "demo.yaml");
  EXPECT_EQ(rule.loc.line, 13);
  EXPECT_EQ(rule.loc.column, 5);
}

TEST(PackLoader, defaults_apply_when_optional_keys_are_absent) {
  auto r = load_pack_text(k_good_pack, "demo.yaml");
  ASSERT_TRUE(r) << r.error().format();
  const RuleSpec& rule = r->rules[1];
  EXPECT_EQ(rule.severity, Severity::medium);
  EXPECT_TRUE(rule.enabled);
  EXPECT_TRUE(rule.maturity.empty());
  EXPECT_EQ(rule.applies_to,
            (std::vector<ActionKind>{ActionKind::file_write, ActionKind::file_edit}));
}

TEST(PackLoader, every_condition_form_maps_to_its_type) {
  auto r = load_pack_text(k_good_pack, "demo.yaml");
  ASSERT_TRUE(r) << r.error().format();
  const Condition& all = r->rules[0].when;
  ASSERT_EQ(all.type, Condition::Type::all);
  ASSERT_EQ(all.children.size(), 9u);
  const auto& c = all.children;
  EXPECT_EQ(c[0].type, Condition::Type::field);
  EXPECT_EQ(c[0].field, "cmd");
  EXPECT_EQ(c[0].op, Op::in);
  EXPECT_EQ(c[0].values, (std::vector<std::string>{"rm", "rmdir"}));
  EXPECT_EQ(c[1].type, Condition::Type::flag);
  EXPECT_EQ(c[1].values, (std::vector<std::string>{"-r", "-R", "--recursive"}));
  EXPECT_EQ(c[2].type, Condition::Type::sub);
  EXPECT_EQ(c[2].values, std::vector<std::string>{"stash drop"});
  EXPECT_EQ(c[3].type, Condition::Type::option);
  EXPECT_EQ(c[3].field, "--context");
  EXPECT_EQ(c[3].op, Op::matches);
  EXPECT_EQ(c[3].values, std::vector<std::string>{"(?i)prod"});
  EXPECT_EQ(c[4].type, Condition::Type::fact);
  EXPECT_EQ(c[4].values, (std::vector<std::string>{"prod", "global"}));
  EXPECT_EQ(c[5].type, Condition::Type::target);
  EXPECT_EQ(c[5].values, (std::vector<std::string>{"root", "home-root"}));
  EXPECT_EQ(c[6].type, Condition::Type::target_all);
  EXPECT_EQ(c[6].values, std::vector<std::string>{"temp"});
  EXPECT_EQ(c[7].type, Condition::Type::any);
  EXPECT_EQ(c[8].type, Condition::Type::not_);
  ASSERT_EQ(c[8].children.size(), 1u);
  EXPECT_EQ(c[8].children[0].values, std::vector<std::string>{"echo"});
}

TEST(PackLoader, field_operators_are_parsed_with_their_values) {
  auto r = load_pack_text(k_good_pack, "demo.yaml");
  ASSERT_TRUE(r) << r.error().format();
  const auto& any = r->rules[0].when.children[7].children;
  ASSERT_EQ(any.size(), 7u);
  EXPECT_EQ(any[0].field, "env.AWS_PROFILE");
  EXPECT_EQ(any[0].op, Op::equals);
  EXPECT_EQ(any[0].values, std::vector<std::string>{"prod"});
  EXPECT_EQ(any[1].op, Op::in);
  EXPECT_EQ(any[1].values, (std::vector<std::string>{"build", "dist", "out"}));
  EXPECT_EQ(any[2].op, Op::prefix);
  EXPECT_EQ(any[3].op, Op::suffix);
  EXPECT_EQ(any[3].values, std::vector<std::string>{".bak"});
  EXPECT_EQ(any[4].op, Op::contains);
  EXPECT_TRUE(any[4].case_insensitive);
  EXPECT_FALSE(any[3].case_insensitive);
  EXPECT_EQ(any[5].op, Op::glob);
  EXPECT_EQ(any[6].op, Op::exists);
  EXPECT_TRUE(any[6].values.empty());
}

TEST(PackLoader, condition_locations_point_at_their_mapping) {
  auto r = load_pack_text(k_good_pack, "demo.yaml");
  ASSERT_TRUE(r) << r.error().format();
  const auto& flag = r->rules[0].when.children[1];
  EXPECT_EQ(flag.loc.line, 19);
  EXPECT_EQ(flag.loc.column, 11);
}

TEST(PackLoader, exceptions_expand_lists_and_unescape_double_dollar) {
  auto r = load_pack_text(k_good_pack, "demo.yaml");
  ASSERT_TRUE(r) << r.error().format();
  const auto& ex = r->rules[0].exceptions;
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex[0].name, "build_outputs");
  EXPECT_EQ(ex[0].field, "target_rel");
  EXPECT_EQ(ex[0].op, Op::in);
  EXPECT_EQ(ex[0].values, (std::vector<std::string>{"build", "dist", "$HOME"}));
  EXPECT_EQ(ex[1].op, Op::prefix);
  EXPECT_TRUE(ex[1].values.empty());
  EXPECT_EQ(ex[1].loc.line, 46);
  EXPECT_EQ(ex[1].loc.column, 9);
}

TEST(PackLoader, tests_accept_strings_mappings_and_scalars) {
  auto r = load_pack_text(k_good_pack, "demo.yaml");
  ASSERT_TRUE(r) << r.error().format();
  const auto& t = r->rules[0].tests;
  ASSERT_EQ(t.match.size(), 2u);
  EXPECT_EQ(t.match[0], "rm -rf src");
  ASSERT_EQ(t.match[1].front(), '{');
  auto j = nlohmann::json::parse(t.match[1]);
  EXPECT_EQ(j, nlohmann::json::parse(R"({"command":"rm -rf x","env":{"AWS_PROFILE":"prod"}})"));
  EXPECT_EQ(t.no_match, std::vector<std::string>{"rm notes.txt"});
  EXPECT_TRUE(t.todo_match.empty());
}

TEST(PackLoader, mapping_tests_become_compact_action_json) {
  auto r = load_pack_text(k_good_pack, "demo.yaml");
  ASSERT_TRUE(r) << r.error().format();
  ASSERT_EQ(r->rules[1].tests.match.size(), 1u);
  EXPECT_EQ(r->rules[1].tests.match[0],
            R"({"content":"x","kind":"file.write","path":"~/.ssh/config"})");
}

TEST(PackLoader, scalar_where_list_allowed_becomes_one_item) {
  auto r = load_pack_text(testing::pack_with_when("{cmd: rm}"), "t.yaml");
  ASSERT_TRUE(r) << r.error().format();
  EXPECT_EQ(r->rules[0].when.values, std::vector<std::string>{"rm"});
  EXPECT_EQ(r->rules[0].applies_to, std::vector<ActionKind>{ActionKind::shell_exec});
}

TEST(PackLoader, unquoted_list_reference_expands_too) {
  auto text =
      "format: 1\npack: {id: t.pack, version: 0.1.0}\n"
      "lists: [{id: vcs, items: [git, hg]}]\n"
      "rules:\n"
      "  - {id: t.pack.r, title: T, decision: ask, message: m, when: {cmd: [$vcs, svn]}}\n";
  auto r = load_pack_text(text, "t.yaml");
  ASSERT_TRUE(r) << r.error().format();
  EXPECT_EQ(r->rules[0].when.values, (std::vector<std::string>{"git", "hg", "svn"}));
}

TEST(PackLoader, empty_rules_list_is_a_valid_pack) {
  auto r = load_pack_text("format: 1\npack: {id: t.empty, version: 0.0.1}\nrules: []\n", "e.yaml");
  ASSERT_TRUE(r) << r.error().format();
  EXPECT_TRUE(r->rules.empty());
}

TEST(PackLoader, load_pack_path_reads_a_directory_sorted) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "blastwall_pack_dir_test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto write = [&](const char* name, const char* id) {
    std::ofstream(dir / name) << "format: 1\npack: {id: " << id << ", version: 1.0.0}\nrules: []\n";
  };
  write("b.yaml", "t.b");
  write("a.yml", "t.a");
  std::ofstream(dir / "notes.txt") << "not a pack";
  auto r = load_pack_path(dir.string());
  ASSERT_TRUE(r) << r.error().format();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].id, "t.a");
  EXPECT_EQ((*r)[1].id, "t.b");
  EXPECT_EQ((*r)[0].source, (dir / "a.yml").string());
  fs::remove_all(dir);
}

TEST(PackLoader, load_pack_path_stops_at_the_first_broken_pack) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / "blastwall_pack_dir_broken";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "a.yaml") << "format: 1\npack: {id: t.a, version: 1.0.0}\nrules: []\n";
  std::ofstream(dir / "b.yaml") << "format: 1\npack: {id: t.b, version: one}\nrules: []\n";
  auto r = load_pack_path(dir.string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().file, (dir / "b.yaml").string());
  EXPECT_EQ(r.error().line, 2);
  fs::remove_all(dir);
}

TEST(PackLoader, missing_file_is_an_error_naming_it) {
  auto r = load_pack_file("/nonexistent/blastwall/pack.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().file, "/nonexistent/blastwall/pack.yaml");
  auto p = load_pack_path("/nonexistent/blastwall");
  ASSERT_FALSE(p);
}

}  // namespace
}  // namespace blastwall::rules
