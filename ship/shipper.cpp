#include "ship/shipper.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

#include "proxy/sqlite_util.hpp"

extern char** environ;

namespace blastwall::ship {
namespace {

using proxy::Db;
using proxy::Stmt;

constexpr std::string_view k_schema = R"sql(
CREATE TABLE IF NOT EXISTS cursors(
  target      TEXT PRIMARY KEY,
  last_id     INTEGER NOT NULL DEFAULT 0,
  last_hash   TEXT    NOT NULL DEFAULT '',
  shipped     INTEGER NOT NULL DEFAULT 0,
  rejected    INTEGER NOT NULL DEFAULT 0,
  gaps        INTEGER NOT NULL DEFAULT 0,
  failures    INTEGER NOT NULL DEFAULT 0,
  last_ok_us  INTEGER NOT NULL DEFAULT 0,
  last_try_us INTEGER NOT NULL DEFAULT 0,
  status      TEXT    NOT NULL DEFAULT '',
  error       TEXT    NOT NULL DEFAULT ''
);
)sql";

CursorStatus load_cursor(Db& db, const std::string& target) {
  CursorStatus c;
  c.target = target;
  Stmt s(db,
         "SELECT last_id, last_hash, shipped, rejected, gaps, failures, last_ok_us, last_try_us, "
         "status, error FROM cursors WHERE target = ?");
  s.bind(1, target);
  if (s.ok() && s.step() == SQLITE_ROW) {
    c.last_id = s.integer(0);
    c.last_hash = s.text(1);
    c.shipped = s.integer(2);
    c.rejected = s.integer(3);
    c.gaps = s.integer(4);
    c.failures = s.integer(5);
    c.last_ok_us = s.integer(6);
    c.last_try_us = s.integer(7);
    c.status = s.text(8);
    c.error = s.text(9);
  }
  return c;
}

Result<bool> save_cursor(Db& db, const CursorStatus& c) {
  Stmt s(db,
         "INSERT INTO cursors(target, last_id, last_hash, shipped, rejected, gaps, failures, "
         "last_ok_us, last_try_us, status, error) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
         "ON CONFLICT(target) DO UPDATE SET last_id=excluded.last_id, last_hash=excluded.last_hash,"
         " shipped=excluded.shipped, rejected=excluded.rejected, gaps=excluded.gaps,"
         " failures=excluded.failures, last_ok_us=excluded.last_ok_us,"
         " last_try_us=excluded.last_try_us, status=excluded.status, error=excluded.error");
  if (!s.ok()) return make_error("ship cursor write failed: " + db.error());
  s.bind(1, c.target).bind(2, c.last_id).bind(3, c.last_hash).bind(4, c.shipped);
  s.bind(5, c.rejected).bind(6, c.gaps).bind(7, c.failures).bind(8, c.last_ok_us);
  s.bind(9, c.last_try_us).bind(10, c.status).bind(11, c.error);
  if (s.step() != SQLITE_DONE) return make_error("ship cursor write failed: " + db.error());
  return true;
}

int64_t backlog_after(const audit::AuditLog& log, int64_t id) {
  audit::LogFilter f;
  f.after_id = id;
  f.all_types = true;
  auto n = log.count(f);
  return n ? *n : -1;
}

// Checks that the cursor still points into this database (see the header). Returns a message
// when it had to move the cursor.
std::string reconcile(const audit::AuditLog& log, CursorStatus& c) {
  if (c.last_id <= 0) return {};
  auto row = log.get(c.last_id);
  if (row) {
    if (c.last_hash.empty() || row->hash == c.last_hash) return {};
  } else {
    auto pruned = log.pruned_through();
    if (pruned && *pruned >= c.last_id) return {};  // pruned after it was shipped: fine
  }
  std::string why = "the audit database was replaced underneath (row " + std::to_string(c.last_id) +
                    (row ? " has another hash" : " is gone and no prune explains it") +
                    "): shipping it again from its first row";
  c.last_id = 0;
  c.last_hash.clear();
  return why;
}

struct TargetState {
  Destination target;
  std::unique_ptr<Sink> sink;
  CursorStatus cursor;
  int64_t next_try_us = 0;
  int attempts = 0;
  bool done = false;  // without follow: caught up or gave up
};

bool process_alive(int64_t pid) {
  return pid <= 0 || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// An open-file-description lock (F_OFD_SETLK), not flock: another process can ask whether it is
// held (F_OFD_GETLK) without taking it, so `doctor` never makes a starting shipper lose the race;
// and unlike a classic POSIX lock it conflicts within one process too. The holder writes its pid
// into the file for doctor to show.
class LockFile {
 public:
  explicit LockFile(const std::string& path) {
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  }
  ~LockFile() {
    if (m_fd >= 0) ::close(m_fd);
  }
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;
  bool try_lock() {
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (m_fd < 0 || ::fcntl(m_fd, F_OFD_SETLK, &fl) != 0) return false;
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(m_fd, 0) == 0) (void)!::pwrite(m_fd, pid.data(), pid.size(), 0);
    return true;
  }

 private:
  int m_fd = -1;
};

std::string lock_path(const std::string& audit_db) { return cursor_path(audit_db) + ".lock"; }

}  // namespace

