// Pack loader: YAML -> PackSpec with file:line:col diagnostics (docs/RULES.md is the contract).
//
// Parsing stops at the first problem and reports it; every yaml-cpp and RE2 call is guarded so
// that arbitrary bytes produce an Error, never an exception or a crash.
#include "rules/pack/loader.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <utility>

#include "rules/pack/pack_names.hpp"
#include "rules/pack/yaml_doc.hpp"

namespace blastwall::rules {
namespace {

using detail::YamlDoc;

constexpr std::array<std::string_view, 4> k_top_keys{"format", "pack", "lists", "rules"};
constexpr std::array<std::string_view, 6> k_pack_keys{"id",          "version",  "title",
                                                      "description", "maturity", "requires"};
constexpr std::array<std::string_view, 1> k_requires_keys{"engine"};
constexpr std::array<std::string_view, 2> k_list_keys{"id", "items"};
constexpr std::array<std::string_view, 17> k_rule_keys{
    "id",       "title",      "applies_to", "keywords",    "when",      "decision",
    "severity", "marks",      "message",    "remediation", "rationale", "references",
    "tags",     "exceptions", "tests",      "maturity",    "enabled"};
constexpr std::array<std::string_view, 4> k_exception_keys{"name", "field", "op", "values"};
constexpr std::array<std::string_view, 3> k_tests_keys{"match", "no_match", "todo_match"};
constexpr std::array<std::string_view, 11> k_forms{
    "all", "any", "not", "cmd", "sub", "flag", "option", "fact", "target", "target_all", "field"};
// Keys of Action JSON (core/action.cpp) accepted in mapping-form tests.
constexpr std::array<std::string_view, 23> k_action_keys{
    "kind",    "command",    "path", "content",   "old_content", "url",
    "method",  "server",     "tool", "arguments", "annotations", "agent",
    "surface", "session",    "cwd",  "home",      "user",        "project_root",
    "branch",  "agent_tool", "env",  "recent",    "now_us"};

struct Item {
  std::string text;
  YAML::Mark mark;
};

std::optional<YAML::Node> child(const YAML::Node& map, std::string_view key) {
  for (const auto& kv : map) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
  }
  return std::nullopt;
}

bool valid_semver(const std::string& v) {
  static const RE2 k_semver(
      R"(^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*))"
      R"((?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?)"
      R"((?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$)");
  return RE2::FullMatch(v, k_semver);
}

bool valid_engine_requirement(const std::string& v) {
  // One or more comma-separated constraints: ">=0.1", "<2", "^1.2.3", "0.1".
  static const RE2 k_req(
      R"(^\s*(?:>=|<=|>|<|=|\^|~)?\s*\d+(?:\.\d+){0,2}\s*(?:,\s*(?:>=|<=|>|<|=|\^|~)?\s*\d+(?:\.\d+){0,2}\s*)*$)");
  return RE2::FullMatch(v, k_req);
}

bool valid_dotted_id(const std::string& id) {
  static const RE2 k_id(R"(^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$)");
  return RE2::FullMatch(id, k_id);
}

bool valid_list_ref_name(std::string_view s) {
  static const RE2 k_ref(R"(^\$[A-Za-z_][A-Za-z0-9_.-]*$)");
  return RE2::FullMatch(s, k_ref);
}

class PackParser {
 public:
  explicit PackParser(const YamlDoc& doc) : m_doc(doc) {}

  bool parse(PackSpec& pack);
  [[nodiscard]] const Error& error() const { return m_error; }

 private:
  bool fail(const YAML::Node& n, std::string msg) {
    m_error = m_doc.error_at(n, std::move(msg));
    return false;
  }
  bool fail(const YAML::Mark& m, std::string msg) {
    m_error = m_doc.error_at(m, std::move(msg));
    return false;
  }

