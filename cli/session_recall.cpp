#include "cli/session_recall.hpp"

#include <algorithm>

#include "audit/replay.hpp"
#include "blastwall/session_memory.hpp"
#include "cli/resident.hpp"

namespace blastwall::cli {

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
  std::vector<RecentAction> recent;
  (void)log->query(f, [&](const audit::AuditRow& row) {
    // Most rows leave nothing to remember; skip them without parsing their JSON.
    const std::string& t = row.facts;
    if (t.find("\"destructive\":true") == std::string::npos &&
        t.find("\"teardown\"") == std::string::npos &&
        t.find("\"deletion\"") == std::string::npos && t.find("\"recreate\"") == std::string::npos)
      return true;
    // The resident engine remembers what each row gave (rows never change; the text is compared).
    auto* memo = resident::recall_memo();
    if (memo) {
      auto it = memo->find(row.id);
      if (it != memo->end() && it->second.ts_us == row.ts_us && it->second.facts == t &&
          it->second.action == row.action) {
        if (it->second.memory) recent.push_back(*it->second.memory);
        return true;
      }
    }
    auto r = remember_from_facts_json(t, audit::summarize_action(row.action, 80), row.ts_us);
    if (memo) (*memo)[row.id] = resident::RecalledRow{row.ts_us, t, row.action, r};
    if (r) recent.push_back(std::move(*r));
    return true;
  });
  std::reverse(recent.begin(), recent.end());  // oldest first
  action.ctx.recent = std::move(recent);
}

}  // namespace blastwall::cli
