#include "ui/api.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "audit/replay.hpp"
#include "proxy/decide.hpp"
#include "proxy/sqlite_util.hpp"
#include "ui/assets.hpp"
#include "ui/token.hpp"

namespace blastwall::ui {
namespace {

using nlohmann::json;

constexpr const char* k_cookie = "bw_session";
constexpr int64_t k_session_idle_ms = 12LL * 3600 * 1000;
constexpr int k_timeline_max = 500;
constexpr int k_report_max = 2000;

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

HttpResponse json_response(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = dump(body);
  return r;
}

HttpResponse error_response(int status, const std::string& message) {
  return json_response(status, {{"error", message}});
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string cookie_value(const std::string& header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view part(header.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=')
      return std::string(part.substr(name.size() + 1));
    pos = end + 1;
  }
  return {};
}

json parse_or_text(const std::string& s) {
  auto j = json::parse(s, nullptr, false);
  return j.is_discarded() ? json(s) : j;
}

std::vector<std::string> rule_ids(const std::string& rules_json) {
  std::vector<std::string> out;
  auto j = json::parse(rules_json, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& x : j) {
    if (!x.is_string()) continue;
    const auto& s = x.get_ref<const std::string&>();
    out.push_back(s.substr(0, s.find('@')));
  }
  return out;
}

// A timeline row: what the page shows, never the whole stored row.
json compact(const audit::AuditRow& r) {
  json flags = json::array();
  bool prod = false, global = false, destructive = false;
  auto f = json::parse(r.facts, nullptr, false);
  if (f.is_object()) {
    prod = f.value("prod", false);
    global = f.value("global", false);
    destructive = f.value("destructive", false);
    if (f.contains("flags") && f["flags"].is_object()) {
      for (const auto& [name, _] : f["flags"].items()) flags.push_back(name);
    }
  }
  std::string reason;
  auto d = json::parse(r.detail, nullptr, false);
  if (d.is_object() && d.contains("reason") && d["reason"].is_string())
    reason = d["reason"].get<std::string>();
  return {{"id", r.id},
          {"ts_us", r.ts_us},
          {"ts", audit::format_time_us(r.ts_us)},
          {"agent", r.agent},
          {"surface", r.surface},
          {"session", r.session},
          {"project", r.project},
          {"tool", r.tool},
          {"kind", r.kind},
          {"decision", r.decision},
          {"source", r.source},
          {"summary", audit::summarize_action(r.action, 200)},
          {"reason", reason},
          {"rules", rule_ids(r.rules)},
          {"flags", std::move(flags)},
          {"prod", prod},
          {"global", global},
          {"destructive", destructive}};
}

json full_row(const audit::AuditRow& r) {
  json j = compact(r);
  j["cwd"] = r.cwd;
  j["action"] = parse_or_text(r.action);
  j["facts"] = parse_or_text(r.facts);
  j["detail"] = parse_or_text(r.detail);
  j["rules_full"] = parse_or_text(r.rules);
  j["eval_us"] = r.eval_us;
  j["hash"] = r.hash;
  return j;
}

json event_json(const audit::AuditRow& e) {
  auto d = parse_or_text(e.detail);
  json j = {{"id", e.id}, {"type", e.type}, {"result", e.decision}, {"ts_us", e.ts_us}};
  if (d.is_object()) {
    if (d.contains("who")) j["who"] = d["who"];
    if (d.contains("channel")) j["channel"] = d["channel"];
    if (d.contains("duration_ms")) j["duration_ms"] = d["duration_ms"];
  }
  return j;
}

// The approval summary proxy/session.cpp writes ("Allow s/t?\nArguments: {...}\nWhy blastwall
// asks: ...\nFacts: ...\nRule: ...") split back into fields for the page.
json approval_json(const proxy::Approval& a, int64_t now_ms) {
  json j = {{"id", a.id},
            {"status", a.status},
            {"server", a.server},
            {"tool", a.tool},
            {"digest", a.digest},
            {"created_ms", a.created_ms},
            {"expires_ms", a.expires_ms},
            {"expires_in_s", std::max<int64_t>(0, (a.expires_ms - now_ms) / 1000)},
            {"decided_ms", a.decided_ms},
            {"decided_by", a.decided_by},
            {"summary", a.summary}};
  json rules = json::array();
  std::string arguments, why, facts;
  size_t pos = 0;
  while (pos <= a.summary.size()) {
    size_t nl = a.summary.find('\n', pos);
    std::string line =
        a.summary.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    auto take = [&](std::string_view prefix, std::string& into) {
      if (line.rfind(prefix, 0) != 0) return false;
      into = line.substr(prefix.size());
      return true;
    };
    std::string rule;
    if (!take("Arguments: ", arguments) && !take("Why blastwall asks: ", why) &&
        !take("Facts: ", facts) && take("Rule: ", rule)) {
      rules.push_back(rule);
    }
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  j["arguments"] = arguments;
  auto args = json::parse(arguments, nullptr, false);
  j["arguments_json"] = args.is_discarded() ? json(nullptr) : args;
  j["why"] = why;
  j["facts"] = facts;
  j["rules"] = std::move(rules);
  std::string command;
  if (args.is_object()) {
    for (const char* k : {"command", "cmd", "script", "sql", "query", "path", "url"}) {
      if (args.contains(k) && args[k].is_string()) {
        command = args[k].get<std::string>();
        break;
      }
    }
  }
  j["command"] = command;
  return j;
}

// Top-level argument differences between an earlier decided call of the same tool and this one.
json arguments_diff(const json& before, const json& after) {
  json out = json::array();
  if (!before.is_object() || !after.is_object()) return out;
  for (const auto& [k, v] : after.items()) {
    if (!before.contains(k)) {
      out.push_back({{"key", k}, {"change", "added"}, {"after", v}});
    } else if (before[k] != v) {
      out.push_back({{"key", k}, {"change", "changed"}, {"before", before[k]}, {"after", v}});
    } else {
      out.push_back({{"key", k}, {"change", "same"}, {"after", v}});
    }
  }
  for (const auto& [k, v] : before.items()) {
    if (!after.contains(k)) out.push_back({{"key", k}, {"change", "removed"}, {"before", v}});
  }
  return out;
}

int query_int(const std::map<std::string, std::string>& q, const char* key, int def, int lo,
              int hi) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty()) return def;
  char* end = nullptr;
  long v = std::strtol(it->second.c_str(), &end, 10);
  if (!end || *end) return def;
  return static_cast<int>(std::clamp<long>(v, lo, hi));
}

std::string query_str(const std::map<std::string, std::string>& q, const char* key) {
  auto it = q.find(key);
  return it == q.end() ? std::string() : it->second;
}

// Timeline filters shared by /api/timeline and /api/stream. Bad values are errors, not ignored.
Result<audit::LogFilter> filter_from(const std::map<std::string, std::string>& q) {
  audit::LogFilter f;
  f.agent = query_str(q, "agent");
  f.session = query_str(q, "session");
  f.decision = query_str(q, "decision");
  if (!f.decision.empty() && f.decision != "allow" && f.decision != "ask" && f.decision != "deny")
    return make_error("decision must be allow, ask or deny");
  f.text = query_str(q, "q");
  f.rule = query_str(q, "rule");
  f.prod = query_str(q, "prod") == "1";
  f.global = query_str(q, "global") == "1";
  f.destructive = query_str(q, "destructive") == "1";
  if (auto s = query_str(q, "since"); !s.empty() && s != "all") {
    auto t = audit::parse_time_us(s, audit::now_us());
    if (!t) return t.error();
    f.since_us = *t;
  }
  return f;
}

bool path_exists(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
  const std::string want = lower(name);
  for (const auto& [k, v] : headers) {
    if (lower(k) == want) return v;
  }
  return {};
}

std::map<std::string, std::string> parse_query(std::string_view target, std::string* path) {
  std::map<std::string, std::string> out;
  const auto qm = target.find('?');
  if (path) *path = percent_decode(target.substr(0, qm));
  if (qm == std::string_view::npos) return out;
  std::string_view rest = target.substr(qm + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view kv = rest.substr(0, amp);
    auto eq = kv.find('=');
    if (!kv.empty()) {
      out[percent_decode(kv.substr(0, eq))] =
          eq == std::string_view::npos ? std::string() : percent_decode(kv.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return out;
}

Api::Api(ApiConfig config) : m_cfg(std::move(config)) {
  auto store = proxy::ApprovalStore::open(m_cfg.state_dir + "/approvals.db");
  if (store) {
    m_store = std::move(*store);
  } else {
    m_store_error = store.error().message;
  }
}

std::string Api::audit_path() const {
  return m_cfg.audit_db.empty() ? audit::default_audit_path() : m_cfg.audit_db;
}

audit::AuditLog* Api::audit_reader(std::string* why) {
  std::lock_guard lock(m_audit_mu);
  if (!m_audit) {
    audit::AuditOptions o;
    o.path = audit_path();
    o.read_only = true;
    o.on_failure = audit::OnFailure::fail_closed;
    auto log = audit::AuditLog::open(o);
    if (!log) {
      *why = "the audit log " + o.path + " cannot be read: " + log.error().message;
      return nullptr;
    }
    m_audit = std::move(*log);
  }
  return m_audit.get();
}

bool Api::host_allowed(const std::string& host) const {
  const std::string port = std::to_string(m_cfg.port);
  if (m_cfg.v6) return host == "[::1]:" + port || host == "localhost:" + port;
  return host == "127.0.0.1:" + port || host == "localhost:" + port;
}

bool Api::origin_allowed(const std::string& origin) const {
  return origin.rfind("http://", 0) == 0 && host_allowed(origin.substr(7));
}

Api::Auth Api::check(const HttpRequest& req, bool mutation) {
  if (!host_allowed(req.header("Host"))) return Auth::bad_host;
  if (mutation) {
    if (!origin_allowed(req.header("Origin"))) return Auth::bad_origin;
    const std::string type = lower(req.header("Content-Type"));
    if (type.rfind("application/json", 0) != 0) return Auth::bad_type;
  }
  const std::string sid = cookie_value(req.header("Cookie"), k_cookie);
  std::string csrf = req.header("X-Blastwall-CSRF");
  if (csrf.empty() && !mutation) {
    // EventSource cannot send headers: the stream takes the CSRF token as a query parameter.
    std::string path;
    auto q = parse_query(req.target, &path);
    if (path == "/api/stream") csrf = query_str(q, "csrf");
  }
  std::lock_guard lock(m_sessions_mu);
  const int64_t now = unix_ms();
  for (auto it = m_sessions.begin(); it != m_sessions.end();) {
    it = now - it->second.last_ms > k_session_idle_ms ? m_sessions.erase(it) : std::next(it);
  }
  auto it = sid.empty() ? m_sessions.end() : m_sessions.find(sid);
  if (it == m_sessions.end()) return Auth::no_session;
  if (!token_equal(csrf, it->second.csrf)) return Auth::no_csrf;
  it->second.last_ms = now;
  return Auth::ok;
}

HttpResponse Api::refuse(Auth a) const {
  switch (a) {
    case Auth::bad_host:
      return error_response(403,
                            "Host not allowed: the dashboard answers only to 127.0.0.1, "
                            "localhost or [::1] on its own port");
    case Auth::no_session:
      return error_response(401, "not logged in: open the URL `blastwall ui` printed");
    case Auth::no_csrf:
      return error_response(403, "missing or wrong CSRF token");
    case Auth::bad_origin:
      return error_response(403, "Origin not allowed");
    case Auth::bad_type:
      return error_response(415, "POST bodies must be application/json");
    case Auth::ok:
      break;
  }
  return error_response(500, "internal error");
}

HttpResponse Api::handle(const HttpRequest& req) {
  std::string path;
  const auto q = parse_query(req.target, &path);
  const bool get = req.method == "GET" || req.method == "HEAD";
  const bool post = req.method == "POST";
  if (!get && !post) return error_response(405, "method not allowed");

  if (path.rfind("/api/", 0) != 0) {
    // Pages: no data in them, but still only for a loopback Host (DNS rebinding).
    if (!host_allowed(req.header("Host"))) return refuse(Auth::bad_host);
    if (!get) return error_response(405, "method not allowed");
    std::string name = path == "/" ? "index.html" : path.substr(1);
    const Asset* a = name.find('/') == std::string::npos ? find_asset(name) : nullptr;
    if (!a) return error_response(404, "no such page");
    HttpResponse r;
    r.content_type = std::string(a->content_type);
    r.body = std::string(a->body);
    return r;
  }

  if (path == "/api/login") {
    if (!post) return error_response(405, "POST only");
    return login(req);
  }
  const Auth a = check(req, post);
  if (a != Auth::ok) return refuse(a);

  try {
    if (get && path == "/api/approvals") return approvals(q);
    if (get && path == "/api/timeline") return timeline(q);
    if (get && path == "/api/row") return row(q);
    if (get && path == "/api/sessions") return sessions(q);
    if (get && path == "/api/session") return session_report(q);
    if (get && path == "/api/stats") return stats(q);
    if (post && path == "/api/logout") return logout(req);
    if (post && path == "/api/replay") return replay(req);
    // /api/approvals/<id>/approve | deny
    constexpr std::string_view k_prefix = "/api/approvals/";
    if (post && path.rfind(k_prefix, 0) == 0) {
      std::string rest = path.substr(k_prefix.size());
      auto slash = rest.find('/');
      if (slash != std::string::npos) {
        const std::string id = rest.substr(0, slash), verb = rest.substr(slash + 1);
        if (verb == "approve" || verb == "deny") return decide(id, verb == "approve", req);
      }
    }
  } catch (const std::exception& e) {
    // nlohmann and the standard library throw on misuse; a request never takes the server down.
    return error_response(500, std::string("internal error: ") + e.what());
  }
  return error_response(404, "no such endpoint");
}

HttpResponse Api::login(const HttpRequest& req) {
  if (!host_allowed(req.header("Host"))) return refuse(Auth::bad_host);
  // Login CSRF: another site must not log the browser in to anything.
  if (!origin_allowed(req.header("Origin"))) return refuse(Auth::bad_origin);
  if (lower(req.header("Content-Type")).rfind("application/json", 0) != 0)
    return refuse(Auth::bad_type);
  auto body = json::parse(req.body, nullptr, false);
  std::string token;
  if (body.is_object() && body.contains("token") && body["token"].is_string())
    token = body["token"].get<std::string>();
  if (!token_equal(token, m_cfg.token)) return error_response(401, "wrong dashboard token");
  const std::string sid = random_hex(32), csrf = random_hex(32);
  {
    std::lock_guard lock(m_sessions_mu);
    m_sessions[sid] = Session{csrf, unix_ms()};
  }
  HttpResponse r = json_response(200, {{"csrf", csrf}});
  r.headers.emplace_back("Set-Cookie", std::string(k_cookie) + "=" + sid +
                                           "; Path=/api; HttpOnly; SameSite=Strict; Max-Age=43200");
  return r;
}

HttpResponse Api::logout(const HttpRequest& req) {
  const std::string sid = cookie_value(req.header("Cookie"), k_cookie);
  {
    std::lock_guard lock(m_sessions_mu);
    m_sessions.erase(sid);
  }
  HttpResponse r = json_response(200, {{"ok", true}});
  r.headers.emplace_back(
      "Set-Cookie", std::string(k_cookie) + "=; Path=/api; HttpOnly; SameSite=Strict; Max-Age=0");
  return r;
}

HttpResponse Api::approvals(const std::map<std::string, std::string>& q) {
  std::lock_guard lock(m_store_mu);
  if (!m_store) return error_response(503, "approval queue unavailable: " + m_store_error);
  const int64_t now = unix_ms();
  auto all = m_store->list(true, now, query_int(q, "history", 100, 1, 1000));
  if (!all) return error_response(500, all.error().message);
  json pending = json::array(), history = json::array();
  for (const auto& a : *all) {
    json j = approval_json(a, now);
    if (a.status == "pending") {
      // The newest earlier decision on the same server/tool, to show what changed.
      for (const auto& b : *all) {
        if (b.status == "pending" || b.server != a.server || b.tool != a.tool ||
            b.created_ms >= a.created_ms)
          continue;
        json prev = approval_json(b, now);
        j["previous"] = {{"id", b.id}, {"status", b.status}, {"arguments", prev["arguments"]}};
        j["diff"] = arguments_diff(prev["arguments_json"], j["arguments_json"]);
        break;
      }
      pending.push_back(std::move(j));
    } else {
      history.push_back(std::move(j));
    }
  }
  return json_response(200, {{"pending", std::move(pending)}, {"history", std::move(history)}});
}

HttpResponse Api::decide(const std::string& id, bool approve, const HttpRequest& req) {
  auto body = json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
  int64_t ttl_ms = m_cfg.approved_ttl_ms;
  if (body.is_object() && body.contains("ttl_s") && body["ttl_s"].is_number()) {
    const double s = body["ttl_s"].get<double>();
    if (s < 1 || s > 86400) return error_response(400, "ttl_s must be between 1 and 86400");
    ttl_ms = static_cast<int64_t>(s * 1000);
  }
  std::lock_guard lock(m_store_mu);
  if (!m_store) return error_response(503, "approval queue unavailable: " + m_store_error);
  auto got = m_store->get(id);
  if (!got) return error_response(500, got.error().message);
  if (!*got) return error_response(404, "no approval " + id);
  proxy::HumanDecision d;
  d.id = id;
  d.approve = approve;
  d.who = m_cfg.who + " via dashboard";
  d.channel = "dashboard";
  d.tool = "blastwall ui";
  d.ttl_ms = ttl_ms;
  d.audit_db = audit_path();
  auto done = proxy::decide_as_human(*m_store, d, unix_ms());
  if (!done) return error_response(409, done.error().message);
  return json_response(200, {{"approval", approval_json(*done, unix_ms())}});
}

HttpResponse Api::timeline(const std::map<std::string, std::string>& q) {
  auto f = filter_from(q);
  if (!f) return error_response(400, f.error().message);
  std::string why;
  auto* log = audit_reader(&why);
  if (!log) return json_response(200, {{"rows", json::array()}, {"newest_id", 0}, {"note", why}});
  const int limit = query_int(q, "limit", 100, 1, k_timeline_max);
  f->newest_first = true;
  f->limit = limit + 1;  // one more tells the page there is an older page
  f->before_id = query_int(q, "before", 0, 0, INT32_MAX);
  json rows = json::array();
  auto n = log->query(*f, [&](const audit::AuditRow& r) {
    if (static_cast<int>(rows.size()) < limit) rows.push_back(compact(r));
    return true;
  });
  if (!n) return error_response(500, n.error().message);
  // The newest id of the whole log (not of the filter), so the live stream starts after it.
  int64_t newest = 0;
  audit::LogFilter top;
  top.newest_first = true;
  top.limit = 1;
  (void)log->query(top, [&](const audit::AuditRow& r) {
    newest = r.id;
    return false;
  });
  return json_response(
      200, {{"rows", std::move(rows)}, {"newest_id", newest}, {"has_more", *n > limit}});
}

HttpResponse Api::row(const std::map<std::string, std::string>& q) {
  const int id = query_int(q, "id", 0, 0, INT32_MAX);
  std::string why;
  auto* log = audit_reader(&why);
  if (!log) return error_response(503, why);
  auto r = log->get(id);
  if (!r) return error_response(404, r.error().message);
  json j = full_row(*r);
  json events = json::array();
  if (auto rel = log->related(id)) {
    for (const auto& e : *rel) events.push_back(event_json(e));
  }
  j["events"] = std::move(events);
  return json_response(200, j);
}

HttpResponse Api::sessions(const std::map<std::string, std::string>& q) {
  auto f = filter_from(q);
  if (!f) return error_response(400, f.error().message);
  std::string why;
  auto* log = audit_reader(&why);
  if (!log) return json_response(200, {{"sessions", json::array()}, {"note", why}});
  auto rows = log->sessions(*f, query_int(q, "limit", 50, 1, 500));
  if (!rows) return error_response(500, rows.error().message);
  json out = json::array();
  for (const auto& s : *rows) {
    out.push_back({{"session", s.session},
                   {"agent", s.agent},
                   {"surface", s.surface},
                   {"project", s.project},
                   {"first", audit::format_time_us(s.first_us)},
                   {"last", audit::format_time_us(s.last_us)},
                   {"first_us", s.first_us},
                   {"last_us", s.last_us},
                   {"actions", s.actions},
                   {"asks", s.asks},
                   {"denies", s.denies}});
  }
  return json_response(200, {{"sessions", std::move(out)}});
}

// One session as an incident report: who, when, what was blocked or asked and what the human
// answered, which rules and facts came up, then every action in order.
HttpResponse Api::session_report(const std::map<std::string, std::string>& q) {
  audit::LogFilter f;
  f.session = query_str(q, "id");
  if (f.session.empty()) return error_response(400, "name a session: /api/session?id=...");
  std::string why;
  auto* log = audit_reader(&why);
  if (!log) return error_response(503, why);
  auto total = log->count(f);
  if (!total) return error_response(500, total.error().message);
  if (*total == 0) return error_response(404, "no actions in session " + f.session);
  f.limit = k_report_max;
  std::vector<audit::AuditRow> rows;
  auto n = log->query(f, [&](const audit::AuditRow& r) {
    rows.push_back(r);
    return true;
  });
  if (!n) return error_response(500, n.error().message);
  std::map<std::string, int64_t> counts{{"allow", 0}, {"ask", 0}, {"deny", 0}}, rules, flags;
  json timeline = json::array(), blocked = json::array(), asked = json::array();
  std::string agent, project, cwd, surface;
  for (const auto& r : rows) {
    ++counts[r.decision];
    json c = compact(r);
    for (const auto& id : c["rules"]) ++rules[id.get<std::string>()];
    for (const auto& fl : c["flags"]) ++flags[fl.get<std::string>()];
    if (agent.empty()) agent = r.agent;
    if (project.empty()) project = r.project;
    if (cwd.empty()) cwd = r.cwd;
    if (surface.empty()) surface = r.surface;
    json events = json::array();
    if (r.decision != "allow" || r.surface == "mcp") {
      if (auto rel = log->related(r.id)) {
        for (const auto& e : *rel) events.push_back(event_json(e));
      }
    }
    c["events"] = events;
    if (r.decision == "deny") blocked.push_back(c);
    if (r.decision == "ask") asked.push_back(c);
    timeline.push_back(std::move(c));
  }
  json top_rules = json::array();
  for (const auto& [id, k] : rules) top_rules.push_back({{"rule", id}, {"count", k}});
  json top_flags = json::array();
  for (const auto& [id, k] : flags) top_flags.push_back({{"fact", id}, {"count", k}});
  return json_response(200, {{"session", f.session},
                             {"agent", agent},
                             {"surface", surface},
                             {"project", project},
                             {"cwd", cwd},
                             {"first", audit::format_time_us(rows.front().ts_us)},
                             {"last", audit::format_time_us(rows.back().ts_us)},
                             {"duration_s", (rows.back().ts_us - rows.front().ts_us) / 1000000},
                             {"total", *total},
                             {"listed", rows.size()},
                             {"counts", counts},
                             {"rules", std::move(top_rules)},
                             {"facts", std::move(top_flags)},
                             {"blocked", std::move(blocked)},
                             {"asked", std::move(asked)},
                             {"actions", std::move(timeline)}});
}

HttpResponse Api::stats(const std::map<std::string, std::string>& q) {
  auto qq = q;
  if (!qq.count("since")) qq["since"] = "7d";
  auto f = filter_from(qq);
  if (!f) return error_response(400, f.error().message);
  std::string why;
  auto* log = audit_reader(&why);
  if (!log) return json_response(200, {{"total", 0}, {"note", why}});
  auto pairs = [](const std::vector<std::pair<std::string, int64_t>>& v) {
    json a = json::array();
    for (const auto& [k, n] : v) a.push_back({{"key", k}, {"count", n}});
    return a;
  };
  json out = {{"since", qq["since"]}};
  int64_t total = 0;
  for (auto [name, by, limit] : {std::tuple{"by_decision", audit::GroupBy::decision, 10},
                                 std::tuple{"by_agent", audit::GroupBy::agent, 20},
                                 std::tuple{"by_rule", audit::GroupBy::rule, 20},
                                 std::tuple{"by_day", audit::GroupBy::day, 31}}) {
    auto g = log->group_count(*f, by, limit);
    if (!g) return error_response(500, g.error().message);
    if (by == audit::GroupBy::decision) {
      for (const auto& [k, n] : *g) total += n;
    }
    out[name] = pairs(*g);
  }
  out["total"] = total;
  {
    std::lock_guard lock(m_store_mu);
    if (m_store) {
      if (auto p = m_store->list(false, unix_ms(), 1000)) out["pending_approvals"] = p->size();
    }
  }
  return json_response(200, out);
}

HttpResponse Api::replay(const HttpRequest& req) {
  if (!m_cfg.engine_factory) return error_response(501, "replay is not available here");
  auto body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) return error_response(400, "body must be a JSON object");
  std::vector<std::string> packs;
  if (body.contains("packs") && body["packs"].is_array()) {
    for (const auto& p : body["packs"]) {
      if (p.is_string() && !p.get<std::string>().empty()) packs.push_back(p.get<std::string>());
    }
  }
  const std::string policy = body.value("policy", std::string());
  if (packs.empty() && policy.empty())
    return error_response(400, "name a candidate pack file or directory (or a policy file)");
  for (const auto& p : packs) {
    if (p.empty() || p[0] != '/') return error_response(400, "give an absolute path: " + p);
    if (!path_exists(p)) return error_response(400, "no such file or directory: " + p);
  }
  if (!policy.empty() && !path_exists(policy))
    return error_response(400, "no such policy file: " + policy);
  std::map<std::string, std::string> q;
  for (const char* k : {"since", "agent", "session", "decision"}) {
    if (body.contains(k) && body[k].is_string()) q[k] = body[k].get<std::string>();
  }
  auto f = filter_from(q);
  if (!f) return error_response(400, f.error().message);
  std::unique_lock busy(m_replay_mu, std::try_to_lock);
  if (!busy.owns_lock()) return error_response(409, "a replay is already running");
  auto engine = m_cfg.engine_factory(packs, policy);
  if (!engine)
    return error_response(400, "cannot load the candidate rules: " + engine.error().format());
  // Its own connection: a replay streams the whole log and must not hold the timeline's.
  audit::AuditOptions o;
  o.path = audit_path();
  o.read_only = true;
  o.on_failure = audit::OnFailure::fail_closed;
  auto log = audit::AuditLog::open(o);
  if (!log) return error_response(503, "the audit log cannot be read: " + log.error().message);
  audit::ReplayOptions ro;
  ro.filter = *f;
  ro.max_listed_changes = static_cast<size_t>(body.value("limit", 200));
  auto rep = audit::replay(**log, **engine, ro);
  if (!rep) return error_response(500, rep.error().message);
  return json_response(200, audit::to_json(*rep));
}

bool Api::is_stream(const HttpRequest& req) const {
  std::string path;
  (void)parse_query(req.target, &path);
  return path == "/api/stream";
}

StreamOpen Api::open_stream(const HttpRequest& req) {
  StreamOpen out;
  const Auth a = check(req, false);
  if (a != Auth::ok) {
    out.refusal = refuse(a);
    return out;
  }
  std::string path;
  auto q = parse_query(req.target, &path);
  auto f = filter_from(q);
  if (!f) {
    out.refusal = error_response(400, f.error().message);
    return out;
  }
  out.state = std::make_unique<StreamState>();
  out.state->filter = *f;
  out.state->last_id = query_int(q, "after", 0, 0, INT32_MAX);
  out.ok = true;
  return out;
}

std::string Api::poll_stream(StreamState& st) {
  std::string out;
  std::string why;
  if (auto* log = audit_reader(&why)) {
    // The newest id first, then the matching rows up to it: rows the filter skips still move the
    // cursor (no rescans), and a row written between the two queries waits for the next poll.
    int64_t newest = st.last_id;
    audit::LogFilter top;
    top.newest_first = true;
    top.limit = 1;
    top.after_id = st.last_id;
    (void)log->query(top, [&](const audit::AuditRow& r) {
      newest = r.id;
      return false;
    });
    if (newest > st.last_id) {
      constexpr int k_batch = 200;
      audit::LogFilter f = st.filter;
      f.after_id = st.last_id;
      f.before_id = newest + 1;
      f.limit = k_batch;
      int sent = 0;
      (void)log->query(f, [&](const audit::AuditRow& r) {
        st.last_id = r.id;
        ++sent;
        out += "event: row\ndata: " + dump(compact(r)) + "\n\n";
        return true;
      });
      if (sent < k_batch) st.last_id = newest;
    }
  }
  std::string seen;
  {
    std::lock_guard lock(m_store_mu);
    if (m_store) {
      if (auto p = m_store->list(false, unix_ms(), 1000)) {
        for (const auto& a : *p) seen += a.id + ":" + a.status + ",";
      }
    }
  }
  if (seen != st.approvals_seen) {
    st.approvals_seen = seen;
    out += "event: approvals\ndata: {}\n\n";
  }
  return out;
}

}  // namespace blastwall::ui
