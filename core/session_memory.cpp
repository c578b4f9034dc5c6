#include "blastwall/session_memory.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace blastwall {
namespace {

std::vector<std::string> flag_values(const nlohmann::json& flags, const char* name) {
  std::vector<std::string> out;
  auto it = flags.find(name);
  if (it == flags.end() || !it->is_array()) return out;
  for (const auto& v : *it)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

bool counts_as_destructive(bool destructive, bool deletion, bool recreate) {
  return destructive || deletion || recreate;
}

}  // namespace

std::optional<RecentAction> remember(const Facts& facts, std::string summary, int64_t at_us) {
  RecentAction r;
  r.at_us = at_us;
  r.destructive =
      counts_as_destructive(facts.destructive(), facts.has("deletion"), facts.has("recreate"));
  if (auto it = facts.flags.find("teardown"); it != facts.flags.end()) r.teardown = it->second;
  if (auto it = facts.flags.find("teardown_prod"); it != facts.flags.end())
    r.teardown_prod = it->second;
  if (!r.destructive && r.teardown.empty()) return std::nullopt;
  r.summary = std::move(summary);
  return r;
}

std::optional<RecentAction> remember_from_facts_json(std::string_view facts_json,
                                                     std::string summary, int64_t at_us) {
  auto j = nlohmann::json::parse(facts_json, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  const auto flags = j.value("flags", nlohmann::json::object());
  if (!flags.is_object()) return std::nullopt;
  RecentAction r;
  r.at_us = at_us;
  r.destructive = counts_as_destructive(j.value("destructive", false), flags.contains("deletion"),
                                        flags.contains("recreate"));
  r.teardown = flag_values(flags, "teardown");
  r.teardown_prod = flag_values(flags, "teardown_prod");
  if (!r.destructive && r.teardown.empty()) return std::nullopt;
  r.summary = std::move(summary);
  return r;
}

void SessionMemory::add(const std::string& session, RecentAction r) {
  auto it = m_by_session.find(session);
  if (it == m_by_session.end()) {
    if (m_by_session.size() >= m_sessions) {
      auto lru = std::min_element(
          m_by_session.begin(), m_by_session.end(),
          [](const auto& a, const auto& b) { return a.second.used < b.second.used; });
      m_by_session.erase(lru);
    }
    it = m_by_session.emplace(session, Entry{}).first;
  }
  it->second.used = ++m_clock;
  auto& q = it->second.actions;
  q.push_back(std::move(r));
  while (q.size() > m_entries) q.pop_front();
}

std::vector<RecentAction> SessionMemory::recall(const std::string& session, int64_t now_us,
                                                int64_t window_s) const {
  std::vector<RecentAction> out;
  auto it = m_by_session.find(session);
  if (it == m_by_session.end()) return out;
  for (const auto& r : it->second.actions) {
    if (r.at_us + window_s * 1000000 >= now_us) out.push_back(r);
  }
  return out;
}

std::string session_key(std::string_view agent, std::string_view session) {
  if (session.empty()) return {};
  return std::string(agent) + "\x1f" + std::string(session);
}

}  // namespace blastwall
