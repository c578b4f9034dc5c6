// The audit log: every evaluated action, approval and outcome as one row of a SQLite database,
// chained with SHA-256 so that an edited or deleted row is detectable (docs/AUDIT.md).
//
// Ownership and threads: an AuditLog owns one SQLite connection; its methods lock an internal
// mutex, so one instance may be shared by threads. Many processes may write the same file at once
// (WAL, BEGIN IMMEDIATE, busy timeout); the chain stays linear because the previous hash is read
// inside the write transaction.
//
// Errors: every method returns Result. When a write cannot happen (disk full, lock held past the
// timeout, corrupt or unreadable file, read-only directory) and on_failure is `spool`, the event
// goes to a JSONL spool file instead (imported, in order, by the next successful write) and the
// call succeeds with a negative id and last_warning() set; when even the spool fails, or on_failure
// is `fail_closed`, the call returns an Error and the caller must fail closed (deny). Never silent.
//
// The audit log never goes through spdlog: operational logs and audit rows never share a path.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "blastwall/action.hpp"
#include "blastwall/result.hpp"
#include "blastwall/verdict.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace blastwall::audit {

inline constexpr int k_schema_version = 2;

enum class OnFailure { spool, fail_closed };

struct AuditOptions {
  std::string path;            // empty = default_audit_path()
  int busy_timeout_ms = 1000;  // how long a write waits for another writer's lock
  OnFailure on_failure = OnFailure::spool;
  std::string spool_path;  // empty = <path>.spool.jsonl
  bool read_only = false;  // queries only (log, verify, export); never creates the file
  // >0: PRAGMA max_page_count (a size cap; tests use it as "disk full").
  int64_t max_page_count = 0;
  // After a failed write, later writes from this process go straight to the spool for this long
  // (no repeated busy waits, no re-reading a growing spool); 0 = retry the database every time.
  int retry_after_ms = 1000;
  // No automatic WAL checkpoint inside a commit: the owner calls checkpoint() when it is idle (the
  // resident engine does, after answering), so the fsync a checkpoint needs never lands on a call.
  bool manual_checkpoint = false;
  // Test-only: called inside the write transaction, after the INSERT and before COMMIT.
  std::function<void()> in_transaction_hook;
};

// $XDG_STATE_HOME/blastwall/audit.db, else ~/.local/state/blastwall/audit.db.
[[nodiscard]] std::string default_audit_path();

// What a surface records after evaluating an action.
struct ActionRecord {
  Action action;
  Verdict verdict;
  std::string
      decision_source;      // rule, policy, default, human, timeout, error; empty = verdict.source
  int64_t ts_us = 0;        // UTC microseconds since the epoch, from the adapter's clock
  uint64_t latency_us = 0;  // evaluation latency; 0 = verdict.eval_us
};

// An approval (channel: hook, elicitation, queue, cli; result: approved, denied, expired, ...) and
// an outcome (status: ok, error, blocked, ...) of a recorded action, for record_events.
struct ApprovalRecord {
  int64_t action_id = 0;  // an id an earlier write returned (>0 stored, <0 spooled)
  std::string channel, who, result;
  int64_t ts_us = 0;
};
struct OutcomeRecord {
  int64_t action_id = 0;
  std::string status;
  int64_t duration_ms = 0;
  int64_t ts_us = 0;
};
// One event of a batch (AuditLog::record_events). An approval or outcome whose action is an
// earlier event of the same batch names it by action_index (its position in the batch), which
// then replaces action_id; -1 = not in this batch.
struct AuditEvent {
  std::variant<ActionRecord, ApprovalRecord, OutcomeRecord> event;
  int64_t action_index = -1;
};

// One stored row (all event types share the table; see docs/AUDIT.md "Schema").
struct AuditRow {
  int64_t id = 0;
  std::string type;    // action, approval, outcome, checkpoint
  int64_t ref_id = 0;  // approval/outcome: the action's id
  int64_t ts_us = 0;
  std::string agent, surface, session, cwd, project, tool, kind;
  std::string action;  // redacted action JSON (canonical text)
  std::string facts;   // facts JSON
  std::string
      decision;        // allow, ask, deny (approval: approved/denied/expired/...; outcome: status)
  std::string source;  // rule, policy, default, human, timeout, error
  std::string rules;   // JSON array of "rule@pack@version"
  int64_t eval_us = 0;
  std::string detail;  // JSON: reason, severity, matches, explanation / channel, who / duration_ms
  std::string origin;  // "spool:<uid>" or "import:<hash>" for rows that came from elsewhere
  std::string prev_hash;
  std::string hash;
};

