// Stage 1 of the shell parse: a single-pass, depth-bounded recursive-descent parser that reads the
// line directly (bash tokenization is context dependent, so there is no separate token stream) and
// expands each word as soon as it is read, in source order, which is what constant propagation of
// assignments needs. Every simple command that would run is emitted as a SimpleCommand.
//
// Error handling: a private ParseError is thrown on the first syntax error or limit and caught in
// parse_raw(), which turns it into fail_closed; no exception leaves this file. Commands parsed
// before the error are kept (they help detection; the result is fail_closed either way).
//
// Linear time: the main scan never backtracks; lookahead scans (arithmetic `$((`) are charged to a
// budget proportional to the input; recursion is bounded by Limits::max_depth.
#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "rules/shell/parser_util.hpp"
#include "rules/shell/shell.hpp"

namespace blastwall::shell {

std::string SimpleCommand::joined() const {
  size_t n = 0;
  for (const auto& w : argv) n += w.text.size() + 1;
  std::string s;
  s.reserve(n);
  for (const auto& w : argv) {
    if (!s.empty()) s += ' ';
    s += w.text;
  }
  return s;
}

namespace {

using detail::FlaggedText;
using detail::k_flag_dynamic;
using detail::k_flag_expanded;
using detail::k_flag_quoted;

struct ParseError {
  std::string reason;
};

enum class VarKind { unknown, unset, known, dynamic };

struct Var {
  VarKind kind = VarKind::unknown;
  std::string value;
};

// Key of the pseudo-variable holding the cwd, so that cwd changes share the variables' journal.
constexpr std::string_view k_cwd_key = "\x01cwd";
constexpr int k_hard_depth_cap = 256;
constexpr size_t k_env_copy_cap = 64;
constexpr size_t k_max_unroll = 16;
constexpr size_t k_env_total_cap = 16384;

// Shell variables set by the line, with an undo journal: subshells roll back, conditional bodies
// mark what they touched as dynamic.
class State {
 public:
  const Var* find(std::string_view name) const {
    auto it = m_vars.find(name);
    return it == m_vars.end() ? nullptr : &it->second;
  }
  void set(std::string_view name, Var v) {
    auto it = m_vars.find(name);
    if (it == m_vars.end()) {
      m_journal.push_back(Undo{std::string(name), false, {}});
      m_vars.emplace(std::string(name), std::move(v));
    } else {
      m_journal.push_back(Undo{std::string(name), true, std::move(it->second)});
      it->second = std::move(v);
    }
  }
  [[nodiscard]] size_t mark() const { return m_journal.size(); }
  void rollback(size_t m) {
    while (m_journal.size() > m) {
      Undo u = std::move(m_journal.back());
      m_journal.pop_back();
      if (u.existed) {
        m_vars[u.name] = std::move(u.old);
      } else {
        m_vars.erase(u.name);
      }
    }
  }
  // Everything set since `m` may or may not have happened: make it dynamic.
  void make_uncertain(size_t m) {
    std::vector<std::string> names;
    for (size_t i = m; i < m_journal.size(); ++i) names.push_back(m_journal[i].name);
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (const auto& n : names) set(n, Var{VarKind::dynamic, {}});
  }
  const std::map<std::string, Var, std::less<>>& vars() const { return m_vars; }

 private:
  struct Undo {
    std::string name;
    bool existed;
    Var old;
  };
  std::map<std::string, Var, std::less<>> m_vars;
  std::vector<Undo> m_journal;
};

struct Session {
  const ShellEnv& env;
  const Limits& limits;
  ShellParse& out;
  State st;
  size_t words = 0;
  int pipelines = 0;
  size_t budget = 0;
  size_t budget_max = 0;
  int max_depth = 32;
  size_t env_copied = 0;
  int replaying = 0;
  int loop_depth = 0;  // loops being parsed; only the outermost may unroll or replay
};

// How positions of the buffer being parsed map to the original top-level line.
struct Mapping {
  bool exact = true;
  uint32_t base = 0;    // exact: orig = base + index
  uint32_t rbegin = 0;  // not exact: the whole region
  uint32_t rend = 0;
};

enum class Ctx {
  word,     // unquoted word: stops at metacharacters
  dquote,   // inside "...": stops at "
  brace_u,  // operand of ${..} outside quotes: stops at }
  brace_q,  // operand of ${..} inside quotes: stops at }
  heredoc,  // unquoted here-doc body / arithmetic text: stops at the end of the range
  regex,    // right side of =~ inside [[ ]]: stops at blanks only
};

// What stopped a list.
enum Stop : unsigned {
  s_eof = 1u << 0,
  s_rparen = 1u << 1,
  s_rbrace = 1u << 2,
  s_then = 1u << 3,
  s_elif = 1u << 4,
  s_else = 1u << 5,
  s_fi = 1u << 6,
  s_do = 1u << 7,
  s_done = 1u << 8,
  s_esac = 1u << 9,
  s_dsemi = 1u << 10,
};

struct Reserved {
  std::string_view word;
  Stop stop;
};
constexpr Reserved k_terminators[] = {
    {"then", s_then}, {"elif", s_elif}, {"else", s_else}, {"fi", s_fi},
    {"do", s_do},     {"done", s_done}, {"esac", s_esac}, {"}", s_rbrace},
};

// Byte classes of the unquoted-word scanner, asked for every byte of the line.
enum : uint8_t {
  k_char_meta = 1,     // ends an unquoted word
  k_char_plain = 2,    // literal in an unquoted word, starts nothing
  k_char_pattern = 4,  // (plain) a glob or brace character: * ? [ ] { }
  k_char_opens = 8,    // may start another command: | ; & newline ( `
};
constexpr std::array<uint8_t, 256> k_char_class = [] {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = k_char_plain;
  for (unsigned char c : {' ', '\t', '\n', ';', '&', '|', '<', '>', '(', ')'}) t[c] = k_char_meta;
  for (unsigned char c : {'\'', '"', '\\', '$', '`', '~'}) t[c] = 0;
  for (unsigned char c : {'*', '?', '[', ']', '{', '}'}) t[c] |= k_char_pattern;
  for (unsigned char c : {'|', ';', '&', '\n', '(', '`'}) t[c] |= k_char_opens;
  return t;
}();

bool is_meta(char c) { return (k_char_class[static_cast<unsigned char>(c)] & k_char_meta) != 0; }

// Characters that are literal in an unquoted word and start nothing.
bool is_plain(char c) { return (k_char_class[static_cast<unsigned char>(c)] & k_char_plain) != 0; }

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct PendingHeredoc {
  std::string delim;
  bool strip = false;
  bool quoted = false;
  size_t op_pos = 0;  // for messages
  bool read = false;
  std::string body;
  std::vector<std::pair<size_t, size_t>> targets;  // (command index, redirect index)
};

struct Builder {
  std::vector<Word> argv;
  std::vector<Assignment> assigns;
  std::vector<Assignment> decl_assigns;  // export/declare/local/readonly/typeset X=..
  std::vector<Redirect> redirs;
  std::vector<int> redir_pending;  // parallel to redirs: index into pending here-docs or -1
  uint32_t begin = UINT32_MAX;
  uint32_t end = 0;
  [[nodiscard]] bool empty() const { return argv.empty() && assigns.empty() && redirs.empty(); }
  void span(uint32_t b, uint32_t e) {
    begin = std::min(begin, b);
    end = std::max(end, e);
  }
};

class Parser {
 public:
  Parser(Session& s, std::string_view src, size_t begin, size_t end, Mapping map, int depth,
         int nest)
      : m_s(s), m_src(src), m_pos(begin), m_end(end), m_map(map), m_depth(depth), m_nest(nest) {}

  // Parses the whole buffer as a list.
  void parse_all() {
    parse_list(s_eof, "input", m_pos);
    check_heredocs_done();
  }

  // Expands the whole buffer as an unquoted here-doc body.
  std::string expand_heredoc() {
    FlaggedText ft;
    bool quoted = false;
    lex(Ctx::heredoc, ft, quoted, false, false);
    return std::move(ft.text);
  }

  void inherit_pipeline(const Parser& p) {
    m_pipe_idx = p.m_pipe_idx;
    m_pipe_pos = p.m_pipe_pos;
    m_stdin_from = p.m_stdin_from;
  }

 private:
  // ---- positions, errors -------------------------------------------------------------------
  [[nodiscard]] uint32_t orig_b(size_t i) const {
    return m_map.exact ? m_map.base + static_cast<uint32_t>(i) : m_map.rbegin;
  }
  [[nodiscard]] uint32_t orig_e(size_t i) const {
    return m_map.exact ? m_map.base + static_cast<uint32_t>(i) : m_map.rend;
  }
  [[noreturn]] void fail(const std::string& what, size_t at) const {
    throw ParseError{what + " at byte " + std::to_string(orig_b(at))};
  }
  [[nodiscard]] bool at_end() const { return m_pos >= m_end; }
  [[nodiscard]] char cur() const { return m_pos < m_end ? m_src[m_pos] : '\0'; }
  [[nodiscard]] char peek(size_t k) const { return m_pos + k < m_end ? m_src[m_pos + k] : '\0'; }
  [[nodiscard]] bool starts(std::string_view s) const {
    return m_end - m_pos >= s.size() && m_src.substr(m_pos, s.size()) == s;
  }
  void charge(size_t n) {
    if (m_s.replaying > 0) return;  // replays of loop bodies are paid for up front
    m_s.budget += n;
    if (m_s.budget > m_s.budget_max) fail("parse work budget exceeded", m_pos);
  }
  // Reserves `n` units of work for loop replays; false (nothing reserved) when over `cap`.
  bool reserve(size_t n, size_t cap) {
    if (n > cap || m_s.budget + n > cap) return false;
    m_s.budget += n;
    return true;
  }
  // Only the outermost loop, outside replays, may parse its body more than once: the total
  // work then stays linear in the input.
  [[nodiscard]] bool may_repeat() const { return m_s.replaying == 0 && m_s.loop_depth == 0; }
  struct LoopGuard {
    Session& s;
    explicit LoopGuard(Session& session) : s(session) { ++s.loop_depth; }
    ~LoopGuard() { --s.loop_depth; }
    LoopGuard(const LoopGuard&) = delete;
    LoopGuard& operator=(const LoopGuard&) = delete;
  };
  struct ReplayGuard {
    Session& s;
    explicit ReplayGuard(Session& session) : s(session) { ++s.replaying; }
    ~ReplayGuard() { --s.replaying; }
    ReplayGuard(const ReplayGuard&) = delete;
    ReplayGuard& operator=(const ReplayGuard&) = delete;
  };

