// Session memory for adapters: what one evaluated action leaves for the next calls of the same
// agent session (its teardowns, whether it was destructive), and a bounded in-memory store for
// long-lived adapters (the MCP proxy, replay). The engine stays pure: adapters hand the recalled
// list in as ActionContext::recent (docs/ARCHITECTURE.md "Session memory").
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blastwall/action.hpp"
#include "blastwall/verdict.hpp"

namespace blastwall {

// Most entries recalled for one action; older ones are dropped first.
inline constexpr size_t k_session_memory_entries = 64;

// The memory an evaluated action leaves, or nullopt when it leaves none (not destructive, tore
// nothing down): most actions, so the memory holds only what later facts can use.
[[nodiscard]] std::optional<RecentAction> remember(const Facts& facts, std::string summary,
                                                   int64_t at_us);
// The same from an audit row's facts JSON (the `facts` column).
[[nodiscard]] std::optional<RecentAction> remember_from_facts_json(std::string_view facts_json,
                                                                   std::string summary,
                                                                   int64_t at_us);

// Bounded per-session memory: at most `entries` actions per session and `sessions` sessions
// (the least recently used session is forgotten first). Not thread-safe.
class SessionMemory {
 public:
  explicit SessionMemory(size_t entries = k_session_memory_entries, size_t sessions = 256)
      : m_entries(entries), m_sessions(sessions) {}
  void add(const std::string& session, RecentAction r);
  // The session's actions no older than window_s before now_us, oldest first.
  [[nodiscard]] std::vector<RecentAction> recall(const std::string& session, int64_t now_us,
                                                 int64_t window_s) const;
  [[nodiscard]] size_t sessions() const { return m_by_session.size(); }

 private:
  struct Entry {
    std::deque<RecentAction> actions;
    uint64_t used = 0;
  };
  size_t m_entries, m_sessions;
  uint64_t m_clock = 0;
  std::map<std::string, Entry> m_by_session;
};

// Session key of an action: agent and session id ("" when the adapter knows no session).
[[nodiscard]] std::string session_key(std::string_view agent, std::string_view session);
[[nodiscard]] inline std::string session_key(const ActionContext& ctx) {
  return session_key(ctx.agent, ctx.session);
}

}  // namespace blastwall
