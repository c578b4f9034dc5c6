// Helpers shared by the audit unit tests: temporary directories and sample records.
#pragma once

#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "audit/audit_log.hpp"

namespace blastwall::audit::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "bw-audit-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    m_path = p ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(m_path, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(m_path, ec);
  }
  [[nodiscard]] const std::string& path() const { return m_path; }
  [[nodiscard]] std::string file(const std::string& name) const { return m_path + "/" + name; }

 private:
  std::string m_path;
};

inline ActionRecord sample(const std::string& command, Decision d = Decision::allow,
                           int64_t ts = 1'700'000'000'000'000,
                           const std::string& agent = "claude") {
  ActionRecord r;
  r.action.kind = ActionKind::shell_exec;
  r.action.command = command;
  r.action.ctx.agent = agent;
  r.action.ctx.surface = "hook";
  r.action.ctx.session = "s-1";
  r.action.ctx.cwd = "/home/dev/project";
  r.action.ctx.project_root = "/home/dev/project";
  r.action.ctx.tool = "Bash";
  r.verdict.decision = d;
  r.verdict.source = d == Decision::allow ? "default" : "rule";
  if (d != Decision::allow) {
    RuleMatch m;
    m.rule_id = "core.filesystem.rm-recursive";
    m.pack_id = "core.filesystem";
    m.pack_version = "1.0.0";
    m.decision = d;
    m.message = "Recursive delete";
    r.verdict.matches.push_back(m);
    r.verdict.facts.set("destructive", "rm -r");
  }
  r.ts_us = ts;
  r.latency_us = 42;
  return r;
}

// Runs one SQL statement on the file with a separate connection (tampering, inspection).
inline int64_t sql(const std::string& path, const std::string& statement) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  int64_t result = -1;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, statement.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) result = sqlite3_column_int64(st, 0);
    if (rc == SQLITE_DONE) result = sqlite3_changes(db);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return result;
}

}  // namespace blastwall::audit::testing