  struct NestGuard {
    Parser& p;
    NestGuard(Parser& parser, size_t at) : p(parser) {
      if (++p.m_nest > p.m_s.max_depth)
        p.fail("nesting deeper than " + std::to_string(p.m_s.max_depth), at);
    }
    ~NestGuard() { --p.m_nest; }
    NestGuard(const NestGuard&) = delete;
    NestGuard& operator=(const NestGuard&) = delete;
  };

  // ---- variables ---------------------------------------------------------------------------
  [[nodiscard]] std::string cwd() const {
    if (const Var* v = m_s.st.find(k_cwd_key)) return v->kind == VarKind::known ? v->value : "";
    return m_s.env.cwd;
  }
  void set_cwd(std::optional<std::string> dir) {
    if (dir && !dir->empty()) {
      m_s.st.set(k_cwd_key, Var{VarKind::known, std::move(*dir)});
    } else {
      m_s.st.set(k_cwd_key, Var{VarKind::dynamic, {}});
    }
  }
  [[nodiscard]] Var lookup(std::string_view name) const {
    if (name == "PWD") {
      std::string c = cwd();
      if (c.empty()) return Var{VarKind::dynamic, {}};
      return Var{VarKind::known, c};
    }
    if (const Var* v = m_s.st.find(name)) return *v;
    const ShellEnv& env = m_s.env;
    if (name == "HOME" && !env.home.empty()) return Var{VarKind::known, env.home};
    if ((name == "USER" || name == "LOGNAME") && !env.user.empty())
      return Var{VarKind::known, env.user};
    if (name == "IFS") return Var{VarKind::known, " \t\n"};
    auto it = env.vars.find(std::string(name));
    if (it != env.vars.end()) return Var{VarKind::known, it->second};
    return Var{};
  }
  // $0..$N, $#, $@ and $* where the caller bound the positional parameters (a function called
  // with literal arguments, `sh -c TEXT NAME ARGS`); nullopt when unbound or not knowable ("$@"
  // of several arguments is several words, which one value cannot say).
  [[nodiscard]] std::optional<std::string> positional(std::string_view name, bool in_quotes) const {
    const auto& pos = m_s.env.positional;
    if (!pos || name.empty()) return std::nullopt;
    if (name == "#") return std::to_string(pos->empty() ? 0 : pos->size() - 1);
    if (name == "@" || name == "*") {
      if (pos->size() <= 1) return std::string();
      if (pos->size() == 2) return (*pos)[1];
      if (in_quotes) return std::nullopt;
      std::string all;
      for (size_t i = 1; i < pos->size(); ++i) all += (i > 1 ? " " : "") + (*pos)[i];
      return all;
    }
    if (!is_digit(name[0]) || name.size() > 2) return std::nullopt;
    const size_t k = static_cast<size_t>(std::stoul(std::string(name)));
    return k < pos->size() ? (*pos)[k] : std::string();
  }
  [[nodiscard]] std::string ifs_chars() const {
    Var v = lookup("IFS");
    if (v.kind == VarKind::known) return v.value;
    return " \t\n";
  }
  [[nodiscard]] std::string home_of(std::string_view user) const {
    if (user.empty()) return m_s.env.home;
    if (user == "root") return "/root";
    if (!m_s.env.user.empty() && user == m_s.env.user && !m_s.env.home.empty()) return m_s.env.home;
    return "/home/" + std::string(user);
  }

  // ---- blanks, newlines, here-docs ----------------------------------------------------------
  void skip_blanks() {
    while (m_pos < m_end) {
      char c = m_src[m_pos];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++m_pos;
      } else if (c == '\\' && peek(1) == '\n') {
        m_pos += 2;
      } else if (c == '#') {
        const void* nl = std::memchr(m_src.data() + m_pos, '\n', m_end - m_pos);
        m_pos = nl ? static_cast<size_t>(static_cast<const char*>(nl) - m_src.data()) : m_end;
      } else {
        break;
      }
    }
  }
  void consume_newline() {
    ++m_pos;
    read_heredocs();
  }
  void skip_newlines() {
    for (;;) {
      skip_blanks();
      if (cur() == '\n' && !at_end()) {
        consume_newline();
      } else {
        return;
      }
    }
  }
  void read_heredocs() {
    for (size_t k = 0; k < m_pending.size(); ++k) {
      PendingHeredoc& h = m_pending[k];
      if (h.read) continue;
      size_t body_begin = m_pos;
      size_t body_end = 0;
      bool found = false;
      while (m_pos <= m_end) {
        size_t line_begin = m_pos;
        const void* nl = std::memchr(m_src.data() + m_pos, '\n', m_end - m_pos);
        size_t line_end =
            nl ? static_cast<size_t>(static_cast<const char*>(nl) - m_src.data()) : m_end;
        std::string_view line = m_src.substr(line_begin, line_end - line_begin);
        if (h.strip) {
          while (!line.empty() && line[0] == '\t') line.remove_prefix(1);
        }
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line == h.delim) {
          body_end = line_begin;
          m_pos = nl ? line_end + 1 : m_end;
          found = true;
          break;
        }
        if (!nl) break;
        m_pos = line_end + 1;
      }
      if (!found) {
        m_pos = m_end;
        fail("unterminated here-document (delimiter `" + h.delim + "`)", h.op_pos);
      }
      std::string_view raw = m_src.substr(body_begin, body_end - body_begin);
      if (h.quoted) {
        h.body = h.strip ? strip_tabs(raw) : std::string(raw);
      } else if (!h.strip) {
        Parser sub(m_s, m_src, body_begin, body_end, m_map, m_depth, m_nest);
        h.body = sub.expand_heredoc();
      } else {
        std::string stripped = strip_tabs(raw);
        Mapping mp{false, 0, orig_b(body_begin), orig_e(body_end)};
        Parser sub(m_s, stripped, 0, stripped.size(), mp, m_depth, m_nest);
        h.body = sub.expand_heredoc();
      }
      h.read = true;
      for (auto [ci, ri] : h.targets) m_s.out.commands[ci].redirects[ri].body = h.body;
      m_s.out.trace.push_back("heredoc `" + h.delim + "`: " + std::to_string(h.body.size()) +
                              " bytes" + (h.quoted ? " (literal)" : " (expanded)"));
    }
    m_pending.clear();
  }
  static std::string strip_tabs(std::string_view raw) {
    std::string out;
    out.reserve(raw.size());
    bool line_start = true;
    for (char c : raw) {
      if (line_start && c == '\t') continue;
      line_start = c == '\n';
      out.push_back(c);
    }
    return out;
  }
  void check_heredocs_done() {
    for (const auto& h : m_pending) {
      if (!h.read) fail("unterminated here-document (delimiter `" + h.delim + "`)", h.op_pos);
    }
  }

  // ---- reserved words ----------------------------------------------------------------------
  // The reserved word at m_pos (unquoted, followed by a metacharacter or the end), or "".
  [[nodiscard]] std::string_view peek_reserved() const {
    if (m_pos >= m_end) return {};
    // Asked several times for every command: most command words start with a letter no
    // reserved word starts with, and need no scan.
    switch (m_src[m_pos]) {
      case 'c':
      case 'd':
      case 'e':
      case 'f':
      case 'i':
      case 's':
      case 't':
      case 'u':
      case 'w':
      case '{':
      case '}':
      case '!':
      case '[':
      case ']':
        break;
      default:
        return {};
    }
    size_t i = m_pos;
    while (i < m_end && i - m_pos < 9 && !is_meta(m_src[i])) {
      char c = m_src[i];
      if (!((c >= 'a' && c <= 'z') || c == '{' || c == '}' || c == '[' || c == ']' || c == '!'))
        return {};
      ++i;
    }
    if (i == m_pos) return {};
    if (i < m_end && !is_meta(m_src[i])) return {};
    std::string_view w = m_src.substr(m_pos, i - m_pos);
    static constexpr std::string_view k_words[] = {
        "if",  "then",   "elif",     "else", "fi", "do", "done", "case", "esac", "while", "until",
        "for", "select", "function", "time", "{",  "}",  "!",    "[[",   "]]",   "in"};
    for (auto k : k_words) {
      if (w[0] == k[0] && w == k) return w;
    }
    return {};
  }
  void expect_reserved(std::string_view w, std::string_view construct, size_t start) {
    skip_newlines();
    if (peek_reserved() != w) {
      if (at_end()) fail("unterminated `" + std::string(construct) + "`", start);
      fail("expected `" + std::string(w) + "` in `" + std::string(construct) + "`", m_pos);
    }
    m_pos += w.size();
  }

  // ---- lists -------------------------------------------------------------------------------
  // Parses commands until one of `stops` (left unconsumed) and returns which one stopped it.
  Stop parse_list(unsigned stops, std::string_view construct, size_t start) {
    for (;;) {
      skip_newlines();
      if (at_end()) {
        if (stops & s_eof) return s_eof;
        fail("unterminated " + std::string(construct), start);
      }
      char c = cur();
      if (c == ')') {
        if (stops & s_rparen) return s_rparen;
        fail("unexpected `)`", m_pos);
      }
      if (c == ';' && peek(1) == ';') {
        if (stops & s_dsemi) return s_dsemi;
        fail("unexpected `;;`", m_pos);
      }
      if (c == ';' && peek(1) == '&') {
        if (stops & s_dsemi) return s_dsemi;
        fail("unexpected `;&`", m_pos);
      }
      if (c == ';' || c == '&' || c == '|') fail(std::string("unexpected `") + c + "`", m_pos);
      std::string_view rw = peek_reserved();
      for (const auto& t : k_terminators) {
        if (!rw.empty() && rw == t.word) {
          if (stops & t.stop) return t.stop;
          fail("unexpected `" + std::string(rw) + "`", m_pos);
        }
      }
      parse_and_or();
    }
  }

