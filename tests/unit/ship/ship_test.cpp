// Audit shipping: wire formats, config, and the shipper against real loopback receivers (an OTLP
// HTTP server written against the OTLP/HTTP spec, UDP/TCP/unix syslog sockets), with the
// collector down, slow, refusing, and the log pruned or replaced underneath.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "ship/config.hpp"
#include "ship/format.hpp"
#include "ship/shipper.hpp"
#include "tests/unit/audit/audit_test_util.hpp"

using namespace blastwall;
using namespace blastwall::ship;
using audit::testing::sample;
using audit::testing::TempDir;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

namespace {

// An OTLP/HTTP logs receiver on 127.0.0.1: validates the ExportLogsServiceRequest shape, records
// every log record's event id, and answers what `behave` says (status code, delay).
class OtlpReceiver {
 public:
  struct Answer {
    int status = 200;
    int delay_ms = 0;
    std::string body = "{}";
  };
  explicit OtlpReceiver(std::function<Answer(int request_no)> behave)
      : m_behave(std::move(behave)), m_acceptor(m_io, {asio::ip::make_address("127.0.0.1"), 0}) {
    m_port = m_acceptor.local_endpoint().port();
    m_thread = std::thread([this] { run(); });
  }
  ~OtlpReceiver() {
    m_stop = true;
    beast::error_code ec;
    // Wake the accept with a throwaway connection.
    asio::io_context io;
    asio::ip::tcp::socket s(io);
    s.connect({asio::ip::make_address("127.0.0.1"), m_port}, ec);
    m_thread.join();
  }
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(m_port); }
  std::vector<int64_t> ids() {
    std::lock_guard l(m_mu);
    return m_ids;
  }
  std::vector<json> records() {
    std::lock_guard l(m_mu);
    return m_records;
  }
  int requests() const { return m_requests; }
  std::string last_auth() {
    std::lock_guard l(m_mu);
    return m_auth;
  }

 private:
  void run() {
    while (!m_stop) {
      asio::ip::tcp::socket sock(m_io);
      beast::error_code ec;
      m_acceptor.accept(sock, ec);
      if (ec || m_stop) break;
      serve(std::move(sock));
    }
  }
  void serve(asio::ip::tcp::socket sock) {
    beast::flat_buffer buf;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64 << 20);
      beast::error_code ec;
      http::read(sock, buf, parser, ec);
      if (ec) return;
      auto req = parser.release();
      int n = m_requests++;
      Answer a = m_behave(n);
      bool shape_ok = req.method() == http::verb::post && req.target() == "/v1/logs" &&
                      req[http::field::content_type] == "application/json";
      auto body = json::parse(req.body(), nullptr, false);
      if (shape_ok && a.status == 200) {
        std::lock_guard l(m_mu);
        m_auth = std::string(req[http::field::authorization]);
        for (const auto& rl : body["resourceLogs"]) {
          for (const auto& sl : rl["scopeLogs"]) {
            for (const auto& lr : sl["logRecords"]) {
              m_records.push_back(lr);
              for (const auto& at : lr["attributes"]) {
                if (at["key"] == "blastwall.event.id")
                  m_ids.push_back(std::stoll(at["value"]["intValue"].get<std::string>()));
              }
            }
          }
        }
      }
      if (a.delay_ms) std::this_thread::sleep_for(std::chrono::milliseconds(a.delay_ms));
      http::response<http::string_body> res{static_cast<http::status>(shape_ok ? a.status : 400),
                                            req.version()};
      res.set(http::field::content_type, "application/json");
      res.body() = a.body;
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      http::write(sock, res, ec);
      if (ec || !req.keep_alive()) return;
    }
  }

  std::function<Answer(int)> m_behave;
  asio::io_context m_io;
  asio::ip::tcp::acceptor m_acceptor;
  unsigned short m_port = 0;
  std::thread m_thread;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_requests{0};
  std::mutex m_mu;
  std::vector<int64_t> m_ids;
  std::vector<json> m_records;
  std::string m_auth;
};