// Filters for `log`, `export` and `replay`. Empty/unset fields do not filter.
struct LogFilter {
  std::optional<int64_t> since_us, until_us;
  std::string agent, session, decision, rule, text;
  bool prod = false, global = false, destructive = false;
  int64_t after_id = 0;   // id > after_id (follow)
  int64_t before_id = 0;  // id < before_id (paging back from the newest rows)
  int64_t limit = 0;      // 0 = all
  bool newest_first = false;
  bool all_types = false;  // include approval/outcome/checkpoint rows (export)
};

// One agent session as the dashboard lists it (AuditLog::sessions).
struct SessionSummary {
  std::string session, agent, surface, project;
  int64_t first_us = 0, last_us = 0, last_id = 0;
  int64_t actions = 0, asks = 0, denies = 0;
};

// What AuditLog::group_count groups action rows by.
enum class GroupBy { decision, agent, rule, day };

struct VerifyReport {
  bool ok = true;
  int64_t rows_checked = 0;
  int64_t first_broken_id = 0;  // 0 when ok
  std::string problem;          // why the link is broken
  int64_t base_id = 0;          // rows up to here were pruned (checkpoint); 0 = none
};

struct PruneReport {
  int64_t pruned = 0;
  int64_t through_id = 0;
  int64_t checkpoint_id = 0;
};

struct ImportReport {
  int64_t imported = 0;
  int64_t skipped = 0;  // already present (same origin)
  bool source_chain_ok = true;
  std::string source_problem;
};

class AuditLog {
 public:
  // Opens (creating the directory, file and schema as needed) and imports a pending spool.
  // With on_failure=spool an unusable database still yields a log that spools; see last_warning().
  [[nodiscard]] static Result<std::unique_ptr<AuditLog>> open(AuditOptions options);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Records one evaluated action. Returns its row id (>0), or a negative id when spooled.
  [[nodiscard]] Result<int64_t> record(const ActionRecord& rec);
  // Records many actions in one transaction (long-running proxies batch for throughput).
  [[nodiscard]] Result<std::vector<int64_t>> record_batch(std::span<const ActionRecord> recs);
  // An approval event for a recorded action: channel (hook, elicitation, queue, cli), who, result
  // (approved, denied, expired, cancelled).
  [[nodiscard]] Result<int64_t> record_approval(int64_t action_id, const std::string& channel,
                                                const std::string& who, const std::string& result,
                                                int64_t ts_us);
  // The outcome of the tool call where known (status: ok, error, blocked, ...).
  [[nodiscard]] Result<int64_t> record_outcome(int64_t action_id, const std::string& status,
                                               int64_t duration_ms, int64_t ts_us);
  // Actions, approvals and outcomes, in this order in the chain, in one transaction (or all
  // spooled together): the MCP proxy batches a burst of calls this way. Returns one id per event,
  // as the single-event methods would. An action_index that does not name an earlier action of
  // the batch is an error and nothing is written.
  [[nodiscard]] Result<std::vector<int64_t>> record_events(std::span<const AuditEvent> events);

  // Streams matching rows in id order (or newest first); the sink returns false to stop.
  [[nodiscard]] Result<int64_t> query(const LogFilter& filter,
                                      const std::function<bool(const AuditRow&)>& sink) const;
  [[nodiscard]] Result<int64_t> count(const LogFilter& filter) const;
  // Matching action rows counted per decision, agent, rule id (without @pack) or UTC day, largest
  // first (day: newest first), at most `limit` groups. One indexed SQL aggregate (dashboard stats).
  [[nodiscard]] Result<std::vector<std::pair<std::string, int64_t>>> group_count(
      const LogFilter& filter, GroupBy by, int limit) const;
  // Sessions with at least one matching action, most recently active first, at most `limit`.
  [[nodiscard]] Result<std::vector<SessionSummary>> sessions(const LogFilter& filter,
                                                             int limit) const;
  [[nodiscard]] Result<AuditRow> get(int64_t id) const;
  // What may have changed rows this connection read earlier: a commit by any other connection
  // (SQLite's PRAGMA data_version) or a prune through this one. Two equal stamps mean this
  // connection has at most added rows in between (record never changes or deletes a row), so rows
  // read before the first are all still there. Session recall (cli/session_recall.cpp) compares
  // stamps before counting the rows it remembers.
  struct ChangeStamp {
    int64_t others = 0;
    int64_t own_prunes = 0;
    [[nodiscard]] bool operator==(const ChangeStamp&) const = default;
  };
  [[nodiscard]] Result<ChangeStamp> change_stamp() const;
  // Approval, outcome rows that refer to `action_id`.
  [[nodiscard]] Result<std::vector<AuditRow>> related(int64_t action_id) const;

  [[nodiscard]] Result<VerifyReport> verify() const;
  // The highest id a prune has deleted through (its latest checkpoint row); 0 = never pruned.
  [[nodiscard]] Result<int64_t> pruned_through() const;
  // Deletes the oldest rows with ts < cutoff_us and appends a checkpoint row (who, range, last
  // pruned hash, digest of the pruned hashes) so the remaining chain still verifies.
  [[nodiscard]] Result<PruneReport> prune(int64_t cutoff_us, const std::string& who,
                                          int64_t now_us);
  // Imports rows exported as JSONL (`audit export --format jsonl`), re-chained locally; the
  // export's own chain is checked and reported.
  [[nodiscard]] Result<ImportReport> import_jsonl(std::istream& in);

