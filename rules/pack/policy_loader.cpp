// Policy loader: layered YAML policy files -> Policy (docs/RULES.md "Policy files").
//
// Managed, user and explicit-file layers are merged lowest tier first so the highest tier wins
// every conflict (within one tier, the later layer wins). Project layers are applied last and may
// only tighten; any attempt to loosen is an error at the offending key, never silently ignored.
#include <algorithm>
#include <array>
#include <exception>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "blastwall/policy.hpp"
#include "rules/pack/signature.hpp"
#include "rules/pack/yaml_doc.hpp"

namespace blastwall {
namespace {

using rules::detail::YamlDoc;
using Tier = PolicyLayer::Tier;

constexpr std::array<std::string_view, 10> k_policy_keys{
    "format",      "prod_patterns", "protected_branches", "temp_dirs",
    "extra_packs", "disable",       "decisions",          "rules",
    "packs",       "session"};
constexpr std::array<std::string_view, 3> k_packs_keys{"require_signed", "trusted_keys",
                                                       "required"};
constexpr std::array<std::string_view, 4> k_trusted_key_keys{"name", "namespace", "key",
                                                             "not_after"};
constexpr std::array<std::string_view, 4> k_required_keys{"id", "min_version", "sha256", "source"};
constexpr std::array<std::string_view, 2> k_session_keys{"window_seconds", "burst_threshold"};
constexpr std::array<std::string_view, 2> k_disable_keys{"tags", "packs"};
constexpr std::array<std::string_view, 4> k_decision_keys{"destructive_scoped", "destructive",
                                                          "fail_closed", "no_native_ask"};
constexpr std::array<std::string_view, 3> k_rule_override_keys{"decision", "enabled", "exceptions"};

int tier_rank(Tier t) {
  switch (t) {
    case Tier::explicit_file:
      return 0;
    case Tier::user:
      return 1;
    case Tier::managed:
      return 2;
    case Tier::project:
      return 3;
  }
  return 0;
}

std::string_view tier_name(Tier t) {
  switch (t) {
    case Tier::managed:
      return "managed";
    case Tier::user:
      return "user";
    case Tier::project:
      return "project";
    case Tier::explicit_file:
      return "explicit";
  }
  return "?";
}

void append_unique(std::vector<std::string>& to, const std::string& v) {
  if (std::find(to.begin(), to.end(), v) == to.end()) to.push_back(v);
}

class PolicyParser {
 public:
  PolicyParser(const YamlDoc& doc, const PolicyLayer& layer, Policy& policy)
      : m_doc(doc), m_layer(layer), m_policy(policy), m_project(layer.tier == Tier::project) {}

  bool apply();
  [[nodiscard]] const Error& error() const { return m_error; }

 private:
  bool fail(const YAML::Node& n, std::string msg) {
    m_error = m_doc.error_at(n, std::move(msg));
    return false;
  }
  bool loosen(const YAML::Node& n, const std::string& what) {
    return fail(n, "a project policy may only tighten: " + what);
  }
  bool check_keys(const YAML::Node& map, std::span<const std::string_view> allowed,
                  std::string_view what) {
    if (auto err = rules::detail::check_keys(m_doc, map, allowed, what)) {
      m_error = std::move(*err);
      return false;
    }
    return true;
  }
  bool read_strings(const YAML::Node& n, std::string_view what, std::vector<std::string>& out);
  bool read_decision(const YAML::Node& n, std::string_view what, Decision& out);
  bool apply_decisions(const YAML::Node& n);
  bool apply_session(const YAML::Node& n);
  bool apply_rules(const YAML::Node& n);
  bool apply_disable(const YAML::Node& n);
  bool apply_packs(const YAML::Node& n);
  bool read_trusted_key(const YAML::Node& n);
  bool read_required(const YAML::Node& n);
  std::string resolve_pack_path(const std::string& p) const;
  // User and explicit layers may weaken rules, except those of packs the managed tier locks; which
  // rules those are is known only once packs load, so the edit is remembered with its position.
  void note_weakening(WeakeningEdit::Kind kind, const std::string& subject, const YAML::Node& at,
                      Decision d = Decision::allow) {
    if (m_layer.tier == Tier::managed || m_project) return;
    m_policy.weakening_edits.push_back(
        WeakeningEdit{kind, subject, d, m_doc.error_at(at, "weakens a locked pack")});
  }
  std::string layer_label() const {
    return std::string(tier_name(m_layer.tier)) + " " + m_layer.path;
  }

