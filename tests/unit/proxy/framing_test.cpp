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

namespace {
// Records everything, streams lines when `take` is set.
struct Streamer : LineFramer::Handler {
  bool take = true;
  std::vector<std::string> lines;
  std::vector<OversizeLine> over;
  std::vector<std::string> streamed;  // one entry per streamed line
  std::vector<bool> ends;             // complete flag per streamed line
  std::size_t offers = 0;
  void on_line(std::string_view l) override { lines.emplace_back(l); }
  void on_oversize(const OversizeLine& o) override { over.push_back(o); }
  bool on_stream_begin(std::string_view) override {
    ++offers;
    if (take) streamed.emplace_back();
    return take;
  }
  void on_stream_data(std::string_view b) override { streamed.back().append(b); }
  void on_stream_end(bool complete) override { ends.push_back(complete); }
};
}  // namespace

TEST(LineFramer, a_long_line_streams_in_pieces_and_arrives_whole) {
  LineFramer f(1 << 20);
  f.set_stream_threshold(100);
  Streamer s;
  const std::string big = "{\"text\":\"" + std::string(5000, 'y') + "\",\"id\":1}";
  const std::string data = "{\"a\":1}\n" + big + "\n{\"b\":2}\n";
  for (std::size_t i = 0; i < data.size(); i += 37) f.feed(std::string_view(data).substr(i, 37), s);
  ASSERT_EQ(s.streamed.size(), 1u);
  EXPECT_EQ(s.streamed[0], big);
  ASSERT_EQ(s.ends.size(), 1u);
  EXPECT_TRUE(s.ends[0]);
  ASSERT_EQ(s.lines.size(), 2u);  // short lines are still whole lines
  EXPECT_EQ(s.lines[0], "{\"a\":1}");
  EXPECT_EQ(s.lines[1], "{\"b\":2}");
  EXPECT_FALSE(f.streaming());
}

TEST(LineFramer, a_declined_stream_is_buffered_whole_and_offered_once) {
  LineFramer f(1 << 20);
  f.set_stream_threshold(100);
  Streamer s;
  s.take = false;
  const std::string big(5000, 'z');
  for (std::size_t i = 0; i < big.size(); i += 50) f.feed(std::string_view(big).substr(i, 50), s);
  f.feed("\n", s);
  EXPECT_EQ(s.offers, 1u);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0], big);
}

TEST(LineFramer, a_streamed_line_is_cut_exactly_at_the_cap) {
  LineFramer f(1000);
  f.set_stream_threshold(100);
  Streamer s;
  const std::string chunk(64, 'q');
  for (int i = 0; i < 40; ++i) {  // 2560 bytes, no newline yet
    f.feed(chunk, s);
    EXPECT_LE(f.pending_bytes(), 64u * 40u);
  }
  ASSERT_EQ(s.streamed.size(), 1u);
  EXPECT_EQ(s.streamed[0].size(), 1000u);  // exactly the cap, not a byte more
  ASSERT_EQ(s.ends.size(), 1u);
  EXPECT_FALSE(s.ends[0]);  // cut
  EXPECT_TRUE(s.over.empty());
  f.feed("\"id\":7}\n{\"ok\":true}\n", s);
  ASSERT_EQ(s.over.size(), 1u);  // then reported as an oversize line at its newline
  EXPECT_EQ(s.over[0].bytes, 64u * 40u + 7u);
  EXPECT_EQ(s.over[0].head.substr(0, 64), chunk);
  EXPECT_NE(s.over[0].tail.find("\"id\":7}"), std::string::npos);
  ASSERT_EQ(s.lines.size(), 1u);
  EXPECT_EQ(s.lines[0], "{\"ok\":true}");
}
