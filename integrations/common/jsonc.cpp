#include "integrations/common/jsonc.hpp"

#include <algorithm>
#include <functional>

namespace blastwall::integrations {

struct JsoncEditor::Node {
  enum class Type { object, array, scalar };
  struct Member {
    std::string key;
    size_t key_begin = 0;
    std::shared_ptr<Node> value;
  };
  Type type = Type::scalar;
  size_t begin = 0;
  size_t end = 0;  // one past the last byte of the value
  std::vector<Member> members;
  std::vector<std::shared_ptr<Node>> items;
};

namespace {

using Node = JsoncEditor::Node;
constexpr int k_max_depth = 512;

// Index of the first byte at or after pos that is neither whitespace nor inside a comment.
size_t skip_ws(std::string_view t, size_t pos) {
  while (pos < t.size()) {
    char c = t[pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++pos;
    } else if (c == '/' && pos + 1 < t.size() && t[pos + 1] == '/') {
      while (pos < t.size() && t[pos] != '\n') ++pos;
    } else if (c == '/' && pos + 1 < t.size() && t[pos + 1] == '*') {
      size_t close = t.find("*/", pos + 2);
      pos = close == std::string_view::npos ? t.size() : close + 2;
    } else {
      break;
    }
  }
  return pos;
}

size_t string_end(std::string_view t, size_t pos) {  // pos at the opening quote
  for (size_t i = pos + 1; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

struct Parser {
  std::string_view t;
  std::string error;

  std::shared_ptr<Node> fail(const std::string& msg, size_t pos) {
    if (error.empty()) error = msg + " at byte " + std::to_string(pos);
    return nullptr;
  }

  std::shared_ptr<Node> value(size_t& pos, int depth) {
    if (depth > k_max_depth) return fail("nesting too deep", pos);
    pos = skip_ws(t, pos);
    if (pos >= t.size()) return fail("unexpected end of input", pos);
    auto node = std::make_shared<Node>();
    node->begin = pos;
    char c = t[pos];
    if (c == '{') {
      node->type = Node::Type::object;
      ++pos;
      while (true) {
        pos = skip_ws(t, pos);
        if (pos >= t.size()) return fail("unterminated object", pos);
        if (t[pos] == '}') {
          ++pos;
          break;
        }
        if (t[pos] != '"') return fail("expected a key", pos);
        size_t kend = string_end(t, pos);
        if (kend == std::string_view::npos) return fail("unterminated string", pos);
        Node::Member m;
        m.key_begin = pos;
        try {
          m.key = nlohmann::json::parse(t.substr(pos, kend - pos)).get<std::string>();
        } catch (const std::exception&) {
          return fail("bad key", pos);
        }
        pos = skip_ws(t, kend);
        if (pos >= t.size() || t[pos] != ':') return fail("expected ':'", pos);
        ++pos;
        m.value = value(pos, depth + 1);
        if (!m.value) return nullptr;
        node->members.push_back(std::move(m));
        pos = skip_ws(t, pos);
        if (pos < t.size() && t[pos] == ',') {
          ++pos;
        } else if (pos < t.size() && t[pos] == '}') {
          ++pos;
          break;
        } else {
          return fail("expected ',' or '}'", pos);
        }
      }
    } else if (c == '[') {
      node->type = Node::Type::array;
      ++pos;
      while (true) {
        pos = skip_ws(t, pos);
        if (pos >= t.size()) return fail("unterminated array", pos);
        if (t[pos] == ']') {
          ++pos;
          break;
        }
        auto item = value(pos, depth + 1);
        if (!item) return nullptr;
        node->items.push_back(std::move(item));
        pos = skip_ws(t, pos);
        if (pos < t.size() && t[pos] == ',') {
          ++pos;
        } else if (pos < t.size() && t[pos] == ']') {
          ++pos;
          break;
        } else {
          return fail("expected ',' or ']'", pos);
        }
      }
    } else if (c == '"') {
      size_t e = string_end(t, pos);
      if (e == std::string_view::npos) return fail("unterminated string", pos);
      pos = e;
    } else {
      size_t e = pos;
      while (e < t.size() && std::string_view(",}] \t\r\n/").find(t[e]) == std::string_view::npos) {
        ++e;
      }
      if (e == pos) return fail("unexpected character", pos);
      pos = e;
    }
    node->end = pos;
    return node;
  }
};

size_t line_start(std::string_view t, size_t pos) {
  while (pos > 0 && t[pos - 1] != '\n') --pos;
  return pos;
}

std::string line_indent(std::string_view t, size_t pos) {
  size_t s = line_start(t, pos);
  size_t e = s;
  while (e < t.size() && (t[e] == ' ' || t[e] == '\t')) ++e;
  return std::string(t.substr(s, e - s));
}

bool first_on_line(std::string_view t, size_t pos) {
  for (size_t i = line_start(t, pos); i < pos; ++i) {
    if (t[i] != ' ' && t[i] != '\t') return false;
  }
  return true;
}

bool is_blank(std::string_view t) {
  return std::all_of(t.begin(), t.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

// The indent unit used by the document: the leading whitespace of the root's first member.
std::string detect_unit(std::string_view t, const Node& root) {
  const Node* n = &root;
  size_t first = std::string::npos;
  if (!n->members.empty()) first = n->members.front().key_begin;
  if (!n->items.empty()) first = n->items.front()->begin;
  if (first != std::string::npos && first_on_line(t, first)) {
    std::string ind = line_indent(t, first);
    std::string base = line_indent(t, n->begin);
    if (ind.size() > base.size()) return ind.substr(base.size());
  }
  return "  ";
}

std::string path_text(const JsonPath& path) {
  std::string s;
  for (const auto& step : path) {
    s += "/";
    if (std::holds_alternative<std::string>(step)) {
      s += std::get<std::string>(step);
    } else {
      s += std::to_string(std::get<size_t>(step));
    }
  }
  return s.empty() ? "/" : s;
}

}  // namespace

std::string strip_jsonc(std::string_view t) {
  std::string out;
  out.reserve(t.size());
  size_t i = 0;
  while (i < t.size()) {
    char c = t[i];
    if (c == '"') {
      size_t e = string_end(t, i);
      if (e == std::string_view::npos) e = t.size();
      out.append(t.substr(i, e - i));
      i = e;
    } else if (c == '/' && i + 1 < t.size() && (t[i + 1] == '/' || t[i + 1] == '*')) {
      size_t e = skip_ws(t, i);
      // skip_ws also eats whitespace after the comment; keep line structure simple.
      out.push_back(' ');
      i = e;
    } else if (c == ',') {
      size_t n = skip_ws(t, i + 1);
      if (n < t.size() && (t[n] == '}' || t[n] == ']')) {
        i = i + 1;  // trailing comma dropped
      } else {
        out.push_back(c);
        ++i;
      }
    } else {
      out.push_back(c);
      ++i;
    }
  }
  return out;
}

Result<nlohmann::json> parse_jsonc(std::string_view text) {
  if (is_blank(text)) return nlohmann::json::object();
  try {
    return nlohmann::json::parse(strip_jsonc(text));
  } catch (const std::exception& e) {
    return make_error(std::string("invalid JSON: ") + e.what());
  }
}

std::string render_json(const nlohmann::ordered_json& v, const std::string& unit,
                        const std::string& base) {
  if (v.is_object()) {
    if (v.empty()) return "{}";
    std::string s = "{\n";
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!first) s += ",\n";
      first = false;
      s += base + unit + nlohmann::json(it.key()).dump() + ": " +
           render_json(it.value(), unit, base + unit);
    }
    return s + "\n" + base + "}";
  }
  if (v.is_array()) {
    if (v.empty()) return "[]";
    bool scalars = std::all_of(v.begin(), v.end(), [](const auto& e) { return e.is_primitive(); });
    if (scalars) {
      std::string s = "[";
      for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i].dump();
      return s + "]";  // argv-like lists stay on one line, also in minified files
    }
    std::string s = "[\n";
    for (size_t i = 0; i < v.size(); ++i) {
      s += (i ? ",\n" : "") + base + unit + render_json(v[i], unit, base + unit);
    }
    return s + "\n" + base + "]";
  }
  return v.dump();
}

Result<JsoncEditor> JsoncEditor::open(std::string text) {
  JsoncEditor ed;
  ed.m_text = std::move(text);
  auto ok = ed.reparse();
  if (!ok) return ok.error();
  return ed;
}

Result<bool> JsoncEditor::reparse() {
  if (is_blank(m_text)) {
    m_root = std::make_shared<Node>();
    m_root->type = Node::Type::object;
    m_value = nlohmann::json::object();
    return true;
  }
  Parser p{m_text, {}};
  size_t pos = 0;
  auto root = p.value(pos, 0);
  if (!root) return make_error("invalid JSON: " + p.error);
  if (skip_ws(m_text, pos) != m_text.size()) return make_error("invalid JSON: trailing data");
  auto v = parse_jsonc(m_text);
  if (!v) return v.error();
  m_root = std::move(root);
  m_value = std::move(*v);
  return true;
}

namespace {

struct Edit {
  size_t begin;
  size_t end;
  std::string text;
};

void apply(std::string& t, std::vector<Edit> edits) {
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.begin > b.begin; });
  for (const auto& e : edits) t.replace(e.begin, e.end - e.begin, e.text);
}

// Edits that add one entry (member text or item text) at the end of a container node.
std::vector<Edit> add_entry(std::string_view t, const Node& c, const std::string& unit,
                            const std::function<std::string(const std::string&)>& entry,
                            const std::string& compact) {
  if (c.end == 0) return {{0, t.size(), "{\n" + unit + entry(unit) + "\n}\n"}};
  size_t close = c.end - 1;
  size_t last_end = std::string::npos;
  size_t last_begin = std::string::npos;
  if (c.type == Node::Type::object && !c.members.empty()) {
    last_end = c.members.back().value->end;
    last_begin = c.members.back().key_begin;
  } else if (c.type == Node::Type::array && !c.items.empty()) {
    last_end = c.items.back()->end;
    last_begin = c.items.back()->begin;
  }
  std::string outer = line_indent(t, c.begin);
  if (last_end == std::string::npos) {
    std::string_view interior = t.substr(c.begin + 1, close - c.begin - 1);
    if (is_blank(interior)) {
      return {{c.begin + 1, close, "\n" + outer + unit + entry(outer + unit) + "\n" + outer}};
    }
    return {{close, close, "\n" + outer + unit + entry(outer + unit) + "\n" + outer}};
  }
  size_t after = skip_ws(t, last_end);
  bool trailing = after < t.size() && t[after] == ',';
  if (first_on_line(t, close)) {
    std::string ind = first_on_line(t, last_begin) ? line_indent(t, last_begin) : outer + unit;
    std::vector<Edit> edits;
    edits.push_back({line_start(t, close), line_start(t, close),
                     ind + entry(ind) + (trailing ? "," : "") + "\n"});
    if (!trailing) edits.push_back({last_end, last_end, ","});
    return edits;
  }
  if (trailing) return {{after + 1, after + 1, " " + compact + ","}};
  return {{last_end, last_end, ", " + compact}};
}

}  // namespace

