#include "audit/audit_log.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <istream>
#include <map>
#include <sstream>
#include <variant>

#include "audit/redact.hpp"
#include "audit/schema.hpp"

namespace blastwall::audit {
namespace {

constexpr const char* k_zero_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";
constexpr const char* k_columns =
    "id,type,ref_id,ts_us,agent,surface,session,cwd,project,tool,kind,action,facts,decision,source,"
    "rules,eval_us,detail,origin,prev_hash,hash";

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string hex(const unsigned char* p, size_t n) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string s(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    s[2 * i] = k_digits[p[i] >> 4];
    s[2 * i + 1] = k_digits[p[i] & 15];
  }
  return s;
}

std::string sha256_hex(std::string_view data) {
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return hex(out, sizeof out);
}

std::string random_uid() {
  static const bool k_init = sodium_init() >= 0;
  (void)k_init;
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  return hex(b, sizeof b);
}

std::string sqlite_error(sqlite3* db, const std::string& what) {
  if (db == nullptr) return what;
  return what + ": " + sqlite3_errmsg(db) + " (sqlite code " +
         std::to_string(sqlite3_extended_errcode(db)) + ")";
}

// RAII prepared statement.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : m_db(db) {
    m_rc = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &m_stmt, nullptr);
  }
  // Borrows a statement from AuditLog's cache: reset, not finalized, when done.
  explicit Stmt(sqlite3_stmt* cached)
      : m_db(nullptr), m_stmt(cached), m_rc(cached ? SQLITE_OK : SQLITE_ERROR), m_borrowed(true) {}
  ~Stmt() {
    if (!m_borrowed) {
      sqlite3_finalize(m_stmt);
    } else if (m_stmt) {
      sqlite3_reset(m_stmt);
      sqlite3_clear_bindings(m_stmt);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  [[nodiscard]] bool ok() const { return m_rc == SQLITE_OK && m_stmt != nullptr; }
  sqlite3_stmt* get() { return m_stmt; }
  void bind(int i, const std::string& s) {
    sqlite3_bind_text(m_stmt, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  void bind(int i, int64_t v) { sqlite3_bind_int64(m_stmt, i, v); }
  int step() { return sqlite3_step(m_stmt); }
  void reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
  }
  std::string text(int i) {
    auto* p = sqlite3_column_text(m_stmt, i);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(m_stmt, i)))
             : std::string();
  }
  int64_t i64(int i) { return sqlite3_column_int64(m_stmt, i); }

 private:
  sqlite3* m_db;
  sqlite3_stmt* m_stmt = nullptr;
  int m_rc = SQLITE_ERROR;
  bool m_borrowed = false;
};

AuditRow read_row(Stmt& s) {
  AuditRow r;
  r.id = s.i64(0);
  r.type = s.text(1);
  r.ref_id = s.i64(2);
  r.ts_us = s.i64(3);
  r.agent = s.text(4);
  r.surface = s.text(5);
  r.session = s.text(6);
  r.cwd = s.text(7);
  r.project = s.text(8);
  r.tool = s.text(9);
  r.kind = s.text(10);
  r.action = s.text(11);
  r.facts = s.text(12);
  r.decision = s.text(13);
  r.source = s.text(14);
  r.rules = s.text(15);
  r.eval_us = s.i64(16);
  r.detail = s.text(17);
  r.origin = s.text(18);
  r.prev_hash = s.text(19);
  r.hash = s.text(20);
  return r;
}

bool exec(sqlite3* db, const char* sql, std::string* err) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    if (err) {
      *err = std::string(msg ? msg : sqlite3_errstr(rc)) + " (sqlite code " +
             std::to_string(sqlite3_extended_errcode(db)) + ")";
    }
    sqlite3_free(msg);
    return false;
  }
  return true;
}

// Row <-> JSON, used by the spool, export and import.
nlohmann::json row_to_json(const AuditRow& r, bool with_chain) {
  nlohmann::json j = {{"type", r.type},         {"ref_id", r.ref_id},   {"ts_us", r.ts_us},
                      {"agent", r.agent},       {"surface", r.surface}, {"session", r.session},
                      {"cwd", r.cwd},           {"project", r.project}, {"tool", r.tool},
                      {"kind", r.kind},         {"action", r.action},   {"facts", r.facts},
                      {"decision", r.decision}, {"source", r.source},   {"rules", r.rules},
                      {"eval_us", r.eval_us},   {"detail", r.detail},   {"origin", r.origin}};
  if (with_chain) {
    j["id"] = r.id;
    j["prev_hash"] = r.prev_hash;
    j["hash"] = r.hash;
  }
  return j;
}

Result<AuditRow> row_from_json(const nlohmann::json& j) {
  if (!j.is_object()) return make_error("row is not a JSON object");
  AuditRow r;
  try {
    auto s = [&](const char* k, std::string& out) {
      if (auto it = j.find(k); it != j.end() && it->is_string()) out = it->get<std::string>();
    };
    auto n = [&](const char* k, int64_t& out) {
      if (auto it = j.find(k); it != j.end() && it->is_number_integer()) out = it->get<int64_t>();
    };
    n("id", r.id);
    s("type", r.type);
    n("ref_id", r.ref_id);
    n("ts_us", r.ts_us);
    s("agent", r.agent);
    s("surface", r.surface);
    s("session", r.session);
    s("cwd", r.cwd);
    s("project", r.project);
    s("tool", r.tool);
    s("kind", r.kind);
    s("action", r.action);
    s("facts", r.facts);
    s("decision", r.decision);
    s("source", r.source);
    s("rules", r.rules);
    n("eval_us", r.eval_us);
    s("detail", r.detail);
    s("origin", r.origin);
    s("prev_hash", r.prev_hash);
    s("hash", r.hash);
  } catch (const std::exception& e) {
    return make_error(std::string("bad row: ") + e.what());
  }
  if (r.type.empty()) return make_error("row has no 'type'");
  return r;
}

void mkdirs_for(const std::string& file) {
  std::error_code ec;
  auto parent = std::filesystem::path(file).parent_path();
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    if (!ec) ::chmod(parent.c_str(), 0700);
  }
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