void fill(const std::string& db, int n, int64_t ts0 = 1'700'000'000'000'000) {
  audit::AuditOptions o;
  o.path = db;
  auto log = audit::AuditLog::open(o).value();
  std::vector<audit::ActionRecord> recs;
  for (int i = 0; i < n; ++i) {
    recs.push_back(
        sample("echo " + std::to_string(i), i % 3 ? Decision::allow : Decision::deny, ts0 + i));
  }
  ASSERT_TRUE(log->record_batch(recs).has_value());
}

ShipConfig otlp_config(const std::string& url, int batch = 1000) {
  ShipConfig c;
  Destination t;
  t.name = "central";
  t.type = TargetType::otlp;
  t.endpoint = url;
  t.batch = batch;
  t.timeout_ms = 500;
  t.max_backoff_ms = 200;
  c.targets.push_back(t);
  return c;
}

ShipOptions quick(int attempts = 5) {
  ShipOptions o;
  o.max_attempts = attempts;
  o.base_backoff_ms = 10;
  o.on_message = [](const std::string& m) { std::fprintf(stderr, "ship: %s\n", m.c_str()); };
  return o;
}

std::set<int64_t> as_set(const std::vector<int64_t>& v) { return {v.begin(), v.end()}; }

}  // namespace

TEST(ShipConfig, parses_targets_and_reports_unknown_keys_with_their_line) {
  auto c = parse_ship_config(R"(format: 1
continuous: true
targets:
  - {name: central, type: otlp, endpoint: 'http://127.0.0.1:4318', headers: {Authorization: 'Bearer ${TOKEN}'}}
  - {name: local, type: syslog}
)",
                             "ship.yaml");
  ASSERT_TRUE(c.has_value()) << c.error().format();
  EXPECT_TRUE(c->continuous);
  ASSERT_EQ(c->targets.size(), 2u);
  EXPECT_EQ(c->targets[0].headers.at("Authorization"), "Bearer ${TOKEN}");
  EXPECT_EQ(c->targets[1].address, "unix:///dev/log");
  auto bad = parse_ship_config("targets:\n  - {name: a, type: otlp, endpiont: x}\n", "ship.yaml");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().line, 2);
  EXPECT_NE(bad.error().message.find("endpoint"), std::string::npos);  // did you mean
  EXPECT_FALSE(
      parse_ship_config("targets:\n  - {name: a, type: otlp, endpoint: 'https://x'}\n", "s")
          .has_value());
  EXPECT_FALSE(parse_ship_config("targets:\n  - {name: a, type: syslog, address: 'ftp://x'}\n", "s")
                   .has_value());
  EXPECT_FALSE(
      parse_ship_config("targets:\n  - {name: a, type: syslog}\n  - {name: a, type: syslog}\n", "s")
          .has_value());
}

TEST(ShipConfig, endpoints_get_default_ports_and_paths) {
  auto e = parse_endpoint("http://collector.internal", TargetType::otlp).value();
  EXPECT_EQ(e.port, "4318");
  EXPECT_EQ(e.path, "/v1/logs");
  auto s = parse_endpoint("udp://[::1]:5514", TargetType::syslog).value();
  EXPECT_EQ(s.host, "::1");
  EXPECT_EQ(s.port, "5514");
  EXPECT_EQ(parse_endpoint("unix:///dev/log", TargetType::syslog).value().path, "/dev/log");
  EXPECT_FALSE(parse_endpoint("tcp://host:port", TargetType::syslog).has_value());
}