  bool check_keys(const YAML::Node& map, std::span<const std::string_view> allowed,
                  std::string_view what);
  bool require_map(const YAML::Node& n, std::string_view what);
  // The value under `key`, or nullopt with the error set. Never assign one YAML::Node to another
  // existing one: yaml-cpp's operator= rewrites the referenced document node, not the handle.
  std::optional<YAML::Node> require(const YAML::Node& map, std::string_view key,
                                    std::string_view what);
  bool read_string(const YAML::Node& n, std::string_view what, std::string& out);
  bool read_bool(const YAML::Node& n, std::string_view what, bool& out);
  // A scalar or a sequence of scalars, `$list` references expanded.
  bool read_items(const YAML::Node& n, std::string_view what, std::vector<Item>& out);
  bool read_strings(const YAML::Node& n, std::string_view what, std::vector<std::string>& out);
  bool check_op_values(const YAML::Node& where, Op op, const std::vector<Item>& items,
                       bool allow_empty_list);

  bool parse_pack_header(const YAML::Node& n, PackSpec& pack);
  bool parse_lists(const YAML::Node& n, PackSpec& pack);
  bool parse_rule(const YAML::Node& n, const PackSpec& pack, RuleSpec& rule);
  bool parse_condition(const YAML::Node& n, Condition& c);
  bool parse_exception(const YAML::Node& n, ExceptionSpec& ex);
  bool parse_tests(const YAML::Node& n, RuleTests& tests);
  bool parse_test_entries(const YAML::Node& n, std::string_view what,
                          std::vector<std::string>& out);

  const YamlDoc& m_doc;
  Error m_error;
  std::map<std::string, std::vector<Item>> m_lists;
};

bool PackParser::check_keys(const YAML::Node& map, std::span<const std::string_view> allowed,
                            std::string_view what) {
  if (auto err = detail::check_keys(m_doc, map, allowed, what)) {
    m_error = std::move(*err);
    return false;
  }
  return true;
}

bool PackParser::require_map(const YAML::Node& n, std::string_view what) {
  if (!n.IsMap()) return fail(n, std::string(what) + " must be a mapping");
  return true;
}

std::optional<YAML::Node> PackParser::require(const YAML::Node& map, std::string_view key,
                                              std::string_view what) {
  auto c = child(map, key);
  if (!c) fail(map, std::string(what) + " is missing required key '" + std::string(key) + "'");
  return c;
}

bool PackParser::read_string(const YAML::Node& n, std::string_view what, std::string& out) {
  if (!n.IsScalar()) return fail(n, std::string(what) + " must be a string");
  out = n.Scalar();
  return true;
}

bool PackParser::read_bool(const YAML::Node& n, std::string_view what, bool& out) {
  if (n.IsScalar() && n.Tag() == "?") {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE") {
      out = true;
      return true;
    }
    if (s == "false" || s == "False" || s == "FALSE") {
      out = false;
      return true;
    }
  }
  return fail(n, std::string(what) + " must be true or false");
}

bool PackParser::read_items(const YAML::Node& n, std::string_view what, std::vector<Item>& out) {
  auto add = [&](const YAML::Node& item) -> bool {
    if (!item.IsScalar()) return fail(item, "items of " + std::string(what) + " must be strings");
    const std::string& text = item.Scalar();
    if (text.size() >= 2 && text[0] == '$' && text[1] == '$') {
      out.push_back({text.substr(1), item.Mark()});  // "$$x" is the literal "$x"
      return true;
    }
    if (!valid_list_ref_name(text)) {
      out.push_back({text, item.Mark()});
      return true;
    }
    auto it = m_lists.find(text.substr(1));
    if (it == m_lists.end()) {
      return fail(item, "unknown list '" + text + "' (define it under lists:, or write '$" + text +
                            "' for a literal value)");
    }
    out.insert(out.end(), it->second.begin(), it->second.end());
    return true;
  };
  if (n.IsNull()) return true;
  if (n.IsScalar()) return add(n);
  if (!n.IsSequence()) return fail(n, std::string(what) + " must be a string or a list of strings");
  for (const auto& item : n) {
    if (!add(item)) return false;
  }
  return true;
}

bool PackParser::read_strings(const YAML::Node& n, std::string_view what,
                              std::vector<std::string>& out) {
  std::vector<Item> items;
  if (!read_items(n, what, items)) return false;
  for (auto& i : items) {
    if (i.text.empty()) return fail(i.mark, "empty string in " + std::string(what));
    out.push_back(std::move(i.text));
  }
  return true;
}

