// Real processes on a real SQLite file: concurrent writers and a writer killed inside a
// transaction.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit/audit_log.hpp"
#include "audit_test_util.hpp"

using namespace blastwall;
using namespace blastwall::audit;
using blastwall::audit::testing::sample;
using blastwall::audit::testing::sql;
using blastwall::audit::testing::TempDir;

TEST(AuditProcesses, eight_concurrent_writer_processes_lose_nothing) {
  TempDir dir;
  std::string path = dir.file("c.db");
  constexpr int k_writers = 8;
  constexpr int k_rows = 150;
  std::vector<pid_t> pids;
  for (int w = 0; w < k_writers; ++w) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      AuditOptions o;
      o.path = path;
      o.busy_timeout_ms = 20000;
      auto log = AuditLog::open(o);
      if (!log) ::_exit(10);
      for (int i = 0; i < k_rows; ++i) {
        // Mix single records and small batches, like hooks and proxies do.
        if (i % 10 == 0) {
          std::vector<ActionRecord> b{
              sample("echo b" + std::to_string(i), Decision::allow, i, "w" + std::to_string(w))};
          auto r = (*log)->record_batch(b);
          if (!r || r->at(0) <= 0) ::_exit(11);
        } else {
          auto r = (*log)->record(
              sample("echo " + std::to_string(i), Decision::allow, i, "w" + std::to_string(w)));
          if (!r || *r <= 0) ::_exit(12);
        }
      }
      ::_exit(0);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  AuditOptions o;
  o.path = path;
  auto log = AuditLog::open(o);
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ(*(*log)->count({}), k_writers * k_rows);
  for (int w = 0; w < k_writers; ++w) {
    LogFilter f;
    f.agent = "w" + std::to_string(w);
    EXPECT_EQ(*(*log)->count(f), k_rows);
  }
  auto v = (*log)->verify();
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->ok) << v->problem;
  struct stat st {};
  EXPECT_TRUE(::stat((*log)->spool_path().c_str(), &st) != 0 || st.st_size == 0);
}

TEST(AuditProcesses, writer_killed_inside_a_transaction_leaves_a_consistent_log) {
  TempDir dir;
  std::string path = dir.file("k.db");
  {
    AuditOptions o;
    o.path = path;
    auto log = AuditLog::open(o).value();
    for (int i = 0; i < 3; ++i) ASSERT_GT(*log->record(sample("echo " + std::to_string(i))), 0);
  }
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(fds[0]);
    AuditOptions o;
    o.path = path;
    int wfd = fds[1];
    o.in_transaction_hook = [wfd] {
      (void)!::write(wfd, "x", 1);
      for (;;) ::pause();
    };
    auto log = AuditLog::open(o);
    if (!log) ::_exit(10);
    std::vector<ActionRecord> recs;
    for (int i = 0; i < 50; ++i) recs.push_back(sample("echo doomed " + std::to_string(i)));
    (void)(*log)->record_batch(recs);
    ::_exit(11);
  }
  ::close(fds[1]);
  char c = 0;
  ASSERT_EQ(::read(fds[0], &c, 1), 1);  // the child is inside the transaction now
  ::close(fds[0]);
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status));

  AuditOptions o;
  o.path = path;
  o.busy_timeout_ms = 2000;
  auto log = AuditLog::open(o).value();
  EXPECT_FALSE(log->degraded()) << log->last_warning();
  EXPECT_EQ(*log->count({}), 3);  // the uncommitted batch is gone as a whole
  EXPECT_TRUE(log->verify()->ok);
  auto id = log->record(sample("echo after"));
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(*id, 4);  // the lock was released and the chain continues
  EXPECT_TRUE(log->verify()->ok);
}

TEST(AuditProcesses, lock_held_past_the_timeout_spools_instead_of_blocking) {
  TempDir dir;
  std::string path = dir.file("l.db");
  {
    AuditOptions first;
    first.path = path;
    ASSERT_TRUE(AuditLog::open(first).has_value());
  }
  // Another connection holds the write lock.
  sqlite3* holder = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  AuditOptions o;
  o.path = path;
  o.busy_timeout_ms = 50;
  o.retry_after_ms = 0;
  auto log = AuditLog::open(o).value();
  auto t0 = now_us();
  auto id = log->record(sample("echo blocked"));
  auto took_ms = (now_us() - t0) / 1000;
  ASSERT_TRUE(id.has_value());
  EXPECT_LT(*id, 0);
  EXPECT_LT(took_ms, 1000);
  EXPECT_NE(log->last_warning().find("spooled"), std::string::npos) << log->last_warning();
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);
  // The next write imports the spooled event first, preserving order.
  auto id2 = log->record(sample("echo next"));
  ASSERT_TRUE(id2.has_value());
  EXPECT_EQ(*id2, 2);
  EXPECT_NE(log->get(1)->action.find("echo blocked"), std::string::npos);
  EXPECT_TRUE(log->verify()->ok);
}