  // Copies the WAL into the database (PASSIVE: never waits for readers or writers). With
  // only_if_due, only after enough commits since the last one. For manual_checkpoint owners.
  Result<bool> checkpoint(bool only_if_due);

  [[nodiscard]] const std::string& path() const { return m_opts.path; }
  [[nodiscard]] const std::string& spool_path() const { return m_opts.spool_path; }
  // Why the last write was spooled (empty when it was not). Print it on stderr.
  [[nodiscard]] const std::string& last_warning() const { return m_warning; }
  [[nodiscard]] bool degraded() const { return m_db == nullptr; }

  // The canonical form hashed for a row (docs/AUDIT.md "Canonical form") and the hash itself.
  [[nodiscard]] static std::string canonical_form(const AuditRow& row);
  [[nodiscard]] static std::string chain_hash(const std::string& prev_hash, const AuditRow& row);

 private:
  explicit AuditLog(AuditOptions options);
  Result<bool> open_db();
  Result<bool> ensure_schema();
  // batch_refs[i] >= 0: row i refers to row batch_refs[i] of the same write (record_events).
  Result<std::vector<int64_t>> write_rows(std::vector<AuditRow> rows,
                                          std::vector<std::string> ref_uids,
                                          const std::vector<int64_t>& batch_refs = {});
  Result<bool> insert_locked(std::vector<AuditRow>& rows, const std::vector<std::string>& ref_uids,
                             std::map<int64_t, int64_t>* id_map = nullptr,
                             const std::vector<int64_t>* batch_refs = nullptr);
  Result<int64_t> import_spool_locked();
  Result<std::vector<int64_t>> spool(std::vector<AuditRow>& rows,
                                     const std::vector<std::string>& ref_uids,
                                     const std::vector<int64_t>& batch_refs,
                                     const std::string& why);
  // The spool uid of an action this process spooled (negative id), else empty.
  std::string spool_uid_of(int64_t action_id);
  void close_db();
  // A statement prepared once per connection (SQLITE_PREPARE_PERSISTENT) and reused: the resident
  // engine records every action on one connection, where re-parsing the SQL each time cost more
  // than the insert. Null when it cannot be prepared. Finalized by close_db().
  sqlite3_stmt* prepared(const std::string& sql) const;
  // The cached statement for a read (query, count) when it is free — not being stepped by a caller
  // further up this thread's stack — and the cache has room for it (reads build their SQL from the
  // filter, so a few dozen shapes); else null and the caller prepares its own. Session recall runs
  // two reads per hook call, whose parsing cost more than the reads.
  sqlite3_stmt* idle_read_statement(const std::string& sql) const;
  // Runs a cached statement without results (BEGIN IMMEDIATE, COMMIT); err gets SQLite's message.
  bool run_prepared(const std::string& sql, std::string* err);

  AuditOptions m_opts;
  sqlite3* m_db = nullptr;
  mutable std::map<std::string, sqlite3_stmt*, std::less<>> m_stmts;
  mutable std::recursive_mutex m_mu;
  std::string m_warning;
  int64_t m_next_spool_id = -1;
  int64_t m_retry_at_us = 0;  // while now < this, write to the spool directly
  int64_t m_commits_since_checkpoint = 0;
  int64_t m_prunes = 0;  // prune() calls on this connection (ChangeStamp::own_prunes)
  std::string m_last_failure;
  std::vector<std::pair<int64_t, std::string>> m_spool_uids;  // negative id -> spool uid
};

// A stored row as `audit export --format jsonl` writes it and `import_jsonl` reads it: every
// column, the chain (id, prev_hash, hash) included.
[[nodiscard]] nlohmann::json export_row_json(const AuditRow& row);

// Builds the row stored for an action (redacted action JSON, facts, rules, detail). Exposed for
// tests.
[[nodiscard]] AuditRow make_action_row(const ActionRecord& rec);

// "2h", "90d", "30m", "15s", "2w" -> microseconds; nullopt when not a duration.
[[nodiscard]] std::optional<int64_t> parse_duration_us(std::string_view text);
// "2026-11-01", "2026-11-01T10:00:00Z", "2026-11-01 10:00:00" (UTC) or a duration before now_us.
[[nodiscard]] Result<int64_t> parse_time_us(std::string_view text, int64_t now_us);
// "2026-11-01T10:00:00.123456Z"
[[nodiscard]] std::string format_time_us(int64_t ts_us);
[[nodiscard]] int64_t now_us();

}  // namespace blastwall::audit