  void parse_and_or() {
    size_t first = m_s.out.commands.size();
    size_t jm = m_s.st.mark();
    parse_pipeline();
    for (;;) {
      skip_blanks();
      if ((cur() == '&' && peek(1) == '&') || (cur() == '|' && peek(1) == '|')) {
        m_pos += 2;
        skip_newlines();
        parse_pipeline();
        continue;
      }
      break;
    }
    // Separator.
    if (cur() == '&' && !at_end()) {
      ++m_pos;
      for (size_t i = first; i < m_s.out.commands.size(); ++i)
        m_s.out.commands[i].background = true;
      m_s.st.rollback(jm);  // runs in a background subshell
    } else if (cur() == ';' && peek(1) != ';' && peek(1) != '&' && !at_end()) {
      ++m_pos;
    } else if (cur() == '\n' && !at_end()) {
      consume_newline();
    }
  }

  void parse_pipeline() {
    for (;;) {
      skip_blanks();
      std::string_view rw = peek_reserved();
      if (rw == "time") {
        // `time` is stripped (it only measures the pipeline); `-p` is its only option.
        m_pos += 4;
        skip_blanks();
        if (starts("-p") && (m_pos + 2 >= m_end || is_meta(m_src[m_pos + 2]))) m_pos += 2;
        continue;
      }
      if (rw == "!") {
        ++m_pos;
        continue;
      }
      break;
    }
    int saved_idx = m_pipe_idx;
    int saved_pos = m_pipe_pos;
    std::string saved_stdin = m_stdin_from;
    int idx = m_s.pipelines++;
    std::string prev;
    for (int stage = 0;; ++stage) {
      size_t cstart = m_s.out.commands.size();
      size_t jm = m_s.st.mark();
      m_pipe_idx = idx;
      m_pipe_pos = stage;
      m_stdin_from = stage == 0 ? saved_stdin : prev;
      parse_command();
      // A group's commands run in pipelines of their own; remember which stage the group is.
      for (size_t i = cstart; i < m_s.out.commands.size(); ++i) {
        auto& c = m_s.out.commands[i];
        if (c.depth == m_depth && c.pipeline != idx && c.group_pipeline < 0) {
          c.group_pipeline = idx;
          c.group_pos = stage;
        }
      }
      skip_blanks();
      bool is_pipe = cur() == '|' && peek(1) != '|' && !at_end();
      if (is_pipe || stage > 0) m_s.st.rollback(jm);  // pipeline stages run in subshells
      if (!is_pipe) break;
      bool amp = peek(1) == '&';
      m_pos += amp ? 2 : 1;
      prev.clear();
      for (size_t i = m_s.out.commands.size(); i > cstart; --i) {
        auto& c = m_s.out.commands[i - 1];
        if (c.depth == m_depth) {
          prev = c.name;
          if (amp) {
            Redirect r;
            r.op = RedirectOp::dup_out;
            r.fd = 2;
            r.target.text = "1";
            c.redirects.push_back(std::move(r));
          }
          break;
        }
      }
      skip_newlines();
    }
    m_pipe_idx = saved_idx;
    m_pipe_pos = saved_pos;
    m_stdin_from = std::move(saved_stdin);
  }

  // ---- commands ----------------------------------------------------------------------------
  void parse_command() {
    skip_blanks();
    size_t start = m_pos;
    size_t cstart = m_s.out.commands.size();
    if (at_end()) fail("syntax error: unexpected end of input", m_pos);
    if (cur() == '(') {
      if (peek(1) == '(' && try_arith_command()) {
        // (( expr )): nothing runs except substitutions inside, already emitted.
      } else {
        NestGuard g(*this, m_pos);
        ++m_pos;
        size_t jm = m_s.st.mark();
        parse_list(s_rparen, "subshell", start);
        ++m_pos;  // ')'
        m_s.st.rollback(jm);
      }
      finish_compound(cstart);
      return;
    }
    std::string_view rw = peek_reserved();
    if (rw.empty()) return parse_simple();  // not a reserved word: none of the tests below
    if (rw == "{") {
      NestGuard g(*this, m_pos);
      ++m_pos;
      parse_list(s_rbrace, "`{` group", start);
      ++m_pos;  // '}'
      finish_compound(cstart);
      return;
    }
    if (rw == "if") return parse_if(cstart);
    if (rw == "while" || rw == "until") return parse_while(rw, cstart);
    if (rw == "for" || rw == "select") return parse_for(rw, cstart);
    if (rw == "case") return parse_case(cstart);
    if (rw == "function") return parse_function_keyword(cstart);
    if (rw == "[[") return parse_cond(cstart);
    for (const auto& t : k_terminators) {
      if (rw == t.word) fail("unexpected `" + std::string(rw) + "`", m_pos);
    }
    parse_simple();
  }

  // After a compound command: trailing redirections apply to every command inside it.
  void finish_compound(size_t cstart) {
    Builder b;
    for (;;) {
      skip_blanks();
      if (!at_redirect()) break;
      parse_redirect(b);
    }
    if (!b.redirs.empty()) {
      if (m_s.out.commands.size() == cstart) {
        emit(b);
      } else {
        for (size_t ci = cstart; ci < m_s.out.commands.size(); ++ci) {
          auto& cmd = m_s.out.commands[ci];
          for (size_t k = 0; k < b.redirs.size(); ++k) {
            cmd.redirects.push_back(b.redirs[k]);
            if (b.redir_pending[k] >= 0)
              attach_heredoc(b.redir_pending[k], ci, cmd.redirects.size() - 1);
          }
        }
      }
    }
    skip_blanks();
    if (at_end() || is_meta(cur())) return;
    std::string_view rw = peek_reserved();
    for (const auto& t : k_terminators) {
      if (rw == t.word) return;
    }
    fail("syntax error near unexpected word after compound command", m_pos);
  }

  void attach_heredoc(int pending, size_t ci, size_t ri) {
    PendingHeredoc& h = m_pending[static_cast<size_t>(pending)];
    if (h.read) {
      m_s.out.commands[ci].redirects[ri].body = h.body;
    } else {
      h.targets.emplace_back(ci, ri);
    }
  }

  void parse_if(size_t cstart) {
    size_t start = m_pos;
    NestGuard g(*this, m_pos);
    m_pos += 2;
    parse_list(s_then, "`if`", start);
    m_pos += 4;
    size_t cm = m_s.st.mark();
    for (;;) {
      Stop st = parse_list(s_elif | s_else | s_fi, "`if`", start);
      if (st == s_fi) {
        m_pos += 2;
        break;
      }
      if (st == s_else) {
        m_pos += 4;
        parse_list(s_fi, "`if`", start);
        m_pos += 2;
        break;
      }
      m_pos += 4;  // elif
      parse_list(s_then, "`if`", start);
      m_pos += 4;
    }
    m_s.st.make_uncertain(cm);
    finish_compound(cstart);
  }

  void parse_while(std::string_view kw, size_t cstart) {
    size_t start = m_pos;
    NestGuard g(*this, m_pos);
    m_pos += kw.size();
    size_t cond_pos = m_pos;
    size_t b0 = m_s.budget;
    size_t cm = m_s.st.mark();
    auto pass = [&] {
      parse_list(s_do, "`" + std::string(kw) + "`", start);
      m_pos += 2;
      parse_list(s_done, "`" + std::string(kw) + "`", start);
      m_pos += 4;
    };
    bool repeat = may_repeat();
    {
      LoopGuard lg(m_s);
      pass();
      if (repeat) replay_if_loop_carried(cm, cond_pos, b0, pass);
    }
    m_s.st.make_uncertain(cm);
    finish_compound(cstart);
  }

  // A loop body that changed variables or the cwd may behave differently on its next iteration:
  // parse it once more with those values dynamic (when the work budget allows).
  template <typename Pass>
  void replay_if_loop_carried(size_t cm, size_t from, size_t b0, Pass& pass) {
    if (m_s.st.mark() == cm) return;
    size_t end = m_pos;
    size_t cost = (m_s.budget - b0) + (end - from);
    if (!reserve(cost, m_s.budget_max / 2)) return;
    m_s.st.make_uncertain(cm);
    m_s.out.trace.push_back("loop body parsed again: it changes variables or the cwd");
    ReplayGuard rg(m_s);
    m_pos = from;
    pass();
  }

