#include "cli/session_recall.hpp"

#include <algorithm>

#include "audit/replay.hpp"
#include "blastwall/session_memory.hpp"
#include "cli/resident.hpp"

namespace blastwall::cli {
namespace {

// What one row leaves in memory (nothing for most rows: skipped without parsing their JSON).
std::optional<RecentAction> row_memory(const audit::AuditRow& row) {
  const std::string& t = row.facts;
  if (t.find("\"destructive\":true") == std::string::npos &&
      t.find("\"teardown\"") == std::string::npos && t.find("\"deletion\"") == std::string::npos &&
      t.find("\"recreate\"") == std::string::npos)
    return std::nullopt;
  // The resident engine remembers what each row gave (rows never change; the text is compared).
  auto* memo = resident::recall_memo();
  if (memo) {
    auto it = memo->find(row.id);
    if (it != memo->end() && it->second.ts_us == row.ts_us && it->second.facts == t &&
        it->second.action == row.action)
      return it->second.memory;
  }
  auto r = remember_from_facts_json(t, audit::summarize_action(row.action, 80), row.ts_us);
  if (memo) (*memo)[row.id] = resident::RecalledRow{row.ts_us, t, row.action, r};
  return r;
}

// The session's newest rows inside the filter's window, oldest first (at most f.limit).
bool read_rows(const audit::AuditLog& log, const audit::LogFilter& f,
               std::vector<resident::RecallEntry>& out) {
  const auto n = log.query(f, [&](const audit::AuditRow& row) {
    out.push_back(resident::RecallEntry{row.id, row.ts_us, row_memory(row)});
    return true;
  });
  std::reverse(out.begin(), out.end());
  return n.has_value();
}

// The rows an earlier read of the same session left, brought up to date with only the rows
// written since, when that gives exactly what a full read would: the same connection (a replaced
// database is another generation), a window that did not start earlier, every remembered row
// still there (retention and `audit prune` delete rows: counted, unless the connection's change
// stamp says nothing but this connection's own records happened since they were last checked),
// the newest one unchanged, and either nothing cut off by the row limit last time or a full set
// of rows now. Returns false when a full read is needed.
bool update_window(const audit::AuditLog& log, const audit::LogFilter& f, uint64_t generation,
                   const std::optional<audit::AuditLog::ChangeStamp>& stamp,
                   resident::SessionWindow& w) {
  if (w.generation != generation || w.rows.empty() || *f.since_us < w.since_us) return false;
  const size_t limit = static_cast<size_t>(f.limit);
  const bool was_cut = w.rows.size() >= limit;
  if (!stamp || !w.stamp || !(*stamp == *w.stamp)) {
    audit::LogFilter still = f;
    still.since_us = w.since_us;
    still.after_id = w.rows.front().id - 1;
    still.before_id = w.rows.back().id + 1;
    still.limit = 0;
    still.newest_first = false;
    auto present = log.count(still);
    if (!present || *present != static_cast<int64_t>(w.rows.size())) return false;
  }
  // From the newest remembered row on: it must come back as it was (ids are reused after the
  // newest rows are deleted; a database rewritten in place has other rows).
  audit::LogFilter newer = f;
  newer.after_id = w.rows.back().id - 1;
  std::vector<resident::RecallEntry> added;
  if (!read_rows(log, newer, added) || added.empty() || added.front().id != w.rows.back().id ||
      added.front().ts_us != w.rows.back().ts_us)
    return false;
  added.erase(added.begin());
  std::erase_if(w.rows, [&](const resident::RecallEntry& e) { return e.ts_us < *f.since_us; });
  w.rows.insert(w.rows.end(), std::make_move_iterator(added.begin()),
                std::make_move_iterator(added.end()));
  if (w.rows.size() > limit)
    w.rows.erase(w.rows.begin(), w.rows.end() - static_cast<std::ptrdiff_t>(limit));
  // Rows older than the remembered ones were never read: only a full set hides them.
  if (was_cut && w.rows.size() < limit) return false;
  w.since_us = *f.since_us;
  return true;
}

}  // namespace

void recall_session(Action& action, const Policy& policy, const audit::AuditLog* log) {
  if (action.ctx.now_us == 0) action.ctx.now_us = audit::now_us();
  if (!log || action.ctx.session.empty() || !action.ctx.recent.empty()) return;
  if (policy.burst_threshold == 0 && policy.session_window_s == 0) return;
  audit::LogFilter f;
  f.agent = action.ctx.agent;
  f.session = action.ctx.session;
  f.since_us = action.ctx.now_us - policy.session_window_s * 1000000;
  f.newest_first = true;
  f.limit = static_cast<int64_t>(k_session_memory_entries);
  std::vector<resident::RecallEntry> fresh;
  const std::vector<resident::RecallEntry>* rows = &fresh;
  auto* windows = resident::recall_windows();
  const uint64_t generation = resident::log_generation(log);
  if (windows && generation != 0) {
    auto& w = (*windows)[log->path() + '\n' + f.agent + '\n' + f.session];
    // Taken before anything is read: a change after it shows in the next call's stamp.
    auto stamp = log->change_stamp();
    std::optional<audit::AuditLog::ChangeStamp> now;
    if (stamp) now = *stamp;
    if (!update_window(*log, f, generation, now, w)) {
      w = resident::SessionWindow{generation, *f.since_us, {}, std::nullopt};
      // A failed read keeps what it got, as the in-process recall does, but is not built on.
      if (!read_rows(*log, f, w.rows)) w.generation = 0;
    }
    w.stamp = now;
    rows = &w.rows;
  } else {
    (void)read_rows(*log, f, fresh);
  }
  std::vector<RecentAction> recent;  // oldest first
  for (const auto& e : *rows)
    if (e.memory) recent.push_back(*e.memory);
  action.ctx.recent = std::move(recent);
}

}  // namespace blastwall::cli
