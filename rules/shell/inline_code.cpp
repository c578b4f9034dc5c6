// Interpreter one-liners (python -c, node -e, perl -e, ruby -e, php -r, and here-doc bodies fed
// to them). Not a parser for those languages: a tokenizer that knows their string literals and
// comments, and a table of calls whose effect equals a shell command (shutil.rmtree -> rm -rf).
// Anything that is not a plain literal is reported as dynamic so the target stays unknown.
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "rules/shell/unwrap_internal.hpp"

namespace blastwall::shell::detail {

namespace {

// clike: Go, Java, Kotlin, Groovy, Scala, Rust, C/C++, C#, Swift (one table; their spawn and
// file calls do not collide).
enum class Lang { python, node, perl, ruby, php, awk, lua, clike };

enum class Tok {
  ident,    // name, possibly dotted: os.path.join, FileUtils.rm_rf, $dbh->do (separators -> '.')
  string,   // string literal (value decoded)
  command,  // backticks, qx{}, %x{} : text run by a shell
  punct,    // one char of ()[]{},;=+. etc.
  other,    // numbers, operators we do not care about
};

struct Token {
  Tok kind = Tok::other;
  std::string text;      // ident name / string value / punct char
  bool dynamic = false;  // string with interpolation
  bool nl_before = false;
  size_t begin = 0;
  size_t end = 0;
};

bool ident_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$' || c == '@';
}
bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

char closing_for(char open) {
  switch (open) {
    case '{':
      return '}';
    case '(':
      return ')';
    case '[':
      return ']';
    case '<':
      return '>';
    default:
      return open;
  }
}

class Tokenizer {
 public:
  Tokenizer(Lang lang, std::string_view code) : m_lang(lang), m_code(code) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    bool nl = false;
    while (m_pos < m_code.size() && out.size() < k_max_tokens) {
      const char c = m_code[m_pos];
      if (c == '\n') {
        nl = true;
        ++m_pos;
        continue;
      }
      if (std::isspace(static_cast<unsigned char>(c)) != 0) {
        ++m_pos;
        continue;
      }
      if (skip_comment()) continue;
      Token t;
      t.begin = m_pos;
      t.nl_before = nl;
      nl = false;
      if (!lex_one(t)) {
        t.kind = Tok::other;
        t.text = std::string(1, c);
        ++m_pos;
      }
      t.end = m_pos;
      out.push_back(std::move(t));
    }
    return out;
  }

 private:
  static constexpr size_t k_max_tokens = 200000;

  bool skip_comment() {
    const char c = m_code[m_pos];
    const bool hash_comment = m_lang == Lang::python || m_lang == Lang::ruby ||
                              m_lang == Lang::perl || m_lang == Lang::php || m_lang == Lang::awk;
    if (m_lang == Lang::lua && c == '-' && m_pos + 1 < m_code.size() && m_code[m_pos + 1] == '-') {
      const size_t open = m_pos + 2;
      if (const size_t level = lua_long_open(open); level != std::string_view::npos) {
        const auto e = m_code.find("]" + std::string(level, '=') + "]", open + level + 2);
        m_pos = e == std::string_view::npos ? m_code.size() : e + level + 2;
        return true;
      }
      while (m_pos < m_code.size() && m_code[m_pos] != '\n') ++m_pos;
      return true;
    }
    if (c == '#' && hash_comment) {
      while (m_pos < m_code.size() && m_code[m_pos] != '\n') ++m_pos;
      return true;
    }
    if ((m_lang == Lang::node || m_lang == Lang::php || m_lang == Lang::clike) && c == '/' &&
        m_pos + 1 < m_code.size()) {
      if (m_code[m_pos + 1] == '/') {
        while (m_pos < m_code.size() && m_code[m_pos] != '\n') ++m_pos;
        return true;
      }
      if (m_code[m_pos + 1] == '*') {
        const auto e = m_code.find("*/", m_pos + 2);
        m_pos = e == std::string_view::npos ? m_code.size() : e + 2;
        return true;
      }
    }
    return false;
  }

  bool lex_one(Token& t) {
    const char c = m_code[m_pos];
    // Quote-like operators before identifiers: perl q{} qq{} qx{} , ruby %x{} %q{} %Q{}.
    if (m_lang == Lang::perl && (c == 'q') && m_pos + 1 < m_code.size()) {
      size_t p = m_pos + 1;
      char kind = 'q';
      if (p < m_code.size() && (m_code[p] == 'q' || m_code[p] == 'x' || m_code[p] == 'w')) {
        kind = m_code[p];
        ++p;
      }
      if (p < m_code.size() && !ident_char(m_code[p]) &&
          std::isspace(static_cast<unsigned char>(m_code[p])) == 0 && m_code[p] != ',' &&
          m_code[p] != ';' && m_code[p] != '=' && m_code[p] != ')') {
        m_pos = p;
        read_delimited(t, closing_for(m_code[p]), kind != 'q');
        t.kind = kind == 'x' ? Tok::command : Tok::string;
        return true;
      }
    }
    if (m_lang == Lang::ruby && c == '%' && m_pos + 2 < m_code.size()) {
      const char k = m_code[m_pos + 1];
      const char d = m_code[m_pos + 2];
      if ((k == 'x' || k == 'q' || k == 'Q' || k == 'w') && !ident_char(d) &&
          std::isspace(static_cast<unsigned char>(d)) == 0) {
        m_pos += 2;
        read_delimited(t, closing_for(d), k != 'q');
        t.kind = k == 'x' ? Tok::command : Tok::string;
        return true;
      }
    }
    if (m_lang == Lang::lua && c == '[') {
      if (const size_t level = lua_long_open(m_pos); level != std::string_view::npos) {
        const std::string close = "]" + std::string(level, '=') + "]";
        const size_t body = m_pos + level + 2;
        const auto e = m_code.find(close, body);
        const size_t stop = e == std::string_view::npos ? m_code.size() : e;
        t.kind = Tok::string;
        t.text = std::string(m_code.substr(body, stop - body));
        m_pos = e == std::string_view::npos ? m_code.size() : e + close.size();
        return true;
      }
    }
    if (m_lang == Lang::python && is_python_string_start()) {
      lex_python_string(t);
      return true;
    }
    if (c == '\'' || c == '"') {
      read_delimited(t, c, c == '"' && m_lang != Lang::python);
      t.kind = Tok::string;
      return true;
    }
    if (c == '`') {
      const bool node = m_lang == Lang::node || m_lang == Lang::clike;  // Go raw strings
      read_delimited(t, '`', m_lang == Lang::node);
      t.kind = node ? Tok::string : Tok::command;
      return true;
    }
    if (ident_start(c)) {
      lex_ident(t);
      return true;
    }
    if (c == '-' && m_pos + 1 < m_code.size() && m_code[m_pos + 1] == '>') {
      t.kind = Tok::punct;
      t.text = ".";
      m_pos += 2;
      return true;
    }
    if (c == ':' && m_pos + 1 < m_code.size() && m_code[m_pos + 1] == ':') {
      t.kind = Tok::punct;
      t.text = ".";
      m_pos += 2;
      return true;
    }
    if (std::string_view("()[]{},;=+.:").find(c) != std::string_view::npos) {
      t.kind = Tok::punct;
      t.text = std::string(1, c);
      ++m_pos;
      if (c == '=' && m_pos < m_code.size() && (m_code[m_pos] == '=' || m_code[m_pos] == '>')) {
        t.kind = Tok::other;
        t.text += m_code[m_pos++];
      }
      return true;
    }
    return false;
  }

  // `[[` / `[==[` at `at`: the number of `=` (a Lua long bracket), or npos.
  size_t lua_long_open(size_t at) const {
    if (at >= m_code.size() || m_code[at] != '[') return std::string_view::npos;
    size_t p = at + 1;
    while (p < m_code.size() && m_code[p] == '=') ++p;
    if (p >= m_code.size() || m_code[p] != '[') return std::string_view::npos;
    return p - at - 1;
  }

