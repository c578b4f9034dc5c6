// Session recall in the resident engine remembers what each audit row gave, and gives the same
// memory as a fresh process (cli/session_recall.cpp, resident::recall_memo).
#include "cli/session_recall.hpp"

#include <gtest/gtest.h>
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

TEST(SessionRecall, the_resident_memo_gives_what_a_fresh_recall_gives) {
  const fs::path dir = fs::temp_directory_path() / ("bw-recall-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
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

}  // namespace
}  // namespace blastwall::cli
