#include "audit/audit_log.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "audit/schema.hpp"
#include "audit_test_util.hpp"

using namespace blastwall;
using namespace blastwall::audit;
using blastwall::audit::testing::sample;
using blastwall::audit::testing::sql;
using blastwall::audit::testing::TempDir;

namespace {

std::unique_ptr<AuditLog> open_log(const std::string& path, AuditOptions o = {}) {
  o.path = path;
  auto r = AuditLog::open(std::move(o));
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? std::move(*r) : nullptr;
}

std::vector<AuditRow> all_rows(const AuditLog& log, LogFilter f = {}) {
  std::vector<AuditRow> out;
  auto n = log.query(f, [&](const AuditRow& r) {
    out.push_back(r);
    return true;
  });
  EXPECT_TRUE(n.has_value());
  return out;
}

// A log whose database cannot be created (a file blocks its directory): every write spools to
// dir/spool.jsonl. `o` gets the options used.
std::unique_ptr<AuditLog> open_spooling_log(const TempDir& dir, AuditOptions& o) {
  std::string blocker = dir.file("blocker");
  { std::ofstream(blocker) << "x"; }
  o.path = blocker + "/audit.db";
  o.spool_path = dir.file("spool.jsonl");
  return AuditLog::open(o).value();
}

}  // namespace

TEST(AuditPath, default_path_follows_xdg_state_home) {
  ::setenv("XDG_STATE_HOME", "/x/state", 1);
  EXPECT_EQ(default_audit_path(), "/x/state/blastwall/audit.db");
  ::unsetenv("XDG_STATE_HOME");
  ::setenv("HOME", "/home/u", 1);
  EXPECT_EQ(default_audit_path(), "/home/u/.local/state/blastwall/audit.db");
}

TEST(AuditLog, record_stores_every_field_with_secrets_redacted) {
  TempDir dir;
  auto log = open_log(dir.file("a.db"));
  auto rec =
      sample("GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 rm -rf build", Decision::deny);
  rec.action.ctx.env["AWS_SECRET_ACCESS_KEY"] = "wJalrXUtnFEMI/K7MDENG";
  auto id = log->record(rec);
  ASSERT_TRUE(id.has_value()) << id.error().message;
  EXPECT_EQ(*id, 1);
  auto row = log->get(1);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->type, "action");
  EXPECT_EQ(row->agent, "claude");
  EXPECT_EQ(row->surface, "hook");
  EXPECT_EQ(row->session, "s-1");
  EXPECT_EQ(row->cwd, "/home/dev/project");
  EXPECT_EQ(row->tool, "Bash");
  EXPECT_EQ(row->kind, "shell.exec");
  EXPECT_EQ(row->decision, "deny");
  EXPECT_EQ(row->source, "rule");
  EXPECT_EQ(row->eval_us, 42);
  EXPECT_EQ(row->ts_us, 1'700'000'000'000'000);
  EXPECT_EQ(row->rules, R"(["core.filesystem.rm-recursive@core.filesystem@1.0.0"])");
  EXPECT_EQ(row->action.find("ghp_abc"), std::string::npos);
  EXPECT_EQ(row->action.find("wJalr"), std::string::npos);
  EXPECT_NE(row->action.find("rm -rf build"), std::string::npos);
  EXPECT_NE(row->facts.find("\"destructive\":true"), std::string::npos);
  EXPECT_EQ(row->prev_hash, std::string(64, '0'));
  EXPECT_EQ(row->hash, AuditLog::chain_hash(row->prev_hash, *row));
  EXPECT_EQ(sql(dir.file("a.db"), "PRAGMA user_version"), k_schema_version);
}

TEST(AuditLog, decision_source_override_is_stored) {
  TempDir dir;
  auto log = open_log(dir.file("a.db"));
  auto rec = sample("ls");
  rec.decision_source = "human";
  ASSERT_TRUE(log->record(rec).has_value());
  EXPECT_EQ(log->get(1)->source, "human");
}