  void lex_ident(Token& t) {
    t.kind = Tok::ident;
    while (m_pos < m_code.size() &&
           (ident_char(m_code[m_pos]) || (t.text.empty() && ident_start(m_code[m_pos])))) {
      t.text += m_code[m_pos++];
    }
  }

  bool is_python_string_start() const {
    size_t p = m_pos;
    int prefix = 0;
    while (p < m_code.size() && prefix < 3 &&
           std::string_view("rRbBuUfF").find(m_code[p]) != std::string_view::npos) {
      ++p;
      ++prefix;
    }
    return p < m_code.size() && (m_code[p] == '\'' || m_code[p] == '"');
  }

  void lex_python_string(Token& t) {
    bool raw = false;
    bool fstr = false;
    while (m_code[m_pos] != '\'' && m_code[m_pos] != '"') {
      const char p = static_cast<char>(std::tolower(static_cast<unsigned char>(m_code[m_pos])));
      raw = raw || p == 'r';
      fstr = fstr || p == 'f';
      ++m_pos;
    }
    const char q = m_code[m_pos];
    t.kind = Tok::string;
    if (m_code.substr(m_pos, 3) == std::string(3, q)) {
      const std::string end(3, q);
      const auto e = m_code.find(end, m_pos + 3);
      const size_t stop = e == std::string_view::npos ? m_code.size() : e;
      t.text = std::string(m_code.substr(m_pos + 3, stop - m_pos - 3));
      m_pos = e == std::string_view::npos ? m_code.size() : e + 3;
    } else {
      ++m_pos;
      while (m_pos < m_code.size() && m_code[m_pos] != q && m_code[m_pos] != '\n') {
        if (m_code[m_pos] == '\\' && !raw && m_pos + 1 < m_code.size()) {
          t.text += unescape(m_code[m_pos + 1]);
          m_pos += 2;
          continue;
        }
        t.text += m_code[m_pos++];
      }
      if (m_pos < m_code.size()) ++m_pos;
    }
    if (fstr) {
      for (size_t i = 0; i < t.text.size(); ++i) {
        if (t.text[i] == '{') {
          if (i + 1 < t.text.size() && t.text[i + 1] == '{') {
            ++i;
            continue;
          }
          t.dynamic = true;
        }
      }
    }
  }

  static char unescape(char c) {
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      default:
        return c;
    }
  }

  // Reads from the opening delimiter at m_pos to its close. `interpolating` strings become dynamic
  // when they contain an interpolation for the language.
  void read_delimited(Token& t, char close, bool interpolating) {
    const char open = m_code[m_pos];
    ++m_pos;
    int nest = 0;
    while (m_pos < m_code.size()) {
      const char c = m_code[m_pos];
      if (c == '\\' && m_pos + 1 < m_code.size()) {
        const char n = m_code[m_pos + 1];
        if (open == '\'' && n != '\'' && n != '\\') {
          t.text += c;  // single quotes keep other backslashes
        } else {
          t.text += interpolating ? unescape(n) : n;
          m_pos += 2;
          continue;
        }
        ++m_pos;
        continue;
      }
      if (open != close && c == open) ++nest;
      if (c == close) {
        if (nest == 0) break;
        --nest;
      }
      if (interpolating && is_interpolation(c, m_pos)) t.dynamic = true;
      t.text += c;
      ++m_pos;
    }
    if (m_pos < m_code.size()) ++m_pos;
  }

  bool is_interpolation(char c, size_t at) const {
    const char n = at + 1 < m_code.size() ? m_code[at + 1] : '\0';
    switch (m_lang) {
      case Lang::node:
        return c == '$' && n == '{';
      case Lang::ruby:
        return c == '#' && n == '{';
      case Lang::perl:
        return (c == '$' || c == '@') && (ident_char(n) || n == '{');
      case Lang::php:
        return c == '$' && (ident_char(n) || n == '{');
      case Lang::clike:  // Kotlin/Groovy/Scala "$x" "${x}", Swift "\(x)"
        return (c == '$' && (ident_char(n) || n == '{')) || (c == '\\' && n == '(');
      case Lang::python:
      case Lang::awk:
      case Lang::lua:
        return false;
    }
    return false;
  }

  Lang m_lang;
  std::string_view m_code;
  size_t m_pos = 0;
};

// ---- calls ---------------------------------------------------------------------------------

struct Arg {
  size_t first = 0;  // token range [first, last)
  size_t last = 0;
  std::string keyword;  // python kw=..., empty for positional
};

struct Call {
  std::string name;                // dotted name, "" receiver part when on an expression
  std::string receiver_call;       // for `Path(x).unlink()`: "Path"
  std::vector<Arg> receiver_args;  // arguments of that receiver call
  std::vector<Arg> args;
};

class Scanner {
 public:
  Scanner(Lang lang, std::string_view code, std::vector<Token> toks)
      : m_lang(lang), m_code(code), m_t(std::move(toks)) {}

  std::vector<CodeFinding> run() {
    for (size_t i = 0; i < m_t.size(); ++i) {
      const Token& t = m_t[i];
      if (t.kind == Tok::command) {
        CodeFinding f;
        f.kind = CodeFinding::Kind::shell_text;
        f.text = CodeArg{t.text, t.dynamic};
        f.call = "backticks";
        m_out.push_back(std::move(f));
        continue;
      }
      // awk `print .. > "FILE"` / `>> "FILE"` writes FILE (outside a condition's parentheses).
      if (m_lang == Lang::awk && t.kind == Tok::other && t.text == ">" && in_awk_print(i)) {
        size_t k = i + 1;
        if (k < m_t.size() && m_t[k].kind == Tok::other && m_t[k].text == ">") ++k;
        if (k < m_t.size() && m_t[k].kind == Tok::string) {
          emit_argv_named("print >", {CodeArg{"tee", false}, CodeArg{m_t[k].text, m_t[k].dynamic}});
          i = k;
          continue;
        }
      }
      if (m_lang == Lang::awk && is_awk_pipe(i)) {
        awk_pipe(i);
        continue;
      }
      // Groovy: "rm -rf x".execute(), ["sh", "-c", S].execute().
      if (m_lang == Lang::clike && i + 3 < m_t.size() && is_dot(i + 1) &&
          m_t[i + 2].kind == Tok::ident && m_t[i + 2].text == "execute" && is_punct(i + 3, '(')) {
        Call call;
        call.name = ".execute";
        if (t.kind == Tok::string) {
          emit_spawn(call, {CodeArg{t.text, t.dynamic}}, true);
        } else if (is_punct(i, ']')) {
          size_t k = i;
          int depth = 0;
          for (; k > 0; --k) {
            if (is_punct(k, ']')) ++depth;
            if (is_punct(k, '[') && --depth == 0) break;
          }
          emit_spawn(call, flat_values(Arg{k, i + 1, {}}), true);
        }
        continue;
      }
      if (t.kind != Tok::ident) continue;
      if (i > 0 && is_dot(i - 1)) continue;  // part of a dotted name handled from its start
      size_t j = i;
      std::string name = t.text;
      while (j + 2 < m_t.size() && is_dot(j + 1) && m_t[j + 2].kind == Tok::ident) {
        name += "." + m_t[j + 2].text;
        j += 2;
      }
      handle_call_chain(name, "", {}, j + 1);
    }
    data_leaving();
    return std::move(m_out);
  }

