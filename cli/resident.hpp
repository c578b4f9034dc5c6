// State of the resident engine (`blastwall-core serve`, cli/serve.cpp) that commands consult while
// it runs one of them in-process: the request's terminal flags, the engine cache and the pool of
// open audit logs. Outside `serve` every function here behaves as if there were no server.
//
// The server is single-threaded and runs one request at a time, swapping the process's cwd,
// environment, umask and standard descriptors for the request's; commands therefore read them
// exactly as they do in a fresh process. What is kept between requests is only what is safe to
// keep: built engines (keyed by the content of every policy layer and the identity of every extra
// pack file) and audit connections (re-opened when the database file is replaced).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "audit/audit_log.hpp"
#include "blastwall/engine.hpp"
#include "blastwall/result.hpp"

namespace blastwall::cli {
class PathWatch;
}
namespace blastwall::cli::packs {
struct InstalledView;
}

namespace blastwall::cli::resident {

struct Request {
  bool stdout_tty = false;
  bool stderr_tty = false;
  bool stdin_timed_out = false;  // the host did not close a hook's input within its budget
};

// Lookups remembered for the rest of one request only (reset by begin()).
struct Scratch {
  bool project_cwd_known = false;
  std::string project_cwd, project_root;
};
[[nodiscard]] Scratch& scratch();

// True while `serve` runs a request in this process.
[[nodiscard]] bool active();
[[nodiscard]] const Request& request();
void begin(const Request& r);
void end();

// Engine cache (used by build_engine only while active()). `key` covers everything the engine was
// built from. Keeps the most recently used few.
[[nodiscard]] std::shared_ptr<const Engine> cached_engine(const std::string& key);
void store_engine(const std::string& key, std::shared_ptr<const Engine> engine);

// The server's watch on files whose state later calls remember (cli/path_watch.hpp), created on
// first use; null outside `serve`. watch_fd() is what the server adds to its poll (-1: none yet),
// watch_polled() what it reports after each poll.
[[nodiscard]] PathWatch* path_watch();
[[nodiscard]] int watch_fd();
void watch_polled(bool readable);

// What packs::installed_view remembered per lockfile path (valid while path_watch()'s generation
// is the one recorded). Null outside `serve`.
struct InstalledMemo {
  uint64_t generation = 0;
  std::string cache_dir;  // the cache the entry's fingerprints are of
  std::string text;       // the lockfile's bytes when read (to reuse the parse)
  bool present = false;   // the lockfile existed
  std::shared_ptr<const packs::InstalledView> view;
};
[[nodiscard]] std::unordered_map<std::string, InstalledMemo>* installed_memo();

// What session recall (cli/session_recall.cpp) made of an audit row, kept between requests so
// that each row's JSON is parsed once, not on every call of the session (64 rows × two JSON
// parses cost ~0.5 ms per call). A hit needs the row's id, time, facts and action text to be
// exactly the ones remembered. Null outside `serve`.
struct RecalledRow {
  int64_t ts_us = 0;
  std::string facts, action;
  std::optional<RecentAction> memory;
};
[[nodiscard]] std::unordered_map<int64_t, RecalledRow>* recall_memo();

// What the last recall of one session read (cli/session_recall.cpp), so that the next call of the
// session reads only the rows written since (by id). `rows` are the session's newest rows inside
// the window starting at `since_us`, oldest first, at most k_session_memory_entries; `generation`
// is the pooled connection's (log_generation), so a replaced database is read in full again.
// `stamp` is the connection's change stamp taken before `rows` were last read or checked: while
// it stays the same no remembered row can have gone, and the recall skips counting them.
struct RecallEntry {
  int64_t id = 0, ts_us = 0;
  std::optional<RecentAction> memory;
};
struct SessionWindow {
  uint64_t generation = 0;
  int64_t since_us = 0;
  std::vector<RecallEntry> rows;
  std::optional<audit::AuditLog::ChangeStamp> stamp;
};
// Keyed by database path, agent and session. Null outside `serve`.
[[nodiscard]] std::unordered_map<std::string, SessionWindow>* recall_windows();

// The generation of a pooled audit connection: a number no other connection the server opened
// had (0 for a log the pool does not hold, e.g. outside `serve`).
[[nodiscard]] uint64_t log_generation(const audit::AuditLog* log);

// An audit log to record one event. Outside the server it opens a fresh one (kept in `owned`);
// inside, it reuses the server's connection for that path, re-opening it when the file was
// replaced or removed or when the last open fell back to the spool.
[[nodiscard]] Result<audit::AuditLog*> audit_log(audit::AuditOptions options,
                                                 std::unique_ptr<audit::AuditLog>& owned);

// After an answer went out: WAL checkpoints of the pooled audit logs that are due (all of them when
// idle is true). Keeps the checkpoint's fsync off the calls.
void after_request(bool idle);

// Drops every cached engine and audit connection (server shutdown).
void clear();

}  // namespace blastwall::cli::resident