TEST(AuditLog, approvals_and_outcomes_refer_to_their_action) {
  TempDir dir;
  auto log = open_log(dir.file("a.db"));
  auto id = log->record(sample("git push --force", Decision::ask));
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(log->record_approval(*id, "queue", "alice", "approved", 5).has_value());
  ASSERT_TRUE(log->record_outcome(*id, "ok", 1200, 6).has_value());
  auto rel = log->related(*id);
  ASSERT_TRUE(rel.has_value());
  ASSERT_EQ(rel->size(), 2u);
  EXPECT_EQ((*rel)[0].type, "approval");
  EXPECT_EQ((*rel)[0].decision, "approved");
  EXPECT_NE((*rel)[0].detail.find("\"who\":\"alice\""), std::string::npos);
  EXPECT_EQ((*rel)[1].type, "outcome");
  EXPECT_NE((*rel)[1].detail.find("\"duration_ms\":1200"), std::string::npos);
  // `log` lists actions only.
  EXPECT_EQ(all_rows(*log).size(), 1u);
  auto v = log->verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->rows_checked, 3);
}

TEST(AuditBatch, record_events_writes_actions_approvals_and_outcomes_in_one_transaction) {
  TempDir dir;
  AuditOptions o;
  int transactions = 0;
  o.in_transaction_hook = [&] { ++transactions; };
  auto log = open_log(dir.file("a.db"), o);
  auto earlier = log->record(sample("make build"));
  ASSERT_TRUE(earlier.has_value());
  ASSERT_EQ(transactions, 1);
  std::vector<AuditEvent> evs;
  evs.push_back({sample("git push --force", Decision::ask), -1});
  evs.push_back({ApprovalRecord{0, "queue", "alice", "approved", 5}, 0});
  evs.push_back({OutcomeRecord{*earlier, "ok", 30, 6}, -1});  // an action of an earlier write
  evs.push_back({sample("ls"), -1});
  evs.push_back({OutcomeRecord{0, "ok", 1200, 7}, 0});
  evs.push_back({OutcomeRecord{0, "error", 3, 8}, 3});
  auto ids = log->record_events(evs);
  ASSERT_TRUE(ids.has_value()) << ids.error().message;
  EXPECT_EQ(transactions, 2);
  EXPECT_EQ(*ids, (std::vector<int64_t>{2, 3, 4, 5, 6, 7}));
  auto rel = log->related(2);
  ASSERT_TRUE(rel.has_value());
  ASSERT_EQ(rel->size(), 2u);
  EXPECT_EQ((*rel)[0].type, "approval");
  EXPECT_NE((*rel)[0].detail.find("\"who\":\"alice\""), std::string::npos);
  EXPECT_EQ((*rel)[1].type, "outcome");
  EXPECT_NE((*rel)[1].detail.find("\"duration_ms\":1200"), std::string::npos);
  ASSERT_EQ(log->related(*earlier)->size(), 1u);
  EXPECT_EQ(log->related(*earlier)->at(0).id, 4);
  ASSERT_EQ(log->related(5)->size(), 1u);
  EXPECT_EQ(log->related(5)->at(0).decision, "error");
  EXPECT_EQ(all_rows(*log).size(), 3u);  // actions only
  auto v = log->verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->rows_checked, 7);
}

TEST(AuditBatch, a_reference_to_no_earlier_action_of_the_batch_writes_nothing) {
  TempDir dir;
  auto log = open_log(dir.file("a.db"));
  std::vector<AuditEvent> forward;
  forward.push_back({OutcomeRecord{0, "ok", 1, 1}, 1});  // refers forward
  forward.push_back({sample("ls"), -1});
  EXPECT_FALSE(log->record_events(forward).has_value());
  std::vector<AuditEvent> to_outcome;
  to_outcome.push_back({sample("ls"), -1});
  to_outcome.push_back({OutcomeRecord{0, "ok", 1, 1}, 0});
  to_outcome.push_back({ApprovalRecord{0, "queue", "bob", "approved", 2}, 1});  // not an action
  EXPECT_FALSE(log->record_events(to_outcome).has_value());
  EXPECT_EQ(*log->count({}), 0);
  EXPECT_TRUE(log->record_events(std::vector<AuditEvent>{})->empty());
}