  void parse_for(std::string_view kw, size_t cstart) {
    size_t start = m_pos;
    NestGuard g(*this, m_pos);
    m_pos += kw.size();
    skip_blanks();
    size_t cm = m_s.st.mark();
    std::string name;
    std::vector<Word> items;
    bool literal_list = false;
    if (cur() == '(' && peek(1) == '(') {
      if (!try_arith_command(true)) fail("malformed `for ((`", m_pos);
    } else {
      size_t name_pos = m_pos;
      name = read_literal_word();
      if (name.empty() || !std::all_of(name.begin(), name.end(), is_name_char) ||
          !is_name_start(name[0]))
        fail("bad `" + std::string(kw) + "` variable", name_pos);
      skip_newlines();
      if (peek_reserved() == "in") {
        m_pos += 2;
        for (;;) {
          skip_blanks();
          if (at_end() || cur() == ';' || cur() == '\n') break;
          if (is_meta(cur())) fail("syntax error in `" + std::string(kw) + "` list", m_pos);
          read_word_fields(items);
        }
        // Inside a replay every loop gets exactly one pass, which keeps the total work linear.
        literal_list = may_repeat() && kw == "for" && !items.empty() &&
                       items.size() <= k_max_unroll &&
                       std::all_of(items.begin(), items.end(),
                                   [](const Word& w) { return !w.dynamic && !w.glob; });
      }
    }
    skip_blanks();
    if (cur() == ';' && peek(1) != ';' && !at_end()) ++m_pos;
    skip_newlines();
    bool brace = peek_reserved() == "{";
    if (brace) {
      ++m_pos;
    } else {
      expect_reserved("do", kw, start);
    }
    size_t body_pos = m_pos;
    auto pass = [&] {
      if (brace) {
        parse_list(s_rbrace, "`" + std::string(kw) + "`", start);
        ++m_pos;
      } else {
        parse_list(s_done, "`" + std::string(kw) + "`", start);
        m_pos += 4;
      }
    };
    auto bind = [&](const Word* w) {
      if (name.empty()) return;
      m_s.st.set(name, w ? Var{VarKind::known, w->text} : Var{VarKind::dynamic, {}});
    };
    size_t b0 = m_s.budget;
    size_t body_mark = m_s.st.mark();
    bool repeat = may_repeat();
    LoopGuard lg(m_s);
    if (literal_list) {
      // Unrolled: the body once per literal item, in order (state flows between iterations).
      bind(&items[0]);
      pass();
      size_t end = m_pos;
      size_t cost = ((m_s.budget - b0) + (end - body_pos)) * (items.size() - 1);
      if (items.size() > 1 && reserve(cost, m_s.budget_max / 2)) {
        ReplayGuard rg(m_s);
        m_s.out.trace.push_back("`for " + name + "` unrolled over " + std::to_string(items.size()) +
                                " literal items");
        for (size_t i = 1; i < items.size(); ++i) {
          m_pos = body_pos;
          bind(&items[i]);
          pass();
        }
      } else if (items.size() > 1) {
        // Too much work to unroll: one more pass with the variable dynamic.
        size_t one = (m_s.budget - b0) + (end - body_pos);
        if (!reserve(one, m_s.budget_max)) fail("loop too large to analyse", start);
        ReplayGuard rg(m_s);
        m_pos = body_pos;
        bind(nullptr);
        pass();
      }
    } else {
      bind(nullptr);
      body_mark = m_s.st.mark();
      pass();
      if (repeat) replay_if_loop_carried(body_mark, body_pos, b0, pass);
    }
    m_s.st.make_uncertain(cm);
    finish_compound(cstart);
  }

  void parse_case(size_t cstart) {
    size_t start = m_pos;
    NestGuard g(*this, m_pos);
    m_pos += 4;
    skip_blanks();
    if (at_end() || is_meta(cur())) fail("missing `case` word", m_pos);
    std::vector<Word> subject;
    read_word_fields(subject);
    expect_reserved("in", "case", start);
    size_t cm = m_s.st.mark();
    for (;;) {
      skip_newlines();
      if (at_end()) fail("unterminated `case`", start);
      if (peek_reserved() == "esac") {
        m_pos += 4;
        break;
      }
      if (cur() == '(') ++m_pos;
      for (;;) {
        skip_blanks();
        if (at_end()) fail("unterminated `case`", start);
        if (is_meta(cur())) fail("bad `case` pattern", m_pos);
        FlaggedText ft;
        bool quoted = false;
        lex(Ctx::word, ft, quoted, false, false);
        skip_blanks();
        if (cur() == '|' && !at_end()) {
          ++m_pos;
          continue;
        }
        if (cur() == ')' && !at_end()) {
          ++m_pos;
          break;
        }
        fail("bad `case` pattern", m_pos);
      }
      Stop st = parse_list(s_dsemi | s_esac, "`case`", start);
      if (st == s_dsemi) {
        if (starts(";;&")) {
          m_pos += 3;
        } else {
          m_pos += 2;
        }
      }
    }
    m_s.st.make_uncertain(cm);
    finish_compound(cstart);
  }

  void parse_function_keyword(size_t cstart) {
    m_pos += 8;
    skip_blanks();
    size_t name_pos = m_pos;
    std::string name = read_literal_word();
    if (name.empty()) fail("missing function name", name_pos);
    skip_blanks();
    if (cur() == '(' && !at_end()) {
      ++m_pos;
      skip_blanks();
      if (cur() != ')' || at_end()) fail("bad function definition", m_pos);
      ++m_pos;
    }
    parse_function_body(name, cstart);
  }

  void parse_function_body(const std::string& name, size_t cstart) {
    (void)cstart;
    NestGuard g(*this, m_pos);
    skip_newlines();
    if (at_end()) fail("missing function body for `" + name + "`", m_pos);
    m_s.out.trace.push_back("function " + name +
                            " defined (body commands listed; they run when called)");
    size_t cm = m_s.st.mark();
    const size_t first = m_s.out.commands.size();
    const size_t body = m_pos;
    parse_command();
    m_s.st.make_uncertain(cm);
    mark_fork_bomb(name, first);
    if (m_s.out.functions.size() < 16 && m_pos > body)
      m_s.out.functions.emplace_back(name, std::string(m_src.substr(body, m_pos - body)));
  }

  // A function that calls itself in a pipeline or in the background multiplies processes until
  // the machine stops (`:(){ :|:& };:`, `f(){ f|f& }; f`). Recursion alone is not enough: a
  // recursive directory walker calls itself in sequence.
  void mark_fork_bomb(const std::string& name, size_t first) {
    auto& cmds = m_s.out.commands;
    bool bomb = false;
    for (size_t i = first; i < cmds.size() && !bomb; ++i) {
      const SimpleCommand& c = cmds[i];
      if (c.argv.empty() || c.argv[0].text != name) continue;
      bool piped = false;
      for (size_t j = first; j < cmds.size(); ++j) {
        if (j != i && cmds[j].pipeline == c.pipeline && cmds[j].depth == c.depth) piped = true;
      }
      bomb = c.background || piped;
    }
    if (!bomb) return;
    for (size_t i = first; i < cmds.size(); ++i) {
      if (!cmds[i].argv.empty() && cmds[i].argv[0].text == name) {
        cmds[i].facts.emplace_back("fork_bomb", "function `" + name +
                                                    "` starts copies of itself in a pipe or in "
                                                    "the background (a fork bomb)");
      }
    }
  }

  // [[ ... ]]: no command is emitted; substitutions inside are.
  void parse_cond(size_t cstart) {
    size_t start = m_pos;
    NestGuard g(*this, m_pos);
    m_pos += 2;
    for (;;) {
      skip_blanks();
      if (at_end()) fail("unterminated `[[`", start);
      char c = cur();
      if (c == '\n') {
        consume_newline();
        continue;
      }
      if (peek_reserved() == "]]") {
        m_pos += 2;
        break;
      }
      if (c == '&' || c == '|' || c == '(' || c == ')' || c == '<' || c == '>' || c == ';') {
        if (c == ';') fail("unexpected `;` in `[[`", m_pos);
        ++m_pos;
        continue;
      }
      FlaggedText ft;
      bool quoted = false;
      bool regex = starts("=~") && (m_pos + 2 >= m_end || is_meta(m_src[m_pos + 2]));
      lex(Ctx::word, ft, quoted, true, false);
      if (regex) {
        skip_blanks();
        if (!at_end() && cur() != '\n') {
          FlaggedText re;
          lex(Ctx::regex, re, quoted, false, false);
        }
      }
    }
    finish_compound(cstart);
  }

  // (( expr )) at m_pos: true when it is arithmetic (consumed), false when it is `( (`.
  bool try_arith_command(bool for_header = false) {
    size_t start = m_pos;
    size_t close = find_arith_close(m_pos + 2, for_header);
    if (close == std::string_view::npos) return false;
    NestGuard g(*this, start);
    scan_arith_text(m_pos + 2, close);
    m_pos = close + 2;
    return true;
  }

  // Finds `))` closing an arithmetic expression whose text starts at `from`.
  size_t find_arith_close(size_t from, bool allow_semicolons = false) {
    int depth = 0;
    size_t i = from;
    for (; i < m_end; ++i) {
      char c = m_src[i];
      if (c == '(') {
        ++depth;
      } else if (c == ')') {
        if (depth == 0) {
          charge(i - from);
          return i + 1 < m_end && m_src[i + 1] == ')' ? i : std::string_view::npos;
        }
        --depth;
      } else if (c == '\'' || c == '"' || c == '`' || c == ';' || c == '\n') {
        // Arithmetic text does not contain these in practice; bash would fall back to `( (`.
        if (c == '\n' || (c == ';' && !allow_semicolons) || c == '\'') {
          charge(i - from);
          return std::string_view::npos;
        }
      }
    }
    charge(i - from);
    return std::string_view::npos;
  }

  // Expands arithmetic text for its substitutions (emitting their commands); returns its value
  // text when it is pure literal integer math.
  std::optional<std::string> scan_arith_text(size_t b, size_t e) {
    std::string_view text = m_src.substr(b, e - b);
    if (auto v = detail::eval_literal_arith(text)) return std::to_string(*v);
    Parser sub(m_s, m_src, b, e, m_map, m_depth, m_nest);
    sub.inherit_pipeline(*this);
    (void)sub.expand_heredoc();
    return std::nullopt;
  }

  // ---- simple commands ---------------------------------------------------------------------
  [[nodiscard]] bool at_redirect() const {
    if (at_end()) return false;
    size_t i = m_pos;
    while (i < m_end && is_digit(m_src[i]) && i - m_pos < 10) ++i;
    if (i >= m_end) return false;
    char c = m_src[i];
    if (c == '<' || c == '>') {
      // <( and >( are process substitutions (words), not redirections.
      return !(i == m_pos && i + 1 < m_end && m_src[i + 1] == '(');
    }
    return i == m_pos && c == '&' && i + 1 < m_end && m_src[i + 1] == '>';
  }

  [[nodiscard]] bool at_assignment() const {
    size_t i = m_pos;
    if (i >= m_end || !is_name_start(m_src[i])) return false;
    while (i < m_end && is_name_char(m_src[i])) ++i;
    if (i < m_end && m_src[i] == '[') {
      int d = 0;
      for (; i < m_end; ++i) {
        if (m_src[i] == '[') ++d;
        if (m_src[i] == ']' && --d == 0) break;
        if (m_src[i] == '\n') return false;
      }
      if (i >= m_end) return false;
      ++i;
    }
    if (i < m_end && m_src[i] == '=') return true;
    return i + 1 < m_end && m_src[i] == '+' && m_src[i + 1] == '=';
  }

  static bool is_decl_builtin(std::string_view n) {
    switch (n.size()) {  // asked for every command's first word
      case 5:
        return n == "local";
      case 6:
        return n == "export";
      case 7:
        return n == "declare" || n == "typeset";
      case 8:
        return n == "readonly";
      default:
        return false;
    }
  }

