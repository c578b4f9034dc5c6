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
#include "rules/pack/yaml_doc.hpp"

namespace blastwall {
namespace {

using rules::detail::YamlDoc;
using Tier = PolicyLayer::Tier;

constexpr std::array<std::string_view, 8> k_policy_keys{
    "format",      "prod_patterns", "protected_branches", "temp_dirs",
    "extra_packs", "disable",       "decisions",          "rules"};
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
  bool apply_rules(const YAML::Node& n);
  bool apply_disable(const YAML::Node& n);
  std::string resolve_pack_path(const std::string& p) const;

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
      for (const auto& i : items) append_unique(m_policy.extra_pack_paths, resolve_pack_path(i));
    } else if (key == "disable") {
      if (!apply_disable(v)) return false;
    } else if (key == "decisions") {
      if (!apply_decisions(v)) return false;
    } else if (key == "rules") {
      if (!apply_rules(v)) return false;
    }
  }
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
    auto& target = kv.first.Scalar() == "tags" ? m_policy.disabled_tags : m_policy.disabled_packs;
    for (const auto& i : items) append_unique(target, i);
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
    for (const auto& okv : o) {
      const std::string& key = okv.first.Scalar();
      const YAML::Node& v = okv.second;
      if (key == "enabled") {
        if (!v.IsScalar() || (v.Scalar() != "true" && v.Scalar() != "false")) {
          return fail(v, "enabled must be true or false");
        }
        bool on = v.Scalar() == "true";
        if (m_project && !on) return loosen(v, "it may not disable rule " + id);
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