  const YamlDoc& m_doc;
  const PolicyLayer& m_layer;
  Policy& m_policy;
  bool m_project;
  Error m_error;
};

bool PolicyParser::read_strings(const YAML::Node& n, std::string_view what,
                                std::vector<std::string>& out) {
  auto add = [&](const YAML::Node& item) {
    if (!item.IsScalar() || item.Scalar().empty()) {
      return fail(item, "items of " + std::string(what) + " must be non-empty strings");
    }
    out.push_back(item.Scalar());
    return true;
  };
  if (n.IsNull()) return true;
  if (n.IsScalar()) return add(n);
  if (!n.IsSequence()) return fail(n, std::string(what) + " must be a list of strings");
  for (const auto& item : n) {
    if (!add(item)) return false;
  }
  return true;
}

bool PolicyParser::read_decision(const YAML::Node& n, std::string_view what, Decision& out) {
  if (n.IsScalar()) {
    if (auto d = parse_decision(n.Scalar())) {
      out = *d;
      return true;
    }
  }
  return fail(n, std::string(what) + " must be allow, ask or deny");
}

std::string PolicyParser::resolve_pack_path(const std::string& p) const {
  // Relative paths are relative to the policy file; '~' is expanded by the caller (no env here).
  if (p.empty() || p[0] == '/' || p[0] == '~' || m_layer.path.empty()) return p;
  auto dir = std::filesystem::path(m_layer.path).parent_path();
  return (dir / p).lexically_normal().string();
}

bool PolicyParser::apply() {
  const YAML::Node& root = m_doc.root();
  if (!root || root.IsNull()) return true;  // an empty policy file changes nothing
  if (!root.IsMap()) return fail(root, "a policy file must be a mapping");
  if (!check_keys(root, k_policy_keys, "policy")) return false;

  for (const auto& kv : root) {
    const std::string& key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "format") {
      if (!v.IsScalar() || v.Scalar() != "1") {
        return fail(v, "unsupported policy format (this blastwall reads format: 1)");
      }
    } else if (key == "prod_patterns" || key == "protected_branches") {
      std::vector<std::string> items;
      if (!read_strings(v, key, items)) return false;
      auto& target = key == "prod_patterns" ? m_policy.prod_patterns : m_policy.protected_branches;
      if (m_project) {
        for (const auto& i : items) append_unique(target, i);  // more markers only tighten
      } else {
        target = std::move(items);
      }
    } else if (key == "temp_dirs") {
      if (m_project) {
        return loosen(kv.first, "temp_dirs would classify more paths as temporary");
      }
      std::vector<std::string> items;
      if (!read_strings(v, key, items)) return false;
      for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& d = items[i];
        const YAML::Node& where = v.IsSequence() ? v[i] : v;
        if (d[0] != '/' && d[0] != '~') {
          return fail(where, "temp dir '" + d + "' must be an absolute path");
        }
        if (d == "/" || d == "~" || d == "~/") {
          return fail(where, "temp dir '" + d + "' would make every path under it temporary");
        }
      }
      m_policy.temp_dirs = std::move(items);
    } else if (key == "extra_packs") {
      std::vector<std::string> items;
      if (!read_strings(v, key, items)) return false;
      for (const auto& i : items) {
        auto path = resolve_pack_path(i);
        append_unique(m_policy.extra_pack_paths, path);
        if (m_project) append_unique(m_policy.project_pack_paths, path);
      }
    } else if (key == "disable") {
      if (!apply_disable(v)) return false;
    } else if (key == "decisions") {
      if (!apply_decisions(v)) return false;
    } else if (key == "rules") {
      if (!apply_rules(v)) return false;
    } else if (key == "packs") {
      if (!apply_packs(v)) return false;
    } else if (key == "session") {
      if (!apply_session(v)) return false;
    }
  }
  return true;
}