  void parse_simple() {
    Builder b;
    b.argv.reserve(8);  // one allocation for a typical command instead of 1 -> 2 -> 4 -> 8
    size_t jm = m_s.st.mark();
    bool started = false;
    bool decl = false;
    for (;;) {
      skip_blanks();
      if (at_end()) break;
      char c = cur();
      if ((c == '<' || c == '>') && peek(1) == '(') {
        size_t wb = m_pos;
        if (!started) {
          m_s.st.rollback(jm);
          started = true;
        }
        Word w = process_substitution();
        b.span(orig_b(wb), orig_e(m_pos));
        count_words(1);
        b.argv.push_back(std::move(w));
        continue;
      }
      if (at_redirect()) {
        parse_redirect(b);
        continue;
      }
      if (is_meta(c)) {
        if (c == '(') {
          if (b.argv.size() == 1 && b.assigns.empty() && b.redirs.empty() && !b.argv[0].quoted &&
              !b.argv[0].dynamic) {
            ++m_pos;
            skip_blanks();
            if (cur() != ')' || at_end()) fail("syntax error near unexpected token `('", m_pos);
            ++m_pos;
            parse_function_body(b.argv[0].text, m_s.out.commands.size());
            return;
          }
          fail("syntax error near unexpected token `('", m_pos);
        }
        break;
      }
      if ((!started || decl) && at_assignment()) {
        parse_assignment(b, started);
        continue;
      }
      if (!started) {
        // Prefix assignments were visible to each other, not to the command's own words.
        m_s.st.rollback(jm);
        started = true;
      }
      size_t before = b.argv.size();
      read_word_fields(b.argv, &b);
      if (before == 0 && !b.argv.empty() && !b.argv[0].dynamic) {
        decl = is_decl_builtin(command_basename(b.argv[0].text));
      }
    }
    if (b.empty()) {
      if (at_end()) fail("syntax error: unexpected end of input", m_pos);
      fail(std::string("syntax error near unexpected token `") + cur() + "`", m_pos);
    }
    if (!started && !b.assigns.empty()) {
      // Bare assignment statement: the assignments stay in effect (already applied).
    }
    size_t ci = emit(b);
    apply_effects(ci, b);
  }

  static std::string_view command_basename(std::string_view text) {
    size_t slash = text.rfind('/');
    if (slash != std::string_view::npos && slash + 1 < text.size()) text.remove_prefix(slash + 1);
    while (!text.empty() && text[0] == '\\') text.remove_prefix(1);
    return text;
  }
  static std::string command_name(std::string_view text) {
    return std::string(command_basename(text));
  }

  void apply_effects(size_t ci, Builder& b) {
    const SimpleCommand& c = m_s.out.commands[ci];
    if (c.argv.empty() || c.dynamic_verb) return;
    const std::string_view n = c.name;  // compared with many literals: no strlen per comparison
    if (is_decl_builtin(n)) {
      for (auto& a : b.decl_assigns) {
        m_s.st.set(a.name,
                   a.value.dynamic ? Var{VarKind::dynamic, {}} : Var{VarKind::known, a.value.text});
      }
      return;
    }
    if (n == "cd") {
      size_t i = 1;
      while (i < c.argv.size() && c.argv[i].text.size() > 1 && c.argv[i].text[0] == '-' &&
             !c.argv[i].dynamic) {
        if (c.argv[i].text == "--") {
          ++i;
          break;
        }
        ++i;
      }
      if (i >= c.argv.size()) {
        set_cwd(m_s.env.home);
      } else if (c.argv[i].dynamic || c.argv[i].glob || c.argv[i].text == "-" ||
                 c.argv[i].text.empty()) {
        set_cwd(std::nullopt);
      } else {
        set_cwd(detail::resolve_path(cwd(), c.argv[i].text));
      }
      return;
    }
    if (n == "pushd" || n == "popd") {
      set_cwd(std::nullopt);
      return;
    }
    if (n == "unset") {
      for (size_t i = 1; i < c.argv.size(); ++i) {
        if (!c.argv[i].text.empty() && c.argv[i].text[0] != '-')
          m_s.st.set(c.argv[i].text, Var{VarKind::unset, {}});
      }
      return;
    }
    if (n == "read" || n == "mapfile" || n == "readarray" || n == "getopts" || n == "printf") {
      for (size_t i = 1; i < c.argv.size(); ++i) {
        const std::string& t = c.argv[i].text;
        if (!t.empty() && is_name_start(t[0]) && std::all_of(t.begin(), t.end(), is_name_char))
          m_s.st.set(t, Var{VarKind::dynamic, {}});
      }
    }
  }

  size_t emit(Builder& b) {
    auto& out = m_s.out;
    if (out.commands.size() >= m_s.limits.max_commands)
      fail("more than " + std::to_string(m_s.limits.max_commands) + " commands", m_pos);
    // Built in place: a SimpleCommand is a dozen members, each move of it costs.
    const size_t ci = out.commands.size();
    SimpleCommand& c = out.commands.emplace_back();
    c.argv = std::move(b.argv);
    c.assignments = std::move(b.assigns);
    c.redirects = std::move(b.redirs);
    if (!c.argv.empty()) {
      if (c.argv[0].dynamic) {
        c.dynamic_verb = true;
      } else {
        c.name = command_name(c.argv[0].text);
      }
    }
    c.cwd = cwd();
    // Bounded per command and per parse so that many assignments cannot make this quadratic.
    size_t scanned = 0;
    for (const auto& [k, v] : m_s.st.vars()) {
      if (c.env.size() >= k_env_copy_cap || m_s.env_copied >= k_env_total_cap ||
          ++scanned > 4 * k_env_copy_cap)
        break;
      if (v.kind == VarKind::known && !k.empty() && k[0] != '\x01') {
        c.env.emplace(k, v.value);
        ++m_s.env_copied;
      }
    }
    for (const auto& a : c.assignments) {
      if (!a.value.dynamic) c.env[a.name] = a.value.text;
    }
    c.pipeline = m_pipe_idx;
    c.pipeline_pos = m_pipe_pos;
    c.stdin_from = m_stdin_from;
    c.depth = m_depth;
    c.begin = b.begin == UINT32_MAX ? orig_b(m_pos) : b.begin;
    c.end = std::max(c.begin, b.end);
    if (m_s.limits.trace) {
      std::string line = "cmd[" + std::to_string(ci) + "] depth=" + std::to_string(c.depth) + ": ";
      for (const auto& a : c.assignments) line += a.name + "=" + a.value.text + " ";
      line += c.joined();
      line +=
          " (pipeline " + std::to_string(c.pipeline) + "." + std::to_string(c.pipeline_pos) + ")";
      if (c.dynamic_verb) line += " [dynamic verb]";
      if (!c.cwd.empty()) line += " cwd=" + c.cwd;
      out.trace.push_back(std::move(line));
    }
    for (size_t k = 0; k < b.redir_pending.size(); ++k) {
      if (b.redir_pending[k] >= 0) attach_heredoc(b.redir_pending[k], ci, k);
    }
    return ci;
  }

  void count_words(size_t n) {
    m_s.words += n;
    if (m_s.words > m_s.limits.max_words)
      fail("more than " + std::to_string(m_s.limits.max_words) + " words", m_pos);
  }

  // NAME=value / NAME+=value / NAME=(array) / NAME[i]=value.
  void parse_assignment(Builder& b, bool decl_arg) {
    size_t start = m_pos;
    size_t i = m_pos;
    while (i < m_end && is_name_char(m_src[i])) ++i;
    std::string name(m_src.substr(m_pos, i - m_pos));
    bool subscript = false;
    if (m_src[i] == '[') {
      subscript = true;
      int d = 0;
      for (; i < m_end; ++i) {
        if (m_src[i] == '[') ++d;
        if (m_src[i] == ']' && --d == 0) break;
      }
      ++i;
    }
    bool append = m_src[i] == '+';
    m_pos = i + (append ? 2 : 1);
    Word value;
    if (cur() == '(' && !at_end()) {
      // Array: elements are expanded (their substitutions run); the variable becomes dynamic.
      size_t open = m_pos;
      ++m_pos;
      std::vector<Word> elems;
      for (;;) {
        skip_newlines();
        if (at_end()) fail("unterminated array assignment", open);
        if (cur() == ')') {
          ++m_pos;
          break;
        }
        if (is_meta(cur())) fail("syntax error in array assignment", m_pos);
        read_word_fields(elems);
      }
      value.text = std::string(m_src.substr(open, m_pos - open));
      value.dynamic = true;
    } else {
      FlaggedText ft;
      bool quoted = false;
      lex(Ctx::word, ft, quoted, true, true);
      value.text = std::move(ft.text);
      value.quoted = quoted;
      value.dynamic =
          ft.flags.find(static_cast<char>(k_flag_dynamic)) != std::string::npos ||
          ft.flags.find(static_cast<char>(k_flag_dynamic | k_flag_quoted)) != std::string::npos;
    }
    value.begin = orig_b(start);
    value.end = orig_e(m_pos);
    b.span(value.begin, value.end);
    Var v;
    if (value.dynamic || subscript) {
      v = Var{VarKind::dynamic, {}};
    } else if (append) {
      Var old = lookup(name);
      if (old.kind == VarKind::known || old.kind == VarKind::unset) {
        v = Var{VarKind::known, old.value + value.text};
      } else {
        v = Var{VarKind::dynamic, {}};
      }
    } else {
      v = Var{VarKind::known, value.text};
    }
    if (v.kind == VarKind::known && !append) {
      // keep value.text
    } else if (v.kind == VarKind::known) {
      value.text = v.value;
    }
    Assignment a{name, value};
    if (decl_arg) {
      Word w = value;
      w.text = name + "=" + value.text;
      count_words(1);
      b.argv.push_back(std::move(w));
      if (v.kind == VarKind::dynamic) a.value.dynamic = true;
      b.decl_assigns.push_back(std::move(a));
      return;
    }
    // Applied now so later prefix assignments see it; rolled back if a command word follows.
    m_s.st.set(name, std::move(v));
    b.assigns.push_back(std::move(a));
  }