TEST(AuditBatch, a_spooled_batch_keeps_its_links_through_the_import) {
  TempDir dir;
  AuditOptions o;
  auto log = open_spooling_log(dir, o);
  auto first = log->record(sample("make test"));
  ASSERT_TRUE(first.has_value());
  ASSERT_LT(*first, 0);
  std::vector<AuditEvent> evs;
  evs.push_back({OutcomeRecord{*first, "ok", 10, 7}, -1});  // spooled by an earlier write
  evs.push_back({sample("git push", Decision::ask), -1});
  evs.push_back({ApprovalRecord{0, "elicitation", "client", "approved", 8}, 1});
  evs.push_back({OutcomeRecord{0, "error", 4, 9}, 1});
  auto ids = log->record_events(evs);
  ASSERT_TRUE(ids.has_value()) << ids.error().message;
  ASSERT_EQ(ids->size(), 4u);
  for (int64_t id : *ids) EXPECT_LT(id, 0);
  EXPECT_NE(log->last_warning().find("spooled"), std::string::npos);
  log.reset();
  AuditOptions o2;
  o2.path = dir.file("good.db");
  o2.spool_path = o.spool_path;
  auto good = open_log(o2.path, o2);
  ASSERT_EQ(*good->count({}), 2);
  auto first_rel = good->related(1);
  ASSERT_TRUE(first_rel.has_value());
  ASSERT_EQ(first_rel->size(), 1u);
  EXPECT_EQ((*first_rel)[0].decision, "ok");
  auto second_rel = good->related(3);
  ASSERT_TRUE(second_rel.has_value());
  ASSERT_EQ(second_rel->size(), 2u);
  EXPECT_EQ((*second_rel)[0].type, "approval");
  EXPECT_EQ((*second_rel)[1].decision, "error");
  EXPECT_TRUE(good->verify()->ok);
}

TEST(AuditBatch, a_batch_that_fails_inside_its_transaction_is_spooled_with_its_links) {
  TempDir dir;
  std::string path = dir.file("full.db");
  { auto log = open_log(path); }  // creates the schema
  AuditOptions o;
  o.max_page_count = sql(path, "PRAGMA page_count") + 2;  // the batch below does not fit
  o.retry_after_ms = 0;
  auto log = open_log(path, o);
  std::string big(3000, 'x');
  std::vector<AuditEvent> evs;
  for (int i = 0; i < 6; ++i) {
    const auto action = static_cast<int64_t>(evs.size());
    evs.push_back({sample("echo " + std::to_string(i) + " " + big), -1});
    evs.push_back({OutcomeRecord{0, "ok", i, 10 + i}, action});
  }
  auto ids = log->record_events(evs);
  ASSERT_TRUE(ids.has_value()) << ids.error().message;
  for (int64_t id : *ids) EXPECT_LT(id, 0);  // all or nothing: the whole batch went to the spool
  log.reset();
  auto log2 = open_log(path);  // room again: the spool is imported
  ASSERT_EQ(*log2->count({}), 6);
  for (const auto& r : all_rows(*log2)) {
    auto rel = log2->related(r.id);
    ASSERT_TRUE(rel.has_value());
    ASSERT_EQ(rel->size(), 1u) << r.id;
    EXPECT_EQ((*rel)[0].id, r.id + 1);
  }
  EXPECT_TRUE(log2->verify()->ok);
}

TEST(AuditChain, intact_chain_verifies) {
  TempDir dir;
  auto log = open_log(dir.file("a.db"));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(log->record(sample("echo " + std::to_string(i))));
  auto v = log->verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->rows_checked, 20);
  EXPECT_EQ(v->first_broken_id, 0);
}

