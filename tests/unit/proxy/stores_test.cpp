#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "proxy/approvals.hpp"
#include "proxy/pins.hpp"

using namespace blastwall::proxy;

namespace {
std::string temp_dir() {
  char tmpl[] = "/tmp/bw_proxy_test_XXXXXX";
  const char* d = ::mkdtemp(tmpl);
  return d ? d : "/tmp";
}
}  // namespace

TEST(ApprovalStore, approval_is_single_use_and_bound_to_the_digest) {
  const auto dir = temp_dir();
  auto store = ApprovalStore::open(dir + "/approvals.db");
  ASSERT_TRUE(store) << store.error().message;
  auto a = (*store)->create_pending("fs", "write_file", "d1", "summary", 1000, 60000);
  ASSERT_TRUE(a);
  auto none = (*store)->consume_approved("d1", 2000);
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);  // pending is not approved
  auto ok = (*store)->decide(a->id, true, "alice", 3000, 10000);
  ASSERT_TRUE(ok);
  EXPECT_TRUE(*ok);
  auto other = (*store)->consume_approved("d2", 4000);
  ASSERT_TRUE(other);
  EXPECT_FALSE(*other);  // another call's digest never matches
  auto used = (*store)->consume_approved("d1", 4000);
  ASSERT_TRUE(used);
  ASSERT_TRUE(*used);
  EXPECT_EQ((*used)->id, a->id);
  EXPECT_EQ((*used)->decided_by, "alice");
  auto again = (*store)->consume_approved("d1", 4001);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);  // single use
  std::filesystem::remove_all(dir);
}

TEST(ApprovalStore, approvals_expire) {
  const auto dir = temp_dir();
  auto store = ApprovalStore::open(dir + "/approvals.db");
  ASSERT_TRUE(store);
  auto a = (*store)->create_pending("s", "t", "d", "x", 0, 1000);
  ASSERT_TRUE(a);
  auto late = (*store)->decide(a->id, true, "bob", 5000, 1000);  // pending window over
  ASSERT_TRUE(late);
  EXPECT_FALSE(*late);
  EXPECT_EQ((*(*store)->get(a->id))->status, "expired");

  auto b = (*store)->create_pending("s", "t", "d", "x", 10000, 60000);
  ASSERT_TRUE((*store)->decide(b->id, true, "bob", 11000, 1000).value());
  auto stale = (*store)->consume_approved("d", 20000);  // approval used too late
  ASSERT_TRUE(stale);
  EXPECT_FALSE(*stale);
  std::filesystem::remove_all(dir);
}

TEST(ApprovalStore, denied_and_cancelled_cannot_be_approved_or_used) {
  const auto dir = temp_dir();
  auto store = ApprovalStore::open(dir + "/approvals.db");
  ASSERT_TRUE(store);
  auto a = (*store)->create_pending("s", "t", "d", "x", 0, 60000);
  EXPECT_TRUE((*store)->decide(a->id, false, "carol", 10, 1000).value());
  EXPECT_FALSE((*store)->decide(a->id, true, "carol", 20, 1000).value());
  EXPECT_FALSE((*store)->consume_approved("d", 30).value());
  auto b = (*store)->create_pending("s", "t", "d", "x", 0, 60000);
  EXPECT_TRUE((*store)->cancel(b->id, 40).value());
  EXPECT_FALSE((*store)->decide(b->id, true, "carol", 50, 1000).value());
  EXPECT_EQ((*(*store)->get(b->id))->status, "cancelled");
  std::filesystem::remove_all(dir);
}

TEST(ApprovalStore, a_second_process_sees_decisions) {
  const auto dir = temp_dir();
  auto proxy_side = ApprovalStore::open(dir + "/approvals.db");
  auto human_side = ApprovalStore::open(dir + "/approvals.db");
  ASSERT_TRUE(proxy_side && human_side);
  auto a = (*proxy_side)->create_pending("s", "t", "d", "x", 0, 60000);
  auto pending = (*human_side)->list(false, 1);
  ASSERT_TRUE(pending);
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_TRUE((*human_side)->decide(a->id, true, "dave", 2, 1000).value());
  EXPECT_EQ((*(*proxy_side)->get(a->id))->status, "approved");
  std::filesystem::remove_all(dir);
}

TEST(PinStore, first_sight_pins_then_a_change_is_blocked_until_accepted) {
  const auto dir = temp_dir();
  auto store = PinStore::open(dir + "/pins.db");
  ASSERT_TRUE(store);
  EXPECT_EQ((*store)->check("fs", "write", "aaa", 1).value(), PinStatus::first_seen);
  EXPECT_EQ((*store)->check("fs", "write", "aaa", 2).value(), PinStatus::unchanged);
  EXPECT_EQ((*store)->check("other", "write", "bbb", 2).value(), PinStatus::first_seen);
  EXPECT_EQ((*store)->check("fs", "write", "bbb", 3).value(), PinStatus::changed);
  EXPECT_FALSE((*store)->is_accepted("fs", "write", "bbb").value());
  auto rows = (*store)->list("fs");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].changed_to, "bbb");
  EXPECT_EQ((*store)->accept("fs", "write", 4).value(), 1);
  EXPECT_TRUE((*store)->is_accepted("fs", "write", "bbb").value());
  EXPECT_EQ((*store)->check("fs", "write", "bbb", 5).value(), PinStatus::unchanged);
  EXPECT_EQ((*store)->accept("fs", "write", 6).value(), 0);  // nothing left to accept
  std::filesystem::remove_all(dir);
}