  void parse_redirect(Builder& b) {
    size_t start = m_pos;
    int fd = -1;
    if (is_digit(cur())) {
      long v = 0;
      while (is_digit(cur()) && !at_end()) {
        v = v * 10 + (cur() - '0');
        if (v > 1000000) v = 1000000;
        ++m_pos;
      }
      fd = static_cast<int>(v);
    }
    Redirect r;
    r.fd = fd;
    enum class Kind { plain, heredoc, herestring, dup } kind = Kind::plain;
    bool strip = false;
    if (starts("<<<")) {
      m_pos += 3;
      r.op = RedirectOp::herestring;
      kind = Kind::herestring;
    } else if (starts("<<-")) {
      m_pos += 3;
      r.op = RedirectOp::heredoc;
      kind = Kind::heredoc;
      strip = true;
    } else if (starts("<<")) {
      m_pos += 2;
      r.op = RedirectOp::heredoc;
      kind = Kind::heredoc;
    } else if (starts("<&")) {
      m_pos += 2;
      r.op = RedirectOp::dup_in;
      kind = Kind::dup;
    } else if (starts("<>")) {
      m_pos += 2;
      r.op = RedirectOp::read_write;
    } else if (starts("<")) {
      m_pos += 1;
      r.op = RedirectOp::read;
    } else if (starts(">>")) {
      m_pos += 2;
      r.op = RedirectOp::append;
    } else if (starts(">&")) {
      m_pos += 2;
      r.op = RedirectOp::dup_out;
      kind = Kind::dup;
    } else if (starts(">|")) {
      m_pos += 2;
      r.op = RedirectOp::clobber;
    } else if (starts(">")) {
      m_pos += 1;
      r.op = RedirectOp::write;
    } else if (starts("&>>")) {
      // Both streams appended to a file: recorded as append (fd -1 = stdout and stderr).
      m_pos += 3;
      r.op = RedirectOp::append;
    } else if (starts("&>")) {
      // Both streams to a file (truncating): dup_out with a file target counts as a write.
      m_pos += 2;
      r.op = RedirectOp::dup_out;
    } else {
      fail("internal: not a redirection", m_pos);
    }
    skip_blanks();
    bool procsub = (cur() == '<' || cur() == '>') && peek(1) == '(';
    if (at_end() || (is_meta(cur()) && !(procsub && kind == Kind::plain)))
      fail("syntax error: missing redirection target", at_end() ? start : m_pos);
    size_t wb = m_pos;
    int pending = -1;
    if (kind == Kind::heredoc) {
      bool quoted = false;
      std::string delim = read_literal_word(&quoted);
      r.target.text = delim;
      r.target.quoted = quoted;
      r.body_literal = quoted;
      PendingHeredoc h;
      h.delim = std::move(delim);
      h.strip = strip;
      h.quoted = quoted;
      h.op_pos = start;
      m_pending.push_back(std::move(h));
      pending = static_cast<int>(m_pending.size() - 1);
    } else if (procsub) {
      r.target = process_substitution();  // `> >(tee log)`: the inner commands are emitted
    } else {
      FlaggedText ft;
      bool quoted = false;
      lex(Ctx::word, ft, quoted, true, false);
      r.target = to_single_word(ft, quoted);
      if (kind == Kind::herestring) r.body = r.target.text;
    }
    r.target.begin = orig_b(wb);
    r.target.end = orig_e(m_pos);
    b.span(orig_b(start), orig_e(m_pos));
    b.redirs.push_back(std::move(r));
    b.redir_pending.push_back(pending);
  }

  // A word after quote removal only ($ kept literally): here-doc delimiters, names.
  std::string read_literal_word(bool* quoted_out = nullptr) {
    std::string out;
    bool quoted = false;
    while (!at_end() && !is_meta(cur())) {
      char c = cur();
      if (c == '\'') {
        quoted = true;
        const void* q = std::memchr(m_src.data() + m_pos + 1, '\'', m_end - m_pos - 1);
        if (!q) fail("unterminated single quote", m_pos);
        size_t e = static_cast<size_t>(static_cast<const char*>(q) - m_src.data());
        out.append(m_src.substr(m_pos + 1, e - m_pos - 1));
        m_pos = e + 1;
      } else if (c == '"') {
        quoted = true;
        size_t open = m_pos++;
        while (!at_end() && cur() != '"') {
          if (cur() == '\\' &&
              (peek(1) == '"' || peek(1) == '\\' || peek(1) == '$' || peek(1) == '`')) {
            ++m_pos;
          }
          out.push_back(cur());
          ++m_pos;
        }
        if (at_end()) fail("unterminated double quote", open);
        ++m_pos;
      } else if (c == '\\') {
        quoted = true;
        if (peek(1) == '\n') {
          m_pos += 2;
          continue;
        }
        if (m_pos + 1 < m_end) {
          out.push_back(m_src[m_pos + 1]);
          m_pos += 2;
        } else {
          out.push_back('\\');
          ++m_pos;
        }
      } else if (c == '$' && (peek(1) == '\'' || peek(1) == '"')) {
        ++m_pos;  // $'..' / $".." as a delimiter: quote removal of the rest
      } else {
        out.push_back(c);
        ++m_pos;
      }
    }
    if (quoted_out) *quoted_out = quoted;
    return out;
  }

  Word process_substitution() {
    size_t start = m_pos;
    m_pos += 2;
    run_substitution(start, "process substitution");
    Word w;
    w.text = std::string(m_src.substr(start, m_pos - start));
    w.dynamic = true;
    w.begin = orig_b(start);
    w.end = orig_e(m_pos);
    return w;
  }

  // Parses a $( ) / <( ) / >( ) body at m_pos up to and including its `)`.
  void run_substitution(size_t start, std::string_view what) {
    NestGuard g(*this, start);
    size_t jm = m_s.st.mark();
    ++m_depth;
    parse_list(s_rparen, what, start);
    --m_depth;
    ++m_pos;  // ')'
    m_s.st.rollback(jm);
  }

  // ---- words -------------------------------------------------------------------------------
  // Lexes one word at m_pos and appends its fields (after brace expansion and splitting).
  void read_word_fields(std::vector<Word>& out, Builder* b = nullptr) {
    size_t wb = m_pos;
    if (read_plain_word(out, b)) return;
    FlaggedText ft;
    bool quoted = false;
    lex(Ctx::word, ft, quoted, true, false);
    uint32_t ob = orig_b(wb);
    uint32_t oe = orig_e(m_pos);
    if (b) b->span(ob, oe);
    if (!has_brace_candidate(ft)) {
      // Common case: one word. IFS matters only when an unquoted expansion is in it.
      if (ft.flags.find(static_cast<char>(k_flag_expanded)) == std::string::npos) {
        if (ft.text.empty() && !quoted) return;  // unquoted empty expansion: no word
        out.push_back(make_word(ft, 0, ft.text.size(), quoted, ob, oe));
        count_words(1);
        return;
      }
      split_fields(ft, quoted, ob, oe, ifs_chars(), out);
      return;
    }
    std::vector<FlaggedText> braced;
    size_t room = m_s.limits.max_words > m_s.words ? m_s.limits.max_words - m_s.words : 0;
    size_t max_bytes = (size_t{4} << 20) + ft.text.size() * 4;
    if (!detail::brace_expand(ft, room, max_bytes, m_s.max_depth, braced))
      fail("brace expansion too large", wb);
    std::string ifs = ifs_chars();
    for (auto& one : braced) split_fields(one, quoted, ob, oe, ifs, out);
  }

  // Most words are only plain bytes up to a metacharacter (`kubectl`, `--context`, `src/`): no
  // quote, expansion, tilde or brace pair, so lex() would copy them as they are with flag 0 and
  // make_word() would find nothing but globs. Taken here without the flagged copy; false (nothing
  // consumed) for any other word.
  bool read_plain_word(std::vector<Word>& out, Builder* b) {
    size_t i = m_pos;
    uint8_t seen = 0;
    for (; i < m_end; ++i) {
      const uint8_t k = k_char_class[static_cast<unsigned char>(m_src[i])];
      if (!(k & k_char_plain)) break;
      seen |= k;
    }
    if (i == m_pos || (i < m_end && !is_meta(m_src[i]))) return false;
    bool glob = false;
    if (seen & k_char_pattern) {
      bool open = false;
      bool open_bracket = false;
      for (size_t j = m_pos; j < i; ++j) {
        const char c = m_src[j];
        if (c == '{') open = true;
        if (c == '}' && open) return false;  // a brace expansion candidate
        if (c == '*' || c == '?') glob = true;
        if (c == '[') open_bracket = true;
        if (c == ']' && open_bracket) glob = true;
      }
    }
    const uint32_t ob = orig_b(m_pos);
    const uint32_t oe = orig_e(i);
    if (b) b->span(ob, oe);
    Word& w = out.emplace_back();
    w.text.assign(m_src.data() + m_pos, i - m_pos);
    w.begin = ob;
    w.end = oe;
    w.glob = glob;
    m_pos = i;
    count_words(1);
    return true;
  }

  static bool has_brace_candidate(const FlaggedText& ft) {
    bool open = false;
    for (size_t i = 0; i < ft.text.size(); ++i) {
      if (ft.flags[i] != 0) continue;
      if (ft.text[i] == '{') open = true;
      if (ft.text[i] == '}' && open) return true;
    }
    return false;
  }

  void split_fields(const FlaggedText& ft, bool quoted, uint32_t ob, uint32_t oe,
                    const std::string& ifs, std::vector<Word>& out) {
    bool any_split = false;
    for (size_t i = 0; i < ft.text.size(); ++i) {
      if (ft.flags[i] == k_flag_expanded && ifs.find(ft.text[i]) != std::string::npos) {
        any_split = true;
        break;
      }
    }
    if (!any_split) {
      if (ft.text.empty() && !quoted) return;  // unquoted empty expansion: no word
      out.push_back(make_word(ft, 0, ft.text.size(), quoted, ob, oe));
      count_words(1);
      return;
    }
    size_t i = 0;
    while (i < ft.text.size()) {
      size_t s = i;
      while (i < ft.text.size() &&
             !(ft.flags[i] == k_flag_expanded && ifs.find(ft.text[i]) != std::string::npos))
        ++i;
      if (i > s) {
        out.push_back(make_word(ft, s, i, quoted, ob, oe));
        count_words(1);
      }
      if (i < ft.text.size()) ++i;
    }
  }