nlohmann::json export_row_json(const AuditRow& row) { return row_to_json(row, true); }

std::string default_audit_path() {
  if (const char* xdg = std::getenv("XDG_STATE_HOME"); xdg && xdg[0] == '/') {
    return std::string(xdg) + "/blastwall/audit.db";
  }
  std::string home;
  if (const char* h = std::getenv("HOME"); h && h[0]) {
    home = h;
  } else if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) {
    home = pw->pw_dir;
  } else {
    home = "/tmp";
  }
  return home + "/.local/state/blastwall/audit.db";
}

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

AuditRow make_action_row(const ActionRecord& rec) {
  const Action& a = rec.action;
  const Verdict& v = rec.verdict;
  AuditRow r;
  r.type = "action";
  r.ts_us = rec.ts_us;
  r.agent = a.ctx.agent;
  r.surface = a.ctx.surface;
  r.session = a.ctx.session;
  r.cwd = redact_text(a.ctx.cwd);
  r.project = redact_text(a.ctx.project_root);
  r.tool = a.ctx.tool;
  r.kind = std::string(to_string(a.kind));
  r.action = dump(redact_json(to_json(a)));
  r.facts = dump(redact_json(to_json(v.facts)));
  r.decision = std::string(to_string(v.decision));
  r.source = rec.decision_source.empty() ? v.source : rec.decision_source;
  if (r.source.empty()) r.source = "default";
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& m : v.matches) {
    std::string id = m.rule_id + "@" + m.pack_id + "@" + m.pack_version;
    if (std::find(rules.begin(), rules.end(), id) == rules.end()) rules.push_back(id);
  }
  r.rules = dump(rules);
  r.eval_us = static_cast<int64_t>(rec.latency_us ? rec.latency_us : v.eval_us);
  nlohmann::json detail = to_json(v);
  detail.erase("facts");
  detail.erase("decision");
  detail.erase("source");
  detail.erase("eval_us");
  r.detail = dump(redact_json(detail));
  return r;
}

std::string AuditLog::canonical_form(const AuditRow& r) {
  // Sorted keys (nlohmann's default object is a std::map), no whitespace, invalid UTF-8 replaced.
  auto j = row_to_json(r, false);
  j["id"] = r.id;
  return dump(j);
}

std::string AuditLog::chain_hash(const std::string& prev_hash, const AuditRow& row) {
  return sha256_hex(prev_hash + canonical_form(row));
}

AuditLog::AuditLog(AuditOptions options) : m_opts(std::move(options)) {
  if (m_opts.path.empty()) m_opts.path = default_audit_path();
  if (m_opts.spool_path.empty()) m_opts.spool_path = m_opts.path + ".spool.jsonl";
}

AuditLog::~AuditLog() { close_db(); }

void AuditLog::close_db() {
  for (auto& [sql, stmt] : m_stmts) sqlite3_finalize(stmt);
  m_stmts.clear();
  if (m_db) sqlite3_close_v2(m_db);
  m_db = nullptr;
}

Result<bool> AuditLog::checkpoint(bool only_if_due) {
  std::lock_guard lock(m_mu);
  // ~6 WAL pages per row: 150 rows keep the WAL under SQLite's default 1000-page trigger.
  constexpr int64_t k_due_after_commits = 150;
  if (!m_db || m_opts.read_only || m_commits_since_checkpoint == 0) return false;
  if (only_if_due && m_commits_since_checkpoint < k_due_after_commits) return false;
  int rc = sqlite3_wal_checkpoint_v2(m_db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    return make_error(sqlite_error(m_db, "audit checkpoint failed"));
  }
  m_commits_since_checkpoint = 0;
  return true;
}

sqlite3_stmt* AuditLog::idle_read_statement(const std::string& sql) const {
  constexpr size_t k_max_cached = 64;
  auto it = m_stmts.find(sql);
  if (it == m_stmts.end()) return m_stmts.size() < k_max_cached ? prepared(sql) : nullptr;
  return sqlite3_stmt_busy(it->second) ? nullptr : it->second;
}

