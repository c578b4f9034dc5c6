// The dashboard server over real sockets on 127.0.0.1, with real SQLite files: auth refusals
// (token, Host, Origin, CSRF, Content-Type), the approve/deny flow through the shared approval
// store, the timeline and its live stream, sessions, stats, replay and the embedded pages.
#include "ui/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "audit/audit_log.hpp"
#include "cli/engine_setup.hpp"
#include "proxy/approvals.hpp"
#include "proxy/digest.hpp"
#include "tests/unit/audit/audit_test_util.hpp"
#include "ui/token.hpp"

using namespace blastwall;
using nlohmann::json;

namespace {

using audit::testing::TempDir;

struct Reply {
  int status = 0;
  std::string head, body;
  [[nodiscard]] json j() const { return json::parse(body, nullptr, false); }
  [[nodiscard]] std::string header(const std::string& name) const {
    auto p = head.find("\r\n" + name + ": ");
    if (p == std::string::npos) return {};
    p += name.size() + 4;
    return head.substr(p, head.find("\r\n", p) - p);
  }
};

int connect_to(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One request on its own connection (Connection: close), the whole answer read back.
Reply request(uint16_t port, const std::string& method, const std::string& target,
              const std::vector<std::string>& headers = {}, const std::string& body = "",
              const std::string& host = "") {
  int fd = connect_to(port);
  if (fd < 0) return {};
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: " +
                    (host.empty() ? "127.0.0.1:" + std::to_string(port) : host) +
                    "\r\nConnection: close\r\n";
  for (const auto& h : headers) req += h + "\r\n";
  if (!body.empty() || method == "POST")
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n" + body;
  (void)::write(fd, req.data(), req.size());
  std::string all;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
  ::close(fd);
  Reply r;
  auto split = all.find("\r\n\r\n");
  r.head = all.substr(0, split);
  r.body = split == std::string::npos ? "" : all.substr(split + 4);
  if (all.size() > 12) r.status = std::atoi(all.substr(9, 3).c_str());
  return r;
}

class UiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto tok = ui::load_or_create_token(dir.file("state"));
    ASSERT_TRUE(tok) << tok.error().message;
    token = *tok;
    audit::AuditOptions ao;
    ao.path = dir.file("audit.db");
    log = std::move(audit::AuditLog::open(ao).value());
    ui::UiOptions o;
    o.port = 0;
    o.state_dir = dir.file("state");
    o.audit_db = ao.path;
    o.token = token;
    o.who = "tester";
    o.poll_ms = 50;
    o.engine_factory = [](const std::vector<std::string>& packs, const std::string& policy) {
      cli::EngineSetup s;
      s.extra_packs = packs;
      s.policy_file = policy;
      s.user_layers = false;
      return cli::build_engine(s);
    };
    auto s = ui::UiServer::start(o);
    ASSERT_TRUE(s) << s.error().message;
    server = std::move(*s);
    port = server->port();
    origin = "Origin: http://127.0.0.1:" + std::to_string(port);
  }

  // Logs in; fills cookie and csrf.
  void login() {
    auto r = request(port, "POST", "/api/login", {origin, "Content-Type: application/json"},
                     json{{"token", token}}.dump());
    ASSERT_EQ(r.status, 200) << r.body;
    auto set = r.header("Set-Cookie");
    ASSERT_NE(set.find("HttpOnly"), std::string::npos) << set;
    ASSERT_NE(set.find("SameSite=Strict"), std::string::npos) << set;
    cookie = "Cookie: " + set.substr(0, set.find(';'));
    csrf = r.j()["csrf"].get<std::string>();
  }
  Reply get(const std::string& target) {
    return request(port, "GET", target, {cookie, "X-Blastwall-CSRF: " + csrf});
  }
  Reply post(const std::string& target, const json& body = json::object()) {
    return request(port, "POST", target,
                   {cookie, "X-Blastwall-CSRF: " + csrf, origin, "Content-Type: application/json"},
                   body.dump());
  }
  audit::ActionRecord action(const std::string& cmd, Decision d, const std::string& agent,
                             const std::string& session, bool prod = false) {
    auto r = audit::testing::sample(cmd, d, audit::now_us(), agent);
    r.action.ctx.session = session;
    if (prod) r.verdict.facts.set("prod", "kube context prod-eu");
    return r;
  }
  proxy::Approval queue_call(const json& args) {
    auto store = proxy::ApprovalStore::open(dir.file("state") + "/approvals.db").value();
    const auto digest = proxy::call_digest("stub", "exec", args);
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    return store
        ->create_pending("stub", "exec", digest,
                         "Allow stub/exec?\nArguments: " + args.dump() +
                             "\nWhy blastwall asks: recursive delete\nFacts: destructive\nRule: "
                             "core.filesystem.rm-recursive — Recursive delete",
                         now, 3'600'000)
        .value();
  }

