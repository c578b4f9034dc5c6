#include "proxy/json_scan.hpp"

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace blastwall::proxy {
namespace {

// Bytes that end the fast part of a string scan: '"', '\\' and control characters.
constexpr std::array<bool, 256> make_string_stops() {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[static_cast<std::size_t>(c)] = true;
  t['"'] = true;
  t['\\'] = true;
  return t;
}
constexpr std::array<bool, 256> k_string_stops = make_string_stops();

class Scanner {
 public:
  explicit Scanner(std::string_view s) : m_p(s.data()), m_end(s.data() + s.size()) {}

  void skip_ws() {
    while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r')) ++m_p;
  }
  bool at_end() const { return m_p >= m_end; }
  char peek() const { return m_p < m_end ? *m_p : '\0'; }
  const char* pos() const { return m_p; }
  bool failed() const { return m_failed; }
  const std::string& problem() const { return m_problem; }

  bool fail(const char* why) {
    if (!m_failed) {
      m_failed = true;
      m_problem = why;
    }
    return false;
  }

  // Scans a string starting at '"'. When out is given, the decoded text is stored there.
  bool string(std::string* out) {
    if (peek() != '"') return fail("expected string");
    ++m_p;
    const char* run = m_p;
    for (;;) {
      while (m_p < m_end && !k_string_stops[static_cast<unsigned char>(*m_p)]) ++m_p;
      if (m_p >= m_end) return fail("unterminated string");
      const char c = *m_p;
      if (c == '"') {
        if (out) out->append(run, m_p);
        ++m_p;
        return true;
      }
      if (c != '\\') return fail("control character in string");
      if (out) out->append(run, m_p);
      ++m_p;
      if (m_p >= m_end) return fail("unterminated escape");
      const char e = *m_p++;
      switch (e) {
        case '"':
          if (out) out->push_back('"');
          break;
        case '\\':
          if (out) out->push_back('\\');
          break;
        case '/':
          if (out) out->push_back('/');
          break;
        case 'b':
          if (out) out->push_back('\b');
          break;
        case 'f':
          if (out) out->push_back('\f');
          break;
        case 'n':
          if (out) out->push_back('\n');
          break;
        case 'r':
          if (out) out->push_back('\r');
          break;
        case 't':
          if (out) out->push_back('\t');
          break;
        case 'u': {
          if (m_end - m_p < 4) return fail("short unicode escape");
          uint32_t cp = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = *m_p++;
            cp <<= 4;
            if (h >= '0' && h <= '9')
              cp |= static_cast<uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f')
              cp |= static_cast<uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
              cp |= static_cast<uint32_t>(h - 'A' + 10);
            else
              return fail("bad unicode escape");
          }
          // Method names and keys we decode are ASCII; other code points only need to be valid
          // escapes, so they decode to a marker byte that cannot equal any ASCII name.
          if (out) out->push_back(cp < 0x80 ? static_cast<char>(cp) : '\x7f');
          break;
        }
        default:
          return fail("bad escape");
      }
      run = m_p;
    }
  }

  bool number() {
    const char* start = m_p;
    if (peek() == '-') ++m_p;
    if (peek() == '0') {
      ++m_p;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') ++m_p;
    } else {
      return fail("bad number");
    }
    if (peek() == '.') {
      ++m_p;
      if (!(peek() >= '0' && peek() <= '9')) return fail("bad fraction");
      while (peek() >= '0' && peek() <= '9') ++m_p;
    }
    if (peek() == 'e' || peek() == 'E') {
      ++m_p;
      if (peek() == '+' || peek() == '-') ++m_p;
      if (!(peek() >= '0' && peek() <= '9')) return fail("bad exponent");
      while (peek() >= '0' && peek() <= '9') ++m_p;
    }
    return m_p > start;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(m_end - m_p) < word.size() ||
        std::string_view(m_p, word.size()) != word) {
      return fail("bad literal");
    }
    m_p += word.size();
    return true;
  }

  // Any value. Depth counts open containers.
  bool value(std::size_t depth) {
    skip_ws();
    switch (peek()) {
      case '{':
        return object(depth + 1, nullptr);
      case '[':
        return array(depth + 1);
      case '"':
        return string(nullptr);
      case 't':
        return literal("true");
      case 'f':
        return literal("false");
      case 'n':
        return literal("null");
      default:
        return number();
    }
  }

  // Called for each member of an object when a visitor is given: the visitor scans the value.
  using Visitor = bool (*)(Scanner&, const std::string& key, std::size_t depth, void* ctx);

  bool object(std::size_t depth, Visitor visit, void* ctx = nullptr) {
    if (depth > k_max_json_depth) return fail("nesting too deep");
    ++m_p;  // '{'
    skip_ws();
    if (peek() == '}') {
      ++m_p;
      return true;
    }
    std::string key;
    for (;;) {
      skip_ws();
      key.clear();
      if (!string(visit ? &key : nullptr)) return false;
      skip_ws();
      if (peek() != ':') return fail("expected ':'");
      ++m_p;
      skip_ws();
      if (visit) {
        if (!visit(*this, key, depth, ctx)) return false;
      } else if (!value(depth)) {
        return false;
      }
      skip_ws();
      if (peek() == ',') {
        ++m_p;
        continue;
      }
      if (peek() == '}') {
        ++m_p;
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }

  bool array(std::size_t depth) {
    if (depth > k_max_json_depth) return fail("nesting too deep");
    ++m_p;  // '['
    skip_ws();
    if (peek() == ']') {
      ++m_p;
      return true;
    }
    for (;;) {
      if (!value(depth)) return false;
      skip_ws();
      if (peek() == ',') {
        ++m_p;
        continue;
      }
      if (peek() == ']') {
        ++m_p;
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

 private:
  const char* m_p;
  const char* m_end;
  bool m_failed = false;
  std::string m_problem;
};

struct TopState {
  MessageShape* shape;
  bool has_method = false;
  bool has_id = false;
  std::string_view id_raw;
};

bool visit_result(Scanner& s, const std::string& key, std::size_t depth, void* ctx) {
  auto* shape = static_cast<MessageShape*>(ctx);
  if (key == "isError") {
    if (s.peek() == 't' || s.peek() == 'f') {
      const bool v = s.peek() == 't';
      if (!s.literal(v ? "true" : "false")) return false;
      shape->is_error = v;
      return true;
    }
    shape->is_error.reset();
  }
  return s.value(depth);
}

bool visit_top(Scanner& s, const std::string& key, std::size_t depth, void* ctx) {
  auto* st = static_cast<TopState*>(ctx);
  if (key == "id") {
    const char* start = s.pos();
    if (!s.value(depth)) return false;
    st->has_id = true;
    st->id_raw = std::string_view(start, static_cast<std::size_t>(s.pos() - start));
    return true;
  }
  if (key == "method") {
    st->has_method = true;
    st->shape->method.clear();
    if (s.peek() == '"') return s.string(&st->shape->method);
    return s.value(depth);
  }
  if (key == "result") {
    st->shape->has_result = true;
    st->shape->is_error.reset();
    if (s.peek() == '{') return s.object(depth + 1, visit_result, st->shape);
    return s.value(depth);
  }
  if (key == "error") {
    st->shape->has_error = true;
    return s.value(depth);
  }
  return s.value(depth);
}

std::string canonical_id(std::string_view raw) {
  bool plain = true;
  for (char c : raw) {
    if (c == '\\' || c == '.' || c == 'e' || c == 'E' || c == ' ') plain = false;
  }
  if (plain) return std::string(raw);
  try {
    return nlohmann::json::parse(raw).dump();
  } catch (const std::exception&) {
    return std::string(raw);
  }
}

}  // namespace

MessageShape scan_message(std::string_view line) {
  MessageShape shape;
  Scanner s(line);
  s.skip_ws();
  if (s.peek() == '[') {
    if (!s.array(1)) {
      shape.problem = s.problem();
      return shape;
    }
    s.skip_ws();
    if (!s.at_end()) {
      shape.problem = "trailing characters after JSON value";
      return shape;
    }
    shape.kind = MessageKind::batch;
    return shape;
  }
  if (s.peek() != '{') {
    shape.problem = s.at_end() ? "empty line" : "not a JSON object or array";
    if (!s.at_end() && s.value(0)) {
      s.skip_ws();
      if (s.at_end()) shape.kind = MessageKind::other;
    }
    return shape;
  }
  TopState st{&shape, false, false, {}};
  if (!s.object(1, visit_top, &st)) {
    shape = MessageShape{};
    shape.problem = s.problem();
    return shape;
  }
  s.skip_ws();
  if (!s.at_end()) {
    shape = MessageShape{};
    shape.problem = "trailing characters after JSON value";
    return shape;
  }
  if (st.has_id) shape.id = canonical_id(st.id_raw);
  if (st.has_method && !shape.method.empty()) {
    shape.kind = st.has_id ? MessageKind::request : MessageKind::notification;
  } else if (st.has_id && (shape.has_result || shape.has_error)) {
    shape.kind = MessageKind::response;
  } else {
    shape.kind = MessageKind::other;
  }
  return shape;
}

bool is_valid_json(std::string_view line) {
  Scanner s(line);
  if (!s.value(0)) return false;
  s.skip_ws();
  return s.at_end();
}

}  // namespace blastwall::proxy