sqlite3_stmt* AuditLog::prepared(const std::string& sql) const {
  if (auto it = m_stmts.find(sql); it != m_stmts.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(m_db, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return nullptr;
  }
  m_stmts.emplace(sql, stmt);
  return stmt;
}

bool AuditLog::run_prepared(const std::string& sql, std::string* err) {
  Stmt s(prepared(sql));
  int rc = s.ok() ? s.step() : sqlite3_errcode(m_db);
  if (rc == SQLITE_DONE) return true;
  if (err) {
    *err = std::string(sqlite3_errmsg(m_db)) + " (sqlite code " +
           std::to_string(sqlite3_extended_errcode(m_db)) + ")";
  }
  return false;
}

Result<std::unique_ptr<AuditLog>> AuditLog::open(AuditOptions options) {
  std::unique_ptr<AuditLog> log(new AuditLog(std::move(options)));
  std::lock_guard lock(log->m_mu);
  auto r = log->open_db();
  if (!r) {
    if (log->m_opts.read_only || log->m_opts.on_failure == OnFailure::fail_closed) {
      return r.error();
    }
    log->m_warning =
        "audit: " + r.error().message + "; events will be spooled to " + log->m_opts.spool_path;
    return log;
  }
  if (!log->m_opts.read_only) {
    struct stat st {};
    if (::stat(log->m_opts.spool_path.c_str(), &st) == 0 && st.st_size > 0) {
      // An empty write imports the spool (and reports if it cannot).
      auto w = log->write_rows({}, {});
      if (!w) return w.error();
    }
  }
  return log;
}

Result<bool> AuditLog::open_db() {
  close_db();
  int flags =
      m_opts.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!m_opts.read_only) mkdirs_for(m_opts.path);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(m_opts.path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = sqlite_error(db, "cannot open audit database " + m_opts.path);
    sqlite3_close_v2(db);
    return make_error(msg);
  }
  m_db = db;
  sqlite3_busy_timeout(m_db, m_opts.busy_timeout_ms);
  if (m_opts.manual_checkpoint) sqlite3_wal_autocheckpoint(m_db, 0);

  std::string err;
  if (!m_opts.read_only) {
    ::chmod(m_opts.path.c_str(), 0600);
    if (!exec(m_db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", &err)) {
      close_db();
      return make_error("audit database " + m_opts.path + " is unusable: " + err);
    }
  }
  if (m_opts.max_page_count > 0) {
    std::string sql = "PRAGMA max_page_count=" + std::to_string(m_opts.max_page_count) + ";";
    exec(m_db, sql.c_str(), nullptr);
  }
  auto s = ensure_schema();
  if (!s) {
    close_db();
    return s.error();
  }
  return true;
}

Result<bool> AuditLog::ensure_schema() {
  auto version = [&]() -> int {
    Stmt s(m_db, "PRAGMA user_version");
    if (!s.ok() || s.step() != SQLITE_ROW) return -1;
    return static_cast<int>(s.i64(0));
  };
  int v = version();
  if (v < 0)
    return make_error(sqlite_error(m_db, "audit database " + m_opts.path + " is unreadable"));
  if (v == k_schema_version) return true;
  if (v > k_schema_version) {
    return make_error("audit database " + m_opts.path + " has schema version " + std::to_string(v) +
                      ", newer than this blastwall understands (" +
                      std::to_string(k_schema_version) + "); upgrade blastwall");
  }
  if (m_opts.read_only) {
    if (v == 0) return make_error("no audit log at " + m_opts.path);
    return true;  // older schemas are readable; migration needs a writer
  }
  std::string err;
  if (!run_prepared("BEGIN IMMEDIATE", &err)) {
    return make_error("cannot migrate audit database " + m_opts.path + ": " + err);
  }
  v = version();  // another process may have migrated meanwhile
  for (int next = v + 1; v >= 0 && next <= k_schema_version; ++next) {
    std::string sql(migration_sql(next));
    sql += "PRAGMA user_version=" + std::to_string(next) + ";";
    if (!exec(m_db, sql.c_str(), &err)) {
      exec(m_db, "ROLLBACK", nullptr);
      return make_error("audit schema migration to version " + std::to_string(next) +
                        " failed: " + err);
    }
  }
  if (!exec(m_db, "COMMIT", &err)) {
    exec(m_db, "ROLLBACK", nullptr);
    return make_error("audit schema migration failed: " + err);
  }
  return true;
}

Result<bool> AuditLog::insert_locked(std::vector<AuditRow>& rows,
                                     const std::vector<std::string>& ref_uids,
                                     std::map<int64_t, int64_t>* id_map,
                                     const std::vector<int64_t>* batch_refs) {
  int64_t last_id = 0;
  std::string prev = k_zero_hash;
  {
    Stmt s(prepared("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1"));
    if (!s.ok()) return make_error(sqlite_error(m_db, "audit read failed"));
    int rc = s.step();
    if (rc == SQLITE_ROW) {
      last_id = s.i64(0);
      prev = s.text(1);
    } else if (rc != SQLITE_DONE) {
      return make_error(sqlite_error(m_db, "audit read failed"));
    }
    // The head in meta survives deletion of the tail, so a later writer keeps the gap visible.
    Stmt h(prepared("SELECT value FROM meta WHERE key='head'"));
    if (h.ok() && h.step() == SQLITE_ROW) {
      std::string head = h.text(0);
      auto colon = head.find(':');
      if (colon != std::string::npos) {
        int64_t head_id = std::atoll(head.substr(0, colon).c_str());
        if (head_id > last_id) {
          last_id = head_id;
          prev = head.substr(colon + 1);
        }
      }
    }
  }
  static const std::string k_insert = std::string("INSERT INTO events(") + k_columns +
                                      ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
  Stmt ins(prepared(k_insert));
  if (!ins.ok()) return make_error(sqlite_error(m_db, "audit insert failed"));
  Stmt find(prepared("SELECT id FROM events WHERE origin = ?"));
  for (size_t i = 0; i < rows.size(); ++i) {
    AuditRow& r = rows[i];
    if (i < ref_uids.size() && !ref_uids[i].empty() && find.ok()) {
      find.bind(1, "spool:" + ref_uids[i]);
      if (find.step() == SQLITE_ROW) r.ref_id = find.i64(0);
      find.reset();
    }
    if (id_map) {
      if (r.ref_id != 0) {
        auto it = id_map->find(r.ref_id);
        r.ref_id = it == id_map->end() ? 0 : it->second;
      }
      (*id_map)[r.id] = last_id + 1;
    }
    if (batch_refs && i < batch_refs->size() && (*batch_refs)[i] >= 0) {
      r.ref_id = rows[static_cast<size_t>((*batch_refs)[i])].id;  // an earlier row: id known
    }
    r.id = ++last_id;
    r.prev_hash = prev;
    r.hash = chain_hash(prev, r);
    prev = r.hash;
    ins.bind(1, r.id);
    ins.bind(2, r.type);
    ins.bind(3, r.ref_id);
    ins.bind(4, r.ts_us);
    ins.bind(5, r.agent);
    ins.bind(6, r.surface);
    ins.bind(7, r.session);
    ins.bind(8, r.cwd);
    ins.bind(9, r.project);
    ins.bind(10, r.tool);
    ins.bind(11, r.kind);
    ins.bind(12, r.action);
    ins.bind(13, r.facts);
    ins.bind(14, r.decision);
    ins.bind(15, r.source);
    ins.bind(16, r.rules);
    ins.bind(17, r.eval_us);
    ins.bind(18, r.detail);
    ins.bind(19, r.origin);
    ins.bind(20, r.prev_hash);
    ins.bind(21, r.hash);
    if (ins.step() != SQLITE_DONE) return make_error(sqlite_error(m_db, "audit insert failed"));
    ins.reset();
  }
  if (!rows.empty()) {
    Stmt h(
        prepared("INSERT INTO meta(key, value) VALUES('head', ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value"));
    if (!h.ok()) return make_error(sqlite_error(m_db, "audit head update failed"));
    h.bind(1, std::to_string(last_id) + ":" + prev);
    if (h.step() != SQLITE_DONE) return make_error(sqlite_error(m_db, "audit head update failed"));
  }
  return true;
}

namespace {
// The spool file, locked (flock) for the lifetime of the object.
struct SpoolLock {
  int fd = -1;
  ~SpoolLock() {
    if (fd >= 0) ::close(fd);  // closing releases the flock
  }
};
}  // namespace

Result<std::vector<int64_t>> AuditLog::write_rows(std::vector<AuditRow> rows,
                                                  std::vector<std::string> ref_uids,
                                                  const std::vector<int64_t>& batch_refs) {
  std::lock_guard lock(m_mu);
  m_warning.clear();
  if (m_opts.read_only) return make_error("audit log opened read-only");
  if (m_retry_at_us != 0) {
    if (now_us() < m_retry_at_us && !rows.empty()) {
      return spool(rows, ref_uids, batch_refs, m_last_failure + " (retrying the database shortly)");
    }
    m_retry_at_us = 0;
  }
  if (m_db == nullptr) {
    auto r = open_db();
    if (!r) return spool(rows, ref_uids, batch_refs, r.error().message);
  }
  std::string err;
  if (!run_prepared("BEGIN IMMEDIATE", &err)) {
    std::string why = "audit database " + m_opts.path + " is not writable: " + err;
    if (sqlite3_errcode(m_db) != SQLITE_BUSY) close_db();
    return spool(rows, ref_uids, batch_refs, why);
  }
  SpoolLock sl;
  auto fail = [&](const std::string& why) {
    exec(m_db, "ROLLBACK", nullptr);
    if (sl.fd >= 0) {
      ::close(sl.fd);  // releases our flock so spool() can append
      sl.fd = -1;
    }
    int code = sqlite3_errcode(m_db);
    if (code != SQLITE_BUSY && code != SQLITE_FULL) close_db();
    return spool(rows, ref_uids, batch_refs, why);
  };
  // Import a pending spool first so the chain keeps the order in which events happened.
  std::vector<AuditRow> spooled;
  std::vector<std::string> spooled_refs;
  struct stat st {};
  if (::stat(m_opts.spool_path.c_str(), &st) == 0 && st.st_size > 0) {
    sl.fd = ::open(m_opts.spool_path.c_str(), O_RDWR | O_CLOEXEC);
    if (sl.fd >= 0 && ::flock(sl.fd, LOCK_EX) == 0) {
      std::string data;
      char buf[65536];
      ssize_t n;
      while ((n = ::read(sl.fd, buf, sizeof buf)) > 0) data.append(buf, static_cast<size_t>(n));
      std::istringstream in(data);
      std::string line;
      Stmt exists(m_db, "SELECT 1 FROM events WHERE origin = ?");
      while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        auto row = j.is_discarded() ? Result<AuditRow>(make_error("torn line")) : row_from_json(j);
        if (!row) {
          // A torn line (writer killed mid-write) is kept aside, never dropped silently.
          std::string bad = m_opts.spool_path + ".rejected";
          int fd = ::open(bad.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
          if (fd >= 0) {
            line.push_back('\n');
            (void)!::write(fd, line.data(), line.size());
            ::close(fd);
          }
          continue;
        }
        if (exists.ok() && !row->origin.empty()) {
          exists.bind(1, row->origin);
          bool dup = exists.step() == SQLITE_ROW;
          exists.reset();
          if (dup) continue;  // imported before a crash that left the spool untruncated
        }
        spooled_refs.push_back(j.value("ref_uid", std::string()));
        spooled.push_back(std::move(*row));
      }
      auto ok = insert_locked(spooled, spooled_refs);
      if (!ok) return fail(ok.error().message);
    }
  }
  auto ok = insert_locked(rows, ref_uids, nullptr, &batch_refs);
  if (!ok) return fail(ok.error().message);
  if (m_opts.in_transaction_hook) m_opts.in_transaction_hook();
  if (!run_prepared("COMMIT", &err)) return fail("audit commit failed: " + err);
  ++m_commits_since_checkpoint;
  if (sl.fd >= 0) {
    if (::ftruncate(sl.fd, 0) != 0) {
      m_warning = "audit: spool " + m_opts.spool_path +
                  " imported but not truncated: " + errno_text() + " (re-import is deduplicated)";
    }
  }
  std::vector<int64_t> ids;
  ids.reserve(rows.size());
  for (const auto& r : rows) ids.push_back(r.id);
  return ids;
}

Result<std::vector<int64_t>> AuditLog::spool(std::vector<AuditRow>& rows,
                                             const std::vector<std::string>& ref_uids,
                                             const std::vector<int64_t>& batch_refs,
                                             const std::string& why) {
  if (m_opts.retry_after_ms > 0 && m_retry_at_us == 0) {
    m_last_failure = why;
    m_retry_at_us = now_us() + int64_t{m_opts.retry_after_ms} * 1000;
  }
  if (m_opts.on_failure == OnFailure::fail_closed) {
    return make_error(why + " (audit policy: fail closed)");
  }
  if (rows.empty()) {
    m_warning = "audit: " + why;
    return std::vector<int64_t>{};
  }
  std::string data;
  std::vector<int64_t> ids;
  std::vector<std::pair<int64_t, std::string>> uids;
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string uid = random_uid();
    rows[i].origin = "spool:" + uid;
    const bool in_batch = i < batch_refs.size() && batch_refs[i] >= 0;
    // A reference inside the batch goes by the referenced row's uid (its id is not known yet; a
    // failed transaction may have assigned one that was rolled back).
    if (in_batch) rows[i].ref_id = 0;
    auto j = row_to_json(rows[i], false);
    if (in_batch) {
      j["ref_uid"] = uids[static_cast<size_t>(batch_refs[i])].second;
    } else if (i < ref_uids.size() && !ref_uids[i].empty()) {
      j["ref_uid"] = ref_uids[i];
    }
    data += dump(j);
    data.push_back('\n');
    ids.push_back(m_next_spool_id);
    uids.emplace_back(m_next_spool_id, uid);
    --m_next_spool_id;
  }
  mkdirs_for(m_opts.spool_path);
  int fd = ::open(m_opts.spool_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error(why + "; and the spool " + m_opts.spool_path +
                      " cannot be opened: " + errno_text() + " — the event was NOT recorded");
  }
  bool ok = ::flock(fd, LOCK_EX) == 0;
  size_t off = 0;
  while (ok && off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) {
      ok = false;
      break;
    }
    off += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  std::string e = errno_text();
  ::close(fd);
  if (!ok) {
    return make_error(why + "; and writing the spool " + m_opts.spool_path + " failed: " + e +
                      " — the event was NOT recorded");
  }
  for (auto& u : uids) m_spool_uids.push_back(std::move(u));
  m_warning = "audit: " + why + "; event spooled to " + m_opts.spool_path +
              " (imported on the next successful write)";
  return ids;
}