TEST(AuditChain, edited_row_is_reported_with_its_id) {
  TempDir dir;
  std::string path = dir.file("a.db");
  {
    auto log = open_log(path);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->record(sample("echo " + std::to_string(i))));
  }
  ASSERT_EQ(sql(path, "UPDATE events SET decision='allow', action='{}' WHERE id=7"), 1);
  auto log = open_log(path);
  auto v = log->verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken_id, 7);
  EXPECT_NE(v->problem.find("edited"), std::string::npos) << v->problem;
}

TEST(AuditChain, deleted_row_is_reported_with_its_id) {
  TempDir dir;
  std::string path = dir.file("a.db");
  {
    auto log = open_log(path);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->record(sample("echo " + std::to_string(i))));
  }
  ASSERT_EQ(sql(path, "DELETE FROM events WHERE id=4"), 1);
  auto log = open_log(path);
  auto v = log->verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken_id, 4);
  EXPECT_NE(v->problem.find("deleted"), std::string::npos) << v->problem;
}

TEST(AuditChain, rehashed_edit_is_caught_at_the_next_link) {
  TempDir dir;
  std::string path = dir.file("a.db");
  {
    auto log = open_log(path);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->record(sample("echo " + std::to_string(i))));
  }
  // The attacker rewrites row 3 and recomputes its own hash, but not the rest of the chain.
  ASSERT_EQ(sql(path, "UPDATE events SET hash='" + std::string(64, 'a') + "' WHERE id=3"), 1);
  auto log = open_log(path);
  auto v = log->verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken_id, 3);  // its content no longer matches the stored hash
}

TEST(AuditChain, deleted_tail_is_caught_through_the_recorded_head) {
  TempDir dir;
  std::string path = dir.file("a.db");
  {
    auto log = open_log(path);
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(log->record(sample("echo " + std::to_string(i))));
  }
  ASSERT_EQ(sql(path, "DELETE FROM events WHERE id >= 5"), 2);
  auto log = open_log(path);
  auto v = log->verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken_id, 5);
  // A later write continues after the recorded head, so the gap stays visible.
  ASSERT_EQ(*log->record(sample("echo later")), 7);
  v = log->verify();
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_broken_id, 5);
}

TEST(AuditChain, canonical_form_has_sorted_keys_and_no_whitespace) {
  AuditRow r;
  r.id = 3;
  r.type = "action";
  r.agent = "claude";
  std::string c = AuditLog::canonical_form(r);
  EXPECT_EQ(c.find(' '), std::string::npos);
  EXPECT_LT(c.find("\"action\""), c.find("\"agent\""));
  EXPECT_LT(c.find("\"agent\""), c.find("\"cwd\""));
  EXPECT_NE(c.find("\"id\":3"), std::string::npos);
  // Any field change changes the hash.
  AuditRow r2 = r;
  r2.agent = "cursor";
  EXPECT_NE(AuditLog::chain_hash("x", r), AuditLog::chain_hash("x", r2));
  EXPECT_NE(AuditLog::chain_hash("x", r), AuditLog::chain_hash("y", r));
}

TEST(AuditPrune, prune_keeps_the_remaining_chain_verifiable_with_a_checkpoint) {
  TempDir dir;
  auto log = open_log(dir.file("a.db"));
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(log->record(sample("echo " + std::to_string(i), Decision::allow, 1000 + i)));
  }
  auto p = log->prune(1006, "alice", 5000);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(p->pruned, 6);
  EXPECT_EQ(p->through_id, 6);
  EXPECT_EQ(p->checkpoint_id, 11);
  auto v = log->verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ok) << v->problem;
  EXPECT_EQ(v->base_id, 6);
  EXPECT_EQ(v->rows_checked, 5);  // 7..10 + checkpoint
  auto cp = log->get(11);
  ASSERT_TRUE(cp.has_value());
  EXPECT_EQ(cp->type, "checkpoint");
  EXPECT_NE(cp->detail.find("\"signed_off_by\":\"alice\""), std::string::npos);
  // Pruning again, then writing more, still verifies.
  ASSERT_TRUE(log->record(sample("echo more", Decision::allow, 2000)));
  ASSERT_TRUE(log->prune(1009, "bob", 6000).has_value());
  v = log->verify();
  EXPECT_TRUE(v->ok) << v->problem;
  // Deleting the first remaining row is still caught.
  ASSERT_GT(sql(dir.file("a.db"), "DELETE FROM events WHERE id = (SELECT min(id) FROM events)"), 0);
  v = log->verify();
  EXPECT_FALSE(v->ok);
}

