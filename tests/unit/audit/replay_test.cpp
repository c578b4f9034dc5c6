#include "audit/replay.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "audit_test_util.hpp"

using namespace blastwall;
using namespace blastwall::audit;
using blastwall::audit::testing::sample;
using blastwall::audit::testing::sql;
using blastwall::audit::testing::TempDir;

namespace {

// A stand-in for a stricter rule set: anything mentioning "rm" or "push" is denied by a rule.
Verdict strict(const Action& a) {
  Verdict v;
  if (a.command.find("rm") != std::string::npos || a.command.find("push") != std::string::npos) {
    v.decision = Decision::deny;
    RuleMatch m;
    m.rule_id = "test.strict";
    v.matches.push_back(m);
  }
  return v;
}

}  // namespace

TEST(Replay, reports_transitions_rule_counts_and_changed_actions) {
  TempDir dir;
  AuditOptions o;
  o.path = dir.file("r.db");
  auto log = AuditLog::open(o).value();
  ASSERT_TRUE(log->record(sample("ls", Decision::allow, 1)));                    // 1 unchanged
  ASSERT_TRUE(log->record(sample("rm -rf build", Decision::ask, 2)));            // 2 ask->deny
  ASSERT_TRUE(log->record(sample("git push origin main", Decision::allow, 3)));  // 3 allow->deny
  ASSERT_TRUE(log->record(sample("cat x", Decision::deny, 4)));                  // 4 deny->allow
  ASSERT_TRUE(log->record(sample("rm -rf /", Decision::deny, 5)));               // 5 unchanged
  ASSERT_TRUE(log->record(sample("echo hi", Decision::ask, 6)));                 // 6 ask->allow
  ReplayOptions ro;
  std::atomic<int> progress_calls{0};
  ro.progress = [&](int64_t, int64_t) { ++progress_calls; };
  auto rep = replay(*log, strict, ro);
  ASSERT_TRUE(rep.has_value()) << rep.error().message;
  EXPECT_EQ(rep->total, 6);
  EXPECT_EQ(rep->unchanged, 2);
  EXPECT_EQ(rep->changed, 4);
  EXPECT_EQ(rep->loosened, 2);
  EXPECT_EQ(rep->tightened, 2);
  EXPECT_EQ(rep->transitions["ask->deny"], 1);
  EXPECT_EQ(rep->transitions["allow->deny"], 1);
  EXPECT_EQ(rep->transitions["deny->allow"], 1);
  EXPECT_EQ(rep->transitions["ask->allow"], 1);
  ASSERT_EQ(rep->changes.size(), 4u);
  EXPECT_EQ(rep->changes[0].id, 2);
  EXPECT_EQ(rep->changes[0].summary, "rm -rf build");
  EXPECT_EQ(rep->changes[1].id, 3);
  EXPECT_EQ(rep->changes[2].id, 4);
  EXPECT_EQ(rep->changes[3].id, 6);
  // The sample marks every non-allow as matched by core.filesystem.rm-recursive.
  EXPECT_EQ(rep->rules["core.filesystem.rm-recursive"].before, 4);
  EXPECT_EQ(rep->rules["core.filesystem.rm-recursive"].removed, 4);
  EXPECT_EQ(rep->rules["test.strict"].after, 3);
  EXPECT_EQ(rep->rules["test.strict"].added, 3);
  EXPECT_GE(progress_calls.load(), 1);
  auto j = to_json(*rep);
  EXPECT_EQ(j["loosened"], 2);
  EXPECT_EQ(j["changes"][0]["old"], "ask");
  EXPECT_EQ(j["changes"][0]["new"], "deny");
}

TEST(Replay, filters_limit_what_is_replayed_and_the_change_list_is_capped) {
  TempDir dir;
  AuditOptions o;
  o.path = dir.file("r.db");
  auto log = AuditLog::open(o).value();
  std::vector<ActionRecord> recs;
  for (int i = 0; i < 3000; ++i) {
    recs.push_back(
        sample("rm file" + std::to_string(i), Decision::allow, i, i % 2 ? "claude" : "cursor"));
  }
  ASSERT_TRUE(log->record_batch(recs).has_value());
  ReplayOptions ro;
  ro.filter.agent = "claude";
  ro.max_listed_changes = 10;
  ro.threads = 2;
  auto rep = replay(*log, strict, ro);
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(rep->total, 1500);
  EXPECT_EQ(rep->tightened, 1500);
  EXPECT_EQ(rep->changes.size(), 10u);
  EXPECT_EQ(rep->changes_not_listed, 1490);
  EXPECT_EQ(rep->changes[0].id, 2);  // sorted by id though two workers evaluated them
}

TEST(Replay, unreadable_actions_are_counted_not_silently_skipped) {
  TempDir dir;
  AuditOptions o;
  o.path = dir.file("r.db");
  {
    auto log = AuditLog::open(o).value();
    ASSERT_TRUE(log->record(sample("ls")));
    ASSERT_TRUE(log->record(sample("ls -l")));
  }
  sql(o.path, "UPDATE events SET action='{\"kind\":\"nope\"}' WHERE id=2");
  auto log = AuditLog::open(o).value();
  auto rep = replay(*log, strict, {});
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(rep->total, 2);
  EXPECT_EQ(rep->errors, 1);
  ASSERT_EQ(rep->error_samples.size(), 1u);
  EXPECT_NE(rep->error_samples[0].find("row 2"), std::string::npos);
}

TEST(Replay, redacted_actions_round_trip_through_action_json) {
  TempDir dir;
  AuditOptions o;
  o.path = dir.file("r.db");
  auto log = AuditLog::open(o).value();
  auto rec = sample("PGPASSWORD=x psql -h db.prod -c 'drop table t'", Decision::deny);
  rec.action.ctx.env["AWS_PROFILE"] = "prod";
  ASSERT_TRUE(log->record(rec));
  std::string seen;
  auto rep = replay(*log,
                    [&](const Action& a) {
                      seen = a.command + "|" + a.ctx.env.at("AWS_PROFILE") + "|" + a.ctx.cwd;
                      return Verdict{};
                    },
                    {});
  ASSERT_TRUE(rep.has_value());
  EXPECT_EQ(seen,
            "PGPASSWORD=[REDACTED:secret_var] psql -h db.prod -c 'drop table t'|prod|"
            "/home/dev/project");
}