TEST(ShipFormat, otlp_json_carries_agent_session_tool_decision_facts_rules_and_chain_hash) {
  TempDir dir;
  std::string db = dir.file("a.db");
  {
    audit::AuditOptions o;
    o.path = db;
    auto log = audit::AuditLog::open(o).value();
    auto rec =
        sample("GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 rm -rf src", Decision::deny);
    rec.verdict.facts.set("prod", "--context prod");
    ASSERT_TRUE(log->record(rec).has_value());
  }
  audit::AuditOptions o;
  o.path = db;
  o.read_only = true;
  auto log = audit::AuditLog::open(o).value();
  std::vector<audit::AuditRow> rows{log->get(1).value()};
  auto j = json::parse(otlp_logs_json(rows, {"host1", "dev", "0.1.0"}));
  const auto& lr = j["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
  EXPECT_EQ(lr["timeUnixNano"], "1700000000000000000");
  EXPECT_EQ(lr["severityNumber"], 13);
  std::map<std::string, json> attrs;
  for (const auto& a : lr["attributes"]) attrs[a["key"]] = a["value"];
  EXPECT_EQ(attrs["blastwall.agent"]["stringValue"], "claude");
  EXPECT_EQ(attrs["session.id"]["stringValue"], "s-1");
  EXPECT_EQ(attrs["blastwall.tool"]["stringValue"], "Bash");
  EXPECT_EQ(attrs["blastwall.decision"]["stringValue"], "deny");
  EXPECT_EQ(attrs["blastwall.chain.hash"]["stringValue"], rows[0].hash);
  EXPECT_EQ(attrs["blastwall.rule_ids"]["arrayValue"]["values"][0]["stringValue"],
            "core.filesystem.rm-recursive");
  EXPECT_EQ(attrs["blastwall.prod"]["boolValue"], true);
  std::set<std::string> facts;
  for (const auto& v : attrs["blastwall.facts"]["arrayValue"]["values"])
    facts.insert(v["stringValue"]);
  EXPECT_TRUE(facts.count("destructive") && facts.count("prod"));
  std::string text = j.dump();
  EXPECT_EQ(text.find("ghp_abc"), std::string::npos) << "secrets must stay redacted";
  EXPECT_NE(text.find("rm -rf src"), std::string::npos);
  auto res = j["resourceLogs"][0]["resource"]["attributes"];
  EXPECT_EQ(res[0]["key"], "service.name");
}

TEST(ShipFormat, syslog_5424_has_header_structured_data_and_escapes) {
  audit::AuditRow r;
  r.id = 7;
  r.type = "action";
  r.ts_us = 1'700'000'000'123'456;
  r.agent = "cla\"ude]";
  r.decision = "ask";
  r.kind = "shell.exec";
  r.action = R"({"kind":"shell.exec","command":"rm -rf src"})";
  r.facts = R"({"flags":{"destructive":["rm"]}})";
  r.rules = R"(["a.b.c@a.b@1.0.0"])";
  r.hash = "abc";
  Destination t;
  t.name = "s";
  t.type = TargetType::syslog;
  std::string m = syslog_5424(r, t, {"host 1", "dev", "0.1.0"});
  std::regex header(
      R"(^<109>1 2023-11-14T22:13:20\.123456Z host_1 blastwall - ask \[blastwall@32473 .*)");
  EXPECT_TRUE(std::regex_search(m, header)) << m;
  EXPECT_NE(m.find(R"(agent="cla\"ude\]")"), std::string::npos) << m;
  EXPECT_NE(m.find(R"(facts="destructive")"), std::string::npos);
  EXPECT_NE(m.find(R"(rules="a.b.c")"), std::string::npos);
  EXPECT_NE(m.find("] \xEF\xBB\xBF"
                   "ask shell.exec"),
            std::string::npos);
  // Cut on a character boundary.
  r.action = R"({"kind":"shell.exec","command":"echo )" + std::string(300, 'x') + "é\"}";
  std::string cut = syslog_5424(r, t, {"h", "", ""}, 200);
  EXPECT_LE(cut.size(), 200u);
  EXPECT_NE(static_cast<unsigned char>(cut.back()), 0xC3);
}

TEST(Shipper, ships_every_row_in_order_in_batches_and_resumes_from_the_cursor) {
  TempDir dir;
  std::string db = dir.file("a.db");
  fill(db, 2500);
  OtlpReceiver rx([](int) { return OtlpReceiver::Answer{}; });
  auto r = ship::ship(db, otlp_config(rx.url()), quick());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->shipped, 2500);
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(rx.requests(), 3);
  auto ids = rx.ids();
  ASSERT_EQ(ids.size(), 2500u);
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], static_cast<int64_t>(i + 1));
  fill(db, 10);
  r = ship::ship(db, otlp_config(rx.url()), quick());
  EXPECT_EQ(r->shipped, 10);
  EXPECT_EQ(rx.ids().size(), 2510u);
  auto st = read_status(db, otlp_config(rx.url())).value();
  EXPECT_EQ(st[0].last_id, 2510);
  EXPECT_EQ(st[0].backlog, 0);
  EXPECT_EQ(st[0].status, "ok");
}