  TempDir dir;
  std::string token, cookie, csrf, origin;
  std::unique_ptr<audit::AuditLog> log;
  std::unique_ptr<ui::UiServer> server;
  uint16_t port = 0;
};

}  // namespace

TEST(UiToken, file_is_created_0600_and_reused_and_a_readable_file_is_refused) {
  TempDir dir;
  auto a = ui::load_or_create_token(dir.file("s"));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->size(), 64u);
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("s/ui-token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto b = ui::load_or_create_token(dir.file("s"));
  ASSERT_TRUE(b);
  EXPECT_EQ(*a, *b);
  ::chmod(dir.file("s/ui-token").c_str(), 0644);
  auto c = ui::load_or_create_token(dir.file("s"));
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find("readable by others"), std::string::npos);
}

TEST(UiServer, binds_only_to_loopback) {
  for (const char* host : {"0.0.0.0", "192.168.1.10", "::", "example.com"}) {
    ui::UiOptions o;
    o.host = host;
    o.port = 0;
    o.token = std::string(64, 'a');
    auto s = ui::UiServer::start(o);
    ASSERT_FALSE(s) << host;
    EXPECT_NE(s.error().message.find("loopback"), std::string::npos) << s.error().message;
  }
  EXPECT_TRUE(ui::is_loopback_address("127.0.0.1"));
  EXPECT_TRUE(ui::is_loopback_address("127.1.2.3"));
  EXPECT_TRUE(ui::is_loopback_address("::1"));
}

TEST_F(UiServerTest, wrong_or_missing_token_is_refused_with_401) {
  auto r = request(port, "POST", "/api/login", {origin, "Content-Type: application/json"},
                   json{{"token", std::string(64, '0')}}.dump());
  EXPECT_EQ(r.status, 401) << r.body;
  EXPECT_TRUE(r.header("Set-Cookie").empty());
  r = request(port, "POST", "/api/login", {origin, "Content-Type: application/json"}, "{}");
  EXPECT_EQ(r.status, 401);
  // API reads without a session.
  EXPECT_EQ(request(port, "GET", "/api/approvals").status, 401);
  EXPECT_EQ(request(port, "GET", "/api/timeline", {"Cookie: bw_session=forged"}).status, 401);
}

TEST_F(UiServerTest, login_needs_an_allowed_origin) {
  const std::string body = json{{"token", token}}.dump();
  EXPECT_EQ(request(port, "POST", "/api/login", {"Content-Type: application/json"}, body).status,
            403);
  EXPECT_EQ(request(port, "POST", "/api/login",
                    {"Origin: http://evil.example", "Content-Type: application/json"}, body)
                .status,
            403);
  // Another local port is another origin.
  EXPECT_EQ(request(port, "POST", "/api/login",
                    {"Origin: http://127.0.0.1:3000", "Content-Type: application/json"}, body)
                .status,
            403);
}

TEST_F(UiServerTest, a_foreign_host_header_is_refused_everywhere) {
  login();
  // DNS rebinding: evil.example resolving to 127.0.0.1 still sends its own name.
  for (const char* target : {"/", "/app.js", "/api/approvals"}) {
    auto r = request(port, "GET", target, {cookie, "X-Blastwall-CSRF: " + csrf}, "",
                     "evil.example:" + std::to_string(port));
    EXPECT_EQ(r.status, 403) << target;
  }
  EXPECT_EQ(get("/api/approvals").status, 200);
}