bool PackParser::check_op_values(const YAML::Node& where, Op op, const std::vector<Item>& items,
                                 bool allow_empty_list) {
  if (items.empty() && !allow_empty_list && op != Op::exists) {
    return fail(where, "empty value list: this condition could never hold");
  }
  for (const auto& item : items) {
    switch (op) {
      case Op::prefix:
      case Op::suffix:
      case Op::contains:
      case Op::glob:
      case Op::matches:
        if (item.text.empty()) {
          return fail(item.mark,
                      "empty " + std::string(op_name(op)) + " value would match everything");
        }
        break;
      default:
        break;
    }
    if (op == Op::matches) {
      RE2::Options opts;
      opts.set_log_errors(false);
      RE2 re(item.text, opts);
      if (!re.ok()) return fail(item.mark, "invalid regex '" + item.text + "': " + re.error());
    }
  }
  return true;
}

bool PackParser::parse(PackSpec& pack) {
  const YAML::Node& root = m_doc.root();
  if (!root || root.IsNull()) return fail(root, "empty pack: expected format, pack and rules");
  if (!require_map(root, "a rule pack")) return false;
  if (!check_keys(root, k_top_keys, "the pack file")) return false;

  auto format = require(root, "format", "the pack file");
  if (!format) return false;
  if (!format->IsScalar() || format->Scalar() != "1") {
    return fail(*format, "unsupported format '" + (format->IsScalar() ? format->Scalar() : "") +
                             "' (this blastwall reads format: 1)");
  }
  pack.format = 1;

  auto header = require(root, "pack", "the pack file");
  if (!header || !parse_pack_header(*header, pack)) return false;

  if (auto lists = child(root, "lists")) {
    if (!parse_lists(*lists, pack)) return false;
  }

  auto rules = require(root, "rules", "the pack file");
  if (!rules) return false;
  if (rules->IsNull()) return true;
  if (!rules->IsSequence()) return fail(*rules, "rules must be a list of rules");
  std::map<std::string, int> ids;
  for (const auto& r : *rules) {
    RuleSpec rule;
    if (!parse_rule(r, pack, rule)) return false;
    auto [it, inserted] = ids.emplace(rule.id, rule.loc.line);
    if (!inserted) {
      return fail(*child(r, "id"), "duplicate rule id '" + rule.id + "' (first defined at line " +
                                       std::to_string(it->second) + ")");
    }
    pack.rules.push_back(std::move(rule));
  }
  return true;
}

bool PackParser::parse_pack_header(const YAML::Node& n, PackSpec& pack) {
  if (!require_map(n, "pack")) return false;
  if (!check_keys(n, k_pack_keys, "pack")) return false;
  auto idn = require(n, "id", "pack");
  if (!idn || !read_string(*idn, "pack.id", pack.id)) return false;
  if (!valid_dotted_id(pack.id)) {
    return fail(*idn, "pack id '" + pack.id +
                          "' must be dotted words of letters, digits, '-' or '_' (e.g. core.git)");
  }
  auto vn = require(n, "version", "pack");
  if (!vn || !read_string(*vn, "pack.version", pack.version)) return false;
  if (!valid_semver(pack.version)) {
    return fail(*vn, "pack version '" + pack.version + "' is not SemVer (MAJOR.MINOR.PATCH)");
  }
  if (auto t = child(n, "title"); t && !read_string(*t, "pack.title", pack.title)) return false;
  if (auto d = child(n, "description");
      d && !read_string(*d, "pack.description", pack.description)) {
    return false;
  }
  if (auto m = child(n, "maturity")) {
    if (!read_string(*m, "pack.maturity", pack.maturity)) return false;
    if (!valid_maturity(pack.maturity)) {
      return fail(*m, "unknown maturity '" + pack.maturity +
                          "' (stable, incubating, experimental, deprecated)");
    }
  }
  if (auto r = child(n, "requires")) {
    if (!require_map(*r, "pack.requires") || !check_keys(*r, k_requires_keys, "pack.requires")) {
      return false;
    }
    if (auto e = child(*r, "engine")) {
      if (!read_string(*e, "requires.engine", pack.requires_engine)) return false;
      if (!valid_engine_requirement(pack.requires_engine)) {
        return fail(*e, "requires.engine '" + pack.requires_engine +
                            "' is not a version constraint (e.g. \">=0.1\")");
      }
    }
  }
  return true;
}

