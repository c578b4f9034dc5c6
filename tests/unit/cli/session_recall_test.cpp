// Session recall in the resident engine remembers what each audit row gave, and gives the same
// memory as a fresh process (cli/session_recall.cpp, resident::recall_memo).
#include "cli/session_recall.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "audit/audit_log.hpp"
#include "blastwall/engine.hpp"
#include "cli/resident.hpp"

namespace blastwall::cli {
namespace {

namespace fs = std::filesystem;

Action shell(const std::string& cmd, int64_t now_us) {
  Action a;
  a.kind = ActionKind::shell_exec;
  a.ctx.cwd = "/home/dev/project";
  a.ctx.home = "/home/dev";
  a.ctx.project_root = "/home/dev/project";
  a.ctx.agent = "claude";
  a.ctx.session = "s1";
  a.ctx.now_us = now_us;
  a.command = cmd;
  return a;
}

std::string memory_text(const Action& a) {
  std::string out;
  for (const auto& r : a.ctx.recent) {
    out += std::to_string(r.at_us) + (r.destructive ? " d " : " - ") + r.summary;
    for (const auto& t : r.teardown) out += " t:" + t;
    out += "\n";
  }
  return out;
}

// An empty scratch directory for one test's audit database.
fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / (name + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(SessionRecall, the_resident_memo_gives_what_a_fresh_recall_gives) {
  const fs::path dir = fresh_dir("bw-recall-");
  audit::AuditOptions o;
  o.path = (dir / "audit.db").string();
  auto log = audit::AuditLog::open(o);
  ASSERT_TRUE(log.has_value()) << log.error().format();
  auto engine = Engine::create_builtin(Policy{});
  ASSERT_TRUE(engine.has_value());
  const int64_t t0 = audit::now_us();
  int64_t t = t0;
  for (const char* cmd :
       {"rm -rf build", "git status", "terraform destroy -auto-approve", "rm -rf dist", "ls"}) {
    audit::ActionRecord rec;
    rec.action = shell(cmd, t);
    rec.verdict = (*engine)->evaluate(rec.action);
    rec.ts_us = t;
    ASSERT_TRUE((*log)->record(rec).has_value());
    t += 1000;
  }
  const Policy& policy = (*engine)->policy();
  Action fresh = shell("rm -rf out", t);
  recall_session(fresh, policy, log->get());
  ASSERT_FALSE(fresh.ctx.recent.empty());
  EXPECT_EQ(resident::recall_memo(), nullptr);  // outside serve: nothing kept

  resident::begin(resident::Request{});
  ASSERT_NE(resident::recall_memo(), nullptr);
  for (int i = 0; i < 3; ++i) {  // the first fills the memo, the others read it
    Action served = shell("rm -rf out", t);
    recall_session(served, policy, log->get());
    EXPECT_EQ(memory_text(served), memory_text(fresh)) << i;
  }
  EXPECT_FALSE(resident::recall_memo()->empty());
  // A remembered row is used as remembered (so the memo is really read) ...
  for (auto& [id, row] : *resident::recall_memo())
    if (row.memory) row.memory->summary = "remembered";
  Action memo = shell("rm -rf out", t);
  recall_session(memo, policy, log->get());
  ASSERT_FALSE(memo.ctx.recent.empty());
  EXPECT_EQ(memo.ctx.recent.back().summary, "remembered");
  // ... and an entry whose text is not the row's is not used.
  for (auto& [id, row] : *resident::recall_memo()) {
    row.facts += " ";
    row.memory.reset();
  }
  Action again = shell("rm -rf out", t);
  recall_session(again, policy, log->get());
  EXPECT_EQ(memory_text(again), memory_text(fresh));
  resident::end();
  resident::clear();
  log->reset();
  fs::remove_all(dir);
}

// The resident engine reads only the rows written since its last recall of the session. After
// every change — new rows (past the row limit), rows ageing out of the window, a clock going
// back, `audit prune`, rows of another session, rows deleted through another connection, a
// replaced database — it must recall exactly what a full read through a separate connection
// recalls.
TEST(SessionRecall, incremental_recall_gives_what_a_full_read_gives) {
  const fs::path dir = fresh_dir("bw-recall-inc-");
  audit::AuditOptions o;
  o.path = (dir / "audit.db").string();
  auto engine = Engine::create_builtin(Policy{});
  ASSERT_TRUE(engine.has_value());
  const Policy& policy = (*engine)->policy();
  const int64_t window_us = policy.session_window_s * 1000000;
  resident::begin(resident::Request{});
  std::unique_ptr<audit::AuditLog> owned;
  auto pooled = [&] {
    auto l = resident::audit_log(o, owned);
    EXPECT_TRUE(l.has_value());
    return l ? *l : nullptr;
  };
  ASSERT_NE(resident::log_generation(pooled()), 0u);
  int64_t t = audit::now_us() - 2 * window_us;
  int steps = 0;
  auto write = [&](const std::string& cmd, const std::string& session) {
    audit::ActionRecord rec;
    rec.action = shell(cmd, t);
    rec.action.ctx.session = session;
    rec.verdict = (*engine)->evaluate(rec.action);
    rec.ts_us = t;
    ASSERT_TRUE(pooled()->record(rec).has_value());
  };
  auto compare = [&](int64_t now) {
    auto full_log = audit::AuditLog::open(o);
    ASSERT_TRUE(full_log.has_value());
    Action full = shell("rm -rf out", now);
    recall_session(full, policy, full_log->get());  // generation 0: a full read
    Action served = shell("rm -rf out", now);
    recall_session(served, policy, pooled());
    EXPECT_EQ(memory_text(served), memory_text(full)) << "step " << steps;
    ++steps;
  };
  compare(t);
  const char* cmds[] = {"rm -rf build", "git status", "terraform destroy -auto-approve",
                        "rm -rf dist",  "ls",         "kubectl delete ns api"};
  for (int i = 0; i < 90; ++i) {  // past the 64-row limit
    write(cmds[i % 6], i % 7 == 3 ? "other" : "s1");
    t += 5 * 1000000;
    compare(t);
  }
  // Rows age out of the window; the clock goes back; time moves on without rows.
  for (int64_t now : {t + window_us / 2, t + window_us - 20 * 1000000, t + window_us / 3,
                      t + window_us + 1000000, t + 2 * window_us}) {
    compare(now);
  }
  // A full window again, then `audit prune` deletes remembered rows.
  t += 2 * window_us;
  for (int i = 0; i < 20; ++i) {
    write(cmds[i % 6], "s1");
    t += 1000000;
    compare(t);
  }
  // The remembered rows are what a later call uses (so the incremental path really runs).
  for (auto& [key, w] : *resident::recall_windows())
    for (auto& e : w.rows)
      if (e.memory) e.memory->summary = "kept";
  Action kept = shell("rm -rf out", t);
  recall_session(kept, policy, pooled());
  ASSERT_FALSE(kept.ctx.recent.empty());
  EXPECT_EQ(kept.ctx.recent.front().summary, "kept");
  resident::recall_windows()->clear();
  compare(t);
  ASSERT_TRUE(pooled()->prune(t - 10 * 1000000, "test", t).has_value());
  compare(t);
  write("rm -rf again", "s1");
  compare(t);
  // The newest rows deleted behind the server's back (a hand edit) and as many written again
  // before the next call: their ids are used again, the count of the remembered range is the same.
  write("rm -rf one", "s1");
  write("rm -rf two", "s1");
  compare(t);
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(o.path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "DELETE FROM events WHERE id >= (SELECT max(id) - 1 FROM events)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  t += 1000000;
  write("git status", "s1");
  write("terraform destroy -auto-approve", "s1");
  compare(t);
  write("rm -rf reused", "s1");
  compare(t);
  // A remembered row that is not the newest deleted through another connection: only counting
  // the remembered range sees it, and the connection's change stamp must make the recall count.
  compare(t);  // nothing changed since the last call: the count is skipped
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(o.path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "DELETE FROM events WHERE id = (SELECT id FROM events WHERE "
                           "session = 's1' ORDER BY id DESC LIMIT 1 OFFSET 1)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  compare(t);
  // The database is replaced: a new file at the same path.
  owned.reset();
  fs::remove(o.path);
  fs::remove(o.path + "-wal");
  fs::remove(o.path + "-shm");
  write("rm -rf fresh", "s1");
  compare(t);
  write("rm -rf fresh2", "s1");
  compare(t);
  resident::end();
  resident::clear();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace blastwall::cli
