#include "audit/redact.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <mutex>
#include <vector>

namespace blastwall::audit {
namespace {

constexpr std::string_view k_redacted_prefix = "[REDACTED:";

// Each pattern has exactly three groups: a prefix kept as is, the secret, a suffix kept as is.
struct Pattern {
  std::string_view kind;
  std::string_view regex;
  bool mysql_only = false;  // `-pSECRET` is only a password for the MySQL client family
};

// Literal hints (lower case): a pattern can only match a text containing one of its hints. Most
// strings contain none, so most patterns are never compiled in a short-lived hook process.
constexpr std::array<std::array<std::string_view, 6>, 13> k_hints{{
    {"private key"},
    {"://"},
    {"authorization"},
    {"bearer"},
    {"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"},
    {"akia", "asia"},
    {"xox"},
    {"sk-"},
    {"aiza"},
    {"eyj"},
    {"pass", "token", "secret", "key"},
    {"-p"},
    {"token", "secret", "key", "pass", "pwd", "credential"},
}};

constexpr std::array<Pattern, 13> k_patterns{{
    {"private_key",
     R"((?s)()(-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$))())"},
    {"url_password", R"((?i)([a-z][a-z0-9+.\-]*://[^/\s:@'"]*:)([^@\s/'"]+)(@))"},
    {"authorization",
     R"((?i)(authorization["']?\s*[:=]\s*["']?(?:bearer|basic|token|digest)?\s*)([^\s'"\\,]+)())"},
    {"bearer", R"((?i)(\bbearer\s+)([A-Za-z0-9._~+/=\-]{8,})())"},
    {"github_token", R"(()(\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}))())"},
    {"aws_access_key", R"(()(\b(?:AKIA|ASIA)[0-9A-Z]{16}\b)())"},
    {"slack_token", R"(()(\bxox[abposr]-[A-Za-z0-9\-]{10,})())"},
    {"api_key", R"(()(\bsk-(?:ant-|proj-)?[A-Za-z0-9_\-]{20,})())"},
    {"google_api_key", R"(()(\bAIza[0-9A-Za-z_\-]{35})())"},
    {"jwt", R"(()(\beyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,})())"},
    {"password_flag",
     R"((?i)((?:^|\s)--?(?:password|passwd|pass|token|secret|api-key|apikey|auth-token|access-token|client-secret)(?:=|\s+))("[^"]*"|'[^']*'|[^\s'"]+)())"},
    {"password_flag", R"(((?:^|\s)-p)('[^']*'|"[^"]*"|[^\s'"\-][^\s]*)())", true},
    // NAME=value, NAME: value, "name": "value" where NAME looks secret (see is_secret_name).
    {"secret_var",
     R"((?i)(\b(?:[A-Za-z0-9_.\-]*(?:token|secret|_key|apikey|_pass|passwd|pwd|credentials?)|[A-Za-z0-9_.\-]*passw(?:or)?d[A-Za-z0-9_\-]*)["']?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s"',;&|})]+)())"},
}};

// Patterns compile on first use (thread-safe), so a process pays only for what its text needs.
class Compiled {
 public:
  const RE2& pattern(size_t i) {
    std::call_once(m_once[i], [&] {
      m_patterns[i] = std::make_unique<RE2>(
          re2::StringPiece(k_patterns[i].regex.data(), k_patterns[i].regex.size()), options());
    });
    return *m_patterns[i];
  }
  const RE2& mysql() {
    std::call_once(m_mysql_once, [&] {
      m_mysql = std::make_unique<RE2>(R"(\b(?:mysql|mariadb|mysqldump|mysqladmin|mysqlimport)\b)",
                                      options());
    });
    return *m_mysql;
  }

 private:
  static RE2::Options options() {
    RE2::Options o;
    o.set_log_errors(false);
    o.set_max_mem(64 << 20);
    return o;
  }
  std::array<std::once_flag, k_patterns.size()> m_once;
  std::array<std::unique_ptr<RE2>, k_patterns.size()> m_patterns;
  std::once_flag m_mysql_once;
  std::unique_ptr<RE2> m_mysql;
};

Compiled& compiled() {
  static Compiled c;
  return c;
}

std::string apply(const RE2& re, std::string_view kind, const std::string& in) {
  if (!re.ok()) {
    // A pattern that failed to compile must never leak a secret: redact everything.
    return "[REDACTED:" + std::string(kind) + "]";
  }
  std::string out;
  re2::StringPiece text(in);
  std::array<re2::StringPiece, 4> g;
  size_t pos = 0;
  bool changed = false;
  while (pos <= in.size() &&
         re.Match(text, pos, in.size(), RE2::UNANCHORED, g.data(), static_cast<int>(g.size()))) {
    size_t begin = static_cast<size_t>(g[0].data() - in.data());
    size_t end = begin + g[0].size();
    std::string_view secret(g[2].data(), g[2].size());
    out.append(in, pos, begin - pos);
    if (secret.empty() || secret.substr(0, k_redacted_prefix.size()) == k_redacted_prefix ||
        (secret.size() > 1 && secret.substr(1, k_redacted_prefix.size()) == k_redacted_prefix)) {
      out.append(g[0].data(), g[0].size());
    } else {
      out.append(g[1].data(), g[1].size());
      out.append(k_redacted_prefix);
      out.append(kind);
      out.push_back(']');
      out.append(g[3].data(), g[3].size());
      changed = true;
    }
    if (end == begin) {
      if (begin < in.size()) out.push_back(in[begin]);
      end = begin + 1;
    }
    pos = end;
  }
  if (!changed) return in;
  if (pos < in.size()) out.append(in, pos, std::string::npos);
  return out;
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string redact_text(std::string_view text) {
  auto& c = compiled();
  std::string lower(text);
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string s(text);
  bool mysql_checked = false, mysql = false;
  for (size_t i = 0; i < k_patterns.size(); ++i) {
    bool hinted = false;
    for (auto hint : k_hints[i]) {
      if (!hint.empty() && lower.find(hint) != std::string::npos) {
        hinted = true;
        break;
      }
    }
    if (!hinted) continue;
    if (k_patterns[i].mysql_only) {
      if (!mysql_checked) {
        mysql = RE2::PartialMatch(s, c.mysql());
        mysql_checked = true;
      }
      if (!mysql) continue;
    }
    s = apply(c.pattern(i), k_patterns[i].kind, s);
  }
  return s;
}

bool is_secret_name(std::string_view name) {
  if (name.empty()) return false;
  std::string u = upper(name);
  for (auto& ch : u) {
    if (ch == '-' || ch == '.') ch = '_';
  }
  static constexpr std::array<std::string_view, 11> k_suffixes{
      "TOKEN", "SECRET",      "_KEY",       "APIKEY",        "_PASS", "PASSWD",
      "PWD",   "CREDENTIALS", "CREDENTIAL", "AUTHORIZATION", "COOKIE"};
  for (auto suffix : k_suffixes) {
    if (ends_with(u, suffix)) {
      // PWD/OLDPWD are the shell's working directory, not a password.
      if (suffix == "PWD" && (u == "PWD" || u == "OLDPWD")) continue;
      return true;
    }
  }
  return u.find("PASSWORD") != std::string::npos || u == "PASS";
}

nlohmann::json redact_json(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::string:
      return redact_text(j.get_ref<const std::string&>());
    case nlohmann::json::value_t::array: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& v : j) out.push_back(redact_json(v));
      return out;
    }
    case nlohmann::json::value_t::object: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [k, v] : j.items()) {
        if (is_secret_name(k) && (v.is_string() || v.is_number())) {
          bool already =
              v.is_string() && v.get_ref<const std::string&>().rfind(k_redacted_prefix, 0) == 0;
          out[k] = already ? v : nlohmann::json("[REDACTED:secret_var]");
        } else {
          out[k] = redact_json(v);
        }
      }
      return out;
    }
    default:
      return j;
  }
}

}  // namespace blastwall::audit