bool PackParser::parse_lists(const YAML::Node& n, PackSpec& pack) {
  if (n.IsNull()) return true;
  if (!n.IsSequence()) return fail(n, "lists must be a list of {id, items}");
  for (const auto& l : n) {
    if (!require_map(l, "a list") || !check_keys(l, k_list_keys, "list")) return false;
    std::string id;
    auto idn = require(l, "id", "list");
    if (!idn || !read_string(*idn, "list id", id)) return false;
    static const RE2 k_list_id(R"(^[A-Za-z_][A-Za-z0-9_.-]*$)");
    if (!RE2::FullMatch(id, k_list_id)) {
      return fail(*idn, "list id '" + id + "' must be letters, digits, '_', '.', '-'");
    }
    if (m_lists.count(id) != 0) return fail(*idn, "duplicate list id '" + id + "'");
    auto itemsn = require(l, "items", "list");
    if (!itemsn) return false;
    std::vector<Item> items;
    // Items may reference lists defined above this one.
    if (!read_items(*itemsn, "list items", items)) return false;
    std::vector<std::string> texts;
    for (const auto& i : items) texts.push_back(i.text);
    pack.lists[id] = std::move(texts);
    m_lists[id] = std::move(items);
  }
  return true;
}

bool PackParser::parse_rule(const YAML::Node& n, const PackSpec& pack, RuleSpec& rule) {
  if (!require_map(n, "a rule") || !check_keys(n, k_rule_keys, "rule")) return false;
  rule.loc = m_doc.loc(n);
  auto idn = require(n, "id", "rule");
  if (!idn || !read_string(*idn, "rule id", rule.id)) return false;
  if (rule.id.size() <= pack.id.size() + 1 || rule.id.compare(0, pack.id.size(), pack.id) != 0 ||
      rule.id[pack.id.size()] != '.') {
    return fail(*idn, "rule id '" + rule.id + "' must start with the pack id '" + pack.id + ".'");
  }
  if (!valid_dotted_id(rule.id)) {
    return fail(*idn,
                "rule id '" + rule.id + "' must be dotted words of letters, digits, '-', '_'");
  }
  auto title = require(n, "title", "rule");
  if (!title || !read_string(*title, "title", rule.title)) return false;
  auto message = require(n, "message", "rule");
  if (!message || !read_string(*message, "message", rule.message)) return false;

  auto dn = require(n, "decision", "rule");
  std::string text;
  if (!dn || !read_string(*dn, "decision", text)) return false;
  auto decision = parse_decision(text);
  if (!decision) return fail(*dn, "unknown decision '" + text + "' (allow, ask, deny)");
  rule.decision = *decision;

  if (auto s = child(n, "severity")) {
    if (!read_string(*s, "severity", text)) return false;
    auto sev = parse_severity(text);
    if (!sev)
      return fail(*s, "unknown severity '" + text + "' (info, low, medium, high, critical)");
    rule.severity = *sev;
  }

  if (auto a = child(n, "applies_to")) {
    std::vector<Item> kinds;
    if (!read_items(*a, "applies_to", kinds)) return false;
    if (kinds.empty()) return fail(*a, "applies_to must name at least one action kind");
    for (const auto& k : kinds) {
      auto kind = parse_action_kind(k.text);
      if (!kind) {
        return fail(k.mark, "unknown action kind '" + k.text +
                                "' (shell.exec, file.read, file.write, file.edit, file.delete, "
                                "net.fetch, mcp.call)");
      }
      if (std::find(rule.applies_to.begin(), rule.applies_to.end(), *kind) ==
          rule.applies_to.end()) {
        rule.applies_to.push_back(*kind);
      }
    }
  } else {
    rule.applies_to = {ActionKind::shell_exec};
  }

  if (auto k = child(n, "keywords"); k && !read_strings(*k, "keywords", rule.keywords)) {
    return false;
  }
  if (auto m = child(n, "marks")) {
    std::vector<Item> marks;
    if (!read_items(*m, "marks", marks)) return false;
    for (auto& mk : marks) {
      if (!valid_fact_name(mk.text)) {
        return fail(mk.mark, "mark '" + mk.text + "' is not a fact name (lower_snake_case)");
      }
      rule.marks.push_back(std::move(mk.text));
    }
  }
  if (auto t = child(n, "tags"); t && !read_strings(*t, "tags", rule.tags)) return false;
  if (auto r = child(n, "references"); r && !read_strings(*r, "references", rule.references)) {
    return false;
  }
  if (auto r = child(n, "remediation"); r && !read_string(*r, "remediation", rule.remediation)) {
    return false;
  }
  if (auto r = child(n, "rationale"); r && !read_string(*r, "rationale", rule.rationale)) {
    return false;
  }
  if (auto m = child(n, "maturity")) {
    if (!read_string(*m, "maturity", rule.maturity)) return false;
    if (!valid_maturity(rule.maturity)) {
      return fail(*m, "unknown maturity '" + rule.maturity +
                          "' (stable, incubating, experimental, deprecated)");
    }
  }
  if (auto e = child(n, "enabled"); e && !read_bool(*e, "enabled", rule.enabled)) return false;

  auto when = require(n, "when", "rule");
  if (!when || !parse_condition(*when, rule.when)) return false;

  if (auto ex = child(n, "exceptions"); ex && !ex->IsNull()) {
    if (!ex->IsSequence())
      return fail(*ex, "exceptions must be a list of {name, field, op, values}");
    std::map<std::string, int> names;
    for (const auto& e : *ex) {
      ExceptionSpec spec;
      if (!parse_exception(e, spec)) return false;
      auto [it, inserted] = names.emplace(spec.name, spec.loc.line);
      if (!inserted) {
        return fail(*child(e, "name"), "duplicate exception name '" + spec.name +
                                           "' (first at line " + std::to_string(it->second) + ")");
      }
      rule.exceptions.push_back(std::move(spec));
    }
  }
  if (auto t = child(n, "tests"); t && !parse_tests(*t, rule.tests)) return false;
  return true;
}

