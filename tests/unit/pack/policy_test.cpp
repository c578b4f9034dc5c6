#include "blastwall/policy.hpp"

#include <gtest/gtest.h>

namespace blastwall {
namespace {

using Tier = PolicyLayer::Tier;

PolicyLayer layer(Tier t, std::string path, std::string text) {
  return PolicyLayer{t, std::move(path), std::move(text)};
}

void expect_error_at(const Result<Policy>& r, const std::string& file, int line, int column,
                     const std::string& needle) {
  ASSERT_FALSE(r) << "expected an error containing: " << needle;
  EXPECT_EQ(r.error().file, file);
  EXPECT_EQ(r.error().line, line) << r.error().format();
  EXPECT_EQ(r.error().column, column) << r.error().format();
  EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().format();
}

TEST(PolicyLoader, no_layers_gives_the_defaults) {
  auto r = parse_policy_layers({});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->prod_patterns, (std::vector<std::string>{"prod", "production", "prd", "live"}));
  EXPECT_EQ(r->destructive_scoped, Decision::deny);
  EXPECT_EQ(r->destructive, Decision::ask);
  EXPECT_TRUE(r->sources.empty());
}

TEST(PolicyLoader, full_user_file_is_parsed) {
  auto r = parse_policy_layers({layer(Tier::user, "/home/u/.config/blastwall/policy.yaml", R"(
format: 1
prod_patterns: [prod, live]
protected_branches: [main, 'release/*']
temp_dirs: [/tmp, /scratch]
extra_packs: [~/packs/acme.yaml, local/more.yaml]
disable: {tags: [experimental], packs: [com.acme.x]}
decisions: {destructive_scoped: deny, destructive: allow, fail_closed: deny, no_native_ask: ask}
rules:
  core.git.push-force: {decision: deny}
  core.filesystem.rm-recursive: {enabled: false}
  core.filesystem.rm-recursive-in-project: {exceptions: {build_outputs: [generated, .turbo]}}
)")});
  ASSERT_TRUE(r) << r.error().format();
  const Policy& p = *r;
  EXPECT_EQ(p.prod_patterns, (std::vector<std::string>{"prod", "live"}));
  EXPECT_EQ(p.protected_branches, (std::vector<std::string>{"main", "release/*"}));
  EXPECT_EQ(p.temp_dirs, (std::vector<std::string>{"/tmp", "/scratch"}));
  EXPECT_EQ(
      p.extra_pack_paths,
      (std::vector<std::string>{"~/packs/acme.yaml", "/home/u/.config/blastwall/local/more.yaml"}));
  EXPECT_EQ(p.disabled_tags, std::vector<std::string>{"experimental"});
  EXPECT_EQ(p.disabled_packs, std::vector<std::string>{"com.acme.x"});
  EXPECT_EQ(p.destructive, Decision::allow);
  EXPECT_EQ(p.fail_closed, Decision::deny);
  EXPECT_EQ(p.no_native_ask, Decision::ask);
  EXPECT_EQ(p.rules.at("core.git.push-force").decision, Decision::deny);
  EXPECT_FALSE(p.rules.at("core.git.push-force").tighten_only);
  EXPECT_EQ(p.rules.at("core.filesystem.rm-recursive").enabled, false);
  EXPECT_EQ(p.rules.at("core.filesystem.rm-recursive-in-project").exceptions.at("build_outputs"),
            (std::vector<std::string>{"generated", ".turbo"}));
  EXPECT_EQ(p.sources, std::vector<std::string>{"/home/u/.config/blastwall/policy.yaml"});
}

TEST(PolicyLoader, managed_tier_wins_conflicts_regardless_of_order) {
  auto r = parse_policy_layers({
      layer(Tier::managed, "/etc/blastwall/policy.yaml",
            "decisions: {destructive: deny}\nprod_patterns: [prod]\n"
            "rules: {a.b: {decision: deny}}\n"),
      layer(Tier::user, "/u.yaml",
            "decisions: {destructive: allow}\nprod_patterns: [stage]\n"
            "rules: {a.b: {decision: allow}}\n"),
  });
  ASSERT_TRUE(r) << r.error().format();
  EXPECT_EQ(r->destructive, Decision::deny);
  EXPECT_EQ(r->prod_patterns, std::vector<std::string>{"prod"});
  EXPECT_EQ(r->rules.at("a.b").decision, Decision::deny);
  EXPECT_EQ(r->sources, (std::vector<std::string>{"/etc/blastwall/policy.yaml", "/u.yaml"}));
}

TEST(PolicyLoader, user_tier_wins_over_explicit_file) {
  auto r = parse_policy_layers({
      layer(Tier::user, "/u.yaml", "decisions: {fail_closed: deny}\n"),
      layer(Tier::explicit_file, "/x.yaml", "decisions: {fail_closed: allow}\n"),
  });
  ASSERT_TRUE(r) << r.error().format();
  EXPECT_EQ(r->fail_closed, Decision::deny);
}

TEST(PolicyLoader, exception_values_and_disables_accumulate_across_tiers) {
  auto r = parse_policy_layers({
      layer(Tier::managed, "/m.yaml",
            "disable: {tags: [a]}\nrules: {x.y: {exceptions: {e: [one]}}}\n"),
      layer(Tier::user, "/u.yaml",
            "disable: {tags: [b, a]}\nrules: {x.y: {exceptions: {e: [two, one]}}}\n"),
  });
  ASSERT_TRUE(r) << r.error().format();
  // Lowest tier first, duplicates dropped.
  EXPECT_EQ(r->disabled_tags, (std::vector<std::string>{"b", "a"}));
  EXPECT_EQ(r->rules.at("x.y").exceptions.at("e"), (std::vector<std::string>{"two", "one"}));
}

TEST(PolicyLoader, project_may_append_prod_patterns_and_protected_branches) {
  auto r = parse_policy_layers({
      layer(Tier::project, "/p/.blastwall/policy.yaml",
            "prod_patterns: [prod-eu, prod]\nprotected_branches: [deploy]\n"),
      layer(Tier::user, "/u.yaml", "prod_patterns: [prod]\n"),
  });
  ASSERT_TRUE(r) << r.error().format();
  EXPECT_EQ(r->prod_patterns, (std::vector<std::string>{"prod", "prod-eu"}));
  EXPECT_EQ(r->protected_branches,
            (std::vector<std::string>{"main", "master", "release/*", "deploy"}));
}

TEST(PolicyLoader, project_may_tighten_decisions) {
  auto r = parse_policy_layers({
      layer(Tier::project, "/p.yaml",
            "decisions: {destructive: deny}\n"
            "rules:\n  a.b: {decision: deny}\n  c.d: {decision: ask, enabled: true}\n"),
      layer(Tier::user, "/u.yaml", "rules: {a.b: {decision: ask}}\n"),
  });
  ASSERT_TRUE(r) << r.error().format();
  EXPECT_EQ(r->destructive, Decision::deny);
  EXPECT_EQ(r->rules.at("a.b").decision, Decision::deny);
  EXPECT_FALSE(r->rules.at("a.b").tighten_only);
  // No higher tier set c.d: the engine must only apply it if it tightens the shipped decision.
  EXPECT_EQ(r->rules.at("c.d").decision, Decision::ask);
  EXPECT_TRUE(r->rules.at("c.d").tighten_only);
  EXPECT_EQ(r->rules.at("c.d").enabled, true);
}

TEST(PolicyLoader, project_loosening_a_decision_is_an_error_at_its_value) {
  auto r = parse_policy_layers({
      layer(Tier::user, "/u.yaml", "decisions: {destructive: ask}\n"),
      layer(Tier::project, "/p.yaml", "format: 1\ndecisions: {destructive: allow}\n"),
  });
  expect_error_at(r, "/p.yaml", 2, 26,
                  "a project policy may only tighten: decisions.destructive 'allow' is less "
                  "restrictive than 'ask'");
}

TEST(PolicyLoader, project_loosening_a_rule_decision_is_an_error) {
  auto r = parse_policy_layers({
      layer(Tier::managed, "/m.yaml", "rules: {a.b: {decision: deny}}\n"),
      layer(Tier::project, "/p.yaml", "rules:\n  a.b:\n    decision: ask\n"),
  });
  expect_error_at(r, "/p.yaml", 3, 15, "decision 'ask' for a.b is less restrictive than 'deny'");
  auto allow =
      parse_policy_layers({layer(Tier::project, "/p.yaml", "rules: {a.b: {decision: allow}}\n")});
  expect_error_at(allow, "/p.yaml", 1, 25, "could only loosen");
}

TEST(PolicyLoader, project_may_not_disable_anything) {
  expect_error_at(
      parse_policy_layers({layer(Tier::project, "/p.yaml", "disable:\n  tags: [destructive]\n")}),
      "/p.yaml", 2, 3, "it may not disable rules, tags or packs");
  expect_error_at(
      parse_policy_layers({layer(Tier::project, "/p.yaml", "rules: {a.b: {enabled: false}}\n")}),
      "/p.yaml", 1, 24, "it may not disable rule a.b");
}

TEST(PolicyLoader, project_may_not_add_exception_values_or_temp_dirs) {
  expect_error_at(
      parse_policy_layers({layer(Tier::project, "/p.yaml",
                                 "rules:\n  a.b:\n    exceptions: {build_outputs: [src]}\n")}),
      "/p.yaml", 3, 18, "it may not add exception values (a.b build_outputs)");
  expect_error_at(parse_policy_layers({layer(Tier::project, "/p.yaml", "temp_dirs: [/data]\n")}),
                  "/p.yaml", 1, 1, "temp_dirs");
}

TEST(PolicyLoader, unknown_keys_are_errors_with_location) {
  expect_error_at(
      parse_policy_layers({layer(Tier::user, "/u.yaml", "format: 1\nprod_pattern: [x]\n")}),
      "/u.yaml", 2, 1, "unknown key 'prod_pattern' in policy; did you mean 'prod_patterns'?");
  expect_error_at(
      parse_policy_layers({layer(Tier::user, "/u.yaml", "rules:\n  a.b: {decison: deny}\n")}),
      "/u.yaml", 2, 9, "unknown key 'decison'");
  expect_error_at(
      parse_policy_layers({layer(Tier::user, "/u.yaml", "decisions: {destroy: deny}\n")}),
      "/u.yaml", 1, 13, "unknown key 'destroy' in decisions");
  expect_error_at(parse_policy_layers({layer(Tier::user, "/u.yaml", "disable: {rules: [a.b]}\n")}),
                  "/u.yaml", 1, 11, "unknown key 'rules' in disable");
}

TEST(PolicyLoader, invalid_values_are_errors) {
  expect_error_at(
      parse_policy_layers({layer(Tier::user, "/u.yaml", "decisions: {destructive: maybe}\n")}),
      "/u.yaml", 1, 26, "must be allow, ask or deny");
  expect_error_at(parse_policy_layers({layer(Tier::user, "/u.yaml", "temp_dirs: [scratch]\n")}),
                  "/u.yaml", 1, 13, "must be an absolute path");
  expect_error_at(parse_policy_layers({layer(Tier::user, "/u.yaml", "temp_dirs: [/]\n")}),
                  "/u.yaml", 1, 13, "every path");
  expect_error_at(parse_policy_layers({layer(Tier::user, "/u.yaml", "format: 2\n")}), "/u.yaml", 1,
                  9, "unsupported policy format");
  expect_error_at(parse_policy_layers({layer(Tier::user, "/u.yaml", "- a\n- b\n")}), "/u.yaml", 1,
                  1, "must be a mapping");
}

TEST(PolicyLoader, empty_policy_file_changes_nothing_but_is_listed) {
  auto r = parse_policy_layers({layer(Tier::user, "/u.yaml", "# nothing here\n")});
  ASSERT_TRUE(r) << r.error().format();
  EXPECT_EQ(r->destructive, Decision::ask);
  EXPECT_EQ(r->sources, std::vector<std::string>{"/u.yaml"});
}

TEST(PolicyLoader, yaml_syntax_error_in_a_policy_names_the_file) {
  auto r = parse_policy_layers({layer(Tier::user, "/u.yaml", "rules: {a.b: [\n")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().file, "/u.yaml");
  EXPECT_GT(r.error().line, 0);
}

}  // namespace
}  // namespace blastwall
