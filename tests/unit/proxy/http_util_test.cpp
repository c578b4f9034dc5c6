// The socket-free parts of the Streamable HTTP transport: loopback and Origin checks, --listen
// parsing, the token file and its constant-time check, SSE framing and parsing.
#include "proxy/http_util.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace blastwall::proxy {
namespace {

TEST(HttpUtil, LoopbackHosts) {
  for (const char* h : {"127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST", "::1", "[::1]"}) {
    EXPECT_TRUE(is_loopback_host(h)) << h;
  }
  for (const char* h : {"0.0.0.0", "128.0.0.1", "127.0.0.256", "127.0.0", "127.0.0.1.evil.com",
                        "localhost.evil.com", "::", "10.0.0.1", "", "127.0.0.1x"}) {
    EXPECT_FALSE(is_loopback_host(h)) << h;
  }
}

TEST(HttpUtil, ListenAddressIsLoopbackOnly) {
  auto a = parse_listen_address("127.0.0.1:8765");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8765);
  auto bare = parse_listen_address("9000");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->host, "127.0.0.1");
  auto v6 = parse_listen_address("[::1]:0");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(parse_listen_address("localhost:1")->host, "127.0.0.1");
  for (const char* bad : {"0.0.0.0:80", "[::]:80", "192.168.0.2:80", "example.com:80", "::1:80",
                          "127.0.0.1", "127.0.0.1:99999", "127.0.0.1:x"}) {
    EXPECT_FALSE(parse_listen_address(bad)) << bad;
  }
}

TEST(HttpUtil, OriginCheck) {
  for (const char* o : {"http://localhost:3000", "http://127.0.0.1", "https://[::1]:8443",
                        "http://LOCALHOST:6274"}) {
    EXPECT_TRUE(origin_allowed(o)) << o;
  }
  for (const char* o : {"null", "http://evil.example", "http://localhost.evil.example",
                        "http://127.0.0.1.nip.io", "file://", "chrome-extension://abc",
                        "http://user@127.0.0.1", "http://127.0.0.1/path", "", "localhost"}) {
    EXPECT_FALSE(origin_allowed(o)) << o;
  }
  EXPECT_EQ(host_of_authority("127.0.0.1:8080"), "127.0.0.1");
  EXPECT_EQ(host_of_authority("[::1]:80"), "::1");
  EXPECT_EQ(host_of_authority("evil.example"), "evil.example");
}

TEST(HttpUtil, UpstreamUrl) {
  auto u = parse_http_url("http://127.0.0.1:3001/mcp?x=1#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 3001);
  EXPECT_EQ(u->target, "/mcp?x=1");
  EXPECT_EQ(u->host_header(), "127.0.0.1:3001");
  EXPECT_EQ(parse_http_url("http://[::1]/")->host_header(), "[::1]");
  auto tls = parse_http_url("https://example.com/mcp");
  ASSERT_FALSE(tls);
  EXPECT_NE(tls.error().message.find("https is not supported"), std::string::npos);
  EXPECT_FALSE(parse_http_url("ftp://x/"));
  EXPECT_FALSE(parse_http_url("http://user:pw@host/"));
}

TEST(HttpUtil, BearerIsExactAndCaseInsensitiveScheme) {
  const std::string t(64, 'a');
  EXPECT_TRUE(bearer_matches("Bearer " + t, t));
  EXPECT_TRUE(bearer_matches("bearer  " + t + " ", t));
  EXPECT_FALSE(bearer_matches("Bearer " + t.substr(1), t));
  EXPECT_FALSE(bearer_matches("Bearer " + t + "a", t));
  EXPECT_FALSE(bearer_matches("Basic " + t, t));
  EXPECT_FALSE(bearer_matches(t, t));
  EXPECT_FALSE(bearer_matches("Bearer ", ""));
}

TEST(HttpUtil, TokenFileIsCreatedPrivateAndReused) {
  char tmpl[] = "/tmp/bw-token-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  const std::string path = dir + "/sub/mcp-http.token";
  auto first = load_or_create_token(path);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->size(), 64u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = load_or_create_token(path);
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, *first);
  ::chmod(path.c_str(), 0640);
  auto loose = load_or_create_token(path);
  ASSERT_FALSE(loose);
  EXPECT_NE(loose.error().message.find("readable by group or others"), std::string::npos);
  const std::string other = dir + "/short.token";
  { std::ofstream(other) << "short\n"; }
  ::chmod(other.c_str(), 0600);
  EXPECT_FALSE(load_or_create_token(other));
  std::filesystem::remove_all(dir);
}

TEST(HttpUtil, AcceptAndMediaType) {
  EXPECT_TRUE(accepts("application/json, text/event-stream", "text/event-stream"));
  EXPECT_TRUE(accepts("text/*;q=0.5", "text/event-stream"));
  EXPECT_TRUE(accepts("*/*", "application/json"));
  EXPECT_FALSE(accepts("application/json", "text/event-stream"));
  EXPECT_EQ(media_type_of("Text/Event-Stream; charset=utf-8"), "text/event-stream");
}

TEST(HttpUtil, SseFramingRoundTrips) {
  const std::string ev = sse_event("3-7", "{\"a\":1}\nsecond");
  EXPECT_EQ(ev, "id: 3-7\ndata: {\"a\":1}\ndata: second\n\n");
  EXPECT_EQ(http_chunk("abc"), "3\r\nabc\r\n");
  std::vector<SseEvent> got;
  SseParser p(1024);
  const std::string stream =
      ev + ": keep-alive\r\nretry: 250\r\nid: 9\r\ndata:\r\n\r\nevent: x\ndata: y\n\n";
  // Byte by byte: the parser must not depend on chunking.
  for (char c : stream)
    p.feed(std::string_view(&c, 1), [&](const SseEvent& e) { got.push_back(e); });
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].id, "3-7");
  EXPECT_EQ(got[0].data, "{\"a\":1}\nsecond");
  EXPECT_TRUE(got[1].has_id);
  EXPECT_EQ(got[1].id, "9");
  EXPECT_EQ(got[1].data, "");  // a priming event
  EXPECT_EQ(got[1].retry_ms.value_or(-1), 250);
  EXPECT_FALSE(got[2].has_id);
  EXPECT_EQ(got[2].event, "x");
  SseParser small(8);
  small.feed("data: 0123456789\n", [](const SseEvent&) {});
  EXPECT_TRUE(small.failed());
}

}  // namespace
}  // namespace blastwall::proxy