  // Code that sends something off the machine (an HTTP POST, a socket) while it reads a file or
  // the whole environment: judged like `curl --data-binary @FILE URL`, and the environment as
  // secret material. Reads that are not sent are judged like `cat FILE`.
  void data_leaving() {
    static constexpr std::string_view k_send[] = {".post(",
                                                  ".put(",
                                                  ".patch(",
                                                  "post_form",
                                                  "Net::HTTP.post",
                                                  "sendall(",
                                                  ".send(",
                                                  "sendBeacon(",
                                                  "urlopen(",
                                                  "IO::Socket",
                                                  "TCPSocket",
                                                  "fsockopen",
                                                  "socket.socket",
                                                  "net.connect",
                                                  "new Socket",
                                                  "CURLOPT_POSTFIELDS",
                                                  "HTTP::Tiny",
                                                  "LWP::",
                                                  "socket.create_connection",
                                                  ".request(",
                                                  "fetch(",
                                                  "Net::HTTP::Post",
                                                  "http.client",
                                                  "smtplib"};
    std::string via;
    for (auto k : k_send) {
      if (m_code.find(k) != std::string_view::npos) {
        via = std::string(k);
        break;
      }
    }
    // php: file_get_contents("https://host/?d=" . SECRET) sends in the URL.
    if (via.empty() && m_lang == Lang::php &&
        (m_code.find("file_get_contents(\"http") != std::string_view::npos ||
         m_code.find("file_get_contents('http") != std::string_view::npos) &&
        m_code.find(".") != std::string_view::npos && !m_reads.empty()) {
      via = "file_get_contents(URL . data)";
    }
    // fetch()/request() only send when they carry a body or a write.
    if ((via == "fetch(" || via == ".request(") && m_code.find("body") == std::string_view::npos &&
        m_code.find(".end(") == std::string_view::npos &&
        m_code.find(".write(") == std::string_view::npos &&
        m_code.find("data=") == std::string_view::npos) {
      via.clear();
    }
    std::string env;
    static constexpr std::string_view k_env[] = {"os.environ", "process.env", "ENV.to_h",
                                                 "ENV.to_a",   "%ENV",        "/proc/self/environ",
                                                 "$_ENV",      "getenv()",    "ENV.inspect"};
    for (auto k : k_env) {
      for (size_t at = m_code.find(k); at != std::string_view::npos; at = m_code.find(k, at + 1)) {
        const size_t after = at + k.size();
        const char n = after < m_code.size() ? m_code[after] : '\0';
        // os.environ['X'] / process.env.X / os.environ.get(..) pick one variable: API use.
        if ((k == "os.environ" || k == "process.env") && (n == '[' || n == '.')) {
          if (!(n == '.' && m_code.substr(after, 5) == ".copy")) continue;
        }
        env = std::string(k);
        break;
      }
      if (!env.empty()) break;
    }
    if (via.empty()) {
      for (const auto& r : m_reads) emit_argv_named("read", {CodeArg{"cat", false}, r});
      return;
    }
    CodeArg url{"(a network peer)", true};
    for (const auto& t : m_t) {
      if (t.kind == Tok::string &&
          (t.text.rfind("http://", 0) == 0 || t.text.rfind("https://", 0) == 0)) {
        url = CodeArg{t.text, false};
        break;
      }
    }
    auto curl = [&](const std::string& data) {
      return std::vector<CodeArg>{CodeArg{"curl", false}, CodeArg{"-X", false},
                                  CodeArg{"POST", false}, CodeArg{"--data-binary", false},
                                  CodeArg{data, false},   url};
    };
    for (const auto& r : m_reads) {
      CodeFinding f;
      f.kind = CodeFinding::Kind::argv;
      f.argv = curl("@" + r.text);
      f.argv[4].dynamic = r.dynamic;
      f.call = via;
      f.facts.emplace_back("uploads", "the code sends the contents of " + r.text + " to " +
                                          url.text + " (" + via + ")");
      m_out.push_back(std::move(f));
    }
    if (!env.empty()) {
      CodeFinding f;
      f.kind = CodeFinding::Kind::argv;
      f.argv = curl("@-");
      f.call = via;
      f.facts.emplace_back("secrets_send",
                           "the code sends the whole environment (" + env + ") to " + url.text);
      m_out.push_back(std::move(f));
    }
  }

  void emit_argv_named(const std::string& call, std::vector<CodeArg> argv) {
    CodeFinding f;
    f.kind = CodeFinding::Kind::argv;
    f.argv = std::move(argv);
    f.call = call;
    m_out.push_back(std::move(f));
  }

 private:
  bool is_dot(size_t i) const { return m_t[i].kind == Tok::punct && m_t[i].text == "."; }
  bool is_punct(size_t i, char c) const {
    return i < m_t.size() && m_t[i].kind == Tok::punct && m_t[i].text.size() == 1 &&
           m_t[i].text[0] == c;
  }

  // ---- awk pipes ----------------------------------------------------------------------------
  // `print ... | "cmd"` and `"cmd" | getline`: the command string runs in /bin/sh. `||` is not a
  // pipe.
  bool is_awk_pipe(size_t i) const {
    const Token& t = m_t[i];
    if (t.kind != Tok::other || t.text != "|") return false;
    const bool prev_bar = i > 0 && m_t[i - 1].kind == Tok::other && m_t[i - 1].text == "|";
    const bool next_bar =
        i + 1 < m_t.size() && m_t[i + 1].kind == Tok::other && m_t[i + 1].text == "|";
    return !prev_bar && !next_bar;
  }

  // Token `i` is in a print/printf statement, not inside parentheses (a comparison `(x > 1)`).
  bool in_awk_print(size_t i) const {
    int depth = 0;
    for (size_t k = i; k-- > 0;) {
      if (is_punct(k, ')')) ++depth;
      if (is_punct(k, '(')) {
        if (depth == 0) return false;
        --depth;
      }
      if (is_punct(k, ';') || is_punct(k, '{') || is_punct(k, '}') || m_t[k + 1].nl_before) {
        return false;
      }
      if (depth == 0 && m_t[k].kind == Tok::ident &&
          (m_t[k].text == "print" || m_t[k].text == "printf"))
        return true;
    }
    return false;
  }

  // End of the awk statement starting at `from`: `;`, `}`, or a new line.
  size_t awk_statement_end(size_t from) const {
    size_t e = from;
    while (e < m_t.size() && !is_punct(e, ';') && !is_punct(e, '}') &&
           !(e > from && m_t[e].nl_before)) {
      ++e;
    }
    return e;
  }

  void awk_pipe(size_t i) {
    CodeFinding f;
    f.kind = CodeFinding::Kind::shell_text;
    if (i + 1 < m_t.size() && m_t[i + 1].kind == Tok::ident && m_t[i + 1].text == "getline") {
      // "cmd" | getline [var]: the string before the bar is the command.
      size_t b = i;
      while (b > 0 && !is_punct(b - 1, ';') && !is_punct(b - 1, '{') && !is_punct(b - 1, '(') &&
             !m_t[b].nl_before) {
        --b;
      }
      f.text = b < i ? awk_value(b, i) : CodeArg{"(nothing)", true};
      f.call = "| getline";
      m_out.push_back(std::move(f));
      return;
    }
    const size_t end = awk_statement_end(i + 1);
    const CodeArg target = i + 1 < end ? awk_value(i + 1, end) : CodeArg{"", true};
    f.text = target;
    f.call = "print | command";
    const bool to_shell = !target.dynamic && is_shell_line(target.text);
    m_out.push_back(std::move(f));
    if (!to_shell && !target.dynamic) return;
    // What is printed into a shell is shell text: literal when the print arguments are.
    size_t p = i;
    while (p > 0 && !(m_t[p - 1].kind == Tok::ident &&
                      (m_t[p - 1].text == "print" || m_t[p - 1].text == "printf"))) {
      if (is_punct(p - 1, ';') || is_punct(p - 1, '{') || m_t[p].nl_before) {
        p = 0;
        break;
      }
      --p;
    }
    CodeFinding data;
    data.kind = CodeFinding::Kind::shell_text;
    data.call = "print into " + (target.dynamic ? std::string("a command") : target.text);
    data.text = p > 0 && p < i ? value(Arg{p, i, {}}) : CodeArg{"$0", true};
    m_out.push_back(std::move(data));
  }

  // A literal, or a variable last assigned a literal earlier in the program (`cmd = "date"`).
  CodeArg awk_value(size_t first, size_t last) const {
    if (last == first + 1 && m_t[first].kind == Tok::ident) {
      for (size_t k = first; k >= 2; --k) {
        if (m_t[k - 2].kind == Tok::ident && m_t[k - 2].text == m_t[first].text &&
            is_punct(k - 1, '=') && k < m_t.size() && m_t[k].kind == Tok::string &&
            !(k + 1 < m_t.size() && m_t[k + 1].kind == Tok::string)) {
          return CodeArg{m_t[k].text, false};
        }
      }
    }
    return value(Arg{first, last, {}});
  }

