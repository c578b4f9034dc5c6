// Result<T>: a small std::expected-shaped type. The engine and pack loader return it; no exceptions
// cross their public API. Thread-safety: a value type, no shared state.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace blastwall {

// An error with an optional source location (pack files, policy files, action JSON).
struct Error {
  std::string message;
  std::string file;     // empty when not about a file
  int line = 0;         // 1-based; 0 = unknown
  int column = 0;       // 1-based; 0 = unknown
  std::string snippet;  // the offending source line, for caret diagnostics

  // "file:line:col: message" plus, when a snippet is known, the line and a caret under the column.
  [[nodiscard]] std::string format() const;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}      // NOLINT implicit
  Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}  // NOLINT implicit

  [[nodiscard]] bool has_value() const { return m_v.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(m_v); }
  const T& value() const& { return std::get<0>(m_v); }
  T&& value() && { return std::get<0>(std::move(m_v)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  [[nodiscard]] const Error& error() const { return std::get<1>(m_v); }

 private:
  std::variant<T, Error> m_v;
};

inline Error make_error(std::string message) { return Error{std::move(message), {}, 0, 0, {}}; }

}  // namespace blastwall