TEST(Shipper, collector_down_loses_nothing_and_the_next_run_delivers_everything) {
  TempDir dir;
  std::string db = dir.file("a.db");
  fill(db, 300);
  // A port nobody listens on: take one and close it.
  unsigned short dead;
  {
    asio::io_context io;
    asio::ip::tcp::acceptor a(io, {asio::ip::make_address("127.0.0.1"), 0});
    dead = a.local_endpoint().port();
  }
  auto r = ship::ship(db, otlp_config("http://127.0.0.1:" + std::to_string(dead)), quick(3));
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->shipped, 0);
  auto st = read_status(db, otlp_config("http://x")).value();
  EXPECT_EQ(st[0].status, "retrying");
  EXPECT_EQ(st[0].failures, 3);
  EXPECT_EQ(st[0].backlog, 300);
  EXPECT_NE(st[0].error.find("cannot reach collector"), std::string::npos);
  OtlpReceiver rx([](int) { return OtlpReceiver::Answer{}; });
  r = ship::ship(db, otlp_config(rx.url(), 128), quick());
  EXPECT_EQ(r->shipped, 300);
  EXPECT_EQ(as_set(rx.ids()).size(), 300u);
}

TEST(Shipper, retryable_answers_are_retried_and_refusals_never_skip_rows) {
  TempDir dir;
  std::string db = dir.file("a.db");
  fill(db, 50);
  OtlpReceiver flaky([](int n) { return OtlpReceiver::Answer{n < 2 ? 503 : 200, 0, "{}"}; });
  auto r = ship::ship(db, otlp_config(flaky.url()), quick());
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->ok);
  EXPECT_EQ(flaky.ids().size(), 50u);  // 503s took nothing: no duplicates either
  EXPECT_EQ(flaky.requests(), 3);

  TempDir dir2;
  std::string db2 = dir2.file("a.db");
  fill(db2, 20);
  OtlpReceiver refusing([](int) { return OtlpReceiver::Answer{400, 0, R"({"message":"bad"})"}; });
  r = ship::ship(db2, otlp_config(refusing.url()), quick(2));
  EXPECT_FALSE(r->ok);
  auto st = read_status(db2, otlp_config(refusing.url())).value();
  EXPECT_EQ(st[0].status, "refused");
  EXPECT_EQ(st[0].last_id, 0);
  EXPECT_EQ(st[0].backlog, 20);
  EXPECT_NE(st[0].error.find("HTTP 400"), std::string::npos);
}

TEST(Shipper, a_slow_collector_times_out_and_every_row_still_arrives_at_least_once) {
  TempDir dir;
  std::string db = dir.file("a.db");
  fill(db, 40);
  OtlpReceiver slow([](int n) { return OtlpReceiver::Answer{200, n == 0 ? 900 : 0, "{}"}; });
  auto r = ship::ship(db, otlp_config(slow.url(), 10), quick());
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->ok);
  auto ids = slow.ids();
  EXPECT_EQ(as_set(ids).size(), 40u);
  EXPECT_GE(ids.size(), 40u);  // the timed-out batch may arrive twice (at least once)
}