  Word make_word(const FlaggedText& ft, size_t s, size_t e, bool quoted, uint32_t ob,
                 uint32_t oe) const {
    Word w;
    w.quoted = quoted;
    w.begin = ob;
    w.end = oe;
    // A literal `~` starting a field produced by splitting or brace expansion: expanded too
    // (bash would not, but reading it as the home directory errs toward detecting danger).
    if (e > s && ft.text[s] == '~' && ft.flags[s] == 0 && (e - s == 1 || ft.text[s + 1] == '/') &&
        !m_s.env.home.empty()) {
      w.text = m_s.env.home;
      ++s;
    }
    w.text.append(ft.text, s, e - s);
    bool open_bracket = false;
    for (size_t i = s; i < e; ++i) {
      uint8_t f = static_cast<uint8_t>(ft.flags[i]);
      if (f & k_flag_dynamic) w.dynamic = true;
      if (f & (k_flag_quoted | k_flag_dynamic)) continue;
      char c = ft.text[i];
      if (c == '*' || c == '?') w.glob = true;
      if (c == '[') open_bracket = true;
      if (c == ']' && open_bracket) w.glob = true;
    }
    return w;
  }

  Word to_single_word(const FlaggedText& ft, bool quoted) const {
    return make_word(ft, 0, ft.text.size(), quoted, 0, 0);
  }

  // The lexer/expander. Appends the expansion of the text at m_pos to `out` until the context's
  // end. `tilde` allows tilde expansion at the start; `assign` also after unquoted `:`.
  void lex(Ctx ctx, FlaggedText& out, bool& quoted, bool tilde, bool assign) {
    const bool in_quotes = ctx == Ctx::dquote || ctx == Ctx::brace_q || ctx == Ctx::heredoc;
    const uint8_t lit = in_quotes ? k_flag_quoted : (ctx == Ctx::brace_u ? k_flag_expanded : 0);
    bool at_start = true;
    while (m_pos < m_end) {
      char c = m_src[m_pos];
      bool was_start = at_start;
      at_start = false;
      switch (ctx) {
        case Ctx::word:
          if (is_meta(c)) return;
          break;
        case Ctx::regex:
          if (c == ' ' || c == '\t' || c == '\n') return;
          break;
        case Ctx::dquote:
          if (c == '"') return;
          break;
        case Ctx::brace_u:
        case Ctx::brace_q:
          if (c == '}') return;
          break;
        case Ctx::heredoc:
          break;
      }
      if (c == '~' && ctx == Ctx::word && tilde && was_start) {
        if (lex_tilde(out, assign)) continue;
      }
      if (ctx == Ctx::word && !assign) {
        // Fast path: a run of plain characters.
        size_t i = m_pos;
        while (i < m_end && is_plain(m_src[i])) ++i;
        if (i > m_pos) {
          out.append(m_src.substr(m_pos, i - m_pos), lit);
          m_pos = i;
          continue;
        }
      }
      switch (c) {
        case '\'':
          if (in_quotes) {
            out.append(c, lit);
            ++m_pos;
          } else {
            lex_single_quote(out);
            quoted = true;
          }
          break;
        case '"':
          if (ctx == Ctx::dquote || ctx == Ctx::heredoc) {
            out.append(c, lit);
            ++m_pos;
          } else {
            lex_double_quote(out);
            quoted = true;
          }
          break;
        case '\\':
          lex_backslash(ctx, out, quoted);
          break;
        case '$':
          lex_dollar(ctx, out, quoted);
          break;
        case '`':
          lex_backtick(ctx, out);
          break;
        default:
          out.append(c, lit);
          ++m_pos;
          if (assign && c == ':' && ctx == Ctx::word && cur() == '~') {
            if (lex_tilde(out, true)) continue;
          }
      }
    }
    if (ctx == Ctx::dquote || ctx == Ctx::brace_u || ctx == Ctx::brace_q) return;
  }

  // ~, ~/x, ~user, ~+, ~- at m_pos. False (nothing consumed) when it is not a tilde prefix.
  bool lex_tilde(FlaggedText& out, bool assign) {
    size_t i = m_pos + 1;
    while (i < m_end) {
      char c = m_src[i];
      if (c == '/' || is_meta(c) || (assign && c == ':')) break;
      if (!(is_name_char(c) || c == '.' || c == '-' || c == '+')) return false;
      ++i;
    }
    std::string_view user = m_src.substr(m_pos + 1, i - m_pos - 1);
    std::string dir;
    if (user == "+") {
      dir = cwd();
    } else if (user == "-") {
      Var v = lookup("OLDPWD");
      if (v.kind == VarKind::known) dir = v.value;
    } else if (user.find_first_of("+") == std::string_view::npos) {
      dir = home_of(user);
    }
    if (dir.empty()) return false;
    out.append(dir, k_flag_quoted);
    m_pos = i;
    return true;
  }

  void lex_single_quote(FlaggedText& out) {
    size_t open = m_pos;
    const void* q = std::memchr(m_src.data() + m_pos + 1, '\'', m_end - m_pos - 1);
    if (!q) {
      m_pos = m_end;
      fail("unterminated single quote", open);
    }
    size_t e = static_cast<size_t>(static_cast<const char*>(q) - m_src.data());
    out.append(m_src.substr(m_pos + 1, e - m_pos - 1), k_flag_quoted);
    m_pos = e + 1;
  }

  void lex_double_quote(FlaggedText& out) {
    size_t open = m_pos;
    ++m_pos;
    bool q = true;
    lex(Ctx::dquote, out, q, false, false);
    if (at_end()) fail("unterminated double quote", open);
    ++m_pos;
  }

  void lex_backslash(Ctx ctx, FlaggedText& out, bool& quoted) {
    char n = peek(1);
    if (m_pos + 1 >= m_end) {
      out.append('\\', ctx == Ctx::word ? 0 : k_flag_quoted);
      ++m_pos;
      return;
    }
    if (n == '\n') {
      m_pos += 2;  // line continuation
      return;
    }
    bool escapes = true;
    if (ctx == Ctx::dquote || ctx == Ctx::heredoc || ctx == Ctx::brace_q) {
      escapes = n == '$' || n == '`' || n == '\\' || (n == '"' && ctx != Ctx::heredoc) ||
                (n == '}' && ctx == Ctx::brace_q);
    }
    if (!escapes) {
      out.append('\\', k_flag_quoted);
      ++m_pos;
      return;
    }
    out.append(n, k_flag_quoted);
    if (ctx == Ctx::word || ctx == Ctx::brace_u || ctx == Ctx::regex) quoted = true;
    m_pos += 2;
  }

  void append_value(FlaggedText& out, std::string_view v, bool in_quotes) {
    out.append(v, in_quotes ? k_flag_quoted : k_flag_expanded);
  }
  void append_dynamic(FlaggedText& out, size_t from, bool in_quotes) {
    out.append(m_src.substr(from, m_pos - from),
               static_cast<uint8_t>(k_flag_dynamic | (in_quotes ? k_flag_quoted : 0)));
  }

  void lex_dollar(Ctx ctx, FlaggedText& out, bool& quoted) {
    const bool in_quotes = ctx == Ctx::dquote || ctx == Ctx::brace_q || ctx == Ctx::heredoc;
    size_t start = m_pos;
    char n = peek(1);
    if (m_pos + 1 >= m_end) {
      out.append('$', in_quotes ? k_flag_quoted : 0);
      ++m_pos;
      return;
    }
    if (n == '\'' && !in_quotes) {
      // ANSI-C quoting.
      size_t i = m_pos + 2;
      while (i < m_end && m_src[i] != '\'') i += m_src[i] == '\\' ? 2 : 1;
      if (i >= m_end) {
        m_pos = m_end;
        fail("unterminated ANSI-C quote", start);
      }
      out.append(detail::decode_ansi_c(m_src.substr(m_pos + 2, i - m_pos - 2)), k_flag_quoted);
      quoted = true;
      m_pos = i + 1;
      return;
    }
    if (n == '"' && !in_quotes) {
      ++m_pos;
      lex_double_quote(out);
      quoted = true;
      return;
    }
    if (n == '(') {
      if (peek(2) == '(') {
        size_t close = find_arith_close(m_pos + 3);
        if (close != std::string_view::npos) {
          NestGuard g(*this, start);
          auto v = scan_arith_text(m_pos + 3, close);
          m_pos = close + 2;
          if (v) {
            append_value(out, *v, in_quotes);
          } else {
            append_dynamic(out, start, in_quotes);
          }
          return;
        }
      }
      m_pos += 2;
      run_substitution(start, "command substitution");
      append_dynamic(out, start, in_quotes);
      return;
    }
    if (n == '[') {
      // Deprecated $[ expr ]: arithmetic.
      const void* q = std::memchr(m_src.data() + m_pos + 2, ']', m_end - m_pos - 2);
      if (!q) fail("unterminated `$[`", start);
      size_t e = static_cast<size_t>(static_cast<const char*>(q) - m_src.data());
      auto v = detail::eval_literal_arith(m_src.substr(m_pos + 2, e - m_pos - 2));
      m_pos = e + 1;
      if (v) {
        append_value(out, std::to_string(*v), in_quotes);
      } else {
        append_dynamic(out, start, in_quotes);
      }
      return;
    }
    if (n == '{') {
      lex_param(out, in_quotes, quoted);
      return;
    }
    if (is_name_start(n)) {
      size_t i = m_pos + 1;
      while (i < m_end && is_name_char(m_src[i])) ++i;
      std::string_view name = m_src.substr(m_pos + 1, i - m_pos - 1);
      m_pos = i;
      Var v = lookup(name);
      if (v.kind == VarKind::known || v.kind == VarKind::unset) {
        append_value(out, v.value, in_quotes);
      } else {
        append_dynamic(out, start, in_quotes);
      }
      return;
    }
    if (is_digit(n) || n == '@' || n == '*' || n == '#' || n == '?' || n == '$' || n == '!' ||
        n == '-' || n == '_') {
      m_pos += 2;
      if (auto v = positional(std::string_view(&m_src[m_pos - 1], 1), in_quotes)) {
        append_value(out, *v, in_quotes);
      } else {
        append_dynamic(out, start, in_quotes);
      }
      return;
    }
    out.append('$', in_quotes ? k_flag_quoted : 0);
    ++m_pos;
  }