Result<bool> JsoncEditor::set(const JsonPath& path, const nlohmann::ordered_json& value) {
  if (path.empty()) return make_error("cannot replace the whole document");
  const std::string unit = detect_unit(m_text, *m_root);
  Node* node = m_root.get();
  for (size_t i = 0; i < path.size(); ++i) {
    const auto& step = path[i];
    Node* next = nullptr;
    if (std::holds_alternative<size_t>(step)) {
      size_t idx = std::get<size_t>(step);
      if (node->type != Node::Type::array || idx >= node->items.size()) {
        return make_error("no array element at " + path_text(path));
      }
      next = node->items[idx].get();
    } else {
      if (node->type != Node::Type::object)
        return make_error("not an object at " + path_text(path));
      const auto& key = std::get<std::string>(step);
      for (auto& m : node->members) {
        if (m.key == key) next = m.value.get();
      }
      if (!next) {
        // Build the rest of the path as one nested value and insert it as a member here.
        nlohmann::ordered_json rest = value;
        for (size_t j = path.size(); j-- > i + 1;) {
          if (!std::holds_alternative<std::string>(path[j])) {
            return make_error("cannot create array element at " + path_text(path));
          }
          nlohmann::ordered_json o = nlohmann::ordered_json::object();
          o[std::get<std::string>(path[j])] = std::move(rest);
          rest = std::move(o);
        }
        std::string key_json = nlohmann::json(key).dump();
        auto edits = add_entry(
            m_text, *node, unit,
            [&](const std::string& ind) { return key_json + ": " + render_json(rest, unit, ind); },
            key_json + ": " + rest.dump());
        apply(m_text, std::move(edits));
        return reparse();
      }
    }
    node = next;
  }
  std::string ind = line_indent(m_text, node->begin);
  std::string rendered = render_json(value, unit, ind);
  if (m_text.compare(node->begin, node->end - node->begin, rendered) == 0) return false;
  m_text.replace(node->begin, node->end - node->begin, rendered);
  return reparse();
}

