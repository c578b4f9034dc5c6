// Minimal RAII over sqlite3 for the proxy's own state files (approvals.db, pins.db). Both are
// shared between processes (the proxy and `blastwall approve` in the human's terminal): WAL mode
// and a busy timeout. Not thread-safe; one handle per process.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "blastwall/result.hpp"

namespace blastwall::proxy {

class Db {
 public:
  // Creates the parent directory (0700) and the file (0600) when missing; runs `schema`.
  static Result<std::unique_ptr<Db>> open(const std::string& path, std::string_view schema);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  sqlite3* handle() { return m_db; }
  [[nodiscard]] std::string error() const { return sqlite3_errmsg(m_db); }
  Result<bool> exec(std::string_view sql);

 private:
  explicit Db(sqlite3* db) : m_db(db) {}
  sqlite3* m_db;
};

class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  [[nodiscard]] bool ok() const { return m_stmt != nullptr; }
  Stmt& bind(int i, std::string_view text);
  Stmt& bind(int i, int64_t v);
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step();
  [[nodiscard]] std::string text(int col) const;
  [[nodiscard]] int64_t integer(int col) const;

 private:
  sqlite3_stmt* m_stmt = nullptr;
};

// $XDG_STATE_HOME/blastwall, else $HOME/.local/state/blastwall.
[[nodiscard]] std::string default_state_dir();

}  // namespace blastwall::proxy
