#include "rules/pack/pack_names.hpp"

#include <algorithm>
#include <utility>

namespace blastwall::rules {
namespace {

constexpr std::array<std::pair<Op, std::string_view>, 8> k_ops{{
    {Op::in, "in"},
    {Op::equals, "equals"},
    {Op::prefix, "prefix"},
    {Op::suffix, "suffix"},
    {Op::contains, "contains"},
    {Op::matches, "matches"},
    {Op::glob, "glob"},
    {Op::exists, "exists"},
}};

constexpr std::array<std::pair<Condition::Type, std::string_view>, 10> k_types{{
    {Condition::Type::all, "all"},
    {Condition::Type::any, "any"},
    {Condition::Type::not_, "not"},
    {Condition::Type::field, "field"},
    {Condition::Type::flag, "flag"},
    {Condition::Type::sub, "sub"},
    {Condition::Type::option, "option"},
    {Condition::Type::fact, "fact"},
    {Condition::Type::target, "target"},
    {Condition::Type::target_all, "target_all"},
}};

constexpr std::array<std::string_view, 4> k_maturities{"stable", "incubating", "experimental",
                                                       "deprecated"};

// docs/RULES.md "Fields" (env.NAME is handled separately).
constexpr std::array<std::string_view, 24> k_fields{
    "kind",       "cmd",      "argv0",      "args",       "argv",        "positionals",
    "line",       "target",   "target_raw", "target_rel", "target_name", "redirect",
    "stdin_from", "wrappers", "origin",     "sql",        "path",        "content",
    "url",        "method",   "mcp.server", "mcp.tool",   "mcp.args",    "tool"};

}  // namespace

std::string_view op_name(Op op) {
  for (const auto& [k, n] : k_ops) {
    if (k == op) return n;
  }
  return "in";
}

std::optional<Op> parse_op(std::string_view text) {
  for (const auto& [k, n] : k_ops) {
    if (n == text) return k;
  }
  return std::nullopt;
}

std::string_view condition_type_name(Condition::Type t) {
  for (const auto& [k, n] : k_types) {
    if (k == t) return n;
  }
  return "all";
}

std::optional<Condition::Type> parse_condition_type(std::string_view text) {
  for (const auto& [k, n] : k_types) {
    if (n == text) return k;
  }
  return std::nullopt;
}

bool valid_maturity(std::string_view m) {
  return std::find(k_maturities.begin(), k_maturities.end(), m) != k_maturities.end();
}

bool valid_fact_name(std::string_view f) {
  if (f.empty() || f.size() > 64 || f[0] < 'a' || f[0] > 'z') return false;
  return std::all_of(f.begin(), f.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool valid_field_name(std::string_view f) {
  if (std::find(k_fields.begin(), k_fields.end(), f) != k_fields.end()) return true;
  constexpr std::string_view k_env = "env.";
  if (f.substr(0, k_env.size()) != k_env) return false;
  std::string_view name = f.substr(k_env.size());
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace blastwall::rules
