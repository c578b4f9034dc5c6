#include "rules/shell/parser_util.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>

namespace blastwall::shell::detail {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

void append_utf8(std::string& out, uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string decode_ansi_c(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t i = 0;
  // bash ends the string at a decoded NUL byte ($'a\0b' is "a").
  while (i < s.size() && (out.empty() || out.back() != '\0')) {
    char c = s[i];
    if (c != '\\' || i + 1 >= s.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'a':
        out.push_back('\a');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'e':
      case 'E':
        out.push_back('\x1b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'v':
        out.push_back('\v');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '\'':
        out.push_back('\'');
        break;
      case '"':
        out.push_back('"');
        break;
      case '?':
        out.push_back('?');
        break;
      case 'c':
        if (i < s.size()) {
          out.push_back(static_cast<char>(s[i] & 0x1F));
          ++i;
        } else {
          out += "\\c";
        }
        break;
      case 'x': {
        int v = 0;
        int n = 0;
        while (n < 2 && i < s.size() && hex_value(s[i]) >= 0) {
          v = v * 16 + hex_value(s[i]);
          ++i;
          ++n;
        }
        if (n == 0) {
          out += "\\x";
        } else {
          out.push_back(static_cast<char>(v));
        }
        break;
      }
      case 'u':
      case 'U': {
        int max = e == 'u' ? 4 : 8;
        uint32_t v = 0;
        int n = 0;
        while (n < max && i < s.size() && hex_value(s[i]) >= 0) {
          v = v * 16 + static_cast<uint32_t>(hex_value(s[i]));
          ++i;
          ++n;
        }
        if (n == 0) {
          out.push_back('\\');
          out.push_back(e);
        } else {
          append_utf8(out, v);
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0';
          int n = 1;
          while (n < 3 && i < s.size() && s[i] >= '0' && s[i] <= '7') {
            v = v * 8 + (s[i] - '0');
            ++i;
            ++n;
          }
          out.push_back(static_cast<char>(v & 0xFF));
        } else {
          out.push_back('\\');
          out.push_back(e);
        }
    }
  }
  if (!out.empty() && out.back() == '\0') out.pop_back();
  return out;
}

namespace {

// Recursive descent over + - * / % and parentheses; depth-bounded.
class Arith {
 public:
  explicit Arith(std::string_view s) : m_s(s) {}

  std::optional<int64_t> run() {
    auto v = expr(0);
    skip();
    if (!v || m_pos != m_s.size()) return std::nullopt;
    return v;
  }

 private:
  void skip() {
    while (m_pos < m_s.size() && (m_s[m_pos] == ' ' || m_s[m_pos] == '\t' || m_s[m_pos] == '\n'))
      ++m_pos;
  }
  std::optional<int64_t> expr(int depth) {
    auto l = term(depth);
    if (!l) return l;
    for (;;) {
      skip();
      if (m_pos >= m_s.size() || (m_s[m_pos] != '+' && m_s[m_pos] != '-')) return l;
      char op = m_s[m_pos++];
      auto r = term(depth);
      if (!r) return r;
      int64_t out = 0;
      bool ovf =
          op == '+' ? __builtin_add_overflow(*l, *r, &out) : __builtin_sub_overflow(*l, *r, &out);
      if (ovf) return std::nullopt;
      l = out;
    }
  }
  std::optional<int64_t> term(int depth) {
    auto l = unary(depth);
    if (!l) return l;
    for (;;) {
      skip();
      if (m_pos >= m_s.size()) return l;
      char op = m_s[m_pos];
      if (op != '*' && op != '/' && op != '%') return l;
      ++m_pos;
      auto r = unary(depth);
      if (!r) return r;
      int64_t out = 0;
      if (op == '*') {
        if (__builtin_mul_overflow(*l, *r, &out)) return std::nullopt;
      } else {
        if (*r == 0 || (*l == INT64_MIN && *r == -1)) return std::nullopt;
        out = op == '/' ? *l / *r : *l % *r;
      }
      l = out;
    }
  }
  std::optional<int64_t> unary(int depth) {
    if (depth > 64) return std::nullopt;
    skip();
    if (m_pos >= m_s.size()) return std::nullopt;
    char c = m_s[m_pos];
    if (c == '-' || c == '+') {
      ++m_pos;
      auto v = unary(depth + 1);
      if (!v) return v;
      if (c == '-') {
        if (*v == INT64_MIN) return std::nullopt;
        return -*v;
      }
      return v;
    }
    if (c == '(') {
      ++m_pos;
      auto v = expr(depth + 1);
      skip();
      if (!v || m_pos >= m_s.size() || m_s[m_pos] != ')') return std::nullopt;
      ++m_pos;
      return v;
    }
    size_t start = m_pos;
    while (m_pos < m_s.size() && m_s[m_pos] >= '0' && m_s[m_pos] <= '9') ++m_pos;
    if (start == m_pos) return std::nullopt;
    // Leading 0 means octal in bash; only plain decimal (or a lone 0) is evaluated here.
    if (m_s[start] == '0' && m_pos - start > 1) return std::nullopt;
    int64_t v = 0;
    auto [p, ec] = std::from_chars(m_s.data() + start, m_s.data() + m_pos, v);
    if (ec != std::errc() || p != m_s.data() + m_pos) return std::nullopt;
    return v;
  }

  std::string_view m_s;
  size_t m_pos = 0;
};

}  // namespace

std::optional<int64_t> eval_literal_arith(std::string_view expr) {
  for (char c : expr) {
    if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '*' || c == '/' || c == '%' ||
          c == '(' || c == ')' || c == ' ' || c == '\t' || c == '\n'))
      return std::nullopt;
  }
  return Arith(expr).run();
}

std::string resolve_path(std::string_view base, std::string_view path) {
  std::string joined;
  if (!path.empty() && path[0] == '/') {
    joined = path;
  } else {
    if (base.empty()) return {};
    joined = base;
    joined += '/';
    joined += path;
  }
  std::vector<std::string_view> parts;
  std::string_view j = joined;
  size_t i = 0;
  while (i < j.size()) {
    while (i < j.size() && j[i] == '/') ++i;
    size_t s = i;
    while (i < j.size() && j[i] != '/') ++i;
    std::string_view part = j.substr(s, i - s);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (auto p : parts) {
    out += '/';
    out += p;
  }
  if (out.empty()) out = "/";
  return out;
}

namespace {

struct Group {
  size_t open = 0;
  size_t close = 0;
  std::vector<size_t> commas;  // top-level comma positions
};

bool parse_int(std::string_view s, int64_t& v) {
  if (s.empty() || s.size() > 18) return false;
  auto [p, ec] = std::from_chars(s.data() + (s[0] == '+' ? 1 : 0), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

// Generates the items of a {x..y[..z]} sequence; false when `inner` is not a sequence.
bool sequence_items(std::string_view inner, size_t max_results, bool& too_many,
                    std::vector<std::string>* items, uint64_t* count_out = nullptr) {
  size_t d1 = inner.find("..");
  if (d1 == std::string_view::npos || d1 == 0) return false;
  std::string_view a = inner.substr(0, d1);
  std::string_view rest = inner.substr(d1 + 2);
  std::string_view b = rest;
  std::string_view step_s;
  size_t d2 = rest.find("..");
  if (d2 != std::string_view::npos) {
    b = rest.substr(0, d2);
    step_s = rest.substr(d2 + 2);
  }
  if (b.empty()) return false;
  int64_t step = 1;
  if (!step_s.empty() && !parse_int(step_s, step)) return false;
  if (step < 0) step = -step;
  if (step == 0) step = 1;
  int64_t x = 0;
  int64_t y = 0;
  bool numeric = parse_int(a, x) && parse_int(b, y);
  bool alpha = !numeric && a.size() == 1 && b.size() == 1 &&
               std::isalpha(static_cast<unsigned char>(a[0])) &&
               std::isalpha(static_cast<unsigned char>(b[0]));
  if (!numeric && !alpha) return false;
  if (alpha) {
    x = static_cast<unsigned char>(a[0]);
    y = static_cast<unsigned char>(b[0]);
  }
  uint64_t span = x <= y ? static_cast<uint64_t>(y - x) : static_cast<uint64_t>(x - y);
  uint64_t count = span / static_cast<uint64_t>(step) + 1;
  if (count_out) *count_out = count;
  if (count > max_results) {
    too_many = true;
    return true;
  }
  if (!items) return true;
  size_t width = 0;
  if (numeric) {
    auto padded = [](std::string_view s) {
      if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
      return s.size() > 1 && s[0] == '0';
    };
    if (padded(a) || padded(b)) width = std::max(a.size(), b.size());
  }
  int64_t dir = x <= y ? step : -step;
  int64_t v = x;
  for (uint64_t n = 0; n < count; ++n, v += dir) {
    if (alpha) {
      items->emplace_back(1, static_cast<char>(v));
    } else {
      std::string s = std::to_string(v < 0 ? -v : v);
      size_t w = width > 0 && v < 0 ? width - 1 : width;
      if (s.size() < w) s.insert(0, w - s.size(), '0');
      if (v < 0) s.insert(0, 1, '-');
      items->push_back(std::move(s));
    }
  }
  return true;
}

// Finds the leftmost valid brace group. -1: none; -2: nesting too deep; 1: found.
int find_group(const FlaggedText& w, int max_depth, Group& out, std::vector<std::string>& seq,
               size_t max_results, bool& too_many) {
  std::vector<Group> stack;
  bool found = false;
  for (size_t i = 0; i < w.text.size(); ++i) {
    if (w.flags[i] != 0) continue;
    char c = w.text[i];
    if (c == '{') {
      // Nothing opening from here on can be further left than a group already found.
      if (found && stack.empty()) break;
      if (static_cast<int>(stack.size()) >= max_depth) return -2;
      stack.push_back(Group{i, 0, {}});
    } else if (c == ',' && !stack.empty()) {
      stack.back().commas.push_back(i);
    } else if (c == '}' && !stack.empty()) {
      Group g = std::move(stack.back());
      stack.pop_back();
      g.close = i;
      bool valid = false;
      if (!g.commas.empty()) {
        valid = true;
      } else {
        std::string_view inner(w.text.data() + g.open + 1, g.close - g.open - 1);
        bool plain = std::all_of(w.flags.begin() + static_cast<long>(g.open) + 1,
                                 w.flags.begin() + static_cast<long>(g.close),
                                 [](char f) { return f == 0; });
        bool many = false;
        if (plain && sequence_items(inner, max_results, many, nullptr)) {
          valid = true;
          if (many) too_many = true;
        }
      }
      if (valid && (!found || g.open < out.open)) {
        found = true;
        out = std::move(g);
      }
    }
  }
  if (!found) return -1;
  if (out.commas.empty()) {
    std::string_view inner(w.text.data() + out.open + 1, out.close - out.open - 1);
    bool many = false;
    sequence_items(inner, max_results, many, &seq);
    if (many) too_many = true;
  }
  return 1;
}

// Upper bound of the number of results (product of the alternatives of every group).
bool estimate_fits(const FlaggedText& w, size_t max_results) {
  struct Open {
    size_t pos;
    size_t commas;
  };
  std::vector<Open> stack;
  uint64_t est = 1;
  for (size_t i = 0; i < w.text.size(); ++i) {
    if (w.flags[i] != 0) continue;
    char c = w.text[i];
    if (c == '{') {
      stack.push_back(Open{i, 0});
    } else if (c == ',' && !stack.empty()) {
      ++stack.back().commas;
    } else if (c == '}' && !stack.empty()) {
      Open o = stack.back();
      stack.pop_back();
      uint64_t k = o.commas + 1;
      if (o.commas == 0) {
        std::string_view inner(w.text.data() + o.pos + 1, i - o.pos - 1);
        bool many = false;
        uint64_t count = 1;
        if (sequence_items(inner, max_results, many, nullptr, &count)) k = count;
        if (many) return false;
      }
      if (k > max_results || est * k > max_results) return false;
      est *= k;
    }
  }
  return true;
}

}  // namespace

bool brace_expand(const FlaggedText& word, size_t max_results, size_t max_bytes, int max_depth,
                  std::vector<FlaggedText>& out) {
  if (!estimate_fits(word, max_results)) return false;
  std::vector<FlaggedText> work;
  work.push_back(word);
  size_t produced = 0;
  size_t budget = 0;
  while (!work.empty()) {
    FlaggedText cur = std::move(work.back());
    work.pop_back();
    budget += cur.text.size() + 1;
    if (budget > max_bytes) return false;
    Group g;
    std::vector<std::string> seq;
    bool too_many = false;
    int r = find_group(cur, max_depth, g, seq, max_results, too_many);
    if (r == -2 || too_many) return false;
    if (r == -1) {
      if (++produced > max_results) return false;
      out.push_back(std::move(cur));
      continue;
    }
    std::vector<FlaggedText> alts;
    auto make = [&](size_t a, size_t b) {
      FlaggedText t;
      t.text.assign(cur.text, 0, g.open);
      t.flags.assign(cur.flags, 0, g.open);
      t.text.append(cur.text, a, b - a);
      t.flags.append(cur.flags, a, b - a);
      t.text.append(cur.text, g.close + 1);
      t.flags.append(cur.flags, g.close + 1);
      return t;
    };
    if (!g.commas.empty()) {
      size_t start = g.open + 1;
      for (size_t c : g.commas) {
        alts.push_back(make(start, c));
        start = c + 1;
      }
      alts.push_back(make(start, g.close));
    } else {
      for (const auto& item : seq) {
        FlaggedText t;
        t.text.assign(cur.text, 0, g.open);
        t.flags.assign(cur.flags, 0, g.open);
        t.append(item, 0);
        t.text.append(cur.text, g.close + 1);
        t.flags.append(cur.flags, g.close + 1);
        alts.push_back(std::move(t));
      }
    }
    if (alts.size() + work.size() + produced > max_results) return false;
    for (auto it = alts.rbegin(); it != alts.rend(); ++it) {
      budget += it->text.size();
      if (budget > max_bytes) return false;
      work.push_back(std::move(*it));
    }
  }
  return true;
}

}  // namespace blastwall::shell::detail