bool PolicyParser::apply_packs(const YAML::Node& n) {
  if (n.IsNull()) return true;
  if (!n.IsMap())
    return fail(n, "packs must be a mapping {require_signed, trusted_keys, required}");
  if (!check_keys(n, k_packs_keys, "packs")) return false;
  for (const auto& kv : n) {
    const std::string& key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "require_signed") {
      if (!v.IsScalar() || (v.Scalar() != "true" && v.Scalar() != "false")) {
        return fail(v, "packs.require_signed must be true or false");
      }
      bool on = v.Scalar() == "true";
      if (m_project && !on && m_policy.packs.require_signed) {
        return loosen(v, "packs.require_signed is already true");
      }
      if (m_project && !on) continue;
      m_policy.packs.require_signed = on;
    } else if (key == "trusted_keys") {
      if (v.IsNull()) continue;
      if (!v.IsSequence()) return fail(v, "packs.trusted_keys must be a list");
      if (m_project && v.size() > 0) {
        return loosen(kv.first, "it may not add trusted pack keys");
      }
      for (const auto& item : v) {
        if (!read_trusted_key(item)) return false;
      }
    } else {  // required
      if (v.IsNull()) continue;
      if (!v.IsSequence()) return fail(v, "packs.required must be a list");
      for (const auto& item : v) {
        if (!read_required(item)) return false;
      }
    }
  }
  return true;
}

bool PolicyParser::read_trusted_key(const YAML::Node& n) {
  if (!n.IsMap()) return fail(n, "a trusted key is a mapping {name, namespace, key, not_after}");
  if (!check_keys(n, k_trusted_key_keys, "trusted key")) return false;
  TrustedPackKey k;
  for (const auto& kv : n) {
    const std::string& key = kv.first.Scalar();
    if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
      return fail(kv.second, "trusted key " + key + " must be a non-empty string");
    }
    const std::string& v = kv.second.Scalar();
    if (key == "name") {
      k.name = v;
    } else if (key == "namespace") {
      if (v != "*" &&
          (v.find_first_of(" \t/*") != std::string::npos || v.front() == '.' || v.back() == '.')) {
        return fail(kv.second, "namespace must be a dotted pack id prefix (com.acme) or '*'");
      }
      k.space = v;
    } else if (key == "key") {
      auto pk = rules::parse_public_key(v);
      if (!pk) return fail(kv.second, "key: " + pk.error().message);
      k.key = v;
    } else {  // not_after
      bool ok = v.size() == 10 && v[4] == '-' && v[7] == '-';
      for (std::size_t i = 0; ok && i < v.size(); ++i) {
        if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9')) ok = false;
      }
      if (!ok) return fail(kv.second, "not_after must be a date YYYY-MM-DD (UTC)");
      k.not_after = v;
    }
  }
  if (k.key.empty()) return fail(n, "a trusted key needs key: (the public key's base64 line)");
  if (k.space.empty()) {
    return fail(n, "a trusted key needs namespace: (the pack ids it may sign, e.g. com.acme)");
  }
  if (k.name.empty()) k.name = k.space;
  k.managed = m_layer.tier == Tier::managed;
  k.source = m_layer.path;
  m_policy.packs.trusted_keys.push_back(std::move(k));
  return true;
}

