// Private helper shared by the pack loader and the policy loader: a bounded YAML parse that keeps
// the source lines so every diagnostic can carry file:line:col and the offending line.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "blastwall/result.hpp"
#include "rules/pack/spec.hpp"

namespace blastwall::rules::detail {

inline constexpr std::size_t k_max_yaml_bytes = 4u * 1024u * 1024u;
inline constexpr int k_max_yaml_depth = 64;
// Counted with aliases expanded, so an alias bomb ("billion laughs") is refused.
inline constexpr std::size_t k_max_yaml_nodes = 200000;

// One parsed YAML document. Never throws: parse() catches every yaml-cpp exception.
class YamlDoc {
 public:
  // Rejects oversize text, NUL bytes, more than one document, nesting deeper than
  // k_max_yaml_depth and more than k_max_yaml_nodes nodes. An empty document yields a Null root.
  [[nodiscard]] static Result<YamlDoc> parse(std::string_view text, const std::string& source);

  [[nodiscard]] const YAML::Node& root() const { return m_root; }
  [[nodiscard]] const std::string& source() const { return m_source; }

  // A diagnostic at the node's position (1-based line/column) with that source line as snippet.
  [[nodiscard]] Error error_at(const YAML::Node& node, std::string message) const;
  [[nodiscard]] Error error_at(const YAML::Mark& mark, std::string message) const;
  [[nodiscard]] SourceLoc loc(const YAML::Node& node) const;

 private:
  YamlDoc() = default;
  std::string m_source;
  std::vector<std::string> m_lines;
  YAML::Node m_root;
};

// The allowed key closest to `key` (edit distance <= 2), or empty: for "did you mean" hints.
[[nodiscard]] std::string closest_key(std::string_view key,
                                      std::span<const std::string_view> allowed);

// Checks that every key of `map` is a string in `allowed` and appears once; on failure returns the
// diagnostic at the offending key ("unknown key 'x' in <what>; did you mean 'y'?").
[[nodiscard]] std::optional<Error> check_keys(const YamlDoc& doc, const YAML::Node& map,
                                              std::span<const std::string_view> allowed,
                                              std::string_view what);

// YAML -> JSON. Unquoted scalars resolve to true/false/null/integers/floats as in YAML's core
// schema; quoted scalars stay strings. Used for mapping-form rule tests. May throw yaml-cpp
// exceptions (callers already guard every yaml-cpp call).
[[nodiscard]] nlohmann::json yaml_to_json(const YAML::Node& node);

}  // namespace blastwall::rules::detail