std::string cursor_path(const std::string& audit_db) { return audit_db + ".ship"; }

Result<std::vector<CursorStatus>> read_status(const std::string& audit_db, const ShipConfig& cfg) {
  // Only read: a status query (doctor) must not create the cursor file.
  std::unique_ptr<Db> db;
  if (struct stat st{}; ::stat(cursor_path(audit_db).c_str(), &st) == 0) {
    auto opened = Db::open(cursor_path(audit_db), k_schema);
    if (!opened) return opened.error();
    db = std::move(*opened);
  }
  std::unique_ptr<audit::AuditLog> log;
  if (struct stat st{}; ::stat(audit_db.c_str(), &st) == 0) {
    audit::AuditOptions o;
    o.path = audit_db;
    o.read_only = true;
    if (auto l = audit::AuditLog::open(o); l && !(*l)->degraded()) log = std::move(*l);
  }
  int64_t head = -1;
  if (log) {
    audit::LogFilter f;
    f.all_types = true;
    f.newest_first = true;
    f.limit = 1;
    head = 0;
    (void)log->query(f, [&head](const audit::AuditRow& r) {
      head = r.id;
      return false;
    });
  }
  std::vector<CursorStatus> out;
  for (const auto& t : cfg.targets) {
    CursorStatus c;
    c.target = t.name;
    if (db) c = load_cursor(*db, t.name);
    if (c.status.empty()) c.status = "never shipped";
    c.head_id = head;
    if (log) c.backlog = backlog_after(*log, c.last_id);
    out.push_back(std::move(c));
  }
  return out;
}