Result<bool> JsoncEditor::append(const JsonPath& path, const nlohmann::ordered_json& value) {
  const std::string unit = detect_unit(m_text, *m_root);
  Node* node = m_root.get();
  for (const auto& step : path) {
    Node* next = nullptr;
    if (std::holds_alternative<size_t>(step)) {
      size_t idx = std::get<size_t>(step);
      if (node->type == Node::Type::array && idx < node->items.size())
        next = node->items[idx].get();
    } else if (node->type == Node::Type::object) {
      for (auto& m : node->members) {
        if (m.key == std::get<std::string>(step)) next = m.value.get();
      }
    } else {
      return make_error("not an object at " + path_text(path));
    }
    if (!next) return set(path, nlohmann::ordered_json::array({value}));
    node = next;
  }
  if (node->type != Node::Type::array) return make_error("not an array at " + path_text(path));
  auto edits = add_entry(
      m_text, *node, unit, [&](const std::string& ind) { return render_json(value, unit, ind); },
      value.dump());
  apply(m_text, std::move(edits));
  return reparse();
}

Result<bool> JsoncEditor::erase(const JsonPath& path) {
  if (path.empty()) return make_error("cannot erase the whole document");
  Node* parent = m_root.get();
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    Node* next = nullptr;
    const auto& step = path[i];
    if (std::holds_alternative<size_t>(step)) {
      size_t idx = std::get<size_t>(step);
      if (parent->type == Node::Type::array && idx < parent->items.size()) {
        next = parent->items[idx].get();
      }
    } else if (parent->type == Node::Type::object) {
      for (auto& m : parent->members) {
        if (m.key == std::get<std::string>(step)) next = m.value.get();
      }
    }
    if (!next) return false;
    parent = next;
  }
  // Spans (begin of entry, end of value) of every entry in the parent.
  std::vector<std::pair<size_t, size_t>> spans;
  size_t target = std::string::npos;
  const auto& last = path.back();
  if (parent->type == Node::Type::object && std::holds_alternative<std::string>(last)) {
    for (size_t i = 0; i < parent->members.size(); ++i) {
      spans.emplace_back(parent->members[i].key_begin, parent->members[i].value->end);
      if (parent->members[i].key == std::get<std::string>(last)) target = i;
    }
  } else if (parent->type == Node::Type::array && std::holds_alternative<size_t>(last)) {
    for (size_t i = 0; i < parent->items.size(); ++i) {
      spans.emplace_back(parent->items[i]->begin, parent->items[i]->end);
    }
    if (std::get<size_t>(last) < spans.size()) target = std::get<size_t>(last);
  }
  if (target == std::string::npos) return false;
  auto [b, e] = spans[target];
  size_t after = skip_ws(m_text, e);
  if (after < m_text.size() && m_text[after] == ',') {
    size_t end = after + 1;
    size_t begin = b;
    size_t eol = end;
    while (eol < m_text.size() && (m_text[eol] == ' ' || m_text[eol] == '\t')) ++eol;
    if (first_on_line(m_text, b) &&
        (eol >= m_text.size() || m_text[eol] == '\n' || m_text[eol] == '\r')) {
      begin = line_start(m_text, b);
      end = eol < m_text.size() ? m_text.find('\n', eol) + 1 : eol;
    } else {
      while (end < m_text.size() && (m_text[end] == ' ' || m_text[end] == '\t')) ++end;
    }
    m_text.erase(begin, end - begin);
  } else if (target > 0) {
    size_t comma = skip_ws(m_text, spans[target - 1].second);
    m_text.erase(comma, e - comma);
  } else {
    std::string_view interior(m_text.data() + parent->begin + 1, parent->end - parent->begin - 2);
    std::string_view before(m_text.data() + parent->begin + 1, b - parent->begin - 1);
    std::string_view rest(m_text.data() + e, parent->end - 1 - e);
    if (is_blank(before) && is_blank(rest) && !interior.empty()) {
      m_text.erase(parent->begin + 1, parent->end - parent->begin - 2);
    } else {
      m_text.erase(b, e - b);
    }
  }
  auto ok = reparse();
  if (!ok) return ok.error();
  return true;
}

}  // namespace blastwall::integrations