TEST_F(UiServerTest, reads_need_the_csrf_token_with_the_cookie) {
  login();
  EXPECT_EQ(request(port, "GET", "/api/approvals", {cookie}).status, 403);
  EXPECT_EQ(request(port, "GET", "/api/approvals", {cookie, "X-Blastwall-CSRF: nope"}).status, 403);
  // The CSRF token alone (without the cookie) is no session either.
  EXPECT_EQ(request(port, "GET", "/api/approvals", {"X-Blastwall-CSRF: " + csrf}).status, 401);
  EXPECT_EQ(get("/api/approvals").status, 200);
}

TEST_F(UiServerTest, mutations_need_origin_csrf_and_json) {
  login();
  auto a = queue_call({{"command", "rm -rf src"}});
  const std::string target = "/api/approvals/" + a.id + "/approve";
  EXPECT_EQ(request(port, "POST", target,
                    {cookie, "X-Blastwall-CSRF: " + csrf, "Content-Type: application/json"}, "{}")
                .status,
            403);  // no Origin
  EXPECT_EQ(request(port, "POST", target,
                    {cookie, "X-Blastwall-CSRF: " + csrf, "Origin: http://evil.example",
                     "Content-Type: application/json"},
                    "{}")
                .status,
            403);
  EXPECT_EQ(request(port, "POST", target, {cookie, origin, "Content-Type: application/json"}, "{}")
                .status,
            403);  // no CSRF token
  EXPECT_EQ(request(port, "POST", target,
                    {cookie, "X-Blastwall-CSRF: " + csrf, origin, "Content-Type: text/plain"}, "{}")
                .status,
            415);  // a form post cannot be made to look like JSON
  auto store = proxy::ApprovalStore::open(dir.file("state") + "/approvals.db").value();
  EXPECT_EQ(store->get(a.id).value()->status, "pending");
}

TEST_F(UiServerTest, approve_is_single_use_and_bound_to_the_arguments) {
  login();
  const json args = {{"command", "rm -rf src"}};
  auto a = queue_call(args);
  auto list = get("/api/approvals");
  ASSERT_EQ(list.status, 200);
  auto pending = list.j()["pending"];
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["command"], "rm -rf src");
  EXPECT_EQ(pending[0]["why"], "recursive delete");
  EXPECT_EQ(pending[0]["rules"][0], "core.filesystem.rm-recursive — Recursive delete");

  auto r = post("/api/approvals/" + a.id + "/approve");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j()["approval"]["status"], "approved");
  EXPECT_EQ(r.j()["approval"]["decided_by"], "tester via dashboard");
  // Deciding twice is refused.
  EXPECT_EQ(post("/api/approvals/" + a.id + "/deny").status, 409);
  EXPECT_EQ(post("/api/approvals/nosuchid/approve").status, 404);

  // The proxy's view: the identical call consumes it once; other arguments never do.
  auto store = proxy::ApprovalStore::open(dir.file("state") + "/approvals.db").value();
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  EXPECT_FALSE(
      store->consume_approved(proxy::call_digest("stub", "exec", {{"command", "rm -rf /"}}), now)
          .value());
  EXPECT_TRUE(store->consume_approved(proxy::call_digest("stub", "exec", args), now).value());
  EXPECT_FALSE(store->consume_approved(proxy::call_digest("stub", "exec", args), now).value());

  // Audited like `blastwall approve`, with the dashboard as the channel.
  audit::LogFilter f;
  f.agent = "human";
  std::vector<audit::AuditRow> rows;
  ASSERT_TRUE(log->query(f, [&](const audit::AuditRow& row) {
    rows.push_back(row);
    return true;
  }));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].tool, "blastwall ui");
  auto rel = log->related(rows[0].id).value();
  ASSERT_EQ(rel.size(), 1u);
  EXPECT_NE(rel[0].detail.find("dashboard"), std::string::npos) << rel[0].detail;
}