  // "sh", "/bin/bash -s", "bash -x": a shell reading commands from stdin.
  static bool is_shell_line(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    const auto sp = s.find(' ');
    const std::string_view first = s.substr(0, sp);
    if (!is_shell_name(first)) return false;
    return sp == std::string_view::npos || s.find("-c") == std::string_view::npos;
  }

  // After a name ending at token `next`: a call `(..)` or a paren-less perl/ruby call, then any
  // `.method(..)` chained on its result.
  void handle_call_chain(const std::string& name, const std::string& receiver,
                         const std::vector<Arg>& receiver_args, size_t next) {
    Call call;
    call.name = name;
    call.receiver_call = receiver;
    call.receiver_args = receiver_args;
    size_t after = next;
    if (is_punct(next, '(')) {
      after = parse_args(next, call.args);
    } else if ((m_lang == Lang::perl || m_lang == Lang::ruby) && next < m_t.size() &&
               !m_t[next].nl_before &&
               (m_t[next].kind == Tok::string || m_t[next].kind == Tok::ident ||
                is_punct(next, '['))) {
      after = parse_bare_args(next, call.args);
    } else {
      return;
    }
    // Rust: Command::new("sh").arg("-c").arg(S) / .args(["-c", S]): the argv is built along the
    // chain.
    if (m_lang == Lang::clike && (name == "Command.new" || name.ends_with(".Command.new"))) {
      std::vector<CodeArg> argv;
      if (!call.args.empty()) argv.push_back(value(call.args[0]));
      size_t pos = after;
      while (pos + 2 < m_t.size() && is_dot(pos) && m_t[pos + 1].kind == Tok::ident &&
             is_punct(pos + 2, '(')) {
        const std::string method = m_t[pos + 1].text;
        std::vector<Arg> margs;
        pos = parse_args(pos + 2, margs);
        if (method == "arg" && !margs.empty()) argv.push_back(value(margs[0]));
        if (method == "args" && !margs.empty()) {
          for (auto& v : flat_values(margs[0])) argv.push_back(std::move(v));
        }
      }
      return emit_spawn(call, std::move(argv), false);
    }
    classify(call);
    // Chained method on the call's result: Path('x').unlink()
    if (after + 1 < m_t.size() && is_dot(after) && m_t[after + 1].kind == Tok::ident) {
      handle_call_chain("." + m_t[after + 1].text, name, call.args, after + 2);
    }
  }

  // `open` at the '(' token; returns the index after the matching ')'.
  size_t parse_args(size_t open, std::vector<Arg>& args) {
    int depth = 0;
    size_t start = open + 1;
    size_t i = open;
    for (; i < m_t.size(); ++i) {
      const Token& t = m_t[i];
      if (t.kind != Tok::punct) continue;
      const char c = t.text[0];
      if (c == '(' || c == '[' || c == '{') {
        ++depth;
      } else if (c == ')' || c == ']' || c == '}') {
        --depth;
        if (depth == 0) {
          push_arg(args, start, i);
          return i + 1;
        }
      } else if (c == ',' && depth == 1) {
        push_arg(args, start, i);
        start = i + 1;
      }
    }
    push_arg(args, start, m_t.size());
    return m_t.size();
  }

  size_t parse_bare_args(size_t first, std::vector<Arg>& args) {
    int depth = 0;
    size_t start = first;
    size_t i = first;
    for (; i < m_t.size(); ++i) {
      const Token& t = m_t[i];
      if (i > first && depth == 0 && t.nl_before) break;
      if (t.kind == Tok::ident && depth == 0 && i > first &&
          (t.text == "or" || t.text == "and" || t.text == "if" || t.text == "unless")) {
        break;
      }
      if (t.kind != Tok::punct) continue;
      const char c = t.text[0];
      if (c == '(' || c == '[' || c == '{') {
        ++depth;
      } else if (c == ')' || c == ']' || c == '}') {
        if (depth == 0) break;
        --depth;
      } else if (c == ';' && depth == 0) {
        break;
      } else if (c == ',' && depth == 0) {
        push_arg(args, start, i);
        start = i + 1;
      }
    }
    push_arg(args, start, i);
    return i;
  }

  void push_arg(std::vector<Arg>& args, size_t first, size_t last) {
    if (first >= last) return;
    Arg a{first, last, {}};
    if (last - first >= 2 && m_t[first].kind == Tok::ident && is_punct(first + 1, '=')) {
      a.keyword = m_t[first].text;
      a.first = first + 2;
    }
    args.push_back(a);
  }

  std::string raw(const Arg& a) const {
    if (a.first >= a.last) return {};
    const size_t b = m_t[a.first].begin;
    const size_t e = m_t[a.last - 1].end;
    return std::string(m_code.substr(b, e - b));
  }

  // End of the primary expression starting at `i`: names, `.name`, and bracket groups (calls,
  // indexes, perl's $ENV{HOME}), up to `last`.
  size_t primary_end(size_t i, size_t last) const {
    size_t j = i;
    while (j < last) {
      const Token& t = m_t[j];
      if (t.kind == Tok::ident && (j == i || is_dot(j - 1))) {
        ++j;
      } else if (is_dot(j) && j + 1 < last && m_t[j + 1].kind == Tok::ident && j > i) {
        ++j;
      } else if (j > i && t.kind == Tok::punct &&
                 (t.text == "(" || t.text == "[" || (t.text == "{" && m_lang == Lang::perl))) {
        int depth = 0;
        for (; j < last; ++j) {
          if (m_t[j].kind != Tok::punct) continue;
          const char ch = m_t[j].text[0];
          if (ch == '(' || ch == '[' || ch == '{') ++depth;
          if ((ch == ')' || ch == ']' || ch == '}') && --depth == 0) break;
        }
        if (j < last) ++j;
      } else if (t.kind == Tok::other && t.text == "?" && j > i) {
        ++j;  // Rust `env::var("HOME")?`
      } else {
        break;
      }
    }
    return j;
  }

  // The home directory however a language asks for it: os.path.expanduser('~'), Path.home(),
  // os.homedir(), Dir.home, os.UserHomeDir(), System.getProperty("user.home"), dirs::home_dir(),
  // and the HOME variable (os.environ['HOME'], getenv("HOME"), ENV['HOME'], process.env.HOME,
  // $ENV{HOME}, std::env::var("HOME")). Returns "~" (or expanduser's literal), or nullopt.
  std::optional<std::string> home_expression(size_t i, size_t j) const {
    if (j <= i || m_t[i].kind != Tok::ident) return std::nullopt;
    const std::string r = raw(Arg{i, j, {}});
    static const re2::RE2 k_home(
        R"((^|\.|:)(homedir|UserHomeDir|home_dir|homeDirectoryForCurrentUser|GetHomeDirectory)\s*\(\s*\)|(^|\.)Path\.home\s*\(\s*\)|^(pathlib\.)?Path\.home\b|^Dir\.home\b|getProperty\s*\(\s*["']user\.home["']\s*\)|SpecialFolder\.(UserProfile|Personal)|NSHomeDirectory\s*\(\s*\)|(environ|env|ENV|getenv|Getenv|GetEnvironmentVariable|\bvar|fetch|get|_SERVER|_ENV|LookupEnv)\s*(\.get)?\s*[\[\(\{]\s*["']?HOME["']?\s*[\]\)\}]|process\.env\.HOME\b|^\$ENV\{\s*["']?HOME["']?\s*\})");
    static const re2::RE2 k_expand(
        R"(expanduser\s*\(\s*["'](~[^"']*)["']\s*\)|expand_path\s*\(\s*["'](~[^"']*)["']\s*\))");
    std::string lit;
    std::string lit2;
    if (re2::RE2::PartialMatch(r, k_expand, &lit, &lit2)) return lit.empty() ? lit2 : lit;
    if (re2::RE2::PartialMatch(r, k_home)) return std::string("~");
    return std::nullopt;
  }

