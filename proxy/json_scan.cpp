#include "proxy/json_scan.hpp"

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

constexpr std::size_t k_max_key = 64;      // longer keys are none of the ones routed on
constexpr std::size_t k_max_method = 256;  // a longer method is kept cut, marked with 0x7f

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

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

void StreamScanner::out_append(const char* from, const char* to) {
  if (!m_out || from == to || m_out_over) return;
  const auto n = static_cast<std::size_t>(to - from);
  if (m_out->size() + n > m_out_limit) {
    m_out_over = true;
    return;
  }
  m_out->append(from, n);
}

void StreamScanner::out_push(char c) { out_append(&c, &c + 1); }

void StreamScanner::feed(std::string_view bytes) {
  const char* p = bytes.data();
  const char* const end = p + bytes.size();
  if (m_capturing_id) m_id_from = p;
  while (p < end && !m_problem) p = step(p, end);
  if (m_capturing_id && m_id_from) {
    if (m_id_raw.size() + static_cast<std::size_t>(end - m_id_from) > k_max_id_bytes) {
      fail("id too long");
    } else {
      m_id_raw.append(m_id_from, end);
    }
  }
  m_id_from = nullptr;
}

const char* StreamScanner::scan_string(const char* p, const char* end) {
  const char* run = p;
  while (p < end && !k_string_stops[static_cast<unsigned char>(*p)]) ++p;
  out_append(run, p);
  if (p == end) return end;
  if (*p == '\\') {
    m_mode = Mode::escape;
    return p + 1;
  }
  if (*p != '"') {
    fail("control character in string");
    return end;
  }
  if (m_str_key) {
    end_key();
  } else {
    if (m_out == &m_shape.method && m_out_over) m_shape.method.push_back('\x7f');
    m_out = nullptr;
    end_value(p + 1);
  }
  return p + 1;
}

void StreamScanner::end_key() {
  m_role = Role::none;
  if (m_out == &m_key && !m_out_over) {
    if (m_depth == 1) {
      if (m_key == "id") m_role = Role::id;
      if (m_key == "method") m_role = Role::method;
      if (m_key == "result") m_role = Role::result;
      if (m_key == "error") m_role = Role::error;
    } else if (m_key == "isError") {
      m_role = Role::is_error;
    }
  }
  m_out = nullptr;
  m_mode = Mode::colon;
}

bool StreamScanner::start_value(const char* p) {
  const char c = *p;
  const Role role = m_role;
  m_role = Role::none;
  if (m_depth == 0) m_top = c == '{' ? '{' : c == '[' ? '[' : 's';
  switch (role) {
    case Role::id:
      m_has_id = true;
      m_id_raw.clear();
      m_capturing_id = true;
      m_id_depth = m_depth;
      m_id_from = p;
      break;
    case Role::method:
      m_has_method = true;
      m_shape.method.clear();
      break;
    case Role::result:
      m_shape.has_result = true;
      m_shape.is_error.reset();
      break;
    case Role::error:
      m_shape.has_error = true;
      break;
    case Role::is_error:
      if (c == 't' || c == 'f') {
        m_pending_bool = true;
      } else {
        m_shape.is_error.reset();
      }
      break;
    case Role::none:
      break;
  }
  switch (c) {
    case '{':
    case '[':
      if (m_depth == k_max_json_depth) {
        fail("nesting too deep");
        return false;
      }
      m_stack[m_depth++] = c;
      if (c == '{' && role == Role::result) m_result_open = true;
      m_mode = c == '{' ? Mode::obj_first : Mode::arr_first;
      return true;
    case '"':
      m_str_key = false;
      m_out = role == Role::method ? &m_shape.method : nullptr;
      m_out_limit = k_max_method;
      m_out_over = false;
      m_mode = Mode::string;
      return true;
    case 't':
    case 'f':
    case 'n':
      m_lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
      m_lit_pos = 1;
      m_mode = Mode::literal;
      return true;
    case '-':
      m_num = Num::minus;
      break;
    case '0':
      m_num = Num::zero;
      break;
    default:
      if (c < '1' || c > '9') {
        fail("bad number");
        return false;
      }
      m_num = Num::integer;
  }
  m_mode = Mode::number;
  return true;
}

void StreamScanner::end_value(const char* after) {
  if (m_pending_bool) {
    m_shape.is_error = m_lit == "true";
    m_pending_bool = false;
  }
  if (m_capturing_id && m_depth == m_id_depth) {
    if (m_id_from && after) {
      if (m_id_raw.size() + static_cast<std::size_t>(after - m_id_from) > k_max_id_bytes) {
        fail("id too long");
      } else {
        m_id_raw.append(m_id_from, after);
      }
    }
    m_capturing_id = false;
    m_id_from = nullptr;
  }
  m_mode = m_depth == 0 ? Mode::done : Mode::after_value;
}

void StreamScanner::close_container(const char* after) {
  --m_depth;
  if (m_depth == 1) m_result_open = false;  // whatever closed at depth 2 ends "result"
  end_value(after);
}

