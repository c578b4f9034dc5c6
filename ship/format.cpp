#include "ship/format.hpp"

#include <nlohmann/json.hpp>

#include "audit/replay.hpp"
#include "core/escape.hpp"

namespace blastwall::ship {
namespace {

void append_json_string(std::string& out, std::string_view s) { append_quoted(out, s); }

// Attribute writers; `first` tracks the comma.
struct Attrs {
  std::string& out;
  bool first = true;
  void key(std::string_view k) {
    out += first ? "{\"key\":" : ",{\"key\":";
    first = false;
    append_json_string(out, k);
    out += ",\"value\":";
  }
  void str(std::string_view k, std::string_view v) {
    if (v.empty()) return;
    key(k);
    out += "{\"stringValue\":";
    append_json_string(out, v);
    out += "}}";
  }
  void integer(std::string_view k, int64_t v) {
    key(k);
    out += "{\"intValue\":\"" + std::to_string(v) + "\"}}";
  }
  void boolean(std::string_view k, bool v) {
    key(k);
    out += v ? "{\"boolValue\":true}}" : "{\"boolValue\":false}}";
  }
  void strings(std::string_view k, const std::vector<std::string>& vs) {
    if (vs.empty()) return;
    key(k);
    out += "{\"arrayValue\":{\"values\":[";
    for (size_t i = 0; i < vs.size(); ++i) {
      out += i ? ",{\"stringValue\":" : "{\"stringValue\":";
      append_json_string(out, vs[i]);
      out += '}';
    }
    out += "]}}}";
  }
};

struct RowFacts {
  std::vector<std::string> names;
  bool prod = false, global = false, destructive = false;
};

RowFacts facts_of(const std::string& facts_json) {
  RowFacts f;
  if (facts_json.empty()) return f;
  auto j = nlohmann::json::parse(facts_json, nullptr, false);
  if (!j.is_object()) return f;
  if (auto it = j.find("flags"); it != j.end() && it->is_object()) {
    for (const auto& [name, _] : it->items()) f.names.push_back(name);
  }
  f.prod = j.value("prod", false);
  f.global = j.value("global", false);
  f.destructive = j.value("destructive", false);
  return f;
}

std::vector<std::string> rule_ids_of(const std::string& rules_json) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(rules_json.empty() ? "[]" : rules_json, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& r : j) {
    if (!r.is_string()) continue;
    auto s = r.get<std::string>();
    out.push_back(s.substr(0, s.find('@')));  // "rule@pack@version" -> rule id
  }
  return out;
}

std::string reason_of(const std::string& detail_json) {
  auto j = nlohmann::json::parse(detail_json.empty() ? "{}" : detail_json, nullptr, false);
  if (!j.is_object()) return {};
  return j.value("reason", std::string());
}

// The one-line human summary both wire forms carry as their body.
std::string body_of(const audit::AuditRow& r) {
  if (r.type == "action") {
    std::string s = r.decision + " " + r.kind + " " + audit::summarize_action(r.action, 200);
    std::string why = reason_of(r.detail);
    if (!why.empty()) s += " — " + why;
    return s;
  }
  if (r.type == "approval" || r.type == "outcome")
    return r.type + " " + r.decision + " for action " + std::to_string(r.ref_id);
  return r.type + " " + r.detail;
}

// OTLP SeverityNumber: INFO=9, INFO2=10 (ask), WARN=13 (deny).
int otlp_severity(const audit::AuditRow& r) {
  int s = syslog_severity(r);
  return s == 4 ? 13 : s == 5 ? 10 : 9;
}
const char* otlp_severity_text(const audit::AuditRow& r) {
  int s = syslog_severity(r);
  return s == 4 ? "WARN" : s == 5 ? "INFO2" : "INFO";
}

std::string sd_escape(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char ch : v) {
    if (ch == '"' || ch == '\\' || ch == ']') out += '\\';
    out += ch;
  }
  return out;
}

// RFC 5424 fields that must be printable US-ASCII without spaces, or "-".
std::string header_field(std::string_view v, size_t max) {
  std::string out;
  for (char ch : v.substr(0, max)) out += (ch > 32 && ch < 127) ? ch : '_';
  return out.empty() ? "-" : out;
}

// Cuts to at most n bytes without splitting a UTF-8 sequence.
void cut_utf8(std::string& s, size_t n) {
  if (s.size() <= n) return;
  size_t i = n;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  s.resize(i);
}

}  // namespace