TEST(AuditLog, change_stamp_moves_on_other_connections_commits_and_own_prunes_only) {
  TempDir dir;
  auto log = open_log(dir.file("a.db"));
  auto stamp = [&] {
    auto s = log->change_stamp();
    EXPECT_TRUE(s.has_value());
    return s ? *s : AuditLog::ChangeStamp{-1, -1};
  };
  const auto first = stamp();
  ASSERT_TRUE(log->record(sample("echo 1", Decision::allow, 1000)));
  EXPECT_TRUE(stamp() == first);  // its own rows: nothing it read can be gone
  ASSERT_TRUE(open_log(dir.file("a.db"))->record(sample("echo 2", Decision::allow, 1001)));
  const auto after_other = stamp();
  EXPECT_FALSE(after_other == first);
  EXPECT_TRUE(stamp() == after_other);
  ASSERT_TRUE(log->prune(1001, "alice", 5000).has_value());
  EXPECT_FALSE(stamp() == after_other);
}

// Reads reuse a cached statement per SQL text; one still being stepped (a sink that reads the
// same log again) is not borrowed twice.
TEST(AuditQuery, a_read_inside_a_read_of_the_same_shape_sees_every_row) {
  TempDir dir;
  auto log = open_log(dir.file("a.db"));
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(log->record(sample("echo " + std::to_string(i), Decision::allow, 1000 + i)));
  LogFilter f;
  f.session = "s-1";
  int outer = 0, inner = 0;
  auto n = log->query(f, [&](const AuditRow&) {
    ++outer;
    inner += static_cast<int>(all_rows(*log, f).size());
    auto c = log->count(f);
    EXPECT_TRUE(c.has_value());
    EXPECT_EQ(c ? *c : -1, 3);
    return true;
  });
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 3);
  EXPECT_EQ(outer, 3);
  EXPECT_EQ(inner, 9);
  EXPECT_EQ(all_rows(*log, f).size(), 3u);  // the cached statement is usable again afterwards
}

TEST(AuditQuery, filters_select_by_time_agent_session_decision_rule_facts_and_text) {
  TempDir dir;
  auto log = open_log(dir.file("a.db"));
  ASSERT_TRUE(log->record(sample("ls -la", Decision::allow, 100, "claude")));
  ASSERT_TRUE(log->record(sample("rm -rf /", Decision::deny, 200, "cursor")));
  auto prod = sample("kubectl delete ns x --context prod", Decision::deny, 300, "claude");
  prod.verdict.facts.set("prod", "--context prod");
  prod.action.ctx.session = "s-2";
  ASSERT_TRUE(log->record(prod));
  auto g = sample("rm -rf ~", Decision::ask, 400, "codex");
  g.verdict.facts.set("global", "home");
  g.verdict.matches[0].rule_id = "core.filesystem.rm-home";
  ASSERT_TRUE(log->record(g));

  auto ids = [&](LogFilter f) {
    std::vector<int64_t> out;
    for (const auto& r : all_rows(*log, f)) out.push_back(r.id);
    return out;
  };
  LogFilter f;
  f.since_us = 200;
  f.until_us = 400;
  EXPECT_EQ(ids(f), (std::vector<int64_t>{2, 3}));
  f = {};
  f.agent = "claude";
  EXPECT_EQ(ids(f), (std::vector<int64_t>{1, 3}));
  f = {};
  f.session = "s-2";
  EXPECT_EQ(ids(f), (std::vector<int64_t>{3}));
  f = {};
  f.decision = "deny";
  EXPECT_EQ(ids(f), (std::vector<int64_t>{2, 3}));
  f = {};
  f.rule = "core.filesystem.rm-home";
  EXPECT_EQ(ids(f), (std::vector<int64_t>{4}));
  f = {};
  f.rule = "core.filesystem";  // a pack id prefix matches all its rules
  EXPECT_EQ(ids(f), (std::vector<int64_t>{2, 3, 4}));
  f = {};
  f.prod = true;
  EXPECT_EQ(ids(f), (std::vector<int64_t>{3}));
  f = {};
  f.global = true;
  EXPECT_EQ(ids(f), (std::vector<int64_t>{4}));
  f = {};
  f.destructive = true;
  EXPECT_EQ(ids(f), (std::vector<int64_t>{2, 3, 4}));
  f = {};
  f.text = "KUBECTL";
  EXPECT_EQ(ids(f), (std::vector<int64_t>{3}));
  f = {};
  f.newest_first = true;
  f.limit = 2;
  EXPECT_EQ(ids(f), (std::vector<int64_t>{4, 3}));
  f = {};
  f.after_id = 2;
  EXPECT_EQ(ids(f), (std::vector<int64_t>{3, 4}));
  f = {};
  f.decision = "deny";
  EXPECT_EQ(*log->count(f), 2);
}

