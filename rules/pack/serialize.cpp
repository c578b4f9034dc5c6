// PackSpec <-> JSON. The encoding omits members equal to their defaults (empty strings and
// lists, op "in", case_insensitive false) and stores a SourceLoc as [line, column] when its file
// is the pack's source, else [line, column, file]; decoding restores exactly the same PackSpec.
#include "rules/pack/serialize.hpp"

#include <exception>
#include <stdexcept>
#include <utility>

#include "rules/pack/pack_names.hpp"

namespace blastwall::rules {
namespace {

using nlohmann::json;

constexpr int k_max_condition_depth = 64;

json loc_to_json(const SourceLoc& loc, const std::string& pack_source) {
  json j = json::array({loc.line, loc.column});
  if (loc.file != pack_source) j.push_back(loc.file);
  return j;
}

void put_strings(json& j, const char* key, const std::vector<std::string>& v) {
  if (!v.empty()) j[key] = v;
}

void put_string(json& j, const char* key, const std::string& v) {
  if (!v.empty()) j[key] = v;
}

json condition_to_json(const Condition& c, const std::string& src) {
  json j;
  j["type"] = std::string(condition_type_name(c.type));
  if (!c.children.empty()) {
    json children = json::array();
    for (const auto& ch : c.children) children.push_back(condition_to_json(ch, src));
    j["children"] = std::move(children);
  }
  put_string(j, "field", c.field);
  if (c.op != Op::in) j["op"] = std::string(op_name(c.op));
  put_strings(j, "values", c.values);
  if (c.case_insensitive) j["ci"] = true;
  j["loc"] = loc_to_json(c.loc, src);
  return j;
}

json rule_to_json(const RuleSpec& r, const std::string& src) {
  json j;
  j["id"] = r.id;
  j["title"] = r.title;
  json kinds = json::array();
  for (auto k : r.applies_to) kinds.push_back(std::string(to_string(k)));
  j["applies_to"] = std::move(kinds);
  put_strings(j, "keywords", r.keywords);
  j["when"] = condition_to_json(r.when, src);
  j["decision"] = std::string(to_string(r.decision));
  j["severity"] = std::string(to_string(r.severity));
  j["message"] = r.message;
  put_string(j, "remediation", r.remediation);
  put_string(j, "rationale", r.rationale);
  put_strings(j, "references", r.references);
  put_strings(j, "tags", r.tags);
  put_strings(j, "marks", r.marks);
  if (!r.exceptions.empty()) {
    json exs = json::array();
    for (const auto& e : r.exceptions) {
      json ej{{"name", e.name}, {"field", e.field}, {"op", std::string(op_name(e.op))}};
      ej["values"] = e.values;
      ej["loc"] = loc_to_json(e.loc, src);
      exs.push_back(std::move(ej));
    }
    j["exceptions"] = std::move(exs);
  }
  put_string(j, "maturity", r.maturity);
  if (!r.enabled) j["enabled"] = false;
  json tests = json::object();
  put_strings(tests, "match", r.tests.match);
  put_strings(tests, "no_match", r.tests.no_match);
  put_strings(tests, "todo_match", r.tests.todo_match);
  if (!tests.empty()) j["tests"] = std::move(tests);
  j["loc"] = loc_to_json(r.loc, src);
  return j;
}

// Decoding helpers: nlohmann throws on type mismatches; pack_from_json turns that into an Error.
std::string str(const json& j, const char* key, bool required = false) {
  auto it = j.find(key);
  if (it == j.end()) {
    if (required) throw std::runtime_error(std::string("missing '") + key + "'");
    return {};
  }
  return it->get<std::string>();
}

std::vector<std::string> strs(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return {};
  return it->get<std::vector<std::string>>();
}

SourceLoc loc_from_json(const json& j, const std::string& src) {
  SourceLoc loc;
  loc.file = src;
  auto it = j.find("loc");
  if (it == j.end()) return loc;
  const json& a = *it;
  if (!a.is_array() || a.size() < 2 || a.size() > 3) throw std::runtime_error("bad 'loc'");
  loc.line = a.at(0).get<int>();
  loc.column = a.at(1).get<int>();
  if (a.size() == 3) loc.file = a.at(2).get<std::string>();
  return loc;
}

Op op_from(const std::string& text) {
  auto op = parse_op(text);
  if (!op) throw std::runtime_error("unknown op '" + text + "'");
  return *op;
}

Condition condition_from_json(const json& j, const std::string& src, int depth) {
  if (depth > k_max_condition_depth) throw std::runtime_error("conditions nested too deeply");
  if (!j.is_object()) throw std::runtime_error("condition must be an object");
  Condition c;
  const std::string type = str(j, "type", true);
  auto t = parse_condition_type(type);
  if (!t) throw std::runtime_error("unknown condition type '" + type + "'");
  c.type = *t;
  if (auto it = j.find("children"); it != j.end()) {
    if (!it->is_array()) throw std::runtime_error("'children' must be an array");
    for (const auto& ch : *it) c.children.push_back(condition_from_json(ch, src, depth + 1));
  }
  if ((c.type == Condition::Type::all || c.type == Condition::Type::any) && c.children.empty()) {
    throw std::runtime_error("empty " + type + " condition");
  }
  if (c.type == Condition::Type::not_ && c.children.size() != 1) {
    throw std::runtime_error("'not' needs exactly one child");
  }
  c.field = str(j, "field");
  if (j.contains("op")) c.op = op_from(str(j, "op"));
  c.values = strs(j, "values");
  if (auto it = j.find("ci"); it != j.end()) c.case_insensitive = it->get<bool>();
  c.loc = loc_from_json(j, src);
  return c;
}

RuleSpec rule_from_json(const json& j, const std::string& src) {
  if (!j.is_object()) throw std::runtime_error("rule must be an object");
  RuleSpec r;
  r.id = str(j, "id", true);
  r.title = str(j, "title");
  for (const auto& k : strs(j, "applies_to")) {
    auto kind = parse_action_kind(k);
    if (!kind) throw std::runtime_error("rule " + r.id + ": unknown kind '" + k + "'");
    r.applies_to.push_back(*kind);
  }
  r.keywords = strs(j, "keywords");
  r.when = condition_from_json(j.at("when"), src, 1);
  const std::string decision = str(j, "decision", true);
  auto d = parse_decision(decision);
  if (!d) throw std::runtime_error("rule " + r.id + ": unknown decision '" + decision + "'");
  r.decision = *d;
  const std::string severity = str(j, "severity", true);
  auto s = parse_severity(severity);
  if (!s) throw std::runtime_error("rule " + r.id + ": unknown severity '" + severity + "'");
  r.severity = *s;
  r.message = str(j, "message");
  r.remediation = str(j, "remediation");
  r.rationale = str(j, "rationale");
  r.references = strs(j, "references");
  r.tags = strs(j, "tags");
  r.marks = strs(j, "marks");
  if (auto it = j.find("exceptions"); it != j.end()) {
    if (!it->is_array()) throw std::runtime_error("'exceptions' must be an array");
    for (const auto& ej : *it) {
      if (!ej.is_object()) throw std::runtime_error("exception must be an object");
      ExceptionSpec e;
      e.name = str(ej, "name", true);
      e.field = str(ej, "field", true);
      e.op = op_from(str(ej, "op", true));
      e.values = strs(ej, "values");
      e.loc = loc_from_json(ej, src);
      r.exceptions.push_back(std::move(e));
    }
  }
  r.maturity = str(j, "maturity");
  if (auto it = j.find("enabled"); it != j.end()) r.enabled = it->get<bool>();
  if (auto it = j.find("tests"); it != j.end()) {
    if (!it->is_object()) throw std::runtime_error("'tests' must be an object");
    r.tests.match = strs(*it, "match");
    r.tests.no_match = strs(*it, "no_match");
    r.tests.todo_match = strs(*it, "todo_match");
  }
  r.loc = loc_from_json(j, src);
  return r;
}

}  // namespace

nlohmann::json pack_to_json(const PackSpec& pack) {
  json j;
  j["format"] = pack.format;
  j["id"] = pack.id;
  j["version"] = pack.version;
  put_string(j, "title", pack.title);
  put_string(j, "description", pack.description);
  j["maturity"] = pack.maturity;
  put_string(j, "requires_engine", pack.requires_engine);
  if (!pack.lists.empty()) j["lists"] = pack.lists;
  j["source"] = pack.source;
  json rules = json::array();
  for (const auto& r : pack.rules) rules.push_back(rule_to_json(r, pack.source));
  j["rules"] = std::move(rules);
  return j;
}

Result<PackSpec> pack_from_json(const nlohmann::json& j) {
  try {
    if (!j.is_object()) return make_error("pack JSON must be an object");
    PackSpec pack;
    pack.format = j.at("format").get<int>();
    if (pack.format != 1)
      return make_error("unsupported pack format " + std::to_string(pack.format));
    pack.id = str(j, "id", true);
    pack.version = str(j, "version", true);
    pack.title = str(j, "title");
    pack.description = str(j, "description");
    pack.maturity = str(j, "maturity", true);
    if (!valid_maturity(pack.maturity))
      return make_error("unknown maturity '" + pack.maturity + "'");
    pack.requires_engine = str(j, "requires_engine");
    if (auto it = j.find("lists"); it != j.end()) {
      pack.lists = it->get<std::map<std::string, std::vector<std::string>>>();
    }
    pack.source = str(j, "source");
    const json& rules = j.at("rules");
    if (!rules.is_array()) return make_error("pack JSON 'rules' must be an array");
    for (const auto& r : rules) pack.rules.push_back(rule_from_json(r, pack.source));
    return pack;
  } catch (const std::exception& e) {
    std::string id = j.is_object() && j.contains("id") && j["id"].is_string()
                         ? j["id"].get<std::string>()
                         : std::string("?");
    return make_error("invalid pack JSON (" + id + "): " + e.what());
  }
}

}  // namespace blastwall::rules