bool PolicyParser::read_required(const YAML::Node& n) {
  RequiredPack r;
  if (n.IsScalar()) {
    r.id = n.Scalar();
  } else if (n.IsMap()) {
    if (!check_keys(n, k_required_keys, "required pack")) return false;
    for (const auto& kv : n) {
      if (!kv.second.IsScalar() || kv.second.Scalar().empty()) {
        return fail(kv.second,
                    "required pack " + kv.first.Scalar() + " must be a non-empty string");
      }
      const std::string& key = kv.first.Scalar();
      const std::string& v = kv.second.Scalar();
      if (key == "id") {
        r.id = v;
      } else if (key == "min_version") {
        r.min_version = v;
      } else if (key == "sha256") {
        if (v.size() != 64 || v.find_first_not_of("0123456789abcdef") != std::string::npos) {
          return fail(kv.second, "sha256 must be 64 lower-case hex digits");
        }
        r.sha256 = v;
      } else {
        r.source = (v.find("://") == std::string::npos) ? resolve_pack_path(v) : v;
      }
    }
  } else {
    return fail(n, "a required pack is a pack id or {id, min_version, sha256, source}");
  }
  if (r.id.empty() || r.id.find_first_of(" \t/") != std::string::npos) {
    return fail(n, "a required pack needs a pack id (e.g. com.acme.cloud)");
  }
  r.locked = m_layer.tier == Tier::managed;
  r.declared_in = m_layer.path;
  for (auto& have : m_policy.packs.required) {
    if (have.id != r.id) continue;
    // The same pack required twice: the pins accumulate (both must hold), the lock sticks.
    if (have.min_version.empty()) have.min_version = r.min_version;
    if (have.sha256.empty()) have.sha256 = r.sha256;
    if (have.source.empty()) have.source = r.source;
    if (!r.sha256.empty() && have.sha256 != r.sha256) {
      return fail(n,
                  "pack " + r.id + " is already pinned to another sha256 by " + have.declared_in);
    }
    have.locked = have.locked || r.locked;
    return true;
  }
  m_policy.packs.required.push_back(std::move(r));
  return true;
}

bool PolicyParser::apply_disable(const YAML::Node& n) {
  if (n.IsNull()) return true;
  if (!n.IsMap()) return fail(n, "disable must be a mapping {tags: [...], packs: [...]}");
  if (!check_keys(n, k_disable_keys, "disable")) return false;
  for (const auto& kv : n) {
    std::vector<std::string> items;
    if (!read_strings(kv.second, "disable." + kv.first.Scalar(), items)) return false;
    if (items.empty()) continue;
    if (m_project) return loosen(kv.first, "it may not disable rules, tags or packs");
    bool tags = kv.first.Scalar() == "tags";
    auto& target = tags ? m_policy.disabled_tags : m_policy.disabled_packs;
    for (std::size_t i = 0; i < items.size(); ++i) {
      append_unique(target, items[i]);
      note_weakening(tags ? WeakeningEdit::Kind::disable_tag : WeakeningEdit::Kind::disable_pack,
                     items[i], kv.second.IsSequence() ? kv.second[i] : kv.second);
    }
  }
  return true;
}

// session: {window_seconds: 600, burst_threshold: 5}. A project layer may only tighten: a longer
// window remembers more, a lower (non-zero) threshold escalates sooner.
bool PolicyParser::apply_session(const YAML::Node& n) {
  if (n.IsNull()) return true;
  if (!n.IsMap())
    return fail(n, "session must be a mapping {window_seconds: N, burst_threshold: N}");
  if (!check_keys(n, k_session_keys, "session")) return false;
  for (const auto& kv : n) {
    const std::string& key = kv.first.Scalar();
    long long value = -1;
    try {
      if (kv.second.IsScalar()) value = kv.second.as<long long>();
    } catch (const YAML::Exception&) {
      value = -1;
    }
    const long long max = key == "window_seconds" ? 86400 : 1000;
    if (value < 0 || value > max)
      return fail(kv.second,
                  "session." + key + " must be an integer from 0 to " + std::to_string(max));
    if (key == "window_seconds") {
      if (m_project && value < m_policy.session_window_s)
        return loosen(kv.second, "session.window_seconds may not be shortened");
      m_policy.session_window_s = value;
    } else {
      const bool looser =
          value == 0 || (m_policy.burst_threshold != 0 && value > m_policy.burst_threshold);
      if (m_project && looser)
        return loosen(kv.second, "session.burst_threshold may only be lowered");
      m_policy.burst_threshold = static_cast<int>(value);
    }
  }
  return true;
}