int syslog_severity(const audit::AuditRow& r) {
  if (r.type == "action") {
    if (r.decision == "deny") return 4;
    if (r.decision == "ask") return 5;
    return 6;
  }
  if (r.type == "approval" && r.decision != "approved") return 5;
  return 6;
}

std::string otlp_logs_json(std::span<const audit::AuditRow> rows, const Resource& res) {
  std::string out;
  out.reserve(256 + rows.size() * 900);
  out += "{\"resourceLogs\":[{\"resource\":{\"attributes\":[";
  {
    Attrs a{out};
    a.str("service.name", "blastwall");
    a.str("service.version", res.version);
    a.str("host.name", res.host);
    a.str("user.name", res.user);
  }
  out += "]},\"scopeLogs\":[{\"scope\":{\"name\":\"blastwall.audit\"";
  if (!res.version.empty()) {
    out += ",\"version\":";
    append_json_string(out, res.version);
  }
  out += "},\"logRecords\":[";
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    if (i) out += ',';
    std::string ns = std::to_string(r.ts_us) + "000";
    out += "{\"timeUnixNano\":\"" + ns + "\",\"observedTimeUnixNano\":\"" + ns +
           "\",\"severityNumber\":" + std::to_string(otlp_severity(r)) + ",\"severityText\":\"" +
           otlp_severity_text(r) + "\",\"body\":{\"stringValue\":";
    append_json_string(out, body_of(r));
    out += "},\"attributes\":[";
    Attrs a{out};
    RowFacts f = facts_of(r.facts);
    a.integer("blastwall.event.id", r.id);
    a.str("blastwall.event.type", r.type);
    if (r.ref_id) a.integer("blastwall.event.ref_id", r.ref_id);
    a.str("blastwall.agent", r.agent);
    a.str("blastwall.surface", r.surface);
    a.str("session.id", r.session);
    a.str("blastwall.tool", r.tool);
    a.str("blastwall.kind", r.kind);
    a.str("blastwall.decision", r.decision);
    a.str("blastwall.decision.source", r.source);
    a.str("blastwall.cwd", r.cwd);
    a.str("blastwall.project", r.project);
    a.strings("blastwall.facts", f.names);
    if (r.type == "action") {
      a.boolean("blastwall.prod", f.prod);
      a.boolean("blastwall.global", f.global);
      a.boolean("blastwall.destructive", f.destructive);
      a.integer("blastwall.eval_us", r.eval_us);
    }
    a.strings("blastwall.rule_ids", rule_ids_of(r.rules));
    a.str("blastwall.action", r.action);
    a.str("blastwall.chain.hash", r.hash);
    a.str("blastwall.chain.prev_hash", r.prev_hash);
    out += "]}";
  }
  out += "]}]}]}";
  return out;
}

std::string syslog_5424(const audit::AuditRow& r, const Destination& t, const Resource& res,
                        size_t max_bytes) {
  int pri = t.facility * 8 + syslog_severity(r);
  std::string ts = audit::format_time_us(r.ts_us);  // 2026-11-01T10:00:00.123456Z
  std::string msg = "<" + std::to_string(pri) + ">1 " + ts + " " + header_field(res.host, 255) +
                    " " + header_field(t.app_name, 48) + " - " +
                    header_field(r.type == "action" ? r.decision : r.type, 32) + " ";
  RowFacts f = facts_of(r.facts);
  std::string facts;
  for (const auto& n : f.names) facts += (facts.empty() ? "" : ",") + n;
  std::string rules;
  for (const auto& id : rule_ids_of(r.rules)) rules += (rules.empty() ? "" : ",") + id;
  msg += "[blastwall@" + t.enterprise_id;
  auto param = [&](const char* k, const std::string& v) {
    if (!v.empty()) msg += std::string(" ") + k + "=\"" + sd_escape(v) + "\"";
  };
  param("id", std::to_string(r.id));
  param("type", r.type);
  if (r.ref_id) param("ref", std::to_string(r.ref_id));
  param("agent", r.agent);
  param("session", r.session);
  param("tool", r.tool);
  param("kind", r.kind);
  param("decision", r.decision);
  param("source", r.source);
  param("facts", facts);
  param("rules", rules);
  param("hash", r.hash);
  msg += "] \xEF\xBB\xBF" + body_of(r);
  cut_utf8(msg, max_bytes);
  return msg;
}

}  // namespace blastwall::ship