TEST(Shipper, partial_success_rejections_are_counted_and_the_cursor_advances) {
  TempDir dir;
  std::string db = dir.file("a.db");
  fill(db, 5);
  OtlpReceiver rx([](int) {
    return OtlpReceiver::Answer{
        200, 0, R"({"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"too old"}})"};
  });
  auto r = ship::ship(db, otlp_config(rx.url()), quick());
  ASSERT_TRUE(r.has_value());
  auto st = read_status(db, otlp_config(rx.url())).value();
  EXPECT_EQ(st[0].rejected, 2);
  EXPECT_EQ(st[0].last_id, 5);
  EXPECT_NE(st[0].error.find("too old"), std::string::npos);
}

TEST(Shipper, headers_expand_the_environment_and_unknown_variables_are_errors) {
  TempDir dir;
  std::string db = dir.file("a.db");
  fill(db, 1);
  OtlpReceiver rx([](int) { return OtlpReceiver::Answer{}; });
  auto cfg = otlp_config(rx.url());
  cfg.targets[0].headers["Authorization"] = "Bearer ${BW_TEST_TOKEN}";
  ::unsetenv("BW_TEST_TOKEN");
  EXPECT_FALSE(ship::ship(db, cfg, quick()).has_value());
  ::setenv("BW_TEST_TOKEN", "s3cret", 1);
  auto r = ship::ship(db, cfg, quick());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(rx.last_auth(), "Bearer s3cret");
}

TEST(Shipper, rows_pruned_before_shipping_are_reported_as_a_gap) {
  TempDir dir;
  std::string db = dir.file("a.db");
  fill(db, 10, 1000);
  OtlpReceiver rx([](int) { return OtlpReceiver::Answer{}; });
  ASSERT_TRUE(ship::ship(db, otlp_config(rx.url()), quick()).has_value());  // 1..10
  fill(db, 10, 2000);                                                       // 11..20
  {
    audit::AuditOptions o;
    o.path = db;
    auto log = audit::AuditLog::open(o).value();
    ASSERT_TRUE(log->prune(2005, "ops", 3000).has_value());  // 1..15 gone, 11..15 unshipped
  }
  auto r = ship::ship(db, otlp_config(rx.url()), quick());
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->gaps, 5);
  auto ids = rx.ids();
  EXPECT_EQ(ids.back(), 21);  // 16..20 and the checkpoint row
  EXPECT_EQ(read_status(db, otlp_config(rx.url())).value()[0].gaps, 5);
}

TEST(Shipper, a_log_replaced_underneath_is_shipped_again_from_its_first_row) {
  TempDir dir;
  std::string db = dir.file("a.db");
  fill(db, 30);
  OtlpReceiver rx([](int) { return OtlpReceiver::Answer{}; });
  ASSERT_TRUE(ship::ship(db, otlp_config(rx.url()), quick()).has_value());
  std::filesystem::remove(db);
  std::filesystem::remove(db + "-wal");
  std::filesystem::remove(db + "-shm");
  fill(db, 8);  // a fresh log: ids 1..8 with other hashes
  std::vector<std::string> said;
  auto o = quick();
  o.on_message = [&](const std::string& m) { said.push_back(m); };
  auto r = ship::ship(db, otlp_config(rx.url()), o);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->shipped, 8);
  ASSERT_FALSE(said.empty());
  EXPECT_NE(said[0].find("replaced underneath"), std::string::npos);
}

