#include "proxy/pins.hpp"

namespace blastwall::proxy {
namespace {
constexpr const char* k_schema = R"sql(
CREATE TABLE IF NOT EXISTS pins (
  server TEXT NOT NULL,
  tool TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  changed_to TEXT NOT NULL DEFAULT '',
  first_seen_ms INTEGER NOT NULL,
  accepted_ms INTEGER NOT NULL,
  changed_ms INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (server, tool)
);
)sql";
}  // namespace

Result<std::unique_ptr<PinStore>> PinStore::open(const std::string& path) {
  auto db = Db::open(path, k_schema);
  if (!db) return db.error();
  return std::unique_ptr<PinStore>(new PinStore(std::move(*db)));
}

Result<PinStatus> PinStore::check(const std::string& server, const std::string& tool,
                                  const std::string& sha256, int64_t now_ms) {
  {
    Stmt s(*m_db, "SELECT sha256 FROM pins WHERE server=? AND tool=?");
    s.bind(1, server).bind(2, tool);
    const int rc = s.step();
    if (rc == SQLITE_ROW) {
      if (s.text(0) == sha256) return PinStatus::unchanged;
    } else if (rc == SQLITE_DONE) {
      Stmt ins(*m_db,
               "INSERT INTO pins (server, tool, sha256, first_seen_ms, accepted_ms) VALUES "
               "(?,?,?,?,?)");
      ins.bind(1, server).bind(2, tool).bind(3, sha256).bind(4, now_ms).bind(5, now_ms);
      if (ins.step() != SQLITE_DONE) return make_error("pins: insert failed: " + m_db->error());
      return PinStatus::first_seen;
    } else {
      return make_error("pins: query failed: " + m_db->error());
    }
  }
  Stmt up(*m_db, "UPDATE pins SET changed_to=?, changed_ms=? WHERE server=? AND tool=?");
  up.bind(1, sha256).bind(2, now_ms).bind(3, server).bind(4, tool);
  if (up.step() != SQLITE_DONE) return make_error("pins: update failed: " + m_db->error());
  return PinStatus::changed;
}

Result<bool> PinStore::is_accepted(const std::string& server, const std::string& tool,
                                   const std::string& sha256) {
  Stmt s(*m_db, "SELECT 1 FROM pins WHERE server=? AND tool=? AND sha256=?");
  s.bind(1, server).bind(2, tool).bind(3, sha256);
  const int rc = s.step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return make_error("pins: query failed: " + m_db->error());
}

Result<std::vector<PinRow>> PinStore::list(const std::string& server) {
  std::string sql =
      "SELECT server, tool, sha256, changed_to, first_seen_ms, accepted_ms, changed_ms FROM pins";
  if (!server.empty()) sql += " WHERE server=?";
  sql += " ORDER BY (changed_to != '') DESC, server, tool";
  Stmt s(*m_db, sql);
  if (!server.empty()) s.bind(1, server);
  std::vector<PinRow> out;
  int rc = 0;
  while ((rc = s.step()) == SQLITE_ROW) {
    PinRow r;
    r.server = s.text(0);
    r.tool = s.text(1);
    r.sha256 = s.text(2);
    r.changed_to = s.text(3);
    r.first_seen_ms = s.integer(4);
    r.accepted_ms = s.integer(5);
    r.changed_ms = s.integer(6);
    out.push_back(std::move(r));
  }
  if (rc != SQLITE_DONE) return make_error("pins: query failed: " + m_db->error());
  return out;
}

Result<int> PinStore::accept(const std::string& server, const std::string& tool, int64_t now_ms) {
  std::string sql =
      "UPDATE pins SET sha256=changed_to, changed_to='', accepted_ms=? WHERE server=? AND "
      "changed_to != ''";
  if (!tool.empty()) sql += " AND tool=?";
  Stmt s(*m_db, sql);
  s.bind(1, now_ms).bind(2, server);
  if (!tool.empty()) s.bind(3, tool);
  if (s.step() != SQLITE_DONE) return make_error("pins: update failed: " + m_db->error());
  return sqlite3_changes(m_db->handle());
}

}  // namespace blastwall::proxy