Result<int64_t> AuditLog::record(const ActionRecord& rec) {
  auto ids = write_rows({make_action_row(rec)}, {});
  if (!ids) return ids.error();
  return ids->at(0);
}

Result<std::vector<int64_t>> AuditLog::record_batch(std::span<const ActionRecord> recs) {
  std::vector<AuditRow> rows;
  rows.reserve(recs.size());
  for (const auto& r : recs) rows.push_back(make_action_row(r));
  return write_rows(std::move(rows), {});
}

namespace {
AuditRow event_row(const std::string& type, int64_t ref_id, int64_t ts, nlohmann::json detail,
                   std::string decision) {
  AuditRow r;
  r.type = type;
  r.ref_id = ref_id;
  r.ts_us = ts;
  r.decision = std::move(decision);
  r.detail = dump(redact_json(detail));
  return r;
}

AuditRow approval_row(const ApprovalRecord& a) {
  AuditRow r = event_row("approval", a.action_id > 0 ? a.action_id : 0, a.ts_us,
                         {{"channel", a.channel}, {"who", a.who}, {"result", a.result}}, a.result);
  r.source = "human";
  return r;
}

AuditRow outcome_row(const OutcomeRecord& o) {
  AuditRow r = event_row("outcome", o.action_id > 0 ? o.action_id : 0, o.ts_us,
                         {{"status", o.status}, {"duration_ms", o.duration_ms}}, o.status);
  r.eval_us = o.duration_ms * 1000;
  return r;
}
}  // namespace