  // `h, _ := os.UserHomeDir()`, `String p = "/x";`, `let dir = Path::new("src");`: the value last
  // assigned to NAME before token `before`, when it is known.
  std::optional<CodeArg> binding(const std::string& name, size_t before) const {
    if (m_binding_depth > 3) return std::nullopt;
    for (size_t j = before; j-- > 0;) {
      if (m_t[j].kind != Tok::ident || m_t[j].text != name || (j > 0 && is_dot(j - 1))) continue;
      size_t k = j + 1;
      if (k + 1 < before && is_punct(k, ',') && m_t[k + 1].kind == Tok::ident) k += 2;
      if (k < before && is_punct(k, ':') && k + 1 < before && is_punct(k + 1, '=')) {
        k += 2;
      } else if (k < before && is_punct(k, '=')) {
        k += 1;
      } else {
        continue;
      }
      size_t e = k;
      int depth = 0;
      while (e < before) {
        const Token& t = m_t[e];
        if (e > k && t.nl_before && depth == 0) break;
        if (t.kind == Tok::punct) {
          const char ch = t.text[0];
          if (ch == '(' || ch == '[' || ch == '{') ++depth;
          if (ch == ')' || ch == ']' || ch == '}') {
            if (depth == 0) break;
            --depth;
          }
          if ((ch == ';' || ch == ',') && depth == 0) break;
        }
        ++e;
      }
      if (e <= k) return std::nullopt;
      ++m_binding_depth;
      CodeArg v = value(Arg{k, e, {}});
      --m_binding_depth;
      if (v.dynamic) return std::nullopt;
      return v;
    }
    return std::nullopt;
  }

  // Paths.get("a", "b"), Path.of(..), new File(..), File(..), Path::new(..), PathBuf::from(..),
  // filepath.Join(..), path.join(..), os.path.join(..), Path.Combine(..): the literal parts
  // joined by '/', or nullopt.
  std::optional<std::string> path_constructor(size_t i, size_t j) const {
    size_t open = i;
    while (open < j && !is_punct(open, '(')) ++open;
    if (open >= j || open == i) return std::nullopt;
    const std::string head = raw(Arg{i, open, {}});
    static const re2::RE2 k_ctor(
        R"((^|\.)(Paths\.get|Path\.of|File|Path\.new|PathBuf\.from|filepath\.Join|path\.Join|path\.join|Path\.Combine|Path|path\.resolve|URI)$)");
    std::string h = head;
    for (auto& ch : h) {
      if (ch == ':') ch = '.';
    }
    while (h.find("..") != std::string::npos) h.erase(h.find(".."), 1);
    if (!re2::RE2::FullMatch(h, k_ctor)) return std::nullopt;
    std::vector<Arg> args;
    const size_t end = const_cast<Scanner*>(this)->parse_args(open, args);
    if (end != j || args.empty()) return std::nullopt;
    std::string out;
    for (const auto& a : args) {
      const CodeArg v = value(a);
      if (v.dynamic) return std::nullopt;
      if (!out.empty() && out.back() != '/') out += '/';
      out += v.text;
    }
    return out;
  }

  // A string literal, or literals joined by the language's concatenation operator; home
  // expressions, path constructors and names assigned a literal count as literals.
  CodeArg value(const Arg& a) const {
    CodeArg out;
    bool expect_string = true;
    bool ok = a.first < a.last;
    for (size_t i = a.first; i < a.last && ok; ++i) {
      const Token& t = m_t[i];
      if (expect_string && t.kind == Tok::ident && t.text == "new" && i + 1 < a.last &&
          m_t[i + 1].kind == Tok::ident) {
        continue;  // new File(..): the constructor is the value
      }
      if (expect_string && t.kind == Tok::ident) {
        const size_t j = primary_end(i, a.last);
        std::optional<std::string> lit = home_expression(i, j);
        if (!lit) lit = path_constructor(i, j);
        if (!lit && j == i + 1) {
          if (auto b = binding(t.text, i)) lit = b->text;
        }
        if (!lit) {
          ok = false;
          break;
        }
        out.text += *lit;
        i = j - 1;
        expect_string = false;
        continue;
      }
      if (expect_string) {
        if (t.kind != Tok::string) {
          ok = false;
          break;
        }
        out.text += t.text;
        out.dynamic = out.dynamic || t.dynamic;
        // python implicit concatenation: "a" "b"
        expect_string = (m_lang == Lang::python || m_lang == Lang::awk) && i + 1 < a.last &&
                        m_t[i + 1].kind == Tok::string;
      } else {
        const bool concat = t.kind == Tok::punct && (t.text == "+" || t.text == ".");
        if (!concat) {
          ok = false;
          break;
        }
        expect_string = true;
      }
    }
    if (!ok || expect_string) return CodeArg{raw(a), true};
    return out;
  }

  // [ 'rm', '-rf', p ] / ( ... ) / qw(...) -> items; nullopt when not a list display.
  std::optional<std::vector<CodeArg>> list_value(const Arg& a) const {
    if (a.first >= a.last) return std::nullopt;
    if (!is_punct(a.first, '[') && !is_punct(a.first, '(')) return std::nullopt;
    std::vector<Arg> items;
    const size_t end = const_cast<Scanner*>(this)->parse_args(a.first, items);
    if (end != a.last) return std::nullopt;
    std::vector<CodeArg> out;
    for (const auto& it : items) out.push_back(value(it));
    return out;
  }

  const Arg* positional(const Call& c, size_t n) const {
    size_t k = 0;
    for (const auto& a : c.args) {
      if (!a.keyword.empty()) continue;
      if (k++ == n) return &a;
    }
    return nullptr;
  }

  bool has_keyword_true(const Call& c, std::string_view kw) const {
    for (const auto& a : c.args) {
      if (a.keyword == kw && a.first < a.last && m_t[a.first].text == "True") return true;
    }
    return false;
  }

  bool any_arg_mentions(const Call& c, size_t from, std::string_view word) const {
    size_t k = 0;
    for (const auto& a : c.args) {
      if (k++ < from) continue;
      const std::string r = raw(a);
      if (r.find(word) != std::string::npos && r.find("true") != std::string::npos) return true;
    }
    return false;
  }

  void emit_argv(const Call& c, std::vector<CodeArg> argv) {
    CodeFinding f;
    f.kind = CodeFinding::Kind::argv;
    f.argv = std::move(argv);
    f.call = c.name;
    m_out.push_back(std::move(f));
  }

  void emit_path_cmd(const Call& c, std::vector<std::string> prefix, size_t first_path,
                     bool all_args = false) {
    std::vector<CodeArg> argv;
    for (auto& p : prefix) argv.push_back(CodeArg{std::move(p), false});
    const size_t before = argv.size();
    size_t k = 0;
    for (const auto& a : c.args) {
      if (!a.keyword.empty()) continue;
      if (k++ < first_path) continue;
      argv.push_back(value(a));
      if (!all_args) break;
    }
    if (argv.size() == before) return;  // no target: nothing to say
    emit_argv(c, std::move(argv));
  }

  void emit_receiver_path(const Call& c, std::vector<std::string> prefix) {
    std::vector<CodeArg> argv;
    for (auto& p : prefix) argv.push_back(CodeArg{std::move(p), false});
    if (!c.receiver_args.empty() && c.receiver_args[0].keyword.empty()) {
      argv.push_back(value(c.receiver_args[0]));
    } else {
      argv.push_back(CodeArg{c.receiver_call + "(...)", true});
    }
    emit_argv(c, std::move(argv));
  }

  // A file the code reads: printed or sent, it is judged like `cat FILE` (secrets rules see it).
  void read_path(const Call& c, size_t n) {
    const Arg* a = positional(c, n);
    if (a == nullptr) return;
    CodeArg v = value(*a);
    if (!v.dynamic && (v.text.rfind("http://", 0) == 0 || v.text.rfind("https://", 0) == 0)) {
      return;  // file_get_contents("https://..") is a fetch, not a file
    }
    // os.path.expanduser('~/.aws/credentials'), Dir.home + '/x': keep the literal part so the
    // path still says what it reads.
    if (v.dynamic) {
      for (size_t i = a->first; i < a->last; ++i) {
        if (m_t[i].kind == Tok::string && m_t[i].text.find('/') != std::string::npos) {
          std::string lit = m_t[i].text;
          const bool home = raw(*a).find("expanduser") != std::string::npos ||
                            raw(*a).find("homedir") != std::string::npos ||
                            raw(*a).find("HOME") != std::string::npos ||
                            raw(*a).find("Dir.home") != std::string::npos ||
                            raw(*a).find("expand_path") != std::string::npos;
          if (home && lit[0] != '~') lit = "~" + std::string(lit[0] == '/' ? "" : "/") + lit;
          v = CodeArg{lit, false};
          break;
        }
      }
    }
    m_reads.push_back(v);
  }