TEST(AuditSchema, old_schema_is_migrated_forward) {
  TempDir dir;
  std::string path = dir.file("old.db");
  // Build a version-1 database by hand, with one row.
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    std::string s(migration_sql(1));
    s += "PRAGMA user_version=1;";
    ASSERT_EQ(sqlite3_exec(db, s.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  EXPECT_EQ(sql(path, "PRAGMA user_version"), 1);
  auto log = open_log(path);
  ASSERT_TRUE(log);
  EXPECT_EQ(sql(path, "PRAGMA user_version"), k_schema_version);
  EXPECT_EQ(sql(path, "SELECT count(*) FROM sqlite_master WHERE name='events_origin'"), 1);
  ASSERT_TRUE(log->record(sample("ls")).has_value());
  EXPECT_TRUE(log->verify()->ok);
}

TEST(AuditSchema, newer_schema_is_refused_clearly) {
  TempDir dir;
  std::string path = dir.file("new.db");
  { auto log = open_log(path); }
  sql(path, "PRAGMA user_version=99");
  AuditOptions o;
  o.path = path;
  o.on_failure = OnFailure::fail_closed;
  auto r = AuditLog::open(o);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("newer"), std::string::npos) << r.error().message;
}

TEST(AuditFailure, page_limit_full_disk_spools_and_the_spool_is_imported_later) {
  TempDir dir;
  std::string path = dir.file("full.db");
  { auto log = open_log(path); }  // creates the schema
  int64_t pages = sql(path, "PRAGMA page_count");
  AuditOptions o;
  o.max_page_count = pages + 2;  // room for a few rows only
  auto log = open_log(path, o);
  int spooled = 0, stored = 0;
  std::string big(3000, 'x');
  for (int i = 0; i < 20; ++i) {
    auto id = log->record(sample("echo " + std::to_string(i) + " " + big));
    ASSERT_TRUE(id.has_value()) << id.error().message;
    if (*id < 0) {
      ++spooled;
      EXPECT_NE(log->last_warning().find("spooled"), std::string::npos) << log->last_warning();
    } else {
      ++stored;
    }
  }
  EXPECT_GT(spooled, 0);
  struct stat st {};
  ASSERT_EQ(::stat(log->spool_path().c_str(), &st), 0);
  EXPECT_GT(st.st_size, 0);
  log.reset();
  // Room again: the next open imports the spool, in order, and the chain verifies.
  auto log2 = open_log(path);
  ASSERT_TRUE(log2);
  EXPECT_EQ(*log2->count({}), 20);
  std::vector<std::string> commands;
  for (const auto& r : all_rows(*log2)) commands.push_back(r.action);
  for (int i = 0; i < 20; ++i) {
    EXPECT_NE(commands[static_cast<size_t>(i)].find("echo " + std::to_string(i) + " "),
              std::string::npos);
  }
  EXPECT_TRUE(log2->verify()->ok);
  ASSERT_EQ(::stat(log2->spool_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 0);
  (void)stored;
}

TEST(AuditFailure, fail_closed_policy_returns_an_error_instead_of_spooling) {
  TempDir dir;
  std::string path = dir.file("full.db");
  { auto log = open_log(path); }
  AuditOptions o;
  o.max_page_count = sql(path, "PRAGMA page_count");
  o.on_failure = OnFailure::fail_closed;
  auto log = open_log(path, o);
  bool failed = false;
  for (int i = 0; i < 20 && !failed; ++i) {
    auto id = log->record(sample(std::string(3000, 'y')));
    if (!id) {
      failed = true;
      EXPECT_NE(id.error().message.find("fail closed"), std::string::npos) << id.error().message;
    }
  }
  EXPECT_TRUE(failed);
  struct stat st {};
  EXPECT_NE(::stat(log->spool_path().c_str(), &st), 0);  // nothing spooled
}

TEST(AuditFailure, corrupt_file_spools_and_reports) {
  TempDir dir;
  std::string path = dir.file("c.db");
  { auto log = open_log(path); }
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f << std::string(8192, '\x5a');
  }
  AuditOptions o;
  o.path = path;
  auto r = AuditLog::open(o);
  ASSERT_TRUE(r.has_value());
  auto& log = *r;
  EXPECT_TRUE(log->degraded());
  EXPECT_NE(log->last_warning().find(path), std::string::npos);
  auto id = log->record(sample("ls"));
  ASSERT_TRUE(id.has_value());
  EXPECT_LT(*id, 0);
  EXPECT_NE(log->last_warning().find("spooled"), std::string::npos) << log->last_warning();
  // fail_closed refuses to open it at all.
  o.on_failure = OnFailure::fail_closed;
  EXPECT_FALSE(AuditLog::open(o).has_value());
}

TEST(AuditFailure, corruption_in_the_middle_is_caught_by_verify) {
  TempDir dir;
  std::string path = dir.file("m.db");
  {
    auto log = open_log(path);
    std::vector<ActionRecord> recs;
    for (int i = 0; i < 400; ++i) recs.push_back(sample("echo " + std::string(200, 'a' + i % 26)));
    ASSERT_TRUE(log->record_batch(recs).has_value());
  }
  sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(st.st_size / 2);
    f << std::string(512, '\x7f');
  }
  AuditOptions o;
  o.path = path;
  o.read_only = true;
  auto r = AuditLog::open(o);
  if (!r) {
    // Refusing the damaged file with a clear message is also a detection.
    EXPECT_NE(r.error().message.find(path), std::string::npos) << r.error().message;
    return;
  }
  auto v = (*r)->verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_FALSE(v->ok);
  EXPECT_GT(v->first_broken_id, 0);
  EXPECT_FALSE(v->problem.empty());
}

