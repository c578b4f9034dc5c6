#include "integrations/common/toml_mcp.hpp"

#include <optional>

#include "core/escape.hpp"

namespace blastwall::integrations {

namespace {

bool is_bare(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

size_t skip_blank(std::string_view t, size_t p) {
  while (p < t.size() && (t[p] == ' ' || t[p] == '\t')) ++p;
  return p;
}

// Skips whitespace, newlines and # comments (inside arrays).
size_t skip_ws_nl(std::string_view t, size_t p) {
  while (p < t.size()) {
    if (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r') {
      ++p;
    } else if (t[p] == '#') {
      while (p < t.size() && t[p] != '\n') ++p;
    } else {
      break;
    }
  }
  return p;
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Parses a single-line basic or literal string at p; sets p past it.
std::optional<std::string> parse_string(std::string_view t, size_t& p) {
  if (p >= t.size()) return std::nullopt;
  if (t.substr(p, 3) == "\"\"\"" || t.substr(p, 3) == "'''") return std::nullopt;
  char q = t[p];
  if (q != '"' && q != '\'') return std::nullopt;
  std::string out;
  size_t i = p + 1;
  while (i < t.size() && t[i] != '\n') {
    char c = t[i];
    if (c == q) {
      p = i + 1;
      return out;
    }
    if (q == '"' && c == '\\' && i + 1 < t.size()) {
      char e = t[++i];
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case 'u':
        case 'U': {
          size_t n = e == 'u' ? 4 : 8;
          if (i + n >= t.size()) return std::nullopt;
          unsigned cp = 0;
          for (size_t k = 1; k <= n; ++k) {
            char h = t[i + k];
            cp <<= 4;
            if (h >= '0' && h <= '9')
              cp |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f')
              cp |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F')
              cp |= static_cast<unsigned>(h - 'A' + 10);
            else
              return std::nullopt;
          }
          append_utf8(out, cp);
          i += n;
          break;
        }
        default:
          return std::nullopt;
      }
      ++i;
      continue;
    }
    out += c;
    ++i;
  }
  return std::nullopt;
}

// Parses a key (bare or quoted, dotted) at p into its parts; stops at '=' or ']'.
std::optional<std::vector<std::string>> parse_key(std::string_view t, size_t& p) {
  std::vector<std::string> parts;
  while (true) {
    p = skip_blank(t, p);
    if (p >= t.size()) return std::nullopt;
    if (t[p] == '"' || t[p] == '\'') {
      auto s = parse_string(t, p);
      if (!s) return std::nullopt;
      parts.push_back(*s);
    } else {
      size_t b = p;
      while (p < t.size() && is_bare(t[p])) ++p;
      if (p == b) return std::nullopt;
      parts.emplace_back(t.substr(b, p - b));
    }
    p = skip_blank(t, p);
    if (p < t.size() && t[p] == '.') {
      ++p;
      continue;
    }
    return parts;
  }
}

}  // namespace

std::vector<TomlMcpServer> scan_toml_mcp_servers(std::string_view t) {
  std::vector<TomlMcpServer> out;
  TomlMcpServer* cur = nullptr;
  size_t pos = 0;
  while (pos < t.size()) {
    size_t eol = t.find('\n', pos);
    size_t next = eol == std::string_view::npos ? t.size() : eol + 1;
    size_t p = skip_blank(t, pos);
    if (p < t.size() && t[p] == '[') {
      cur = nullptr;
      if (p + 1 < t.size() && t[p + 1] != '[') {
        size_t k = p + 1;
        auto key = parse_key(t, k);
        if (key && key->size() == 2 && (*key)[0] == "mcp_servers" && k < t.size() && t[k] == ']') {
          out.push_back(TomlMcpServer{});
          out.back().name = (*key)[1];
          cur = &out.back();
        }
      }
    } else if (cur && p < t.size() && t[p] != '#' && t[p] != '\n' && t[p] != '\r') {
      size_t k = p;
      auto key = parse_key(t, k);
      if (key && key->size() == 1 && k < t.size() && t[k] == '=') {
        size_t v = skip_blank(t, k + 1);
        if ((*key)[0] == "command") {
          size_t e = v;
          auto s = parse_string(t, e);
          if (s) {
            cur->has_command = true;
            cur->command = *s;
            cur->command_begin = v;
            cur->command_end = e;
            cur->command_line_end = next;
          } else {
            cur->unsupported = true;
          }
        } else if ((*key)[0] == "args") {
          bool ok = v < t.size() && t[v] == '[';
          std::vector<std::string> items;
          size_t e = v + 1;
          while (ok) {
            e = skip_ws_nl(t, e);
            if (e >= t.size()) {
              ok = false;
              break;
            }
            if (t[e] == ']') {
              ++e;
              break;
            }
            auto s = parse_string(t, e);
            if (!s) {
              ok = false;
              break;
            }
            items.push_back(*s);
            e = skip_ws_nl(t, e);
            if (e < t.size() && t[e] == ',') ++e;
          }
          if (ok) {
            cur->has_args = true;
            cur->args = std::move(items);
            cur->args_begin = v;
            cur->args_end = e;
            size_t nl = t.find('\n', e);
            next = nl == std::string_view::npos ? t.size() : nl + 1;
          } else {
            cur->unsupported = true;
          }
        }
      }
    }
    pos = next;
  }
  return out;
}

std::string toml_string(std::string_view s) { return quoted(s); }

std::string toml_string_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + toml_string(items[i]);
  return out + "]";
}

}  // namespace blastwall::integrations
