// The policy's session: section (session memory window and burst threshold), and the session
// memory adapters use to remember what an evaluated action leaves for later calls.
#include <gtest/gtest.h>

#include "blastwall/policy.hpp"
#include "blastwall/session_memory.hpp"

namespace blastwall {
namespace {

using Tier = PolicyLayer::Tier;

Result<Policy> parse(std::vector<std::pair<Tier, std::string>> layers) {
  std::vector<PolicyLayer> v;
  for (auto& [t, text] : layers)
    v.push_back(PolicyLayer{t, t == Tier::project ? "/p/.blastwall/policy.yaml" : "/u/policy.yaml",
                            std::move(text)});
  return parse_policy_layers(v);
}

TEST(SessionPolicy, defaults_and_overrides) {
  auto d = parse({});
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->session_window_s, 600);
  EXPECT_EQ(d->burst_threshold, 5);
  auto u = parse({{Tier::user, "session: {window_seconds: 900, burst_threshold: 3}\n"}});
  ASSERT_TRUE(u.has_value()) << u.error().format();
  EXPECT_EQ(u->session_window_s, 900);
  EXPECT_EQ(u->burst_threshold, 3);
  auto off = parse({{Tier::user, "session: {burst_threshold: 0}\n"}});
  ASSERT_TRUE(off.has_value());
  EXPECT_EQ(off->burst_threshold, 0);
}

TEST(SessionPolicy, bad_values_and_unknown_keys_are_errors) {
  for (const char* text :
       {"session: {window_seconds: -1}\n", "session: {burst_threshold: lots}\n",
        "session: {window_seconds: 100000}\n", "session: {windows: 5}\n", "session: 5\n"}) {
    auto r = parse({{Tier::user, text}});
    EXPECT_FALSE(r.has_value()) << text;
  }
}

TEST(SessionPolicy, a_project_layer_may_only_tighten) {
  auto longer = parse({{Tier::project, "session: {window_seconds: 1200, burst_threshold: 2}\n"}});
  ASSERT_TRUE(longer.has_value()) << longer.error().format();
  EXPECT_EQ(longer->session_window_s, 1200);
  EXPECT_EQ(longer->burst_threshold, 2);
  EXPECT_FALSE(parse({{Tier::project, "session: {window_seconds: 60}\n"}}).has_value());
  EXPECT_FALSE(parse({{Tier::project, "session: {burst_threshold: 50}\n"}}).has_value());
  EXPECT_FALSE(parse({{Tier::project, "session: {burst_threshold: 0}\n"}}).has_value());
}

TEST(SessionMemory, remembers_only_destructive_actions_and_teardowns) {
  Facts benign;
  benign.set("network", "curl");
  EXPECT_FALSE(remember(benign, "curl x", 1).has_value());
  Facts teardown;
  teardown.set("teardown", "cfn:api");
  teardown.set("teardown_prod", "cfn:api");
  auto r = remember(teardown, "delete-stack api", 7);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->teardown, std::vector<std::string>{"cfn:api"});
  EXPECT_EQ(r->at_us, 7);
  auto j = remember_from_facts_json(
      R"({"destructive":true,"flags":{"destructive":["x"],"teardown":["helm:::api"]}})", "s", 9);
  ASSERT_TRUE(j.has_value());
  EXPECT_TRUE(j->destructive);
  EXPECT_EQ(j->teardown.front(), "helm:::api");
  EXPECT_FALSE(remember_from_facts_json(R"({"destructive":false,"flags":{}})", "s", 9));
  EXPECT_FALSE(remember_from_facts_json("not json", "s", 9));
}

TEST(SessionMemory, is_bounded_per_session_and_in_sessions_and_time) {
  SessionMemory m(3, 2);
  for (int i = 0; i < 5; ++i) {
    RecentAction r;
    r.at_us = i * 1'000'000;
    r.destructive = true;
    m.add("a", r);
  }
  auto all = m.recall("a", 4'000'000, 600);
  ASSERT_EQ(all.size(), 3u);  // oldest dropped
  EXPECT_EQ(all.front().at_us, 2'000'000);
  EXPECT_EQ(m.recall("a", 603'500'000, 600).size(), 1u);  // window
  m.add("b", RecentAction{});
  m.add("c", RecentAction{});  // "a" is the least recently used: forgotten
  EXPECT_EQ(m.sessions(), 2u);
  EXPECT_TRUE(m.recall("a", 4'000'000, 600).empty());
  EXPECT_EQ(session_key("claude", ""), "");
  EXPECT_NE(session_key("claude", "s1"), session_key("cursor", "s1"));
}

}  // namespace
}  // namespace blastwall
