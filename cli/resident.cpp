#include "cli/resident.hpp"

#include <sys/stat.h>

#include <list>
#include <map>
#include <utility>

#include "cli/pack_store.hpp"
#include "cli/path_watch.hpp"

namespace blastwall::cli::resident {

namespace {

constexpr size_t k_max_engines = 8;

struct PooledLog {
  std::unique_ptr<audit::AuditLog> log;
  dev_t dev = 0;
  ino_t ino = 0;
  uint64_t generation = 0;
};

struct State {
  bool active = false;
  Request request;
  Scratch scratch;
  std::list<std::pair<std::string, std::shared_ptr<const Engine>>> engines;  // MRU first
  std::map<std::string, PooledLog> logs;
  std::unique_ptr<PathWatch> watch;
  std::unordered_map<std::string, InstalledMemo> installed;
  std::unordered_map<int64_t, RecalledRow> recalled;
  std::unordered_map<std::string, SessionWindow> windows;
  uint64_t opened = 0;  // connections opened so far (generations)
};

State& state() {
  static State s;  // the server is single-threaded; see serve.cpp
  return s;
}

}  // namespace

bool active() { return state().active; }
const Request& request() { return state().request; }

void begin(const Request& r) {
  state().active = true;
  state().request = r;
  state().scratch = {};
}

Scratch& scratch() { return state().scratch; }

void end() {
  if (state().watch) state().watch->request_done();
  state().active = false;
  state().request = {};
}

std::shared_ptr<const Engine> cached_engine(const std::string& key) {
  auto& es = state().engines;
  for (auto it = es.begin(); it != es.end(); ++it) {
    if (it->first == key) {
      es.splice(es.begin(), es, it);
      return es.front().second;
    }
  }
  return nullptr;
}

void store_engine(const std::string& key, std::shared_ptr<const Engine> engine) {
  auto& es = state().engines;
  es.emplace_front(key, std::move(engine));
  while (es.size() > k_max_engines) es.pop_back();
}

PathWatch* path_watch() {
  if (!active()) return nullptr;
  if (!state().watch) state().watch = std::make_unique<PathWatch>();
  return state().watch.get();
}

int watch_fd() { return state().watch ? state().watch->fd() : -1; }

void watch_polled(bool readable) {
  if (state().watch) state().watch->polled(readable);
}

std::unordered_map<std::string, InstalledMemo>* installed_memo() {
  if (!active()) return nullptr;
  auto& m = state().installed;
  if (m.size() > 16) m.clear();  // bounded: a few configurations
  return &m;
}

std::unordered_map<int64_t, RecalledRow>* recall_memo() {
  if (!active()) return nullptr;
  auto& m = state().recalled;
  if (m.size() > 4096) m.clear();  // bounded: a few sessions' windows
  return &m;
}

std::unordered_map<std::string, SessionWindow>* recall_windows() {
  if (!active()) return nullptr;
  auto& w = state().windows;
  if (w.size() > 256) w.clear();  // bounded: a few hundred sessions
  return &w;
}

uint64_t log_generation(const audit::AuditLog* log) {
  if (!active() || !log) return 0;
  for (const auto& [path, p] : state().logs)
    if (p.log.get() == log) return p.generation;
  return 0;
}

Result<audit::AuditLog*> audit_log(audit::AuditOptions options,
                                   std::unique_ptr<audit::AuditLog>& owned) {
  if (options.path.empty()) options.path = audit::default_audit_path();
  if (!active()) {
    auto opened = audit::AuditLog::open(std::move(options));
    if (!opened) return opened.error();
    owned = std::move(*opened);
    return owned.get();
  }
  // A server-held connection must not outlive the file it was opened on: a replaced or deleted
  // database would silently swallow rows. A degraded (spooling) log is retried every time, and
  // there is no per-process back-off: the next request may find the database usable again.
  options.retry_after_ms = 0;
  options.manual_checkpoint = true;
  auto& pool = state().logs;
  struct stat st {};
  bool exists = ::stat(options.path.c_str(), &st) == 0;
  auto it = pool.find(options.path);
  if (it != pool.end()) {
    const PooledLog& p = it->second;
    if (exists && !p.log->degraded() && p.dev == st.st_dev && p.ino == st.st_ino) {
      return p.log.get();
    }
    pool.erase(it);
  }
  std::string path = options.path;
  auto opened = audit::AuditLog::open(std::move(options));
  if (!opened) return opened.error();
  PooledLog p;
  p.log = std::move(*opened);
  p.generation = ++state().opened;
  if (::stat(path.c_str(), &st) == 0) {
    p.dev = st.st_dev;
    p.ino = st.st_ino;
  }
  auto* raw = p.log.get();
  // Bounded: a server that saw many databases (tests, several --audit-db) keeps only a few open.
  constexpr size_t k_max_logs = 8;
  while (pool.size() >= k_max_logs) pool.erase(pool.begin());
  pool[path] = std::move(p);
  return raw;
}

void after_request(bool idle) {
  for (auto& [path, p] : state().logs) (void)p.log->checkpoint(!idle);
}

void clear() {
  state().engines.clear();
  state().logs.clear();
  state().installed.clear();
  state().watch.reset();
  state().recalled.clear();
  state().windows.clear();
}

}  // namespace blastwall::cli::resident
