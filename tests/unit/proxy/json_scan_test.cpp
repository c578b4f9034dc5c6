#include "proxy/json_scan.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace blastwall::proxy;

TEST(JsonScan, request_with_id_and_method) {
  auto s = scan_message(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"x"}})");
  EXPECT_EQ(s.kind, MessageKind::request);
  EXPECT_EQ(s.id, "3");
  EXPECT_EQ(s.method, "tools/call");
}

TEST(JsonScan, notification_has_no_id) {
  auto s = scan_message(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{}})");
  EXPECT_EQ(s.kind, MessageKind::notification);
  EXPECT_TRUE(s.id.empty());
}

TEST(JsonScan, response_with_is_error_and_id_last) {
  auto s = scan_message(
      R"({"result":{"content":[{"type":"text","text":"a\"b\\n"}],"isError":true},"jsonrpc":"2.0","id":"abc"})");
  EXPECT_EQ(s.kind, MessageKind::response);
  EXPECT_EQ(s.id, "\"abc\"");
  ASSERT_TRUE(s.is_error.has_value());
  EXPECT_TRUE(*s.is_error);
}

TEST(JsonScan, nested_is_error_is_not_the_result_flag) {
  auto s = scan_message(R"({"id":1,"result":{"structuredContent":{"isError":true}}})");
  EXPECT_EQ(s.kind, MessageKind::response);
  EXPECT_FALSE(s.is_error.has_value());
}

TEST(JsonScan, duplicate_method_last_wins_like_json_parse) {
  auto s = scan_message(R"({"id":1,"method":"ping","method":"tools/call"})");
  EXPECT_EQ(s.method, "tools/call");
}

TEST(JsonScan, escaped_method_is_decoded) {
  auto s = scan_message(R"({"id":1,"method":"tools\/c\u0061ll"})");
  EXPECT_EQ(s.method, "tools/call");
}

TEST(JsonScan, escaped_string_id_is_canonicalised) {
  auto s = scan_message(R"({"id":"\u0061b","result":{}})");
  EXPECT_EQ(s.id, "\"ab\"");
}

TEST(JsonScan, batch_is_recognised) {
  auto s = scan_message(R"([{"id":1,"method":"ping"},{"id":2,"method":"ping"}])");
  EXPECT_EQ(s.kind, MessageKind::batch);
}

TEST(JsonScan, invalid_json_is_rejected_with_a_reason) {
  for (const char* bad : {"hello world", "{\"id\":1,}", "{\"id\":1} trailing", "{\"a\":\"\x01\"}",
                          "{\"a\":tru}", "{\"a\":01}", "{\"a\":\"\\x\"}", "{\"a\":\"open}"}) {
    auto s = scan_message(bad);
    EXPECT_EQ(s.kind, MessageKind::invalid) << bad;
    EXPECT_FALSE(s.problem.empty()) << bad;
  }
}

TEST(JsonScan, deep_nesting_is_rejected_not_a_crash) {
  std::string deep(100000, '[');
  EXPECT_EQ(scan_message("{\"a\":" + deep).kind, MessageKind::invalid);
  EXPECT_FALSE(is_valid_json(deep));
}

TEST(JsonScan, scalar_json_is_not_a_message) {
  EXPECT_EQ(scan_message("42").kind, MessageKind::other);
  EXPECT_EQ(scan_message(R"({"jsonrpc":"2.0"})").kind, MessageKind::other);
}

TEST(JsonScan, large_string_result_scans) {
  std::string big(8 * 1024 * 1024, 'a');
  const std::string line = R"({"result":{"content":[{"type":"text","text":")" + big +
                           R"("}],"isError":false},"jsonrpc":"2.0","id":9})";
  auto s = scan_message(line);
  EXPECT_EQ(s.kind, MessageKind::response);
  EXPECT_EQ(s.id, "9");
  ASSERT_TRUE(s.is_error.has_value());
  EXPECT_FALSE(*s.is_error);
}
