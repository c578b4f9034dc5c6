#include "proxy/approvals.hpp"

#include "proxy/digest.hpp"

namespace blastwall::proxy {
namespace {

constexpr const char* k_schema = R"sql(
CREATE TABLE IF NOT EXISTS approvals (
  id TEXT PRIMARY KEY,
  server TEXT NOT NULL,
  tool TEXT NOT NULL,
  digest TEXT NOT NULL,
  summary TEXT NOT NULL,
  status TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  decided_ms INTEGER NOT NULL DEFAULT 0,
  decided_by TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS approvals_digest ON approvals(digest, status);
)sql";

constexpr const char* k_columns =
    "id, server, tool, digest, summary, status, created_ms, expires_ms, decided_ms, decided_by";

Approval row(const Stmt& s) {
  Approval a;
  a.id = s.text(0);
  a.server = s.text(1);
  a.tool = s.text(2);
  a.digest = s.text(3);
  a.summary = s.text(4);
  a.status = s.text(5);
  a.created_ms = s.integer(6);
  a.expires_ms = s.integer(7);
  a.decided_ms = s.integer(8);
  a.decided_by = s.text(9);
  return a;
}

}  // namespace

Result<std::unique_ptr<ApprovalStore>> ApprovalStore::open(const std::string& path) {
  auto db = Db::open(path, k_schema);
  if (!db) return db.error();
  return std::unique_ptr<ApprovalStore>(new ApprovalStore(std::move(*db)));
}

void ApprovalStore::expire(int64_t now_ms) {
  Stmt s(*m_db,
         "UPDATE approvals SET status='expired' WHERE status IN ('pending','approved') AND "
         "expires_ms <= ?");
  s.bind(1, now_ms).step();
}

Result<Approval> ApprovalStore::create_pending(const std::string& server, const std::string& tool,
                                               const std::string& digest,
                                               const std::string& summary, int64_t now_ms,
                                               int64_t pending_ttl_ms) {
  Approval a;
  a.id = random_id();
  a.server = server;
  a.tool = tool;
  a.digest = digest;
  a.summary = summary;
  a.status = "pending";
  a.created_ms = now_ms;
  a.expires_ms = now_ms + pending_ttl_ms;
  Stmt s(*m_db,
         "INSERT INTO approvals (id, server, tool, digest, summary, status, created_ms, expires_ms)"
         " VALUES (?,?,?,?,?,?,?,?)");
  s.bind(1, a.id).bind(2, a.server).bind(3, a.tool).bind(4, a.digest).bind(5, a.summary);
  s.bind(6, a.status).bind(7, a.created_ms).bind(8, a.expires_ms);
  if (s.step() != SQLITE_DONE) return make_error("approvals: insert failed: " + m_db->error());
  return a;
}

Result<std::optional<Approval>> ApprovalStore::find_pending(const std::string& digest,
                                                            int64_t now_ms) {
  expire(now_ms);
  Stmt s(*m_db, std::string("SELECT ") + k_columns +
                    " FROM approvals WHERE digest=? AND status='pending' ORDER BY created_ms DESC "
                    "LIMIT 1");
  s.bind(1, digest);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return std::optional<Approval>(row(s));
  if (rc == SQLITE_DONE) return std::optional<Approval>();
  return make_error("approvals: query failed: " + m_db->error());
}

Result<std::optional<Approval>> ApprovalStore::consume_approved(const std::string& digest,
                                                                int64_t now_ms) {
  expire(now_ms);
  // One statement, so two proxies racing on the same approval cannot both use it.
  Stmt s(*m_db, std::string("UPDATE approvals SET status='used' WHERE id = (SELECT id FROM "
                            "approvals WHERE digest=? AND status='approved' AND expires_ms > ? "
                            "ORDER BY decided_ms LIMIT 1) RETURNING ") +
                    k_columns);
  s.bind(1, digest).bind(2, now_ms);
  const int rc = s.step();
  if (rc == SQLITE_ROW) {
    Approval a = row(s);
    while (s.step() == SQLITE_ROW) {
    }
    return std::optional<Approval>(std::move(a));
  }
  if (rc == SQLITE_DONE) return std::optional<Approval>();
  return make_error("approvals: update failed: " + m_db->error());
}

Result<std::optional<Approval>> ApprovalStore::get(const std::string& id) {
  Stmt s(*m_db, std::string("SELECT ") + k_columns + " FROM approvals WHERE id=?");
  s.bind(1, id);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return std::optional<Approval>(row(s));
  if (rc == SQLITE_DONE) return std::optional<Approval>();
  return make_error("approvals: query failed: " + m_db->error());
}

Result<std::vector<Approval>> ApprovalStore::list(bool all, int64_t now_ms, int limit) {
  expire(now_ms);
  std::string sql = std::string("SELECT ") + k_columns + " FROM approvals";
  if (!all) sql += " WHERE status='pending'";
  sql += " ORDER BY (status='pending') DESC, created_ms DESC LIMIT ?";
  Stmt s(*m_db, sql);
  s.bind(1, static_cast<int64_t>(limit));
  std::vector<Approval> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(row(s));
  if (rc != SQLITE_DONE) return make_error("approvals: query failed: " + m_db->error());
  return out;
}

Result<bool> ApprovalStore::decide(const std::string& id, bool approve, const std::string& who,
                                   int64_t now_ms, int64_t approved_ttl_ms) {
  expire(now_ms);
  Stmt s(*m_db,
         "UPDATE approvals SET status=?, decided_ms=?, decided_by=?, expires_ms=? WHERE id=? AND "
         "status='pending'");
  s.bind(1, approve ? "approved" : "denied").bind(2, now_ms).bind(3, who);
  s.bind(4, approve ? now_ms + approved_ttl_ms : now_ms).bind(5, id);
  if (s.step() != SQLITE_DONE) return make_error("approvals: update failed: " + m_db->error());
  return sqlite3_changes(m_db->handle()) == 1;
}

Result<bool> ApprovalStore::cancel(const std::string& id, int64_t now_ms) {
  Stmt s(*m_db,
         "UPDATE approvals SET status='cancelled', decided_ms=? WHERE id=? AND status='pending'");
  s.bind(1, now_ms).bind(2, id);
  if (s.step() != SQLITE_DONE) return make_error("approvals: update failed: " + m_db->error());
  return sqlite3_changes(m_db->handle()) == 1;
}

}  // namespace blastwall::proxy