bool PolicyParser::apply_decisions(const YAML::Node& n) {
  if (n.IsNull()) return true;
  if (!n.IsMap()) return fail(n, "decisions must be a mapping");
  if (!check_keys(n, k_decision_keys, "decisions")) return false;
  for (const auto& kv : n) {
    const std::string& key = kv.first.Scalar();
    Decision* target = key == "destructive_scoped" ? &m_policy.destructive_scoped
                       : key == "destructive"      ? &m_policy.destructive
                       : key == "fail_closed"      ? &m_policy.fail_closed
                                                   : &m_policy.no_native_ask;
    Decision d = Decision::allow;
    if (!read_decision(kv.second, "decisions." + key, d)) return false;
    if (m_project && d < *target) {
      return loosen(kv.second, "decisions." + key + " '" + std::string(to_string(d)) +
                                   "' is less restrictive than '" +
                                   std::string(to_string(*target)) + "'");
    }
    *target = d;
  }
  return true;
}

bool PolicyParser::apply_rules(const YAML::Node& n) {
  if (n.IsNull()) return true;
  if (!n.IsMap()) return fail(n, "rules must be a mapping of rule id to overrides");
  for (const auto& kv : n) {
    if (!kv.first.IsScalar() || kv.first.Scalar().empty()) {
      return fail(kv.first, "rule ids must be non-empty strings");
    }
    const std::string& id = kv.first.Scalar();
    if (id.find('.') == std::string::npos || id.find_first_of(" \t/") != std::string::npos) {
      return fail(kv.first, "'" + id + "' is not a rule id (e.g. core.git.push-force)");
    }
    const YAML::Node& o = kv.second;
    if (!o.IsMap()) return fail(o, "overrides for " + id + " must be a mapping");
    if (!check_keys(o, k_rule_override_keys, "rule override")) return false;
    // Validate the whole override before touching the policy.
    RuleOverride& ro = m_policy.rules[id];
    ro.set_by.push_back(layer_label());
    for (const auto& okv : o) {
      const std::string& key = okv.first.Scalar();
      const YAML::Node& v = okv.second;
      if (key == "enabled") {
        if (!v.IsScalar() || (v.Scalar() != "true" && v.Scalar() != "false")) {
          return fail(v, "enabled must be true or false");
        }
        bool on = v.Scalar() == "true";
        if (m_project && !on) return loosen(v, "it may not disable rule " + id);
        if (!on) note_weakening(WeakeningEdit::Kind::rule_disabled, id, v);
        ro.enabled = on;
      } else if (key == "decision") {
        Decision d = Decision::allow;
        if (!read_decision(v, "decision", d)) return false;
        if (m_project) {
          if (d == Decision::allow) {
            return loosen(v, "decision 'allow' for " + id + " could only loosen it");
          }
          if (ro.decision && d < *ro.decision) {
            return loosen(v, "decision '" + std::string(to_string(d)) + "' for " + id +
                                 " is less restrictive than '" +
                                 std::string(to_string(*ro.decision)) + "'");
          }
          if (!ro.decision) ro.tighten_only = true;
        } else {
          ro.tighten_only = false;
          note_weakening(WeakeningEdit::Kind::rule_decision, id, v, d);
        }
        ro.decision = d;
      } else {  // exceptions
        if (v.IsNull()) continue;
        if (!v.IsMap()) return fail(v, "exceptions must map exception names to value lists");
        for (const auto& ekv : v) {
          if (!ekv.first.IsScalar() || ekv.first.Scalar().empty()) {
            return fail(ekv.first, "exception names must be non-empty strings");
          }
          std::vector<std::string> values;
          if (!read_strings(ekv.second, "exception " + ekv.first.Scalar(), values)) return false;
          if (values.empty()) continue;
          if (m_project) {
            return loosen(ekv.first, "it may not add exception values (" + id + " " +
                                         ekv.first.Scalar() + ")");
          }
          note_weakening(WeakeningEdit::Kind::rule_exception, id, ekv.first);
          auto& dst = ro.exceptions[ekv.first.Scalar()];
          for (const auto& val : values) append_unique(dst, val);
        }
      }
    }
  }
  return true;
}

}  // namespace