std::string AuditLog::spool_uid_of(int64_t action_id) {
  if (action_id >= 0) return {};
  std::lock_guard lock(m_mu);
  for (const auto& [id, uid] : m_spool_uids) {
    if (id == action_id) return uid;
  }
  return {};
}

Result<int64_t> AuditLog::record_approval(int64_t action_id, const std::string& channel,
                                          const std::string& who, const std::string& result,
                                          int64_t ts_us) {
  auto ids = write_rows({approval_row({action_id, channel, who, result, ts_us})},
                        {spool_uid_of(action_id)});
  if (!ids) return ids.error();
  return ids->at(0);
}

Result<int64_t> AuditLog::record_outcome(int64_t action_id, const std::string& status,
                                         int64_t duration_ms, int64_t ts_us) {
  auto ids =
      write_rows({outcome_row({action_id, status, duration_ms, ts_us})}, {spool_uid_of(action_id)});
  if (!ids) return ids.error();
  return ids->at(0);
}

Result<std::vector<int64_t>> AuditLog::record_events(std::span<const AuditEvent> events) {
  std::vector<AuditRow> rows;
  std::vector<std::string> ref_uids;
  std::vector<int64_t> batch_refs;
  rows.reserve(events.size());
  ref_uids.reserve(events.size());
  batch_refs.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    const AuditEvent& ev = events[i];
    int64_t action_id = 0;
    if (const auto* a = std::get_if<ActionRecord>(&ev.event)) {
      rows.push_back(make_action_row(*a));
    } else if (const auto* ap = std::get_if<ApprovalRecord>(&ev.event)) {
      rows.push_back(approval_row(*ap));
      action_id = ap->action_id;
    } else {
      const auto& o = std::get<OutcomeRecord>(ev.event);
      rows.push_back(outcome_row(o));
      action_id = o.action_id;
    }
    const bool is_action = std::holds_alternative<ActionRecord>(ev.event);
    if (ev.action_index >= 0) {
      const auto ref = static_cast<size_t>(ev.action_index);
      if (is_action || ref >= i || !std::holds_alternative<ActionRecord>(events[ref].event)) {
        return make_error("audit batch: event " + std::to_string(i) +
                          " does not refer to an earlier action of the batch");
      }
      rows.back().ref_id = 0;
      ref_uids.emplace_back();
      batch_refs.push_back(ev.action_index);
    } else {
      ref_uids.push_back(spool_uid_of(action_id));
      batch_refs.push_back(-1);
    }
  }
  if (rows.empty()) return std::vector<int64_t>{};
  return write_rows(std::move(rows), std::move(ref_uids), batch_refs);
}

namespace {
struct Where {
  std::string sql;
  std::vector<std::variant<int64_t, std::string>> args;
};

Where build_where(const LogFilter& f) {
  Where w;
  w.sql = " WHERE 1=1";
  if (!f.all_types) w.sql += " AND type='action'";
  if (f.since_us) {
    w.sql += " AND ts_us >= ?";
    w.args.emplace_back(*f.since_us);
  }
  if (f.until_us) {
    w.sql += " AND ts_us < ?";
    w.args.emplace_back(*f.until_us);
  }
  auto eq = [&](const char* col, const std::string& v) {
    if (v.empty()) return;
    w.sql += std::string(" AND ") + col + " = ?";
    w.args.emplace_back(v);
  };
  eq("agent", f.agent);
  eq("session", f.session);
  eq("decision", f.decision);
  if (!f.rule.empty()) {
    w.sql += " AND instr(rules, ?) > 0";
    w.args.emplace_back("\"" + f.rule);
  }
  if (f.prod) w.sql += " AND json_extract(facts, '$.prod') = 1";
  if (f.global) w.sql += " AND json_extract(facts, '$.global') = 1";
  if (f.destructive) w.sql += " AND json_extract(facts, '$.destructive') = 1";
  if (!f.text.empty()) {
    w.sql += " AND (instr(lower(action), lower(?)) > 0 OR instr(lower(detail), lower(?)) > 0)";
    w.args.emplace_back(f.text);
    w.args.emplace_back(f.text);
  }
  if (f.after_id > 0) {
    w.sql += " AND id > ?";
    w.args.emplace_back(f.after_id);
  }
  if (f.before_id > 0) {
    w.sql += " AND id < ?";
    w.args.emplace_back(f.before_id);
  }
  return w;
}

void bind_all(Stmt& s, const Where& w) {
  int i = 1;
  for (const auto& a : w.args) {
    if (std::holds_alternative<int64_t>(a)) {
      s.bind(i++, std::get<int64_t>(a));
    } else {
      s.bind(i++, std::get<std::string>(a));
    }
  }
}

// The cached statement when there is one, else a fresh one for `sql` (finalized after use).
Stmt& borrow_or_prepare(std::optional<Stmt>& st, sqlite3* db, sqlite3_stmt* cached,
                        const std::string& sql) {
  if (cached) {
    st.emplace(cached);
  } else {
    st.emplace(db, sql);
  }
  return *st;
}

}  // namespace

