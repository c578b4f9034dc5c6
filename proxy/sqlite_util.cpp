#include "proxy/sqlite_util.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace blastwall::proxy {
namespace {

bool make_dirs(const std::string& dir) {
  if (dir.empty()) return true;
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) return S_ISDIR(st.st_mode);
  const auto slash = dir.find_last_of('/');
  if (slash != std::string::npos && slash > 0 && !make_dirs(dir.substr(0, slash))) return false;
  return ::mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST;
}

}  // namespace

std::string default_state_dir() {
  if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x == '/') {
    return std::string(x) + "/blastwall";
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.local/state/blastwall";
}

Result<std::unique_ptr<Db>> Db::open(const std::string& path, std::string_view schema) {
  const auto slash = path.find_last_of('/');
  if (slash != std::string::npos && !make_dirs(path.substr(0, slash))) {
    return make_error("cannot create directory for " + path + ": " + std::strerror(errno));
  }
  if (int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600); fd >= 0) {
    ::close(fd);
  } else {
    return make_error("cannot open " + path + ": " + std::strerror(errno));
  }
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
      SQLITE_OK) {
    std::string msg = raw ? sqlite3_errmsg(raw) : "out of memory";
    sqlite3_close(raw);
    return make_error("cannot open " + path + ": " + msg);
  }
  std::unique_ptr<Db> db(new Db(raw));
  sqlite3_busy_timeout(raw, 3000);
  if (auto r = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"); !r) {
    return r.error();
  }
  if (auto r = db->exec(schema); !r) return r.error();
  return db;
}

Db::~Db() { sqlite3_close(m_db); }

Result<bool> Db::exec(std::string_view sql) {
  char* err = nullptr;
  if (sqlite3_exec(m_db, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return make_error("sqlite: " + msg);
  }
  return true;
}

Stmt::Stmt(Db& db, std::string_view sql) {
  if (sqlite3_prepare_v2(db.handle(), sql.data(), static_cast<int>(sql.size()), &m_stmt, nullptr) !=
      SQLITE_OK) {
    m_stmt = nullptr;
  }
}

Stmt::~Stmt() { sqlite3_finalize(m_stmt); }

Stmt& Stmt::bind(int i, std::string_view text) {
  if (m_stmt) {
    sqlite3_bind_text(m_stmt, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  return *this;
}

Stmt& Stmt::bind(int i, int64_t v) {
  if (m_stmt) sqlite3_bind_int64(m_stmt, i, v);
  return *this;
}

int Stmt::step() { return m_stmt ? sqlite3_step(m_stmt) : SQLITE_MISUSE; }

std::string Stmt::text(int col) const {
  const auto* p = sqlite3_column_text(m_stmt, col);
  return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
}

int64_t Stmt::integer(int col) const { return sqlite3_column_int64(m_stmt, col); }

}  // namespace blastwall::proxy