TEST(AuditFailure, read_only_directory_with_spool_elsewhere_spools) {
  if (::geteuid() == 0) {
    // root ignores directory permissions; use a path under a regular file instead.
  }
  TempDir dir;
  std::string blocker = dir.file("not-a-dir");
  { std::ofstream(blocker) << "x"; }
  AuditOptions o;
  o.path = blocker + "/audit.db";  // cannot be created
  o.spool_path = dir.file("spool.jsonl");
  auto r = AuditLog::open(o);
  ASSERT_TRUE(r.has_value());
  auto id = (*r)->record(sample("ls"));
  ASSERT_TRUE(id.has_value());
  EXPECT_LT(*id, 0);
  // And when even the spool cannot be written, the caller gets an error (fail closed).
  o.spool_path = blocker + "/spool.jsonl";
  auto r2 = AuditLog::open(o);
  ASSERT_TRUE(r2.has_value());
  auto id2 = (*r2)->record(sample("ls"));
  ASSERT_FALSE(id2.has_value());
  EXPECT_NE(id2.error().message.find("NOT recorded"), std::string::npos) << id2.error().message;
}

TEST(AuditFailure, outcome_of_a_spooled_action_is_linked_after_import) {
  TempDir dir;
  AuditOptions o;
  auto log = open_spooling_log(dir, o);
  auto id = log->record(sample("make test"));
  ASSERT_TRUE(id.has_value());
  ASSERT_LT(*id, 0);
  ASSERT_TRUE(log->record_outcome(*id, "ok", 10, 7).has_value());
  log.reset();
  // Import the spool into a working database.
  AuditOptions o2;
  o2.path = dir.file("good.db");
  o2.spool_path = o.spool_path;
  auto good = open_log(o2.path, o2);
  ASSERT_EQ(*good->count({}), 1);
  auto rel = good->related(1);
  ASSERT_TRUE(rel.has_value());
  ASSERT_EQ(rel->size(), 1u);
  EXPECT_EQ((*rel)[0].type, "outcome");
  EXPECT_TRUE(good->verify()->ok);
}