Result<int64_t> AuditLog::query(const LogFilter& filter,
                                const std::function<bool(const AuditRow&)>& sink) const {
  std::lock_guard lock(m_mu);
  if (!m_db) return make_error("audit database " + m_opts.path + " is not open");
  Where w = build_where(filter);
  std::string sql = std::string("SELECT ") + k_columns + " FROM events" + w.sql + " ORDER BY id" +
                    (filter.newest_first ? " DESC" : "");
  if (filter.limit > 0) sql += " LIMIT " + std::to_string(filter.limit);
  std::optional<Stmt> st;
  Stmt& s = borrow_or_prepare(st, m_db, idle_read_statement(sql), sql);
  if (!s.ok()) return make_error(sqlite_error(m_db, "audit query failed"));
  bind_all(s, w);
  int64_t n = 0;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    ++n;
    if (!sink(read_row(s))) return n;
  }
  if (rc != SQLITE_DONE) return make_error(sqlite_error(m_db, "audit query failed"));
  return n;
}

Result<int64_t> AuditLog::count(const LogFilter& filter) const {
  std::lock_guard lock(m_mu);
  if (!m_db) return make_error("audit database " + m_opts.path + " is not open");
  Where w = build_where(filter);
  const std::string sql = "SELECT count(*) FROM events" + w.sql;
  std::optional<Stmt> st;
  Stmt& s = borrow_or_prepare(st, m_db, idle_read_statement(sql), sql);
  if (!s.ok()) return make_error(sqlite_error(m_db, "audit query failed"));
  bind_all(s, w);
  if (s.step() != SQLITE_ROW) return make_error(sqlite_error(m_db, "audit query failed"));
  return s.i64(0);
}

Result<std::vector<std::pair<std::string, int64_t>>> AuditLog::group_count(const LogFilter& filter,
                                                                           GroupBy by,
                                                                           int limit) const {
  std::lock_guard lock(m_mu);
  if (!m_db) return make_error("audit database " + m_opts.path + " is not open");
  Where w = build_where(filter);
  std::string sql;
  switch (by) {
    case GroupBy::decision:
      sql = "SELECT decision, count(*) AS n FROM events" + w.sql + " GROUP BY 1 ORDER BY n DESC";
      break;
    case GroupBy::agent:
      sql = "SELECT agent, count(*) AS n FROM events" + w.sql + " GROUP BY 1 ORDER BY n DESC";
      break;
    case GroupBy::rule:
      // rules holds ["rule@pack@version", ...]; count each rule id once per action. The filter
      // runs inside the subquery, where its column names are not ambiguous with json_each's.
      sql =
          "SELECT CASE WHEN instr(j.value, '@') > 0 THEN substr(j.value, 1, instr(j.value, "
          "'@') - 1) ELSE j.value END AS r, count(*) AS n FROM (SELECT rules FROM events" +
          w.sql + ") AS e, json_each(e.rules) AS j GROUP BY 1 ORDER BY n DESC";
      break;
    case GroupBy::day:
      sql = "SELECT date(ts_us / 1000000, 'unixepoch') AS d, count(*) AS n FROM events" + w.sql +
            " GROUP BY 1 ORDER BY d DESC";
      break;
  }
  sql += " LIMIT " + std::to_string(std::max(1, limit));
  Stmt s(m_db, sql);
  if (!s.ok()) return make_error(sqlite_error(m_db, "audit query failed"));
  bind_all(s, w);
  std::vector<std::pair<std::string, int64_t>> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.emplace_back(s.text(0), s.i64(1));
  if (rc != SQLITE_DONE) return make_error(sqlite_error(m_db, "audit query failed"));
  return out;
}

Result<std::vector<SessionSummary>> AuditLog::sessions(const LogFilter& filter, int limit) const {
  std::lock_guard lock(m_mu);
  if (!m_db) return make_error("audit database " + m_opts.path + " is not open");
  Where w = build_where(filter);
  // Rows without a session id are grouped per agent and surface, so hook calls of agents that do
  // not send one still show up.
  std::string sql =
      "SELECT session, max(agent), max(surface), max(project), min(ts_us), max(ts_us), max(id), "
      "count(*), sum(decision = 'ask'), sum(decision = 'deny') FROM events" +
      w.sql + " GROUP BY session, CASE WHEN session = '' THEN agent || surface END ORDER BY 7 " +
      "DESC LIMIT " + std::to_string(std::max(1, limit));
  Stmt s(m_db, sql);
  if (!s.ok()) return make_error(sqlite_error(m_db, "audit query failed"));
  bind_all(s, w);
  std::vector<SessionSummary> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    SessionSummary x;
    x.session = s.text(0);
    x.agent = s.text(1);
    x.surface = s.text(2);
    x.project = s.text(3);
    x.first_us = s.i64(4);
    x.last_us = s.i64(5);
    x.last_id = s.i64(6);
    x.actions = s.i64(7);
    x.asks = s.i64(8);
    x.denies = s.i64(9);
    out.push_back(std::move(x));
  }
  if (rc != SQLITE_DONE) return make_error(sqlite_error(m_db, "audit query failed"));
  return out;
}

