#include "proxy/audit_sink.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

using namespace blastwall;
using namespace blastwall::proxy;

namespace {

std::string temp_dir() {
  char tmpl[] = "/tmp/bw_sink_test_XXXXXX";
  const char* d = ::mkdtemp(tmpl);
  return d ? d : "/tmp";
}

std::unique_ptr<audit::AuditLog> open_log(const std::string& path) {
  audit::AuditOptions o;
  o.path = path;
  o.manual_checkpoint = true;
  auto r = audit::AuditLog::open(o);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? std::move(*r) : nullptr;
}

std::unique_ptr<audit::AuditLog> reader(const std::string& path) {
  audit::AuditOptions o;
  o.path = path;
  o.read_only = true;
  return audit::AuditLog::open(o).value();
}

Action call(const std::string& tool) {
  Action a;
  a.kind = ActionKind::mcp_call;
  a.ctx.surface = "mcp";
  a.mcp.server = "db";
  a.mcp.tool = tool;
  a.mcp.arguments = {{"sql", "SELECT 1"}};
  a.ctx.tool = "mcp__db__" + tool;
  return a;
}

Verdict allow() {
  Verdict v;
  v.decision = Decision::allow;
  v.source = "default";
  return v;
}

std::vector<audit::AuditRow> rows(const audit::AuditLog& log) {
  audit::LogFilter f;
  f.all_types = true;
  std::vector<audit::AuditRow> out;
  (void)log.query(f, [&](const audit::AuditRow& r) {
    out.push_back(r);
    return true;
  });
  return out;
}

AsyncAuditSink::Options long_linger() {
  AsyncAuditSink::Options o;
  o.linger = std::chrono::seconds(30);  // only flush(), a full batch or the destructor write
  return o;
}

}  // namespace

TEST(AsyncAuditSink, a_burst_is_written_in_one_transaction_in_order_with_its_links) {
  const auto path = temp_dir() + "/audit.db";
  AsyncAuditSink sink(open_log(path), nullptr, long_linger());
  std::vector<int64_t> handles;
  for (int i = 0; i < 5; ++i) {
    handles.push_back(sink.record_call(call("q" + std::to_string(i)), allow(), "default", 7));
  }
  sink.record_approval(handles[1], "a-1", "queue", "approved", "alice");
  for (int i = 4; i >= 0; --i)
    sink.record_outcome(handles[static_cast<size_t>(i)], "ok", i == 2, i);
  sink.flush();
  EXPECT_EQ(sink.batches_written(), 1u);
  EXPECT_FALSE(sink.failed());
  auto log = reader(path);
  auto all = rows(*log);
  ASSERT_EQ(all.size(), 11u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(all[static_cast<size_t>(i)].type, "action");
    EXPECT_EQ(all[static_cast<size_t>(i)].tool, "mcp__db__q" + std::to_string(i));
  }
  EXPECT_EQ(all[5].type, "approval");
  EXPECT_EQ(all[5].ref_id, all[1].id);
  EXPECT_NE(all[5].detail.find("[approval a-1]"), std::string::npos);
  for (int k = 0; k < 5; ++k) {  // outcomes were recorded for calls 4, 3, 2, 1, 0
    const auto& o = all[static_cast<size_t>(6 + k)];
    EXPECT_EQ(o.type, "outcome");
    EXPECT_EQ(o.ref_id, all[static_cast<size_t>(4 - k)].id);
    EXPECT_EQ(o.decision, 4 - k == 2 ? "error" : "ok");
  }
  EXPECT_TRUE(log->verify()->ok);
}

TEST(AsyncAuditSink, an_outcome_refers_to_a_call_written_in_an_earlier_batch) {
  const auto path = temp_dir() + "/audit.db";
  AsyncAuditSink sink(open_log(path), nullptr, long_linger());
  const int64_t first = sink.record_call(call("first"), allow(), "default", 1);
  const int64_t second = sink.record_call(call("second"), allow(), "default", 1);
  sink.flush();
  sink.record_outcome(second, "ok", false, 5);
  sink.record_approval(first, "", "elicitation", "approved", "client");
  sink.record_outcome(first, "ok", true, 6);
  sink.flush();
  EXPECT_EQ(sink.batches_written(), 2u);
  auto log = reader(path);
  auto all = rows(*log);
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all[2].ref_id, all[1].id);
  EXPECT_EQ(all[3].ref_id, all[0].id);
  EXPECT_EQ(all[3].type, "approval");
  EXPECT_EQ(all[4].ref_id, all[0].id);
  EXPECT_EQ(all[4].decision, "error");
}

TEST(AsyncAuditSink, the_destructor_writes_what_is_still_lingering) {
  const auto path = temp_dir() + "/audit.db";
  {
    AsyncAuditSink sink(open_log(path), nullptr, long_linger());
    for (int i = 0; i < 3; ++i) {
      const int64_t h = sink.record_call(call("t"), allow(), "default", 1);
      sink.record_outcome(h, "ok", false, 1);
    }
  }
  auto log = reader(path);
  auto all = rows(*log);
  ASSERT_EQ(all.size(), 6u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(all[static_cast<size_t>(2 * i + 1)].ref_id, all[2 * i].id);
  EXPECT_TRUE(log->verify()->ok);
}

TEST(AsyncAuditSink, a_full_batch_is_written_without_waiting_for_the_linger) {
  const auto path = temp_dir() + "/audit.db";
  auto opts = long_linger();
  opts.max_batch = 4;
  AsyncAuditSink sink(open_log(path), nullptr, opts);
  for (int i = 0; i < 4; ++i) (void)sink.record_call(call("t"), allow(), "default", 1);
  // No flush: the batch is full, so it is written well before the 30 s linger ends.
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (sink.batches_written() == 0 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(sink.batches_written(), 1u);
  EXPECT_EQ(rows(*reader(path)).size(), 4u);
}

TEST(AsyncAuditSink, a_second_outcome_of_a_call_is_not_written) {
  // An outcome is the last event of a call: a stray later one has no call to refer to.
  const auto path = temp_dir() + "/audit.db";
  AsyncAuditSink sink(open_log(path), nullptr, long_linger());
  const int64_t h = sink.record_call(call("t"), allow(), "default", 1);
  sink.record_outcome(h, "ok", false, 1);
  sink.record_outcome(h, "timeout", true, 2);
  sink.flush();
  sink.record_outcome(h, "timeout", true, 3);
  sink.flush();
  EXPECT_EQ(rows(*reader(path)).size(), 2u);
}
