#include "blastwall/verdict.hpp"

#include <array>
#include <utility>

namespace blastwall {
namespace {

constexpr std::array<std::pair<Decision, std::string_view>, 3> k_decisions{
    {{Decision::allow, "allow"}, {Decision::ask, "ask"}, {Decision::deny, "deny"}}};
constexpr std::array<std::pair<Severity, std::string_view>, 5> k_severities{{
    {Severity::info, "info"},
    {Severity::low, "low"},
    {Severity::medium, "medium"},
    {Severity::high, "high"},
    {Severity::critical, "critical"},
}};
constexpr std::array<std::pair<PathClass, std::string_view>, 8> k_classes{{
    {PathClass::root, "root"},
    {PathClass::system, "system"},
    {PathClass::home_root, "home-root"},
    {PathClass::home_secret, "home-secret"},
    {PathClass::outside_project, "outside-project"},
    {PathClass::inside_project, "inside-project"},
    {PathClass::temp, "temp"},
    {PathClass::unknown, "unknown"},
}};

template <typename E, size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E v) {
  for (const auto& [k, n] : table) {
    if (k == v) return n;
  }
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view text) {
  for (const auto& [k, n] : table) {
    if (n == text) return k;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(Decision d) { return name_of(k_decisions, d); }
std::optional<Decision> parse_decision(std::string_view t) { return value_of(k_decisions, t); }
std::string_view to_string(Severity s) { return name_of(k_severities, s); }
std::optional<Severity> parse_severity(std::string_view t) { return value_of(k_severities, t); }
std::string_view to_string(PathClass c) { return name_of(k_classes, c); }
std::optional<PathClass> parse_path_class(std::string_view t) { return value_of(k_classes, t); }

void Facts::set(const std::string& name, std::string why) {
  auto& reasons = flags[name];
  if (why.empty()) return;
  for (const auto& r : reasons) {
    if (r == why) return;
  }
  reasons.push_back(std::move(why));
}

void Facts::merge(const Facts& other) {
  for (const auto& [name, reasons] : other.flags) {
    auto& mine = flags[name];
    for (const auto& r : reasons) {
      bool seen = false;
      for (const auto& m : mine) seen = seen || m == r;
      if (!seen) mine.push_back(r);
    }
  }
  for (const auto& t : other.targets) {
    bool seen = false;
    for (const auto& m : targets) seen = seen || (m.resolved == t.resolved && m.raw == t.raw);
    if (!seen) targets.push_back(t);
  }
}

nlohmann::json to_json(const Facts& f) {
  nlohmann::json j = nlohmann::json::object();
  j["destructive"] = f.destructive();
  j["global"] = f.global();
  j["prod"] = f.prod();
  nlohmann::json flags = nlohmann::json::object();
  for (const auto& [name, reasons] : f.flags) flags[name] = reasons;
  j["flags"] = std::move(flags);
  nlohmann::json targets = nlohmann::json::array();
  for (const auto& t : f.targets) {
    nlohmann::json tj = {{"raw", t.raw}, {"resolved", t.resolved}, {"class", to_string(t.cls)}};
    if (t.glob) tj["glob"] = true;
    if (t.dynamic) tj["dynamic"] = true;
    if (t.self) tj["self"] = true;
    if (t.write) tj["write"] = true;
    targets.push_back(std::move(tj));
  }
  j["targets"] = std::move(targets);
  return j;
}

nlohmann::json to_json(const Verdict& v) {
  nlohmann::json j;
  j["decision"] = to_string(v.decision);
  j["severity"] = to_string(v.severity);
  j["source"] = v.source;
  j["reason"] = v.reason;
  j["facts"] = to_json(v.facts);
  nlohmann::json matches = nlohmann::json::array();
  for (const auto& m : v.matches) {
    matches.push_back({{"rule", m.rule_id},
                       {"pack", m.pack_id + "@" + m.pack_version},
                       {"title", m.title},
                       {"decision", to_string(m.decision)},
                       {"severity", to_string(m.severity)},
                       {"message", m.message},
                       {"remediation", m.remediation},
                       {"subject", m.subject},
                       {"span", {m.begin, m.end}}});
  }
  j["matches"] = std::move(matches);
  nlohmann::json suppressed = nlohmann::json::array();
  for (const auto& s : v.suppressed) {
    suppressed.push_back({{"rule", s.rule_id},
                          {"exception", s.exception},
                          {"value", s.value},
                          {"subject", s.subject}});
  }
  j["suppressed"] = std::move(suppressed);
  if (!v.explanation.empty()) j["explanation"] = v.explanation;
  j["eval_us"] = v.eval_us;
  return j;
}

}  // namespace blastwall
