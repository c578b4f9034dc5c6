#include "proxy/framing.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using blastwall::proxy::LineFramer;
using blastwall::proxy::OversizeLine;

namespace {
struct Collected {
  std::vector<std::string> lines;
  std::vector<OversizeLine> over;
};

void feed(LineFramer& f, Collected& c, std::string_view data) {
  f.feed(
      data, [&](std::string_view l) { c.lines.emplace_back(l); },
      [&](const OversizeLine& o) { c.over.push_back(o); });
}
}  // namespace

TEST(LineFramer, splits_lines_across_arbitrary_chunks) {
  LineFramer f(1024);
  Collected c;
  const std::string data = "{\"a\":1}\n{\"b\":2}\r\n\n  \n{\"c\":3}\n";
  for (char ch : data) feed(f, c, std::string_view(&ch, 1));
  ASSERT_EQ(c.lines.size(), 3u);
  EXPECT_EQ(c.lines[0], "{\"a\":1}");
  EXPECT_EQ(c.lines[1], "{\"b\":2}");  // trailing \r stripped
  EXPECT_EQ(c.lines[2], "{\"c\":3}");
  EXPECT_TRUE(c.over.empty());
}

TEST(LineFramer, holds_an_unterminated_line_until_its_newline) {
  LineFramer f(1024);
  Collected c;
  feed(f, c, "{\"a\":");
  EXPECT_TRUE(c.lines.empty());
  EXPECT_EQ(f.pending_bytes(), 5u);
  feed(f, c, "1}\n");
  ASSERT_EQ(c.lines.size(), 1u);
  EXPECT_EQ(c.lines[0], "{\"a\":1}");
}

TEST(LineFramer, cap_is_enforced_on_the_partial_line_and_memory_stays_bounded) {
  LineFramer f(100);
  Collected c;
  const std::string chunk(60, 'x');
  for (int i = 0; i < 50; ++i) {
    feed(f, c, chunk);
    EXPECT_LE(f.pending_bytes(), 60u * 50u);
  }
  EXPECT_TRUE(c.over.empty());  // reported only at the newline
  feed(f, c, "\"id\":7}\n{\"ok\":true}\n");
  ASSERT_EQ(c.over.size(), 1u);
  EXPECT_EQ(c.over[0].bytes, 60u * 50u + 7u);
  EXPECT_NE(c.over[0].tail.find("\"id\":7}"), std::string::npos);
  ASSERT_EQ(c.lines.size(), 1u);  // the next line is intact
  EXPECT_EQ(c.lines[0], "{\"ok\":true}");
}

TEST(LineFramer, line_exactly_at_the_cap_passes_one_over_does_not) {
  LineFramer f(10);
  Collected c;
  feed(f, c, std::string(10, 'a') + "\n" + std::string(11, 'b') + "\n");
  ASSERT_EQ(c.lines.size(), 1u);
  EXPECT_EQ(c.lines[0], std::string(10, 'a'));
  ASSERT_EQ(c.over.size(), 1u);
  EXPECT_EQ(c.over[0].bytes, 11u);
}
