// The dashboard's HTTP API and page routing, independent of the socket layer (ui/server.cpp), so
// every check has one place: Host (DNS rebinding), session cookie + CSRF token, Origin and
// Content-Type on POST. docs/UI.md lists the endpoints.
//
// Thread-safety: handle(), open_stream() and poll_stream() are called from many connection
// threads at once; shared state (sessions, the approval store, the audit reader) is locked inside.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "audit/audit_log.hpp"
#include "proxy/approvals.hpp"
#include "ui/server.hpp"

namespace blastwall::ui {

struct HttpRequest {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;
  // The first header of that name (case-insensitive), or empty.
  [[nodiscard]] std::string header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct ApiConfig {
  uint16_t port = 0;
  bool v6 = false;
  std::string state_dir, audit_db, token, who;
  EngineFactory engine_factory;
  int64_t approved_ttl_ms = 600'000;
};

// One live timeline (GET /api/stream): its filter and how far it has been sent.
struct StreamState {
  audit::LogFilter filter;
  int64_t last_id = 0;
  std::string approvals_seen;  // ids+statuses of pending approvals last announced
};

struct StreamOpen {
  bool ok = false;
  HttpResponse refusal;  // when !ok
  std::unique_ptr<StreamState> state;
};

class Api {
 public:
  explicit Api(ApiConfig config);

  HttpResponse handle(const HttpRequest& req);
  [[nodiscard]] bool is_stream(const HttpRequest& req) const;
  // Checks auth and builds the stream's state; the first poll sends nothing older than now.
  StreamOpen open_stream(const HttpRequest& req);
  // New events for this stream ("event: row" per new matching action, "event: approvals" when
  // the pending set changed), possibly empty.
  std::string poll_stream(StreamState& st);

 private:
  struct Session {
    std::string csrf;
    int64_t last_ms = 0;
  };
  enum class Auth { ok, bad_host, no_session, no_csrf, bad_origin, bad_type };

  Auth check(const HttpRequest& req, bool mutation);
  HttpResponse refuse(Auth a) const;
  [[nodiscard]] bool host_allowed(const std::string& host) const;
  [[nodiscard]] bool origin_allowed(const std::string& origin) const;

  HttpResponse login(const HttpRequest& req);
  HttpResponse logout(const HttpRequest& req);
  HttpResponse approvals(const std::map<std::string, std::string>& q);
  HttpResponse decide(const std::string& id, bool approve, const HttpRequest& req);
  HttpResponse timeline(const std::map<std::string, std::string>& q);
  HttpResponse row(const std::map<std::string, std::string>& q);
  HttpResponse sessions(const std::map<std::string, std::string>& q);
  HttpResponse session_report(const std::map<std::string, std::string>& q);
  HttpResponse stats(const std::map<std::string, std::string>& q);
  HttpResponse replay(const HttpRequest& req);

  // The shared read-only audit connection, opened on first use (the file may not exist yet).
  // Null with *why set when it cannot be opened.
  audit::AuditLog* audit_reader(std::string* why);
  std::string audit_path() const;

  ApiConfig m_cfg;
  std::mutex m_sessions_mu;
  std::map<std::string, Session> m_sessions;  // session id -> CSRF token
  std::mutex m_store_mu;
  std::unique_ptr<proxy::ApprovalStore> m_store;
  std::string m_store_error;
  std::mutex m_audit_mu;
  std::unique_ptr<audit::AuditLog> m_audit;
  std::mutex m_replay_mu;  // one replay at a time: it reads the whole log
};

// Query string of a target ("/api/x?a=1&b=%20") -> {a: 1, b: " "}; the path goes to *path.
[[nodiscard]] std::map<std::string, std::string> parse_query(std::string_view target,
                                                             std::string* path);

}  // namespace blastwall::ui