Result<Policy> parse_policy_layers(const std::vector<PolicyLayer>& layers) {
  try {
    Policy policy;
    std::vector<const PolicyLayer*> order;
    for (const auto& l : layers) order.push_back(&l);
    // Lowest tier first so higher tiers overwrite; project (rank 3) last, applied as tighten-only.
    std::stable_sort(order.begin(), order.end(), [](const PolicyLayer* a, const PolicyLayer* b) {
      return tier_rank(a->tier) < tier_rank(b->tier);
    });
    for (const PolicyLayer* layer : order) {
      const std::string source = layer->path.empty()
                                     ? "<" + std::string(tier_name(layer->tier)) + " policy>"
                                     : layer->path;
      auto doc = YamlDoc::parse(layer->text, source);
      if (!doc) return doc.error();
      PolicyParser parser(*doc, *layer, policy);
      if (!parser.apply()) return parser.error();
    }
    for (const auto& l : layers) policy.sources.push_back(l.path);
    return policy;
  } catch (const std::exception& e) {
    return make_error(std::string("internal error while loading policy: ") + e.what());
  }
}

}  // namespace blastwall

namespace blastwall {

Result<bool> check_locked_packs(const Policy& policy,
                                const std::map<std::string, LockedRuleInfo>& rules) {
  std::vector<std::string> locked;
  for (const auto& r : policy.packs.required) {
    if (r.locked) locked.push_back(r.id);
  }
  if (locked.empty()) return true;
  auto is_locked = [&](const std::string& pack) {
    return std::find(locked.begin(), locked.end(), pack) != locked.end();
  };
  auto refuse = [](const WeakeningEdit& e, const std::string& what) -> Result<bool> {
    Error err = e.where;
    err.message = what + ": the managed policy locks this pack; other layers may only tighten it";
    return err;
  };
  for (const auto& e : policy.weakening_edits) {
    switch (e.kind) {
      case WeakeningEdit::Kind::disable_pack:
        if (is_locked(e.subject)) return refuse(e, "disabling pack " + e.subject);
        break;
      case WeakeningEdit::Kind::disable_tag:
        for (const auto& [id, info] : rules) {
          if (is_locked(info.pack_id) &&
              std::find(info.tags.begin(), info.tags.end(), e.subject) != info.tags.end()) {
            return refuse(e, "disabling tag " + e.subject + " would switch off " + id);
          }
        }
        break;
      case WeakeningEdit::Kind::rule_disabled:
      case WeakeningEdit::Kind::rule_exception:
      case WeakeningEdit::Kind::rule_decision: {
        auto it = rules.find(e.subject);
        if (it == rules.end() || !is_locked(it->second.pack_id)) break;
        if (e.kind == WeakeningEdit::Kind::rule_disabled) {
          return refuse(e, "disabling rule " + e.subject);
        }
        if (e.kind == WeakeningEdit::Kind::rule_exception) {
          return refuse(e, "adding exception values to " + e.subject);
        }
        if (e.decision < it->second.decision) {
          return refuse(e, "decision '" + std::string(to_string(e.decision)) + "' for " +
                               e.subject + " is less restrictive than the pack's '" +
                               std::string(to_string(it->second.decision)) + "'");
        }
        break;
      }
    }
  }
  return true;
}

}  // namespace blastwall
