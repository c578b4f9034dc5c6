// Ships the audit log to the configured targets, at least once, in id order (docs/TEAMS.md).
//
// A cursor per (audit database, target) lives in its own SQLite file beside the audit database
// (<audit.db>.ship): the last shipped id and its chain hash, counters and the last error. A batch
// is read after the cursor, sent, and the cursor advances only when the receiver took it, so a
// crash or a refused request resends (duplicates are possible, loss is not). The audit database is
// only read. Rows pruned before they were shipped are counted as a gap; an audit database replaced
// underneath (the cursor's row is gone and no prune explains it, or its hash differs) is shipped
// again from its first row.
//
// Not thread-safe: one Shipper per process (follow mode takes a lock so one runs per database).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "blastwall/result.hpp"
#include "ship/config.hpp"
#include "ship/sinks.hpp"

namespace blastwall::proxy {
class Db;
}

namespace blastwall::ship {

struct CursorStatus {
  std::string target;
  int64_t last_id = 0;
  std::string last_hash;
  int64_t shipped = 0;   // rows taken by the receiver, ever
  int64_t rejected = 0;  // OTLP partial-success rejections, ever
  int64_t gaps = 0;      // rows pruned before they could be shipped
  int64_t failures = 0;  // consecutive failed attempts (0 after a success)
  int64_t last_ok_us = 0, last_try_us = 0;
  std::string status;    // ok, retrying, refused, idle
  std::string error;     // the last failure (never a header value)
  int64_t backlog = -1;  // rows after last_id (-1 = not computed)
  int64_t head_id = -1;  // the audit log's newest id (read_status; -1 = no readable log)
};

// <audit.db>.ship
[[nodiscard]] std::string cursor_path(const std::string& audit_db);

// Reads every target's cursor, the backlog and the audit head (no network, creates no file).
// Targets without a cursor yet show last_id 0.
[[nodiscard]] Result<std::vector<CursorStatus>> read_status(const std::string& audit_db,
                                                            const ShipConfig& cfg);

// The pid of the shipper (follower or one-shot) that holds the audit database's shipping lock,
// -1 when one holds it but its pid is unknown, 0 when none runs. Never takes the lock.
[[nodiscard]] int64_t running_shipper(const std::string& audit_db);

struct ShipOptions {
  bool follow = false;     // keep shipping new rows until stopped
  int max_attempts = 5;    // without follow: give up on a target after this many failures
  int64_t parent_pid = 0;  // follow: exit (after catching up) when this process is gone
  std::atomic<bool>* stop = nullptr;  // set by a signal handler: finish the batch and return
  // Test seam: the sink for a target (default make_sink).
  std::function<Result<std::unique_ptr<Sink>>(const Destination&)> sink_factory;
  std::function<void(const std::string&)> on_message;  // progress / warnings (stderr in the CLI)
  int64_t base_backoff_ms = 500;
};

struct ShipReport {
  int64_t shipped = 0;
  int64_t gaps = 0;
  bool ok = true;  // every target caught up
  std::vector<CursorStatus> targets;
};

[[nodiscard]] Result<ShipReport> ship(const std::string& audit_db, const ShipConfig& cfg,
                                      const ShipOptions& opts);

// When the ship config asks for it (continuous: true), starts `blastwall-core audit ship
// --follow --parent-pid <this pid>` detached, for long-lived processes (the resident engine, the
// MCP proxy). The child takes the per-database lock, so a second start is harmless. Returns false
// when nothing was started (no config, not continuous, or the spawn failed: said on `why`).
bool start_background_shipper(const std::string& core_binary, const std::string& audit_db,
                              std::string* why);

}  // namespace blastwall::ship