Result<AuditRow> AuditLog::get(int64_t id) const {
  std::lock_guard lock(m_mu);
  if (!m_db) return make_error("audit database " + m_opts.path + " is not open");
  Stmt s(m_db, std::string("SELECT ") + k_columns + " FROM events WHERE id = ?");
  if (!s.ok()) return make_error(sqlite_error(m_db, "audit query failed"));
  s.bind(1, id);
  int rc = s.step();
  if (rc == SQLITE_ROW) return read_row(s);
  if (rc == SQLITE_DONE) return make_error("no audit row with id " + std::to_string(id));
  return make_error(sqlite_error(m_db, "audit query failed"));
}

Result<std::vector<AuditRow>> AuditLog::related(int64_t action_id) const {
  std::lock_guard lock(m_mu);
  if (!m_db) return make_error("audit database " + m_opts.path + " is not open");
  Stmt s(m_db, std::string("SELECT ") + k_columns + " FROM events WHERE ref_id = ? ORDER BY id");
  if (!s.ok()) return make_error(sqlite_error(m_db, "audit query failed"));
  s.bind(1, action_id);
  std::vector<AuditRow> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) out.push_back(read_row(s));
  if (rc != SQLITE_DONE) return make_error(sqlite_error(m_db, "audit query failed"));
  return out;
}

namespace {
struct Checkpoint {
  int64_t through = 0;
  std::string last_hash = k_zero_hash;
  int64_t total_pruned = 0;
};

Checkpoint latest_checkpoint(sqlite3* db) {
  Checkpoint c;
  Stmt s(db, "SELECT detail FROM events WHERE type='checkpoint' ORDER BY id DESC LIMIT 1");
  if (s.ok() && s.step() == SQLITE_ROW) {
    auto j = nlohmann::json::parse(s.text(0), nullptr, false);
    if (j.is_object()) {
      c.through = j.value("pruned_through", int64_t{0});
      c.last_hash = j.value("last_pruned_hash", std::string(k_zero_hash));
      c.total_pruned = j.value("total_pruned", int64_t{0});
    }
  }
  return c;
}
}  // namespace

Result<AuditLog::ChangeStamp> AuditLog::change_stamp() const {
  std::lock_guard lock(m_mu);
  if (!m_db) return make_error("audit database " + m_opts.path + " is not open");
  Stmt s(prepared("PRAGMA data_version"));
  if (!s.ok() || s.step() != SQLITE_ROW)
    return make_error(sqlite_error(m_db, "audit query failed"));
  return ChangeStamp{s.i64(0), m_prunes};
}

Result<int64_t> AuditLog::pruned_through() const {
  std::lock_guard lock(m_mu);
  if (!m_db) return make_error("audit database " + m_opts.path + " is not open");
  return latest_checkpoint(m_db).through;
}

Result<VerifyReport> AuditLog::verify() const {
  std::lock_guard lock(m_mu);
  if (!m_db) return make_error("audit database " + m_opts.path + " is not open");
  VerifyReport rep;
  Checkpoint cp = latest_checkpoint(m_db);
  rep.base_id = cp.through;
  int64_t expected = cp.through + 1;
  std::string prev = cp.last_hash;
  auto broken = [&](int64_t id, std::string why) {
    rep.ok = false;
    rep.first_broken_id = id;
    rep.problem = std::move(why);
    return rep;
  };
  Stmt s(m_db, std::string("SELECT ") + k_columns + " FROM events WHERE id > ? ORDER BY id");
  if (!s.ok()) return broken(expected, sqlite_error(m_db, "cannot read the audit log"));
  s.bind(1, cp.through);
  int rc;
  while ((rc = s.step()) == SQLITE_ROW) {
    AuditRow r = read_row(s);
    ++rep.rows_checked;
    if (r.id != expected) {
      return broken(expected, "row " + std::to_string(expected) +
                                  (r.id == expected + 1 ? " is missing (deleted)"
                                                        : " to " + std::to_string(r.id - 1) +
                                                              " are missing (deleted)"));
    }
    if (r.prev_hash != prev) {
      return broken(r.id, "prev_hash of row " + std::to_string(r.id) +
                              " does not match the hash of row " + std::to_string(r.id - 1) +
                              " (a row was rewritten or replaced)");
    }
    if (chain_hash(prev, r) != r.hash) {
      return broken(r.id, "row " + std::to_string(r.id) +
                              " does not match its hash (its content was edited)");
    }
    prev = r.hash;
    ++expected;
  }
  if (rc != SQLITE_DONE) {
    return broken(expected, sqlite_error(m_db, "the audit database is damaged at or after row " +
                                                   std::to_string(expected)));
  }
  Stmt h(m_db, "SELECT value FROM meta WHERE key='head'");
  if (h.ok() && h.step() == SQLITE_ROW) {
    std::string head = h.text(0);
    auto colon = head.find(':');
    int64_t head_id = colon == std::string::npos ? 0 : std::atoll(head.substr(0, colon).c_str());
    if (head_id >= expected) {
      return broken(expected, "rows " + std::to_string(expected) + " to " +
                                  std::to_string(head_id) +
                                  " are missing at the end of the log (deleted)");
    }
    if (head_id == expected - 1 && colon != std::string::npos && head.substr(colon + 1) != prev) {
      return broken(head_id, "the last row does not match the recorded head hash");
    }
  }
  return rep;
}