  // ${...} at m_pos.
  void lex_param(FlaggedText& out, bool in_quotes, bool& quoted) {
    size_t start = m_pos;
    NestGuard g(*this, start);
    m_pos += 2;
    bool length = false;
    bool indirect = false;
    if (cur() == '#' && peek(1) != '}' && !at_end()) {
      char n = peek(1);
      if (is_name_char(n) || n == '@' || n == '*') {
        length = true;
        ++m_pos;
      }
    } else if (cur() == '!' && peek(1) != '}') {
      indirect = true;
      ++m_pos;
    }
    size_t nb = m_pos;
    if (is_name_start(cur())) {
      while (!at_end() && is_name_char(cur())) ++m_pos;
    } else if (is_digit(cur())) {
      while (!at_end() && is_digit(cur())) ++m_pos;
    } else if (!at_end() && std::strchr("@*#?$!-", cur()) != nullptr) {
      ++m_pos;
    }
    std::string name(m_src.substr(nb, m_pos - nb));
    bool special = name.empty() || !is_name_start(name[0]);
    bool subscript = false;
    if (cur() == '[' && !at_end()) {
      subscript = true;
      int d = 0;
      for (; m_pos < m_end; ++m_pos) {
        if (m_src[m_pos] == '[') ++d;
        if (m_src[m_pos] == ']' && --d == 0) break;
      }
      if (at_end()) fail("unterminated parameter expansion", start);
      ++m_pos;
    }
    std::string op;
    static constexpr std::string_view k_ops2[] = {":-", ":=", ":+", ":?", "##", "%%",
                                                  "//", "/#", "/%", "^^", ",,"};
    static constexpr std::string_view k_ops1[] = {"-", "=", "+", "?", ":", "#",
                                                  "%", "/", "^", ",", "@"};
    if (cur() != '}') {
      for (auto o : k_ops2) {
        if (starts(o)) {
          op = o;
          break;
        }
      }
      if (op.empty()) {
        for (auto o : k_ops1) {
          if (starts(o)) {
            op = o;
            break;
          }
        }
      }
      m_pos += op.size();
    }
    FlaggedText operand;
    bool oq = false;
    if (!op.empty() || cur() != '}') {
      lex(in_quotes ? Ctx::brace_q : Ctx::brace_u, operand, oq, false, false);
    }
    if (at_end()) fail("unterminated parameter expansion", start);
    ++m_pos;  // '}'
    if (oq) quoted = true;
    bool operand_dynamic =
        operand.flags.find_first_of(
            std::string{static_cast<char>(k_flag_dynamic),
                        static_cast<char>(k_flag_dynamic | k_flag_quoted)}) != std::string::npos;
    if (special && op.empty() && !indirect && !subscript && !length) {
      if (auto v = positional(name, in_quotes)) {
        append_value(out, *v, in_quotes);
        return;
      }
    }
    if (name.empty() || indirect || subscript || special) {
      append_dynamic(out, start, in_quotes);
      return;
    }
    Var v = lookup(name);
    bool known = v.kind == VarKind::known || v.kind == VarKind::unset;
    bool absent = v.kind == VarKind::unknown || v.kind == VarKind::unset;
    if (length) {
      if (known && op.empty()) {
        append_value(out, std::to_string(v.value.size()), in_quotes);
      } else {
        append_dynamic(out, start, in_quotes);
      }
      return;
    }
    if (op.empty()) {
      if (known) {
        append_value(out, v.value, in_quotes);
      } else {
        append_dynamic(out, start, in_quotes);
      }
      return;
    }
    if (op == ":-" || op == "-" || op == ":=" || op == "=") {
      bool use_default = absent || (op[0] == ':' && known && v.value.empty());
      if (use_default) {
        out.append(operand);
        if ((op == ":=" || op == "=")) {
          m_s.st.set(name, operand_dynamic ? Var{VarKind::dynamic, {}}
                                           : Var{VarKind::known, operand.text});
        }
      } else if (known) {
        append_value(out, v.value, in_quotes);
      } else {
        append_dynamic(out, start, in_quotes);
      }
      return;
    }
    if (op == ":+" || op == "+") {
      if (known && v.kind == VarKind::known && (op == "+" || !v.value.empty())) {
        out.append(operand);
      } else if (v.kind == VarKind::unset || (known && v.value.empty())) {
        // expands to nothing
      } else {
        append_dynamic(out, start, in_quotes);
      }
      return;
    }
    if (op == ":?" || op == "?") {
      if (known && v.kind == VarKind::known && (op == "?" || !v.value.empty())) {
        append_value(out, v.value, in_quotes);
      } else {
        append_dynamic(out, start, in_quotes);
      }
      return;
    }
    if (op == ":" && v.kind == VarKind::known && !operand_dynamic) {
      if (auto s = substring(v.value, operand.text)) {
        append_value(out, *s, in_quotes);
        return;
      }
    }
    append_dynamic(out, start, in_quotes);
  }

  // ${VAR:offset[:length]} with literal integer operands.
  static std::optional<std::string> substring(const std::string& value, std::string_view spec) {
    size_t colon = spec.find(':');
    auto off = detail::eval_literal_arith(spec.substr(0, colon));
    if (!off) return std::nullopt;
    int64_t n = static_cast<int64_t>(value.size());
    int64_t o = *off < 0 ? n + *off : *off;
    if (o < 0 || o > n) return std::string{};
    int64_t len = n - o;
    if (colon != std::string_view::npos) {
      auto l = detail::eval_literal_arith(spec.substr(colon + 1));
      if (!l) return std::nullopt;
      len = *l < 0 ? (n + *l) - o : *l;
      if (len < 0) return std::nullopt;  // bash: error
    }
    len = std::min(len, n - o);
    return value.substr(static_cast<size_t>(o), static_cast<size_t>(len));
  }

  void lex_backtick(Ctx ctx, FlaggedText& out) {
    const bool in_quotes = ctx == Ctx::dquote || ctx == Ctx::brace_q || ctx == Ctx::heredoc;
    size_t start = m_pos;
    std::string body;
    bool changed = false;
    size_t i = m_pos + 1;
    for (; i < m_end; ++i) {
      char c = m_src[i];
      if (c == '`') break;
      if (c == '\\' && i + 1 < m_end) {
        char n = m_src[i + 1];
        if (n == '$' || n == '`' || n == '\\' || (n == '"' && ctx == Ctx::dquote)) {
          body.push_back(n);
          changed = true;
          ++i;
          continue;
        }
        if (n == '\n') {
          changed = true;
          ++i;
          continue;
        }
      }
      body.push_back(c);
    }
    if (i >= m_end) {
      m_pos = m_end;
      fail("unterminated backquote", start);
    }
    m_pos = i + 1;
    {
      NestGuard g(*this, start);
      Mapping mp = changed ? Mapping{false, 0, orig_b(start), orig_e(m_pos)}
                           : Mapping{true, orig_b(start + 1), 0, 0};
      if (!m_map.exact) mp = Mapping{false, 0, m_map.rbegin, m_map.rend};
      size_t jm = m_s.st.mark();
      Parser sub(m_s, body, 0, body.size(), mp, m_depth + 1, m_nest);
      sub.inherit_pipeline(*this);
      sub.parse_list(s_eof, "backquote substitution", 0);
      sub.check_heredocs_done();
      m_s.st.rollback(jm);
    }
    append_dynamic(out, start, in_quotes);
  }

  Session& m_s;
  std::string_view m_src;
  size_t m_pos;
  size_t m_end;
  Mapping m_map;
  int m_depth;  // substitution depth (SimpleCommand::depth)
  int m_nest;   // recursion depth, bounded by max_depth
  int m_pipe_idx = -1;
  int m_pipe_pos = 0;
  std::string m_stdin_from;
  std::vector<PendingHeredoc> m_pending;
};

}  // namespace

ShellParse parse_raw(std::string_view line, const ShellEnv& env, const Limits& limits, int depth) {
  ShellParse out;
  auto fail = [&](std::string reason) {
    out.complete = false;
    out.fail_closed = true;
    out.trace.push_back("parse failed: " + reason);
    out.fail_reason = std::move(reason);
  };
  if (line.size() > limits.max_input_bytes) {
    fail("input of " + std::to_string(line.size()) + " bytes exceeds the limit of " +
         std::to_string(limits.max_input_bytes) + " bytes");
    return out;
  }
  if (const void* nul = std::memchr(line.data(), '\0', line.size())) {
    fail("NUL byte at byte " + std::to_string(static_cast<const char*>(nul) - line.data()));
    return out;
  }
  int max_depth = std::min(limits.max_depth, k_hard_depth_cap);
  if (depth > max_depth) {
    fail("nesting deeper than " + std::to_string(max_depth));
    return out;
  }
  try {
    // Room for the commands the line probably has (each regrowth moves every command so far):
    // one more than its separators and substitution openers, a guess that only sizes the list.
    size_t guess = 1;
    for (char ch : line)
      guess += (k_char_class[static_cast<unsigned char>(ch)] & k_char_opens) != 0;
    out.commands.reserve(std::min<size_t>(guess, 64));
    Session s{env, limits, out, {}, 0, 0, 0, 0, max_depth, 0, 0, 0};
    s.budget_max = line.size() * 8 + 4096;
    Parser p(s, line, 0, line.size(), Mapping{}, depth, depth);
    p.parse_all();
  } catch (const ParseError& e) {
    fail(e.reason);
  } catch (const std::exception& e) {
    fail(std::string("internal parser error: ") + e.what());
  }
  return out;
}

ShellParse parse_shell(std::string_view line, const ShellEnv& env, const Limits& limits) {
  auto p = parse_raw(line, env, limits, 0);
  unwrap(p, env, limits);
  return p;
}

}  // namespace blastwall::shell