TEST_F(UiServerTest, a_second_call_of_a_tool_shows_the_argument_diff) {
  login();
  auto first = queue_call({{"command", "rm -rf build"}, {"cwd", "/p"}});
  ASSERT_EQ(post("/api/approvals/" + first.id + "/deny").status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  queue_call({{"command", "rm -rf src"}, {"cwd", "/p"}, {"force", true}});
  auto pending = get("/api/approvals").j()["pending"];
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0]["previous"]["id"], first.id);
  std::map<std::string, std::string> change;
  for (const auto& d : pending[0]["diff"]) change[d["key"]] = d["change"];
  EXPECT_EQ(change["command"], "changed");
  EXPECT_EQ(change["cwd"], "same");
  EXPECT_EQ(change["force"], "added");
}

TEST_F(UiServerTest, timeline_filters_pages_and_streams_new_rows) {
  login();
  ASSERT_TRUE(log->record(action("ls", Decision::allow, "claude", "s1")));
  ASSERT_TRUE(log->record(action("rm -rf ~", Decision::deny, "claude", "s1")));
  ASSERT_TRUE(log->record(action("kubectl delete ns x", Decision::ask, "cursor", "s2", true)));
  auto all = get("/api/timeline").j();
  ASSERT_EQ(all["rows"].size(), 3u);
  EXPECT_EQ(all["rows"][0]["summary"], "kubectl delete ns x");  // newest first
  EXPECT_EQ(all["newest_id"], all["rows"][0]["id"]);
  EXPECT_EQ(get("/api/timeline?decision=deny").j()["rows"].size(), 1u);
  EXPECT_EQ(get("/api/timeline?agent=cursor").j()["rows"][0]["agent"], "cursor");
  EXPECT_EQ(get("/api/timeline?prod=1").j()["rows"].size(), 1u);
  EXPECT_EQ(get("/api/timeline?session=s1").j()["rows"].size(), 2u);
  EXPECT_EQ(get("/api/timeline?decision=maybe").status, 400);
  auto page = get("/api/timeline?limit=2").j();
  EXPECT_TRUE(page["has_more"].get<bool>());
  auto older =
      get("/api/timeline?limit=2&before=" + std::to_string(page["rows"][1]["id"].get<int>()));
  EXPECT_EQ(older.j()["rows"].size(), 1u);

  // Live: a stream filtered to denies after the newest id sees a new deny, not the new allow.
  int fd = connect_to(port);
  ASSERT_GE(fd, 0);
  const std::string req =
      "GET /api/stream?decision=deny&after=" + std::to_string(all["newest_id"].get<int>()) +
      "&csrf=" + csrf + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n" + cookie +
      "\r\n\r\n";
  ASSERT_EQ(::write(fd, req.data(), req.size()), static_cast<ssize_t>(req.size()));
  ASSERT_TRUE(log->record(action("echo ok", Decision::allow, "claude", "s1")));
  ASSERT_TRUE(log->record(action("rm -rf /etc", Decision::deny, "claude", "s1")));
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (got.find("rm -rf /etc") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 200) > 0) {
      char buf[4096];
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      got.append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  EXPECT_NE(got.find("text/event-stream"), std::string::npos) << got;
  EXPECT_NE(got.find("event: row"), std::string::npos) << got;
  EXPECT_NE(got.find("rm -rf /etc"), std::string::npos) << got;
  EXPECT_EQ(got.find("echo ok"), std::string::npos) << got;
}

TEST_F(UiServerTest, stream_without_csrf_is_refused) {
  login();
  auto r = request(port, "GET", "/api/stream", {cookie});
  EXPECT_EQ(r.status, 403);
}