Result<PruneReport> AuditLog::prune(int64_t cutoff_us, const std::string& who, int64_t now) {
  std::lock_guard lock(m_mu);
  if (!m_db) return make_error("audit database " + m_opts.path + " is not open");
  ++m_prunes;  // before anything is deleted: a failed prune may have deleted rows too
  std::string err;
  if (!exec(m_db, "BEGIN IMMEDIATE", &err)) return make_error("audit prune: " + err);
  auto fail = [&](const std::string& why) -> Result<PruneReport> {
    exec(m_db, "ROLLBACK", nullptr);
    return make_error("audit prune: " + why);
  };
  Checkpoint cp = latest_checkpoint(m_db);
  int64_t through = 0;
  {
    Stmt s(m_db,
           "SELECT (SELECT min(id) FROM events WHERE ts_us >= ?1 AND type <> 'checkpoint'), "
           "(SELECT max(id) FROM events)");
    if (!s.ok()) return fail(sqlite3_errmsg(m_db));
    s.bind(1, cutoff_us);
    if (s.step() != SQLITE_ROW) return fail(sqlite3_errmsg(m_db));
    through = sqlite3_column_type(s.get(), 0) == SQLITE_NULL ? s.i64(1) : s.i64(0) - 1;
  }
  PruneReport rep;
  if (through <= cp.through) {
    exec(m_db, "ROLLBACK", nullptr);
    return rep;
  }
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  std::string last_hash;
  {
    Stmt s(m_db, "SELECT hash FROM events WHERE id > ? AND id <= ? ORDER BY id");
    if (!s.ok()) return fail(sqlite3_errmsg(m_db));
    s.bind(1, cp.through);
    s.bind(2, through);
    while (s.step() == SQLITE_ROW) {
      last_hash = s.text(0);
      crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(last_hash.data()),
                                last_hash.size());
      ++rep.pruned;
    }
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  {
    Stmt d(m_db, "DELETE FROM events WHERE id <= ?");
    if (!d.ok()) return fail(sqlite3_errmsg(m_db));
    d.bind(1, through);
    if (d.step() != SQLITE_DONE) return fail(sqlite3_errmsg(m_db));
  }
  nlohmann::json detail = {{"pruned_through", through},
                           {"pruned_count", rep.pruned},
                           {"total_pruned", cp.total_pruned + rep.pruned},
                           {"last_pruned_hash", last_hash},
                           {"pruned_digest", hex(digest, sizeof digest)},
                           {"previous_base", cp.through},
                           {"cutoff_us", cutoff_us},
                           {"signed_off_by", who}};
  AuditRow r;
  r.type = "checkpoint";
  r.ts_us = now;
  r.agent = who;
  r.source = "prune";
  r.detail = dump(detail);
  std::vector<AuditRow> rows{r};
  auto ok = insert_locked(rows, {});
  if (!ok) return fail(ok.error().message);
  if (!exec(m_db, "COMMIT", &err)) return fail(err);
  rep.through_id = through;
  rep.checkpoint_id = rows[0].id;
  return rep;
}

Result<ImportReport> AuditLog::import_jsonl(std::istream& in) {
  ImportReport rep;
  std::vector<AuditRow> batch;
  std::map<int64_t, int64_t> id_map;  // exported id -> local id
  std::string prev;
  std::string line;
  int64_t lineno = 0;
  auto flush = [&]() -> Result<bool> {
    if (batch.empty()) return true;
    std::lock_guard lock(m_mu);
    if (!m_db) return make_error("audit database " + m_opts.path + " is not open");
    std::string err;
    if (!exec(m_db, "BEGIN IMMEDIATE", &err)) return make_error("audit import: " + err);
    Stmt exists(m_db, "SELECT 1 FROM events WHERE origin = ?");
    std::vector<AuditRow> rows;
    for (auto& r : batch) {
      exists.bind(1, r.origin);
      bool dup = exists.step() == SQLITE_ROW;
      exists.reset();
      if (dup) {
        ++rep.skipped;
        continue;
      }
      rows.push_back(std::move(r));
    }
    auto ok = insert_locked(rows, {}, &id_map);
    if (!ok || !exec(m_db, "COMMIT", &err)) {
      exec(m_db, "ROLLBACK", nullptr);
      return make_error("audit import failed: " + (ok ? err : ok.error().message));
    }
    rep.imported += static_cast<int64_t>(rows.size());
    batch.clear();
    return true;
  };
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty()) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) return make_error("import line " + std::to_string(lineno) + ": not JSON");
    auto row = row_from_json(j);
    if (!row)
      return make_error("import line " + std::to_string(lineno) + ": " + row.error().message);
    // Check the export's own chain as it was exported.
    if (rep.source_chain_ok && !row->hash.empty()) {
      if (!prev.empty() && row->prev_hash != prev) {
        rep.source_chain_ok = false;
        rep.source_problem = "exported row " + std::to_string(row->id) +
                             ": prev_hash does not match the previous row";
      } else if (chain_hash(row->prev_hash, *row) != row->hash) {
        rep.source_chain_ok = false;
        rep.source_problem =
            "exported row " + std::to_string(row->id) + " does not match its hash (edited)";
      }
      prev = row->hash;
    }
    if (row->type == "checkpoint") continue;  // describes the source's pruning, not ours
    if (row->origin.empty()) row->origin = "import:" + row->hash;
    if (row->origin == "import:") row->origin = "import:" + random_uid();
    batch.push_back(std::move(*row));
    if (batch.size() >= 5000) {
      auto f = flush();
      if (!f) return f.error();
    }
  }
  auto f = flush();
  if (!f) return f.error();
  return rep;
}

std::optional<int64_t> parse_duration_us(std::string_view t) {
  if (t.size() < 2) return std::nullopt;
  int64_t n = 0;
  size_t i = 0;
  for (; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i) {
    n = n * 10 + (t[i] - '0');
    if (n > 100000000) return std::nullopt;
  }
  if (i == 0 || i + 1 != t.size()) return std::nullopt;
  int64_t unit = 0;
  switch (t[i]) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 7 * 86400;
      break;
    default:
      return std::nullopt;
  }
  return n * unit * 1000000;
}

Result<int64_t> parse_time_us(std::string_view text, int64_t now) {
  if (auto d = parse_duration_us(text)) return now - *d;
  if (text == "now") return now;
  std::tm tm{};
  std::string s(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char tail[8] = {0};
  int n =
      std::sscanf(s.c_str(), "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%7s", &y, &mo, &d, &h, &mi, &sec, tail);
  bool date_only = n == 3 && s.size() == 10;
  bool full = n >= 6 && (n == 6 || std::string(tail) == "Z");
  if (!date_only && !full) {
    return make_error("cannot read time '" + s +
                      "': use 2h, 90d, 2026-11-01 or 2026-11-01T10:00:00Z (UTC)");
  }
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  time_t t = timegm(&tm);
  return static_cast<int64_t>(t) * 1000000;
}

std::string format_time_us(int64_t ts) {
  time_t secs = static_cast<time_t>(ts / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ts % 1000000));
  return buf;
}

}  // namespace blastwall::audit