bool PackParser::parse_condition(const YAML::Node& n, Condition& c) {
  c.loc = m_doc.loc(n);
  if (n.IsSequence()) {
    return fail(n, "a condition must be a mapping, not a list (use all: [...] or any: [...])");
  }
  if (!n.IsMap()) {
    return fail(n,
                "a condition must be a mapping with one of: all, any, not, cmd, sub, flag, "
                "option, fact, target, target_all, field");
  }
  // Check every key first so a typo gets a "did you mean" instead of "no form".
  std::vector<std::string_view> allowed(k_forms.begin(), k_forms.end());
  for (auto op : k_op_names) allowed.push_back(op);
  allowed.push_back("case_insensitive");
  if (!check_keys(n, allowed, "condition")) return false;

  std::optional<std::pair<YAML::Node, YAML::Node>> form;
  std::optional<std::pair<YAML::Node, YAML::Node>> op_kv;
  std::optional<YAML::Node> ci;
  for (const auto& kv : n) {
    const std::string& key = kv.first.Scalar();
    if (std::find(k_forms.begin(), k_forms.end(), key) != k_forms.end()) {
      if (form) {
        return fail(kv.first, "condition has two forms ('" + form->first.Scalar() + "' and '" +
                                  key + "'); combine them with all: [...] or any: [...]");
      }
      form = std::make_pair(kv.first, kv.second);
    } else if (key == "case_insensitive") {
      ci = kv.second;
    } else {
      if (op_kv) {
        return fail(kv.first, "condition has two operators ('" + op_kv->first.Scalar() + "' and '" +
                                  key + "'); use one per condition");
      }
      op_kv = std::make_pair(kv.first, kv.second);
    }
  }
  if (!form) {
    return fail(n,
                "condition has no form (expected one of: all, any, not, cmd, sub, flag, "
                "option, fact, target, target_all, field)");
  }
  const std::string form_name = form->first.Scalar();
  const YAML::Node& value = form->second;
  const bool takes_op = form_name == "field" || form_name == "option";
  if (!takes_op && op_kv) {
    return fail(op_kv->first, "operator '" + op_kv->first.Scalar() +
                                  "' is only valid with field: "
                                  "or option:, not with " +
                                  form_name + ":");
  }
  if (!takes_op && ci) {
    return fail(n, "case_insensitive is only valid with field: or option:");
  }

  if (form_name == "all" || form_name == "any") {
    c.type = form_name == "all" ? Condition::Type::all : Condition::Type::any;
    if (!value.IsSequence()) return fail(value, form_name + " takes a list of conditions");
    if (value.size() == 0)
      return fail(value, "empty " + form_name + ": needs at least one condition");
    for (const auto& ch : value) {
      Condition sub;
      if (!parse_condition(ch, sub)) return false;
      c.children.push_back(std::move(sub));
    }
    return true;
  }
  if (form_name == "not") {
    c.type = Condition::Type::not_;
    if (value.IsSequence()) {
      return fail(value, "not takes one condition, not a list (use not: {any: [...]})");
    }
    Condition sub;
    if (!parse_condition(value, sub)) return false;
    c.children.push_back(std::move(sub));
    return true;
  }

  if (takes_op) {
    if (!read_string(value, form_name, c.field)) return false;
    if (form_name == "field") {
      c.type = Condition::Type::field;
      if (!valid_field_name(c.field)) {
        return fail(value, "unknown field '" + c.field + "' (see docs/RULES.md \"Fields\")");
      }
    } else {
      c.type = Condition::Type::option;
      if (c.field.size() < 2 || c.field[0] != '-') {
        return fail(value, "option name '" + c.field + "' must start with '-' (e.g. --context)");
      }
    }
    if (!op_kv) {
      return fail(n, form_name +
                         " condition needs one operator (in, equals, prefix, suffix, "
                         "contains, matches, glob, exists)");
    }
    if (ci && !read_bool(*ci, "case_insensitive", c.case_insensitive)) return false;
    c.op = *parse_op(op_kv->first.Scalar());
    const YAML::Node& ov = op_kv->second;
    if (c.op == Op::exists) {
      bool b = false;
      if (!read_bool(ov, "exists", b)) return false;
      if (!b)
        return fail(ov, "exists: false is not supported; use not: {" + form_name + ": " + c.field +
                            ", exists: true}");
      return true;
    }
    if (c.op == Op::equals && !ov.IsScalar()) {
      return fail(ov, "equals takes one string; use in: for a list");
    }
    std::vector<Item> items;
    if (!read_items(ov, op_kv->first.Scalar(), items)) return false;
    if (c.op == Op::equals && items.size() != 1) {
      return fail(ov, "equals takes exactly one string; use in: for a list");
    }
    if (!check_op_values(ov, c.op, items, false)) return false;
    for (auto& i : items) c.values.push_back(std::move(i.text));
    return true;
  }

  // Leaf shorthands over a value list.
  std::vector<Item> items;
  if (!read_items(value, form_name, items)) return false;
  if (items.empty()) return fail(value, "empty " + form_name + ": this condition could never hold");
  for (const auto& i : items) {
    if (i.text.empty()) return fail(i.mark, "empty string in " + form_name);
  }
  if (form_name == "cmd") {
    c.type = Condition::Type::field;
    c.field = "cmd";
    c.op = Op::in;
  } else if (form_name == "sub") {
    c.type = Condition::Type::sub;
  } else if (form_name == "flag") {
    c.type = Condition::Type::flag;
    for (const auto& i : items) {
      if (i.text.size() < 2 || i.text[0] != '-') {
        return fail(i.mark, "flag '" + i.text + "' must start with '-'");
      }
    }
  } else if (form_name == "fact") {
    c.type = Condition::Type::fact;
    for (const auto& i : items) {
      if (!valid_fact_name(i.text)) {
        return fail(i.mark, "fact '" + i.text + "' is not a fact name (lower_snake_case)");
      }
    }
  } else {  // target, target_all
    c.type = form_name == "target" ? Condition::Type::target : Condition::Type::target_all;
    for (const auto& i : items) {
      if (!parse_path_class(i.text)) {
        return fail(i.mark, "unknown path class '" + i.text +
                                "' (root, system, home-root, home-secret, outside-project, "
                                "inside-project, temp, unknown)");
      }
    }
  }
  for (auto& i : items) c.values.push_back(std::move(i.text));
  return true;
}