TEST(AuditImport, export_then_import_keeps_rows_and_links) {
  TempDir dir;
  auto src = open_log(dir.file("src.db"));
  auto id = src->record(sample("git push", Decision::ask));
  ASSERT_TRUE(src->record_approval(*id, "hook", "bob", "approved", 9));
  ASSERT_TRUE(src->record(sample("ls")));
  std::stringstream out;
  LogFilter all;
  all.all_types = true;
  ASSERT_TRUE(src->query(all, [&](const AuditRow& r) {
    nlohmann::json j = export_row_json(r);
    out << j.dump() << "\n";
    return true;
  }));
  auto dst = open_log(dir.file("dst.db"));
  ASSERT_TRUE(dst->record(sample("pre-existing")));
  std::istringstream in(out.str());
  auto rep = dst->import_jsonl(in);
  ASSERT_TRUE(rep.has_value()) << rep.error().message;
  EXPECT_EQ(rep->imported, 3);
  EXPECT_TRUE(rep->source_chain_ok) << rep->source_problem;
  auto rel = dst->related(2);
  ASSERT_TRUE(rel.has_value());
  ASSERT_EQ(rel->size(), 1u);
  EXPECT_TRUE(dst->verify()->ok);
  // Importing the same export again adds nothing.
  std::istringstream again(out.str());
  auto rep2 = dst->import_jsonl(again);
  ASSERT_TRUE(rep2.has_value());
  EXPECT_EQ(rep2->imported, 0);
  EXPECT_EQ(rep2->skipped, 3);
  // A tampered export is reported.
  std::string text = out.str();
  text.replace(text.find("git push"), 8, "git pull");
  std::istringstream bad(text);
  TempDir dir2;
  auto dst2 = open_log(dir2.file("d.db"));
  auto rep3 = dst2->import_jsonl(bad);
  ASSERT_TRUE(rep3.has_value());
  EXPECT_FALSE(rep3->source_chain_ok);
}

TEST(AuditTime, durations_dates_and_timestamps_parse) {
  EXPECT_EQ(*parse_duration_us("2h"), 2LL * 3600 * 1000000);
  EXPECT_EQ(*parse_duration_us("90d"), 90LL * 86400 * 1000000);
  EXPECT_FALSE(parse_duration_us("2x").has_value());
  EXPECT_FALSE(parse_duration_us("h").has_value());
  int64_t now = 1'800'000'000'000'000;
  EXPECT_EQ(*parse_time_us("2h", now), now - 2LL * 3600 * 1000000);
  EXPECT_EQ(*parse_time_us("2026-11-01", now), 1793491200LL * 1000000);
  EXPECT_EQ(*parse_time_us("2026-11-01T10:00:00Z", now), (1793491200LL + 36000) * 1000000);
  EXPECT_FALSE(parse_time_us("yesterday", now).has_value());
  EXPECT_EQ(format_time_us(1793491200LL * 1000000 + 5), "2026-11-01T00:00:00.000005Z");
}
