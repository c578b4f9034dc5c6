// The policy's packs: section (trusted keys, required packs) and the managed tier's locks.
#include <gtest/gtest.h>

#include "blastwall/policy.hpp"

namespace blastwall {
namespace {

using Tier = PolicyLayer::Tier;
constexpr const char* k_key = "RWQrRrJCqaY7BQ0HW+s4W3X1xJ9KoSz5xsCq0vv1d19hiKH90plY3KNx";

PolicyLayer layer(Tier t, std::string path, std::string text) {
  return PolicyLayer{t, std::move(path), std::move(text)};
}

const std::string k_managed = std::string(R"(
packs:
  require_signed: true
  trusted_keys:
    - {name: acme-security, namespace: com.acme, key: )") +
                              k_key + R"(, not_after: 2027-06-30}
  required:
    - {id: com.acme.platform, min_version: 1.2.0, source: https://packs.acme.example/p.yaml}
)";

std::map<std::string, LockedRuleInfo> acme_rules() {
  return {{"com.acme.platform.shipit-prod", {"com.acme.platform", Decision::ask, {"deploy"}}},
          {"com.acme.platform.db", {"com.acme.platform", Decision::deny, {"database"}}},
          {"core.git.push-force", {"core.git", Decision::ask, {"git"}}}};
}

TEST(PackPolicy, packs_section_is_parsed_with_tiers) {
  auto r = parse_policy_layers({layer(Tier::managed, "/etc/blastwall/policy.yaml", k_managed)});
  ASSERT_TRUE(r) << r.error().format();
  EXPECT_TRUE(r->packs.require_signed);
  ASSERT_EQ(r->packs.trusted_keys.size(), 1u);
  EXPECT_EQ(r->packs.trusted_keys[0].space, "com.acme");
  EXPECT_EQ(r->packs.trusted_keys[0].not_after, "2027-06-30");
  EXPECT_TRUE(r->packs.trusted_keys[0].managed);
  ASSERT_EQ(r->packs.required.size(), 1u);
  EXPECT_TRUE(r->packs.required[0].locked);
  EXPECT_EQ(r->packs.required[0].min_version, "1.2.0");
  auto user = parse_policy_layers(
      {layer(Tier::user, "/u/policy.yaml", "packs: {required: [com.acme.platform]}")});
  ASSERT_TRUE(user);
  EXPECT_FALSE(user->packs.required[0].locked);  // only the managed tier locks
}

TEST(PackPolicy, malformed_entries_point_at_the_key) {
  auto bad_key = parse_policy_layers(
      {layer(Tier::user, "/u/p.yaml",
             "packs:\n  trusted_keys:\n    - {namespace: com.acme, key: RWQxyz}\n")});
  ASSERT_FALSE(bad_key);
  EXPECT_EQ(bad_key.error().line, 3);
  EXPECT_NE(bad_key.error().message.find("minisign public key"), std::string::npos);
  auto bad_date = parse_policy_layers(
      {layer(Tier::user, "/u/p.yaml",
             std::string("packs:\n  trusted_keys:\n    - {namespace: a, key: ") + k_key +
                 ", not_after: tomorrow}\n")});
  ASSERT_FALSE(bad_date);
  EXPECT_NE(bad_date.error().message.find("YYYY-MM-DD"), std::string::npos);
  auto unknown = parse_policy_layers({layer(Tier::user, "/u/p.yaml", "packs: {requires: []}\n")});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("did you mean 'required'"), std::string::npos)
      << unknown.error().message;
}

TEST(PackPolicy, project_may_not_extend_trust_or_drop_signatures) {
  auto keys = parse_policy_layers({layer(
      Tier::project, "/p/.blastwall/policy.yaml",
      std::string("packs:\n  trusted_keys:\n    - {namespace: '*', key: ") + k_key + "}\n")});
  ASSERT_FALSE(keys);
  EXPECT_NE(keys.error().message.find("may not add trusted pack keys"), std::string::npos);
  auto unsigned_ok = parse_policy_layers(
      {layer(Tier::managed, "/etc/blastwall/policy.yaml", k_managed),
       layer(Tier::project, "/p/.blastwall/policy.yaml", "packs: {require_signed: false}\n")});
  ASSERT_FALSE(unsigned_ok);
  EXPECT_EQ(unsigned_ok.error().line, 1);
  // Tightening is fine: a project may require signatures and packs.
  auto tighter = parse_policy_layers({layer(
      Tier::project, "/p/.blastwall/policy.yaml",
      "packs: {require_signed: true, required: [com.acme.platform]}\nextra_packs: [x.yaml]\n")});
  ASSERT_TRUE(tighter) << tighter.error().format();
  EXPECT_TRUE(tighter->packs.require_signed);
  EXPECT_EQ(tighter->project_pack_paths, std::vector<std::string>{"/p/.blastwall/x.yaml"});
}

TEST(PackPolicy, user_may_not_weaken_a_locked_pack) {
  const std::vector<std::pair<std::string, std::string>> weakening{
      {"rules:\n  com.acme.platform.db: {enabled: false}\n", "disabling rule"},
      {"rules:\n  com.acme.platform.db: {decision: ask}\n", "less restrictive"},
      {"rules:\n  com.acme.platform.db: {exceptions: {x: [y]}}\n", "exception values"},
      {"disable:\n  packs: [com.acme.platform]\n", "disabling pack"},
      {"disable:\n  tags: [deploy]\n", "disabling tag deploy"},
  };
  for (const auto& [text, needle] : weakening) {
    auto p = parse_policy_layers({layer(Tier::managed, "/etc/blastwall/policy.yaml", k_managed),
                                  layer(Tier::user, "/u/policy.yaml", text)});
    ASSERT_TRUE(p) << p.error().format();
    auto r = check_locked_packs(*p, acme_rules());
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().file, "/u/policy.yaml");
    EXPECT_EQ(r.error().line, 2) << text;
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("locks this pack"), std::string::npos);
  }
}

TEST(PackPolicy, tightening_a_locked_pack_and_weakening_others_is_allowed) {
  auto p = parse_policy_layers(
      {layer(Tier::managed, "/etc/blastwall/policy.yaml", k_managed),
       layer(Tier::user, "/u/policy.yaml",
             "rules:\n  com.acme.platform.shipit-prod: {decision: deny}\n"
             "  core.git.push-force: {enabled: false}\ndisable: {tags: [git]}\n")});
  ASSERT_TRUE(p) << p.error().format();
  EXPECT_TRUE(check_locked_packs(*p, acme_rules()));
  // The managed tier itself may change its own pack.
  auto m = parse_policy_layers(
      {layer(Tier::managed, "/etc/blastwall/policy.yaml",
             k_managed + "rules:\n  com.acme.platform.db: {enabled: false}\n")});
  ASSERT_TRUE(m);
  EXPECT_TRUE(check_locked_packs(*m, acme_rules()));
  // A pack only the user requires is not locked.
  auto u = parse_policy_layers({layer(Tier::user, "/u/policy.yaml",
                                      "packs: {required: [com.acme.platform]}\n"
                                      "rules:\n  com.acme.platform.db: {enabled: false}\n")});
  ASSERT_TRUE(u);
  EXPECT_TRUE(check_locked_packs(*u, acme_rules()));
}

}  // namespace
}  // namespace blastwall