bool PackParser::parse_exception(const YAML::Node& n, ExceptionSpec& ex) {
  if (!require_map(n, "an exception") || !check_keys(n, k_exception_keys, "exception")) {
    return false;
  }
  ex.loc = m_doc.loc(n);
  auto name = require(n, "name", "exception");
  if (!name || !read_string(*name, "exception name", ex.name)) return false;
  static const RE2 k_name(R"(^[A-Za-z0-9_][A-Za-z0-9_.-]*$)");
  if (!RE2::FullMatch(ex.name, k_name)) {
    return fail(*name, "exception name '" + ex.name + "' must be letters, digits, '_', '.', '-'");
  }
  auto field = require(n, "field", "exception");
  if (!field || !read_string(*field, "exception field", ex.field)) return false;
  if (!valid_field_name(ex.field)) {
    return fail(*field, "unknown field '" + ex.field + "' (see docs/RULES.md \"Fields\")");
  }
  std::string op_text;
  auto opn = require(n, "op", "exception");
  if (!opn || !read_string(*opn, "exception op", op_text)) return false;
  auto op = parse_op(op_text);
  if (!op || *op == Op::exists) {
    return fail(*opn, "unknown exception op '" + op_text +
                          "' (in, equals, prefix, suffix, contains, matches, glob)");
  }
  ex.op = *op;
  if (auto vals = child(n, "values")) {
    std::vector<Item> items;
    if (!read_items(*vals, "exception values", items)) return false;
    if (!check_op_values(*vals, ex.op, items, true)) return false;
    for (auto& i : items) ex.values.push_back(std::move(i.text));
  }
  return true;
}

