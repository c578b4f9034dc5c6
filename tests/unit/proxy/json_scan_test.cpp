#include "proxy/json_scan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

// The incremental scanner agrees with the one-shot scan however the line is cut into pieces.
TEST(StreamScanner, piecewise_feeding_gives_the_same_shape) {
  const std::vector<std::string> lines = {
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"x"}})",
      R"({"result":{"content":[{"type":"text","text":"a\"b\\n \u00e9"}],"isError":true},"jsonrpc":"2.0","id":"abc"})",
      R"({"id":1,"result":{"structuredContent":{"isError":true}}})",
      R"({"id":1,"result":{},"params":{"isError":true}})",
      R"({"id":-1.5e+3,"error":{"code":-32000,"message":"x"}})",
      R"({"id":1,"method":"tools\/c\u0061ll"})",
      R"({"id":{"a":[1,2,{"b":null}]},"result":[true,false,null]})",
      R"([{"id":1,"method":"ping"},{"id":2,"method":"ping"}])",
      R"(  {"method":"notifications/progress","params":{"progressToken":7,"progress":0.5}}  )",
      "42",
      "",
      "{\"id\":1,}",
      "{\"id\":1} trailing",
      "{\"a\":tru}",
      "{\"a\":01}",
      "{\"a\":\"open}",
      "{\"a\":1.}",
      "{\"a\":-}",
      "{\"a\":1e}",
      "{\"id\":1",
  };
  for (const std::string& line : lines) {
    const MessageShape whole = scan_message(line);
    for (std::size_t piece : {1u, 2u, 3u, 7u}) {
      StreamScanner s;
      for (std::size_t i = 0; i < line.size(); i += piece) {
        s.feed(std::string_view(line).substr(i, piece));
      }
      const MessageShape parts = s.finish();
      EXPECT_EQ(parts.kind, whole.kind) << line << " piece " << piece;
      EXPECT_EQ(parts.id, whole.id) << line;
      EXPECT_EQ(parts.method, whole.method) << line;
      EXPECT_EQ(parts.has_result, whole.has_result) << line;
      EXPECT_EQ(parts.has_error, whole.has_error) << line;
      EXPECT_EQ(parts.is_error, whole.is_error) << line;
      EXPECT_EQ(parts.problem.empty(), whole.problem.empty()) << line;
    }
  }
  EXPECT_EQ(scan_message(R"({"id":-1.5e+3,"error":{}})").id, "-1500.0");
  EXPECT_FALSE(
      scan_message(R"({"id":1,"result":{},"params":{"isError":true}})").is_error.has_value());
}

TEST(StreamScanner, an_8_MiB_result_fed_in_pipe_sized_pieces_keeps_its_id_and_outcome) {
  const std::string line = R"({"result":{"content":[{"type":"text","text":")" +
                           std::string(8 * 1024 * 1024, 'x') +
                           R"("}],"isError":true},"jsonrpc":"2.0","id":"r-1"})";
  StreamScanner s;
  for (std::size_t i = 0; i < line.size(); i += 65536) {
    s.feed(std::string_view(line).substr(i, 65536));
  }
  const MessageShape shape = s.finish();
  EXPECT_EQ(shape.kind, MessageKind::response);
  EXPECT_EQ(shape.id, "\"r-1\"");
  ASSERT_TRUE(shape.is_error.has_value());
  EXPECT_TRUE(*shape.is_error);
  // The scanner is reset by finish(): the next line starts clean.
  s.feed(R"({"id":2,"result":{}})");
  EXPECT_EQ(s.finish().id, "2");
}

TEST(StreamScanner, an_oversized_id_is_refused_not_buffered) {
  const std::string line =
      R"({"id":")" + std::string(k_max_id_bytes + 10, 'a') + R"(","result":{}})";
  EXPECT_EQ(scan_message(line).kind, MessageKind::invalid);
  // A long method is kept cut and cannot equal a real one.
  const auto s = scan_message(R"({"id":1,"method":")" + std::string(1000, 'm') + R"("})");
  EXPECT_EQ(s.kind, MessageKind::request);
  EXPECT_LT(s.method.size(), 1000u);
}