  void emit_mode_cmd(const Call& c, const std::string& verb) {
    const Arg* p = positional(c, 0);
    const Arg* m = positional(c, 1);
    if (p == nullptr || m == nullptr) return;
    std::string mode = raw(*m);
    if (mode.rfind("0o", 0) == 0) mode = mode.substr(2);
    std::vector<CodeArg> argv{CodeArg{verb, false}, CodeArg{mode, false}};
    CodeArg path = value(*p);
    if (path.dynamic) {
      for (size_t i = p->first; i < p->last; ++i) {
        if (m_t[i].kind == Tok::string) {
          const std::string r = raw(*p);
          const bool home = r.find("expanduser") != std::string::npos;
          path = CodeArg{home && m_t[i].text[0] == '~' ? m_t[i].text : m_t[i].text, false};
          break;
        }
      }
    }
    argv.push_back(path);
    emit_argv(c, std::move(argv));
  }

  void emit_shell(const Call& c, const Arg& a) {
    CodeFinding f;
    f.kind = CodeFinding::Kind::shell_text;
    f.text = value(a);
    f.call = c.name;
    m_out.push_back(std::move(f));
  }

  // exec-style: one string -> shell text; a list or several args -> argv.
  void emit_exec(const Call& c, size_t first, bool string_is_shell) {
    const Arg* a0 = positional(c, first);
    if (a0 == nullptr) return;
    if (auto list = list_value(*a0)) {
      // sh -c TEXT given as a list
      if (list->size() >= 3 && !(*list)[0].dynamic && !(*list)[1].dynamic &&
          is_shell_name((*list)[0].text) && (*list)[1].text == "-c") {
        CodeFinding f;
        f.kind = CodeFinding::Kind::shell_text;
        f.text = (*list)[2];
        f.call = c.name;
        m_out.push_back(std::move(f));
        return;
      }
      emit_argv(c, std::move(*list));
      return;
    }
    const Arg* a1 = positional(c, first + 1);
    if (a1 != nullptr) {
      std::vector<CodeArg> argv{value(*a0)};
      if (auto rest = list_value(*a1)) {  // spawn('sh', ['-c', S]) / execFile(cmd, [args])
        if (!argv[0].dynamic && is_shell_name(argv[0].text) && rest->size() >= 2 &&
            (*rest)[0].text == "-c") {
          CodeFinding f;
          f.kind = CodeFinding::Kind::shell_text;
          f.text = (*rest)[1];
          f.call = c.name;
          m_out.push_back(std::move(f));
          return;
        }
        for (auto& r : *rest) argv.push_back(std::move(r));
      } else if (m_lang == Lang::perl || m_lang == Lang::ruby) {
        for (size_t k = first + 1;; ++k) {
          const Arg* ak = positional(c, k);
          if (ak == nullptr) break;
          argv.push_back(value(*ak));
        }
      }
      if (argv.size() > 1 || !string_is_shell) {
        emit_argv(c, std::move(argv));
        return;
      }
    }
    const CodeArg v = value(*a0);
    if (!string_is_shell && !v.dynamic && v.text.find(' ') == std::string::npos) {
      emit_argv(c, {v});
      return;
    }
    emit_shell(c, *a0);
  }

  static bool is_shell_name(std::string_view s) {
    const auto slash = s.rfind('/');
    if (slash != std::string_view::npos) s = s.substr(slash + 1);
    return s == "sh" || s == "bash" || s == "zsh" || s == "dash" || s == "ksh";
  }

  void emit_sql(const Call& c) {
    for (const auto& a : c.args) {
      const CodeArg v = value(a);
      if (v.dynamic) continue;
      if (!starts_with_sql(v.text)) continue;
      CodeFinding f;
      f.kind = CodeFinding::Kind::sql;
      f.text = v;
      f.call = c.name;
      m_out.push_back(std::move(f));
    }
  }