TEST_F(UiServerTest, sessions_report_and_stats) {
  login();
  ASSERT_TRUE(log->record(action("ls", Decision::allow, "claude", "s1")));
  ASSERT_TRUE(log->record(action("rm -rf ~", Decision::deny, "claude", "s1")));
  ASSERT_TRUE(log->record(action("rm -rf src", Decision::ask, "cursor", "s2")));
  auto s = get("/api/sessions").j()["sessions"];
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0]["session"], "s2");  // most recently active first
  EXPECT_EQ(s[1]["actions"], 2);
  EXPECT_EQ(s[1]["denies"], 1);
  auto rep = get("/api/session?id=s1").j();
  EXPECT_EQ(rep["total"], 2);
  EXPECT_EQ(rep["counts"]["deny"], 1);
  ASSERT_EQ(rep["blocked"].size(), 1u);
  EXPECT_EQ(rep["blocked"][0]["summary"], "rm -rf ~");
  EXPECT_EQ(rep["actions"][0]["summary"], "ls");  // in order
  EXPECT_EQ(get("/api/session?id=nope").status, 404);
  auto st = get("/api/stats?since=all").j();
  EXPECT_EQ(st["total"], 3);
  EXPECT_EQ(st["by_rule"][0]["key"], "core.filesystem.rm-recursive");
  EXPECT_EQ(st["by_rule"][0]["count"], 2);
  EXPECT_EQ(get("/api/stats?since=yesterday-ish").status, 400);
}

TEST_F(UiServerTest, replay_shows_what_a_candidate_pack_changes) {
  login();
  ASSERT_TRUE(log->record(action("echo hello", Decision::allow, "claude", "s1")));
  ASSERT_TRUE(log->record(action("ls", Decision::allow, "claude", "s1")));
  const std::string pack = dir.file("candidate.yaml");
  std::ofstream(pack) << R"(format: 1
pack:
  id: test.candidate
  version: 1.0.0
  title: Candidate
  description: Denies echo, to see it in a replay.
  maturity: experimental
  requires: {engine: ">=0.1"}
rules:
  - id: test.candidate.no-echo
    title: No echo
    applies_to: [shell.exec]
    when: {cmd: [echo]}
    decision: deny
    severity: high
    message: 'echo is not allowed'
    remediation: 'Do not echo.'
    rationale: 'A test rule.'
    tests:
      match: ['echo hi']
      no_match: ['ls']
)";
  auto r = post("/api/replay", {{"packs", {pack}}, {"since", "all"}});
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = r.j();
  EXPECT_EQ(j["total"], 2);
  EXPECT_EQ(j["changed"], 1);
  EXPECT_EQ(j["tightened"], 1);
  ASSERT_EQ(j["changes"].size(), 1u);
  EXPECT_EQ(j["changes"][0]["action"], "echo hello");
  EXPECT_EQ(j["changes"][0]["old"], "allow");
  EXPECT_EQ(j["changes"][0]["new"], "deny");
  EXPECT_EQ(post("/api/replay", {{"packs", {dir.file("missing.yaml")}}}).status, 400);
  EXPECT_EQ(post("/api/replay", {{"packs", {"relative.yaml"}}}).status, 400);
  EXPECT_EQ(post("/api/replay", json::object()).status, 400);
}

TEST_F(UiServerTest, pages_are_embedded_with_a_strict_csp) {
  auto r = request(port, "GET", "/");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.header("Content-Type").find("text/html"), std::string::npos);
  EXPECT_NE(r.body.find("<script src=\"/app.js\""), std::string::npos);
  EXPECT_NE(r.header("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_EQ(r.header("X-Frame-Options"), "DENY");
  auto js = request(port, "GET", "/app.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_NE(js.header("Content-Type").find("javascript"), std::string::npos);
  EXPECT_EQ(js.body.find("http://"), std::string::npos) << "no external URL in the page code";
  EXPECT_EQ(request(port, "GET", "/nope.html").status, 404);
  EXPECT_EQ(request(port, "GET", "/../etc/passwd").status, 404);
  EXPECT_EQ(request(port, "DELETE", "/api/approvals").status, 405);
}

TEST_F(UiServerTest, logout_ends_the_session) {
  login();
  EXPECT_EQ(post("/api/logout").status, 200);
  EXPECT_EQ(get("/api/approvals").status, 401);
}