bool PackParser::parse_tests(const YAML::Node& n, RuleTests& tests) {
  if (n.IsNull()) return true;
  if (!require_map(n, "tests") || !check_keys(n, k_tests_keys, "tests")) return false;
  if (auto m = child(n, "match"); m && !parse_test_entries(*m, "tests.match", tests.match)) {
    return false;
  }
  if (auto m = child(n, "no_match");
      m && !parse_test_entries(*m, "tests.no_match", tests.no_match)) {
    return false;
  }
  if (auto m = child(n, "todo_match");
      m && !parse_test_entries(*m, "tests.todo_match", tests.todo_match)) {
    return false;
  }
  return true;
}

bool PackParser::parse_test_entries(const YAML::Node& n, std::string_view what,
                                    std::vector<std::string>& out) {
  if (n.IsNull()) return true;
  auto add = [&](const YAML::Node& e) -> bool {
    if (e.IsScalar()) {
      const std::string& line = e.Scalar();
      if (line.empty()) return fail(e, "empty test command line in " + std::string(what));
      if (line.find_first_not_of(" \t") != std::string::npos &&
          line[line.find_first_not_of(" \t")] == '{') {
        // Test text starting with '{' is read as Action JSON; a brace group must be explicit.
        return fail(e,
                    "a test line starting with '{' is ambiguous: write it as a mapping, "
                    "e.g. {command: '" +
                        line + "'}");
      }
      out.push_back(line);
      return true;
    }
    if (e.IsMap()) {
      if (!check_keys(e, k_action_keys, "a test action")) return false;
      nlohmann::json j = detail::yaml_to_json(e);
      auto action = action_from_json(j);
      if (!action) return fail(e, "invalid test action: " + action.error().message);
      out.push_back(j.dump());
      return true;
    }
    return fail(e, "a test is a shell command line or an action mapping");
  };
  if (n.IsScalar() || n.IsMap()) return add(n);
  if (!n.IsSequence()) return fail(n, std::string(what) + " must be a list of tests");
  for (const auto& e : n) {
    if (!add(e)) return false;
  }
  return true;
}

Result<std::string> read_file_bounded(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"cannot open file", path, 0, 0, {}};
  std::string text;
  text.resize(detail::k_max_yaml_bytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) return Error{"cannot read file", path, 0, 0, {}};
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > detail::k_max_yaml_bytes) {
    return Error{"file too large (limit " + std::to_string(detail::k_max_yaml_bytes) + " bytes)",
                 path,
                 0,
                 0,
                 {}};
  }
  return text;
}

Error lint_error_at(const SourceLoc& loc, std::string message) {
  return Error{std::move(message), loc.file, loc.line, loc.column, {}};
}

bool has_cmd_prefilter(const Condition& when) {
  auto is_cmd = [](const Condition& c) {
    return c.type == Condition::Type::field && c.field == "cmd" && c.op == Op::in;
  };
  if (is_cmd(when)) return true;
  if (when.type == Condition::Type::all) {
    return std::any_of(when.children.begin(), when.children.end(), is_cmd);
  }
  return false;
}

}  // namespace