const char* StreamScanner::step(const char* p, const char* end) {
  const char c = *p;
  switch (m_mode) {
    case Mode::string:
      return scan_string(p, end);
    case Mode::escape: {
      char decoded = c;
      switch (c) {
        case '"':
        case '\\':
        case '/':
          break;
        case 'b':
          decoded = '\b';
          break;
        case 'f':
          decoded = '\f';
          break;
        case 'n':
          decoded = '\n';
          break;
        case 'r':
          decoded = '\r';
          break;
        case 't':
          decoded = '\t';
          break;
        case 'u':
          m_mode = Mode::unicode;
          m_hex_left = 4;
          m_cp = 0;
          return p + 1;
        default:
          fail("bad escape");
          return end;
      }
      out_push(decoded);
      m_mode = Mode::string;
      return p + 1;
    }
    case Mode::unicode: {
      uint32_t v = 0;
      if (c >= '0' && c <= '9') {
        v = static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v = static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v = static_cast<uint32_t>(c - 'A' + 10);
      } else {
        fail("bad unicode escape");
        return end;
      }
      m_cp = (m_cp << 4) | v;
      if (--m_hex_left == 0) {
        // Method names and keys we decode are ASCII; other code points only need to be valid
        // escapes, so they decode to a marker byte that cannot equal any ASCII name.
        out_push(m_cp < 0x80 ? static_cast<char>(m_cp) : '\x7f');
        m_mode = Mode::string;
      }
      return p + 1;
    }
    case Mode::number: {
      const bool d = is_digit(c);
      switch (m_num) {
        case Num::minus:
          if (!d) {
            fail("bad number");
            return end;
          }
          m_num = c == '0' ? Num::zero : Num::integer;
          return p + 1;
        case Num::integer:
          if (d) return p + 1;
          [[fallthrough]];
        case Num::zero:
          if (c == '.') {
            m_num = Num::dot;
            return p + 1;
          }
          if (c == 'e' || c == 'E') {
            m_num = Num::e;
            return p + 1;
          }
          break;
        case Num::dot:
          if (!d) {
            fail("bad fraction");
            return end;
          }
          m_num = Num::fraction;
          return p + 1;
        case Num::fraction:
          if (d) return p + 1;
          if (c == 'e' || c == 'E') {
            m_num = Num::e;
            return p + 1;
          }
          break;
        case Num::e:
          if (c == '+' || c == '-') {
            m_num = Num::e_sign;
            return p + 1;
          }
          [[fallthrough]];
        case Num::e_sign:
          if (!d) {
            fail("bad exponent");
            return end;
          }
          m_num = Num::exponent;
          return p + 1;
        case Num::exponent:
          if (d) return p + 1;
          break;
      }
      end_value(p);  // the number ended before this byte, which is scanned next
      return p;
    }
    case Mode::literal:
      if (c != m_lit[m_lit_pos]) {
        fail("bad literal");
        return end;
      }
      if (++m_lit_pos == m_lit.size()) end_value(p + 1);
      return p + 1;
    default:
      break;
  }
  if (is_ws(c)) return p + 1;
  m_any = true;
  switch (m_mode) {
    case Mode::arr_first:
      if (c == ']') {
        close_container(p + 1);
        return p + 1;
      }
      [[fallthrough]];
    case Mode::value:
      return start_value(p) ? p + 1 : end;
    case Mode::obj_first:
      if (c == '}') {
        close_container(p + 1);
        return p + 1;
      }
      [[fallthrough]];
    case Mode::obj_key: {
      if (c != '"') {
        fail("expected string");
        return end;
      }
      m_str_key = true;
      const bool wanted = m_depth == 1 || (m_depth == 2 && m_result_open);
      m_key.clear();
      m_out = wanted ? &m_key : nullptr;
      m_out_limit = k_max_key;
      m_out_over = false;
      m_mode = Mode::string;
      return p + 1;
    }
    case Mode::colon:
      if (c != ':') {
        fail("expected ':'");
        return end;
      }
      m_mode = Mode::value;
      return p + 1;
    case Mode::after_value: {
      const char open = m_stack[m_depth - 1];
      if (c == ',') {
        m_mode = open == '{' ? Mode::obj_key : Mode::value;
        return p + 1;
      }
      if (c == (open == '{' ? '}' : ']')) {
        close_container(p + 1);
        return p + 1;
      }
      fail(open == '{' ? "expected ',' or '}'" : "expected ',' or ']'");
      return end;
    }
    case Mode::done:
      fail("trailing characters after JSON value");
      return end;
    default:
      return end;  // not reached: the byte-level modes returned above
  }
}

MessageShape StreamScanner::finish() {
  if (!m_problem && m_mode == Mode::number) {
    if (m_num == Num::zero || m_num == Num::integer || m_num == Num::fraction ||
        m_num == Num::exponent) {
      end_value(nullptr);
    } else {
      fail(m_num == Num::dot     ? "bad fraction"
           : m_num == Num::minus ? "bad number"
                                 : "bad exponent");
    }
  }
  if (!m_problem && m_mode != Mode::done) {
    if (!m_any) {
      fail("empty line");
    } else if (m_mode == Mode::string || m_mode == Mode::escape || m_mode == Mode::unicode) {
      fail("unterminated string");
    } else {
      fail(m_mode == Mode::literal ? "bad literal" : "unexpected end of line");
    }
  }
  MessageShape shape;
  const bool ok = m_problem == nullptr;
  if (m_top == '{' && ok) {
    shape = std::move(m_shape);
    if (m_has_id) shape.id = canonical_id(m_id_raw);
    if (m_has_method && !shape.method.empty()) {
      shape.kind = m_has_id ? MessageKind::request : MessageKind::notification;
    } else if (m_has_id && (shape.has_result || shape.has_error)) {
      shape.kind = MessageKind::response;
    } else {
      shape.kind = MessageKind::other;
    }
  } else if (m_top == '[' && ok) {
    shape.kind = MessageKind::batch;
  } else if (m_top == 's') {
    shape.problem = "not a JSON object or array";
    if (ok) shape.kind = MessageKind::other;
  } else {
    shape.problem = m_problem;
  }
  *this = StreamScanner{};
  return shape;
}

MessageShape scan_message(std::string_view line) {
  StreamScanner s;
  s.feed(line);
  return s.finish();
}

bool is_valid_json(std::string_view line) {
  StreamScanner s;
  s.feed(line);
  return s.finish().kind != MessageKind::invalid;
}

}  // namespace blastwall::proxy
