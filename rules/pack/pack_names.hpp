// Private: the vocabulary of rule packs (operators, fields, maturities, fact names) shared by the
// loader, the serialiser and the policy loader.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "rules/pack/spec.hpp"

namespace blastwall::rules {

inline constexpr std::array<std::string_view, 8> k_op_names{
    "in", "equals", "prefix", "suffix", "contains", "matches", "glob", "exists"};

[[nodiscard]] std::string_view op_name(Op op);
[[nodiscard]] std::optional<Op> parse_op(std::string_view text);
[[nodiscard]] std::string_view condition_type_name(Condition::Type t);
[[nodiscard]] std::optional<Condition::Type> parse_condition_type(std::string_view text);

// stable | incubating | experimental | deprecated
[[nodiscard]] bool valid_maturity(std::string_view m);
// lower_snake_case: [a-z][a-z0-9_]*
[[nodiscard]] bool valid_fact_name(std::string_view f);
// A field from docs/RULES.md "Fields", or env.NAME.
[[nodiscard]] bool valid_field_name(std::string_view f);

}  // namespace blastwall::rules