  static bool starts_with_sql(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i])) != 0) ++i;
    std::string word;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i])) != 0) {
      word += static_cast<char>(std::toupper(static_cast<unsigned char>(s[i])));
      ++i;
    }
    static const char* const k_words[] = {"SELECT",   "INSERT", "UPDATE", "DELETE", "DROP",
                                          "TRUNCATE", "ALTER",  "CREATE", "GRANT",  "REVOKE",
                                          "REPLACE",  "MERGE",  "WITH"};
    return std::any_of(std::begin(k_words), std::end(k_words),
                       [&](const char* w) { return word == w; });
  }

  static std::string last_part(const std::string& name) {
    const auto d = name.rfind('.');
    return d == std::string::npos ? name : name.substr(d + 1);
  }
  static std::string qualifier(const std::string& name) {
    const auto d = name.rfind('.');
    return d == std::string::npos ? std::string() : name.substr(0, d);
  }

  void classify(const Call& c) {
    const std::string last = last_part(c.name);
    const std::string qual = qualifier(c.name);
    const bool on_expr = !c.name.empty() && c.name[0] == '.';
    const bool receiver_is_path =
        on_expr && (c.receiver_call == "Path" || c.receiver_call == "pathlib.Path" ||
                    c.receiver_call == "PosixPath");
    static const char* const k_sql_calls[] = {"execute", "executemany",  "executescript", "query",
                                              "exec",    "do",           "prepare",       "sql",
                                              "raw",     "mysqli_query", "pg_query",      "run"};
    const bool sql_call =
        (!qual.empty() || on_expr || last == "mysqli_query" || last == "pg_query") &&
        std::any_of(std::begin(k_sql_calls), std::end(k_sql_calls),
                    [&](const char* w) { return last == w; });

    switch (m_lang) {
      case Lang::python:
        if (receiver_is_path) {
          if (last == "unlink") return emit_receiver_path(c, {"rm"});
          if (last == "rmdir") return emit_receiver_path(c, {"rmdir"});
          if (last == "write_text" || last == "write_bytes" || last == "touch") {
            return emit_receiver_path(c, {"tee"});
          }
          return;
        }
        if (last == "rmtree") return emit_path_cmd(c, {"rm", "-rf"}, 0);
        if ((qual == "os" || qual == "posix") && (last == "remove" || last == "unlink")) {
          return emit_path_cmd(c, {"rm"}, 0);
        }
        if ((qual == "os" || qual == "posix") && (last == "rmdir" || last == "removedirs")) {
          return emit_path_cmd(c, {"rmdir"}, 0);
        }
        if ((qual == "os" || qual == "posix") && (last == "system" || last == "popen")) {
          if (const Arg* a = positional(c, 0)) emit_shell(c, *a);
          return;
        }
        if (on_expr && last == "system") {  // __import__('os').system(...)
          if (const Arg* a = positional(c, 0)) emit_shell(c, *a);
          return;
        }
        if (last == "getoutput" || last == "getstatusoutput") {
          if (const Arg* a = positional(c, 0)) emit_shell(c, *a);
          return;
        }
        if (last == "Popen" || last == "check_output" || last == "check_call" ||
            ((last == "run" || last == "call") && (qual == "subprocess" || qual == "sp"))) {
          const Arg* a0 = positional(c, 0);
          if (a0 == nullptr) return;
          if (list_value(*a0)) return emit_exec(c, 0, false);
          if (has_keyword_true(c, "shell")) return emit_shell(c, *a0);
          return emit_exec(c, 0, false);
        }
        if (qual == "os" && last.rfind("exec", 0) == 0) return emit_exec(c, 1, false);
        if (c.name == "open" || c.name == "io.open") {
          const Arg* mode = positional(c, 1);
          const CodeArg m = mode != nullptr ? value(*mode) : CodeArg{"r", false};
          if (m.dynamic || m.text.find_first_of("wax+") != std::string::npos) {
            emit_path_cmd(c, {"tee"}, 0);
          } else {
            read_path(c, 0);
          }
          return;
        }
        if ((qual == "os" || qual == "posix") && (last == "chmod" || last == "chown")) {
          return emit_mode_cmd(c, last);
        }
        if (sql_call) return emit_sql(c);
        return;
      case Lang::node: {
        const bool fs_like = qual.empty() || qual.find("fs") != std::string::npos ||
                             qual.find("promises") != std::string::npos || qual == "Deno";
        const bool recursive = any_arg_mentions(c, 1, "recursive");
        if (fs_like && (last == "rmSync" || last == "rm" || last == "remove")) {
          if (qual.empty() && last != "rmSync") return;
          return emit_path_cmd(c,
                               recursive || last == "remove" ? std::vector<std::string>{"rm", "-rf"}
                                                             : std::vector<std::string>{"rm"},
                               0);
        }
        if (fs_like && !qual.empty() && (last == "rmdirSync" || last == "rmdir")) {
          return emit_path_cmd(
              c,
              recursive ? std::vector<std::string>{"rm", "-rf"} : std::vector<std::string>{"rmdir"},
              0);
        }
        if (c.name == "rimraf" || c.name == "rimrafSync" || qual == "rimraf" ||
            last == "removeSync" || last == "emptyDirSync") {
          return emit_path_cmd(c, {"rm", "-rf"}, 0);
        }
        if (fs_like && !qual.empty() && (last == "unlinkSync" || last == "unlink")) {
          return emit_path_cmd(c, {"rm"}, 0);
        }
        if (fs_like && (!qual.empty() || on_expr) &&
            (last == "readFileSync" || last == "readFile")) {
          return read_path(c, 0);
        }
        if (fs_like && (!qual.empty() || on_expr) &&
            (last == "writeFileSync" || last == "writeFile" || last == "appendFileSync" ||
             last == "createWriteStream")) {
          return emit_path_cmd(c, {"tee"}, 0);
        }
        const bool cp_like = qual.empty() || qual.find("child_process") != std::string::npos ||
                             qual == "cp" || qual == "childProcess";
        if (cp_like && (last == "exec" || last == "execSync")) {
          if (const Arg* a = positional(c, 0)) emit_shell(c, *a);
          return;
        }
        if (cp_like && (last == "spawn" || last == "spawnSync" || last == "execFile" ||
                        last == "execFileSync")) {
          return emit_exec(c, 0, false);
        }
        if (sql_call) return emit_sql(c);
        return;
      }
      case Lang::perl:
        if (c.name == "system" || c.name == "exec") return emit_exec(c, 0, true);
        if (c.name == "unlink") return emit_path_cmd(c, {"rm"}, 0, true);
        if (last == "rmtree" || last == "remove_tree") {
          return emit_path_cmd(c, {"rm", "-rf"}, 0, true);
        }
        if (c.name == "rmdir") return emit_path_cmd(c, {"rmdir"}, 0, true);
        if (sql_call) return emit_sql(c);
        return;
      case Lang::ruby:
        if (c.name == "system" || c.name == "exec" || c.name == "spawn" ||
            c.name == "Kernel.system" || c.name == "Kernel.exec" || c.name == "Kernel.spawn" ||
            c.name == "IO.popen" || qual == "Open3") {
          return emit_exec(c, 0, true);
        }
        if (qual == "FileUtils") {
          if (last == "rm_rf" || last == "rm_r" || last == "rmtree" || last == "remove_dir" ||
              last == "remove_entry" || last == "remove_entry_secure" || last == "remove_tree") {
            return emit_path_cmd(c, {"rm", "-rf"}, 0);
          }
          if (last == "rm" || last == "rm_f" || last == "remove" || last == "remove_file") {
            return emit_path_cmd(c, {"rm", "-f"}, 0);
          }
          if (last == "rmdir") return emit_path_cmd(c, {"rmdir"}, 0);
          return;
        }
        if ((qual == "File" || qual == "Pathname") && (last == "delete" || last == "unlink")) {
          return emit_path_cmd(c, {"rm"}, 0, true);
        }
        if (qual == "Dir" && (last == "rmdir" || last == "delete" || last == "unlink")) {
          return emit_path_cmd(c, {"rmdir"}, 0);
        }
        if (qual == "File" && last == "write") return emit_path_cmd(c, {"tee"}, 0);
        if ((qual == "File" || qual == "IO") &&
            (last == "read" || last == "readlines" || last == "binread" || last == "foreach")) {
          return read_path(c, 0);
        }
        if (sql_call) return emit_sql(c);
        return;
      case Lang::awk:
        if (c.name == "system") {
          if (const Arg* a = positional(c, 0)) emit_shell(c, *a);
        }
        return;
      case Lang::lua:
        if (c.name == "os.execute" || c.name == "io.popen") {
          if (const Arg* a = positional(c, 0)) emit_shell(c, *a);
          return;
        }
        if (c.name == "os.remove") return emit_path_cmd(c, {"rm"}, 0);
        if (c.name == "io.open") {
          const Arg* mode = positional(c, 1);
          if (mode == nullptr) return;
          const CodeArg m = value(*mode);
          if (m.dynamic || m.text.find_first_of("wa+") != std::string::npos) {
            emit_path_cmd(c, {"tee"}, 0);
          }
          return;
        }
        if (sql_call) return emit_sql(c);
        return;
      case Lang::php:
        if (c.name == "system" || c.name == "exec" || c.name == "shell_exec" ||
            c.name == "passthru" || c.name == "popen" || c.name == "proc_open") {
          if (const Arg* a = positional(c, 0)) emit_shell(c, *a);
          return;
        }
        if (c.name == "unlink") return emit_path_cmd(c, {"rm"}, 0);
        if (c.name == "rmdir") return emit_path_cmd(c, {"rmdir"}, 0);
        if (c.name == "file_put_contents") return emit_path_cmd(c, {"tee"}, 0);
        if (c.name == "file_get_contents" || c.name == "readfile" || c.name == "file") {
          return read_path(c, 0);
        }
        if (sql_call) return emit_sql(c);
        return;
      case Lang::clike:
        return classify_clike(c, last, qual, on_expr);
    }
  }

  // Go, Java/Kotlin/Groovy/Scala, Rust, C/C++, C#, Swift: the calls that spawn a program, delete,
  // write or read a file. Arguments go through value(), which knows home-directory expressions and
  // variables assigned a literal, and path constructors (Paths.get, new File, Path::new, ...).
  void classify_clike(const Call& c, const std::string& last, const std::string& qual,
                      bool on_expr) {
    const std::string& rc = c.receiver_call;
    // java.nio.file.Files.delete is Files.delete; std::fs::write is fs.write.
    const std::string q1 = last_part(qual);
    // Spawning: exec.Command("sh", "-c", S), new ProcessBuilder("rm", "-rf", p),
    // Runtime.getRuntime().exec(S | new String[]{..}), Process.Start(file, args), system(S).
    if ((q1 == "exec" && (last == "Command" || last == "CommandContext")) ||
        last == "ProcessBuilder" ||
        (on_expr && last == "exec" && rc.find("getRuntime") != std::string::npos) ||
        (q1 == "Process" && last == "Start") || last == "ProcessStartInfo") {
      std::vector<CodeArg> argv;
      size_t k = 0;
      for (const auto& a : c.args) {
        if (!a.keyword.empty()) continue;
        if (k++ == 0 && last == "CommandContext") continue;  // the context
        for (auto& v : flat_values(a)) argv.push_back(std::move(v));
      }
      return emit_spawn(c, std::move(argv), last == "exec" || last == "Start");
    }
    if ((qual.empty() || qual == "std" || qual == "libc") &&
        (last == "system" || last == "popen" || last == "_popen" || last == "_wsystem")) {
      if (const Arg* a = positional(c, 0)) emit_shell(c, *a);
      return;
    }
    // Deletes.
    if (last == "RemoveAll" || last == "remove_dir_all" || last == "remove_all" ||
        last == "deleteDirectory" || last == "forceDelete" || last == "deleteRecursively" ||
        last == "cleanDirectory" || (q1 == "Directory" && last == "Delete")) {
      if (last == "deleteRecursively" && on_expr) return emit_receiver_value(c, {"rm", "-rf"});
      return emit_path_cmd(c, {"rm", "-rf"}, 0);
    }
    if ((q1 == "os" && last == "Remove") || last == "remove_file" ||
        (q1 == "Files" && (last == "delete" || last == "deleteIfExists")) ||
        (q1 == "File" && last == "Delete") ||
        ((qual.empty() || qual == "std") && (last == "remove" || last == "unlink"))) {
      return emit_path_cmd(c, {"rm", "-f"}, 0);
    }
    if (on_expr && last == "delete" && (last_part(rc) == "File")) {
      return emit_receiver_value(c, {"rm", "-f"});
    }
    if (last == "remove_dir" || (qual.empty() && last == "rmdir")) {
      return emit_path_cmd(c, {"rmdir"}, 0);
    }
    // Writes: os.WriteFile, ioutil.WriteFile, os.Create, std::fs::write, Files.write(String),
    // File(p).writeText/appendText, File.WriteAllText/AppendAllText, fopen(p, "w").
    if (last == "WriteFile" || (q1 == "os" && (last == "Create" || last == "OpenFile")) ||
        (q1 == "fs" && last == "write") ||
        (q1 == "Files" && (last == "write" || last == "writeString")) || last == "WriteAllText" ||
        last == "AppendAllText" || last == "WriteAllBytes") {
      return emit_path_cmd(c, {"tee"}, 0);
    }
    if (on_expr && (last == "writeText" || last == "appendText" || last == "writeBytes") &&
        last_part(rc) == "File") {
      return emit_receiver_value(c, {"tee"});
    }
    if (last == "fopen" || (qual == "std" && last == "ofstream") || last == "ofstream") {
      const Arg* mode = positional(c, 1);
      const CodeArg m = mode != nullptr ? value(*mode) : CodeArg{"w", false};
      if (last != "fopen" || m.dynamic || m.text.find_first_of("wa+") != std::string::npos) {
        return emit_path_cmd(c, {"tee"}, 0);
      }
      return read_path(c, 0);
    }
    // Reads.
    if (last == "ReadFile" || last == "read_to_string" || (q1 == "fs" && last == "read") ||
        (q1 == "Files" &&
         (last == "readString" || last == "readAllBytes" || last == "readAllLines")) ||
        last == "ReadAllText" || last == "ReadAllBytes") {
      return read_path(c, 0);
    }
  }

  // Every literal of an argument, in order: "sh", "-c", S from new String[]{"sh","-c",S},
  // List.of(..), listOf(..), vec![..], &[..]; a name that is not a known wrapper is a value
  // computed at run time (resolved when it was assigned a literal).
  std::vector<CodeArg> flat_values(const Arg& a) const {
    static constexpr std::string_view k_wrappers[] = {
        "new",     "String",    "List",  "of",     "Arrays",        "asList",      "listOf",
        "arrayOf", "vec",       "Array", "string", "mutableListOf", "Collections", "singletonList",
        "str",     "to_string", "into",  "as_str", "toString"};
    std::vector<CodeArg> out;
    if (a.last == a.first + 1 || m_t[a.first].kind != Tok::punct) {
      // A single value (a string, a concatenation, a variable, a home expression).
      bool compound = false;
      for (size_t i = a.first; i < a.last; ++i) {
        if (m_t[i].kind == Tok::punct && (m_t[i].text == "{" || m_t[i].text == "["))
          compound = true;
      }
      if (!compound && !(m_t[a.first].kind == Tok::ident &&
                         std::find(std::begin(k_wrappers), std::end(k_wrappers),
                                   m_t[a.first].text) != std::end(k_wrappers))) {
        out.push_back(value(a));
        return out;
      }
    }
    for (size_t i = a.first; i < a.last; ++i) {
      const Token& t = m_t[i];
      if (t.kind == Tok::string) {
        out.push_back(CodeArg{t.text, t.dynamic});
      } else if (t.kind == Tok::ident &&
                 std::find(std::begin(k_wrappers), std::end(k_wrappers), t.text) ==
                     std::end(k_wrappers) &&
                 !(i + 1 < a.last && is_dot(i + 1)) && !(i > a.first && is_dot(i - 1))) {
        out.push_back(value(Arg{i, i + 1, {}}));
      }
    }
    return out;
  }

  // argv of a spawn: `sh -c TEXT` is shell text; one string given to exec()/Start() is a command
  // line; otherwise the argv itself.
  void emit_spawn(const Call& c, std::vector<CodeArg> argv, bool single_string_is_line) {
    if (argv.empty()) return;
    const bool sh_c =
        argv.size() >= 3 && !argv[0].dynamic && is_shell_name(argv[0].text) && argv[1].text == "-c";
    if (sh_c || (argv.size() == 1 && single_string_is_line)) {
      CodeFinding f;
      f.kind = CodeFinding::Kind::shell_text;
      f.text = argv[sh_c ? 2 : 0];
      f.call = c.name;
      m_out.push_back(std::move(f));
      return;
    }
    emit_argv(c, std::move(argv));
  }

  // File(p).delete(), File(p).writeText(..): the path is the receiver call's argument.
  void emit_receiver_value(const Call& c, std::vector<std::string> prefix) {
    std::vector<CodeArg> argv;
    for (auto& p : prefix) argv.push_back(CodeArg{std::move(p), false});
    if (!c.receiver_args.empty()) {
      argv.push_back(value(c.receiver_args[0]));
    } else {
      argv.push_back(CodeArg{c.receiver_call + "(...)", true});
    }
    emit_argv(c, std::move(argv));
  }

  Lang m_lang;
  std::string_view m_code;
  std::vector<Token> m_t;
  std::vector<CodeFinding> m_out;
  std::vector<CodeArg> m_reads;  // files the code reads (open(), readFileSync, File.read, ...)
  mutable int m_binding_depth = 0;
};