int64_t running_shipper(const std::string& audit_db) {
  int fd = ::open(lock_path(audit_db).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  int64_t pid = 0;
  if (::fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    pid = n > 0 ? std::atoll(buf) : 0;
    if (pid <= 0) pid = -1;  // held, but the holder has not written its pid yet
  }
  ::close(fd);
  return pid;
}

Result<ShipReport> ship(const std::string& audit_db, const ShipConfig& cfg,
                        const ShipOptions& opts) {
  auto say = [&](const std::string& m) {
    if (opts.on_message) opts.on_message(m);
  };
  if (cfg.targets.empty())
    return make_error(
        "no ship targets (write a ship.yaml, see docs/TEAMS.md, or pass --otlp/--syslog)");
  LockFile lock(lock_path(audit_db));
  if (!lock.try_lock()) {
    if (opts.follow) {
      ShipReport r;
      say("another shipper already runs for " + audit_db);
      return r;
    }
    return make_error("another `audit ship` runs for " + audit_db +
                      " (a background shipper?); see `blastwall audit ship --status`");
  }
  auto cdb = Db::open(cursor_path(audit_db), k_schema);
  if (!cdb) return cdb.error();

  std::vector<TargetState> states;
  for (const auto& t : cfg.targets) {
    TargetState st;
    st.target = t;
    auto sink = opts.sink_factory ? opts.sink_factory(t) : make_sink(t, local_resource());
    if (!sink) return make_error("target '" + t.name + "': " + sink.error().message);
    st.sink = std::move(*sink);
    st.cursor = load_cursor(**cdb, t.name);
    states.push_back(std::move(st));
  }

  std::unique_ptr<audit::AuditLog> log;
  std::mt19937_64 rng(static_cast<uint64_t>(::getpid()) ^ static_cast<uint64_t>(audit::now_us()));
  ShipReport report;
  auto stopped = [&] { return opts.stop && opts.stop->load(); };

  for (;;) {
    if (!log) {
      audit::AuditOptions o;
      o.path = audit_db;
      o.read_only = true;
      auto l = audit::AuditLog::open(o);
      if (!l || (*l)->degraded()) {
        if (!opts.follow)
          return make_error(l ? "audit database " + audit_db + " is unreadable"
                              : l.error().message);
      } else {
        log = std::move(*l);
        for (auto& st : states) {
          if (auto why = reconcile(*log, st.cursor); !why.empty()) say(st.target.name + ": " + why);
        }
      }
    }
    bool any_work = false;
    int64_t now = audit::now_us();
    for (auto& st : states) {
      if (!log || st.done || now < st.next_try_us || stopped()) continue;
      std::vector<audit::AuditRow> rows;
      audit::LogFilter f;
      f.after_id = st.cursor.last_id;
      f.all_types = true;
      f.limit = st.target.batch;
      rows.reserve(static_cast<size_t>(st.target.batch));
      auto q = log->query(f, [&](const audit::AuditRow& r) {
        rows.push_back(r);
        return true;
      });
      if (!q) {
        // The file may have been replaced or removed: reopen on the next pass.
        say("audit read failed: " + q.error().message);
        log.reset();
        break;
      }
      if (rows.empty()) {
        if (!opts.follow) st.done = true;
        continue;
      }
      any_work = true;
      st.cursor.last_try_us = now;
      SendResult res = st.sink->send(rows);
      if (res.outcome == SendOutcome::ok) {
        // Rows missing between the cursor and this batch were pruned before being shipped.
        int64_t gap = rows.front().id - st.cursor.last_id - 1;
        if (st.cursor.last_id > 0 && gap > 0) {
          st.cursor.gaps += gap;
          report.gaps += gap;
          say(st.target.name + ": " + std::to_string(gap) +
              " rows were pruned before they were shipped (ids " +
              std::to_string(st.cursor.last_id + 1) + ".." + std::to_string(rows.front().id - 1) +
              ")");
        }
        st.cursor.last_id = rows.back().id;
        st.cursor.last_hash = rows.back().hash;
        st.cursor.shipped += static_cast<int64_t>(rows.size());
        st.cursor.rejected += res.rejected;
        st.cursor.failures = 0;
        st.cursor.last_ok_us = audit::now_us();
        st.cursor.status = "ok";
        st.cursor.error = res.rejected ? "collector rejected " + std::to_string(res.rejected) +
                                             " records: " + res.message
                                       : std::string();
        st.attempts = 0;
        report.shipped += static_cast<int64_t>(rows.size());
        if (auto w = save_cursor(**cdb, st.cursor); !w) return w.error();
        continue;
      }
      ++st.cursor.failures;
      ++st.attempts;
      st.cursor.status = res.outcome == SendOutcome::permanent ? "refused" : "retrying";
      st.cursor.error = res.message;
      st.sink->reset();
      // Exponential back-off with full jitter; a refusal waits the longest (it needs a human).
      int64_t cap = st.target.max_backoff_ms;
      int64_t exp = std::min<int64_t>(cap, opts.base_backoff_ms << std::min(st.attempts - 1, 20));
      int64_t wait_ms = res.outcome == SendOutcome::permanent
                            ? cap
                            : std::uniform_int_distribution<int64_t>(exp / 2, exp)(rng);
      wait_ms = std::max<int64_t>(wait_ms, res.retry_after_ms);
      st.next_try_us = audit::now_us() + wait_ms * 1000;
      say(st.target.name + ": " + res.message + " (attempt " + std::to_string(st.attempts) +
          ", next in " + std::to_string(wait_ms) + " ms)");
      if (auto w = save_cursor(**cdb, st.cursor); !w) return w.error();
      if (!opts.follow && st.attempts >= opts.max_attempts) {
        st.done = true;
        report.ok = false;
      }
    }
    if (stopped()) break;
    bool all_done = std::all_of(states.begin(), states.end(), [](const auto& s) { return s.done; });
    if (!opts.follow && all_done) break;
    if (opts.follow && !process_alive(opts.parent_pid)) {
      // The owner is gone: finish what is there, then exit.
      bool caught_up = log && !any_work;
      if (caught_up) break;
    }
    if (!any_work) {
      int64_t sleep_ms = opts.follow ? cfg.poll_ms : 50;
      int64_t soonest = INT64_MAX;
      for (const auto& st : states) {
        if (!st.done && st.next_try_us > now) soonest = std::min(soonest, st.next_try_us);
      }
      if (soonest != INT64_MAX) sleep_ms = std::min<int64_t>(sleep_ms, (soonest - now) / 1000 + 1);
      if (!opts.follow)
        sleep_ms = std::max<int64_t>(1, (soonest == INT64_MAX ? 0 : (soonest - now) / 1000 + 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(std::max<int64_t>(1, sleep_ms)));
    }
  }
  for (auto& st : states) {
    if (log) st.cursor.backlog = backlog_after(*log, st.cursor.last_id);
    if (st.cursor.backlog > 0) report.ok = false;
    report.targets.push_back(st.cursor);
  }
  return report;
}

bool start_background_shipper(const std::string& core_binary, const std::string& audit_db,
                              std::string* why) {
  std::string path = default_ship_config_path();
  if (path.empty()) return false;
  auto cfg = load_ship_config(path);
  if (!cfg) {
    if (why) *why = cfg.error().format();
    return false;
  }
  if (!cfg->continuous || cfg->targets.empty()) return false;
  std::string pid = std::to_string(::getpid());
  // --detach: the child forks the follower and exits at once, so the wait below is short.
  std::vector<std::string> args{core_binary, "--audit-db", audit_db,       "audit",
                                "ship",      "--follow",   "--config",     path,
                                "--quiet",   "--detach",   "--parent-pid", pid};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t child = 0;
  int rc = posix_spawn(&child, core_binary.c_str(), &fa, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    if (why) *why = std::string("cannot start the background shipper: ") + std::strerror(rc);
    return false;
  }
  // --detach: the child forks the follower and exits at once; reap it so no zombie stays.
  int status = 0;
  ::waitpid(child, &status, 0);
  return true;
}

}  // namespace blastwall::ship