Result<PackSpec> load_pack_text(std::string_view yaml, const std::string& source) {
  try {
    auto doc = detail::YamlDoc::parse(yaml, source);
    if (!doc) return doc.error();
    PackParser parser(*doc);
    PackSpec pack;
    pack.source = source;
    if (!parser.parse(pack)) return parser.error();
    return pack;
  } catch (const std::exception& e) {
    // Fail closed on anything unforeseen (yaml-cpp conversions, allocation failure).
    return Error{std::string("internal error while loading pack: ") + e.what(), source, 0, 0, {}};
  }
}

Result<PackSpec> load_pack_file(const std::string& path) {
  auto text = read_file_bounded(path);
  if (!text) return text.error();
  return load_pack_text(*text, path);
}

Result<std::vector<PackSpec>> load_pack_path(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return Error{"no such file or directory", path, 0, 0, {}};
  std::vector<PackSpec> out;
  if (!fs::is_directory(status)) {
    auto pack = load_pack_file(path);
    if (!pack) return pack.error();
    out.push_back(std::move(*pack));
    return out;
  }
  std::vector<std::string> files;
  fs::directory_iterator it(path, ec), end;
  if (ec) return Error{"cannot list directory: " + ec.message(), path, 0, 0, {}};
  for (; it != end; it.increment(ec)) {
    if (ec) return Error{"cannot list directory: " + ec.message(), path, 0, 0, {}};
    const auto ext = it->path().extension().string();
    if ((ext == ".yaml" || ext == ".yml") && it->is_regular_file(ec)) {
      files.push_back(it->path().string());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto pack = load_pack_file(f);
    if (!pack) return pack.error();
    out.push_back(std::move(*pack));
  }
  return out;
}

std::vector<LintFinding> lint_packs(const std::vector<PackSpec>& packs) {
  std::vector<LintFinding> out;
  auto warn = [&](const SourceLoc& loc, std::string msg) {
    out.push_back({LintFinding::Level::warning, lint_error_at(loc, std::move(msg))});
  };
  auto error = [&](const SourceLoc& loc, std::string msg) {
    out.push_back({LintFinding::Level::error, lint_error_at(loc, std::move(msg))});
  };
  std::map<std::string, SourceLoc> rule_ids;
  std::map<std::string, std::string> pack_ids;
  for (const auto& pack : packs) {
    SourceLoc pack_loc{pack.source, 0, 0};
    if (auto [it, inserted] = pack_ids.emplace(pack.id, pack.source); !inserted) {
      error(pack_loc, "duplicate pack id '" + pack.id + "' (also in " + it->second + ")");
    }
    if (pack.maturity == "deprecated") warn(pack_loc, "pack '" + pack.id + "' is deprecated");
    for (const auto& rule : pack.rules) {
      const std::string& id = rule.id;
      if (auto [it, inserted] = rule_ids.emplace(id, rule.loc); !inserted) {
        const auto& first = it->second;
        error(rule.loc, "duplicate rule id '" + id + "' (first defined at " + first.file + ":" +
                            std::to_string(first.line) + ")");
      }
      if (id.rfind(pack.id + ".", 0) != 0) {
        error(rule.loc, "rule id '" + id + "' is not under its pack id '" + pack.id + "'");
      }
      if (!has_cmd_prefilter(rule.when) && rule.keywords.empty()) {
        warn(rule.loc, "rule '" + id +
                           "' has no prefilter (no top-level cmd: condition and no "
                           "keywords): it runs for every subject of its kinds");
      }
      if (rule.tests.match.empty()) warn(rule.loc, "rule '" + id + "' has no tests.match");
      if (rule.tests.no_match.empty()) warn(rule.loc, "rule '" + id + "' has no tests.no_match");
      if (rule.message.empty()) warn(rule.loc, "rule '" + id + "' has an empty message");
      if (rule.remediation.empty()) warn(rule.loc, "rule '" + id + "' has an empty remediation");
      if (rule.maturity == "deprecated") warn(rule.loc, "rule '" + id + "' is deprecated");
    }
  }
  return out;
}

}  // namespace blastwall::rules