TEST(Shipper, syslog_over_udp_tcp_and_a_unix_socket_delivers_rfc5424_messages) {
  TempDir dir;
  std::string db = dir.file("a.db");
  fill(db, 25);
  asio::io_context io;
  // UDP
  asio::ip::udp::socket udp(io, {asio::ip::make_address("127.0.0.1"), 0});
  ShipConfig cfg;
  Destination t;
  t.name = "u";
  t.type = TargetType::syslog;
  t.address = "udp://127.0.0.1:" + std::to_string(udp.local_endpoint().port());
  cfg.targets.push_back(t);
  ASSERT_TRUE(ship::ship(db, cfg, quick()).has_value());
  int got = 0;
  char buf[9000];
  udp.non_blocking(true);
  boost::system::error_code ec;
  for (int spins = 0; got < 25 && spins < 200; ++spins) {
    size_t n = udp.receive(asio::buffer(buf), 0, ec);
    if (ec) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    std::string m(buf, n);
    EXPECT_EQ(m.rfind("<1", 0), 0u) << m;
    EXPECT_TRUE(std::regex_search(m, std::regex(R"(^<1[0-9][0-9]>1 \S+ )"))) << m;
    ++got;
  }
  EXPECT_EQ(got, 25);
  // TCP with octet counting
  asio::ip::tcp::acceptor acc(io, {asio::ip::make_address("127.0.0.1"), 0});
  cfg.targets[0].name = "t";
  cfg.targets[0].address = "tcp://127.0.0.1:" + std::to_string(acc.local_endpoint().port());
  std::string received;
  std::thread reader([&] {
    asio::ip::tcp::socket s(io);
    acc.accept(s);
    boost::system::error_code e;
    char b[65536];
    for (;;) {
      size_t n = s.read_some(asio::buffer(b), e);
      if (e) break;
      received.append(b, n);
    }
  });
  ASSERT_TRUE(ship::ship(db, cfg, quick()).has_value());
  // The shipper keeps its connection until it ends; it has ended, so the reader sees EOF.
  reader.join();
  int frames = 0;
  for (size_t pos = 0; pos < received.size();) {
    size_t sp = received.find(' ', pos);
    ASSERT_NE(sp, std::string::npos);
    size_t len = std::stoul(received.substr(pos, sp - pos));
    std::string msg = received.substr(sp + 1, len);
    EXPECT_EQ(msg.rfind("<1", 0), 0u);
    pos = sp + 1 + len;
    ++frames;
  }
  EXPECT_EQ(frames, 25);
  // unix datagram socket
  std::string sock_path = dir.file("log.sock");
  int fd = ::socket(AF_UNIX, SOCK_DGRAM, 0);
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  std::snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path.c_str());
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  cfg.targets[0].name = "x";
  cfg.targets[0].address = "unix://" + sock_path;
  std::atomic<int> dgrams{0};
  std::thread local_reader([&] {
    char b[9000];
    timeval tv{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    while (dgrams < 25 && ::recv(fd, b, sizeof b, 0) > 0) ++dgrams;
  });
  ASSERT_TRUE(ship::ship(db, cfg, quick()).has_value());
  local_reader.join();
  ::close(fd);
  EXPECT_EQ(dgrams, 25);
}

TEST(Shipper, a_second_shipper_for_the_same_log_is_refused_while_one_runs) {
  TempDir dir;
  std::string db = dir.file("a.db");
  fill(db, 3);
  OtlpReceiver rx([](int) { return OtlpReceiver::Answer{}; });
  std::atomic<bool> stop{false};
  std::thread follower([&] {
    auto o = quick();
    o.follow = true;
    o.stop = &stop;
    (void)ship::ship(db, otlp_config(rx.url()), o);
  });
  for (int i = 0; i < 200 && rx.ids().size() < 3; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto second = ship::ship(db, otlp_config(rx.url()), quick());
  EXPECT_FALSE(second.has_value());
  fill(db, 2);  // the follower picks up new rows
  for (int i = 0; i < 300 && rx.ids().size() < 5; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stop = true;
  follower.join();
  EXPECT_EQ(rx.ids().size(), 5u);
}