std::optional<Lang> language_of(std::string_view name) {
  if (name == "python") return Lang::python;
  if (name == "node" || name == "deno" || name == "bun") return Lang::node;
  if (name == "perl") return Lang::perl;
  if (name == "ruby") return Lang::ruby;
  if (name == "php") return Lang::php;
  if (name == "awk") return Lang::awk;
  if (name == "lua") return Lang::lua;
  if (name == "go" || name == "java" || name == "kotlin" || name == "groovy" || name == "scala" ||
      name == "rust" || name == "c" || name == "csharp" || name == "swift" || name == "clike")
    return Lang::clike;
  return std::nullopt;
}

}  // namespace

std::vector<CodeFinding> scan_inline_code(std::string_view language, std::string_view code) {
  if (language == "sed") return scan_sed_script(code);
  if (language == "tcl") return scan_tcl(code);
  const auto lang = language_of(language);
  if (!lang) return {};
  Tokenizer tz(*lang, code);
  Scanner sc(*lang, code, tz.run());
  return sc.run();
}

std::vector<std::string> split_sql(std::string_view sql) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;
  auto flush = [&] {
    size_t b = 0;
    size_t e = cur.size();
    while (b < e && std::isspace(static_cast<unsigned char>(cur[b])) != 0) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(cur[e - 1])) != 0) --e;
    if (e > b) out.push_back(cur.substr(b, e - b));
    cur.clear();
  };
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      cur += c;
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"' || c == '`') {
      quote = c;
      cur += c;
      continue;
    }
    if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n') ++i;
      cur += '\n';
      continue;
    }
    if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const auto e = sql.find("*/", i + 2);
      i = e == std::string_view::npos ? sql.size() : e + 1;
      cur += ' ';
      continue;
    }
    if (c == ';') {
      flush();
      continue;
    }
    cur += c;
  }
  flush();
  return out;
}

}  // namespace blastwall::shell::detail
