// A JSONC-aware editor: reads JSON with comments and trailing commas, and edits one value span at a
// time so every other byte (comments, key order, indentation) stays as the user wrote it.
// Not thread-safe; a value type. Errors are returned, never thrown.
#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "blastwall/result.hpp"

namespace blastwall::integrations {

using JsonPath = std::vector<std::variant<std::string, size_t>>;

// Strict JSON from JSONC: comments become spaces, trailing commas are dropped.
[[nodiscard]] std::string strip_jsonc(std::string_view text);
// Parses JSONC into a JSON value (exceptions caught).
[[nodiscard]] Result<nlohmann::json> parse_jsonc(std::string_view text);

class JsoncEditor {
 public:
  // An empty (or whitespace-only) text is treated as an empty object.
  [[nodiscard]] static Result<JsoncEditor> open(std::string text);

  [[nodiscard]] const std::string& text() const { return m_text; }
  [[nodiscard]] const nlohmann::json& value() const { return m_value; }

  // Sets the value at path, creating missing objects on the way. Replaces only the old value's
  // span, or inserts one member. Fails if a path step crosses a non-object.
  [[nodiscard]] Result<bool> set(const JsonPath& path, const nlohmann::ordered_json& value);
  // Appends to the array at path, creating it (and missing parents) when absent.
  [[nodiscard]] Result<bool> append(const JsonPath& path, const nlohmann::ordered_json& value);
  // Removes a member or an array element. Returns false when the path does not exist.
  [[nodiscard]] Result<bool> erase(const JsonPath& path);

  struct Node;

 private:
  JsoncEditor() = default;
  [[nodiscard]] Result<bool> reparse();
  std::string m_text;
  nlohmann::json m_value;
  std::shared_ptr<Node> m_root;
};

// Renders a value as JSON with the given indent unit, every line after the first prefixed by
// `base_indent`. Short arrays of scalars stay on one line.
[[nodiscard]] std::string render_json(const nlohmann::ordered_json& value, const std::string& unit,
                                      const std::string& base_indent);

}  // namespace blastwall::integrations
