// Small script languages that can run commands: sed (`e`, `s///e`, `w`) and Tcl (`exec`,
// `file delete`, `open "|cmd"`). Not parsers for those languages: scanners that find the few
// constructs that run a shell or delete, and report anything not literal as dynamic.
#include <cctype>
#include <string>

#include "rules/shell/unwrap_internal.hpp"

namespace blastwall::shell::detail {

namespace {

constexpr size_t k_max_findings = 256;
constexpr int k_max_tcl_depth = 16;

bool blank(char c) { return c == ' ' || c == '\t'; }

// ---- sed ------------------------------------------------------------------------------------

class SedScanner {
 public:
  explicit SedScanner(std::string_view s) : m_s(s) {}

  std::vector<CodeFinding> run() {
    while (m_p < m_s.size() && m_out.size() < k_max_findings) {
      const char c = m_s[m_p];
      if (blank(c) || c == '\n' || c == ';' || c == '{' || c == '}' || c == '!') {
        ++m_p;
        continue;
      }
      if (c == '#') {
        to_eol();
        continue;
      }
      if (skip_address()) continue;
      command();
    }
    return std::move(m_out);
  }

 private:
  void to_eol() {
    while (m_p < m_s.size() && m_s[m_p] != '\n') ++m_p;
  }

  std::string rest_of_line() {
    while (m_p < m_s.size() && blank(m_s[m_p])) ++m_p;
    const size_t b = m_p;
    to_eol();
    return std::string(m_s.substr(b, m_p - b));
  }

  // Reads up to an unescaped `delim` (consumed). Returns the text between.
  std::string delimited(char delim) {
    std::string out;
    while (m_p < m_s.size() && m_s[m_p] != delim) {
      if (m_s[m_p] == '\\' && m_p + 1 < m_s.size()) {
        if (m_s[m_p + 1] != delim) out += '\\';
        out += m_s[m_p + 1];
        m_p += 2;
        continue;
      }
      out += m_s[m_p++];
    }
    if (m_p < m_s.size()) ++m_p;
    return out;
  }

  // One address: N, $, /re/, \cREc, first~step, +N; then an optional `,` second address.
  bool skip_address() {
    const size_t start = m_p;
    for (int part = 0; part < 2; ++part) {
      if (m_p >= m_s.size()) break;
      const char c = m_s[m_p];
      if (std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '~') {
        ++m_p;
        while (m_p < m_s.size() &&
               (std::isdigit(static_cast<unsigned char>(m_s[m_p])) != 0 || m_s[m_p] == '~')) {
          ++m_p;
        }
      } else if (c == '$') {
        ++m_p;
      } else if (c == '/') {
        ++m_p;
        delimited('/');
        while (m_p < m_s.size() && (m_s[m_p] == 'I' || m_s[m_p] == 'M')) ++m_p;
      } else if (c == '\\' && m_p + 1 < m_s.size()) {
        const char d = m_s[m_p + 1];
        m_p += 2;
        delimited(d);
      } else {
        break;
      }
      while (m_p < m_s.size() && blank(m_s[m_p])) ++m_p;
      if (part == 0 && m_p < m_s.size() && m_s[m_p] == ',') {
        ++m_p;
        while (m_p < m_s.size() && blank(m_s[m_p])) ++m_p;
        continue;
      }
      break;
    }
    return m_p != start;
  }

  void shell(CodeArg text, std::string call) {
    CodeFinding f;
    f.kind = CodeFinding::Kind::shell_text;
    f.text = std::move(text);
    f.call = std::move(call);
    m_out.push_back(std::move(f));
  }

  void write(std::string file, std::string call) {
    if (file.empty() || file == "/dev/stdout" || file == "/dev/stderr") return;
    CodeFinding f;
    f.kind = CodeFinding::Kind::argv;
    f.argv = {CodeArg{"tee", false}, CodeArg{std::move(file), false}};
    f.call = std::move(call);
    m_out.push_back(std::move(f));
  }

  void command() {
    const char c = m_s[m_p++];
    switch (c) {
      case 'e': {
        const std::string cmd = rest_of_line();
        if (cmd.empty()) {
          shell(CodeArg{"(the pattern space)", true}, "sed e");
        } else {
          shell(CodeArg{cmd, false}, "sed e");
        }
        return;
      }
      case 's':
        return substitute();
      case 'y':
        if (m_p < m_s.size()) {
          const char d = m_s[m_p++];
          delimited(d);
          delimited(d);
        }
        return;
      case 'a':
      case 'i':
      case 'c':
        // Text to the end of the line; `a\` continues on the next line(s).
        while (m_p < m_s.size()) {
          to_eol();
          if (m_p > 0 && m_s[m_p - 1] == '\\' && m_p < m_s.size()) {
            ++m_p;
            continue;
          }
          break;
        }
        return;
      case 'w':
      case 'W':
        write(rest_of_line(), std::string("sed ") + c);
        return;
      case 'r':
      case 'R':
        rest_of_line();
        return;
      case 'b':
      case 't':
      case 'T':
      case ':':
        while (m_p < m_s.size() && m_s[m_p] != ';' && m_s[m_p] != '\n') ++m_p;
        return;
      default:
        return;  // single-letter commands (d, p, q, n, ...) and anything unknown
    }
  }

  void substitute() {
    if (m_p >= m_s.size()) return;
    const char d = m_s[m_p++];
    if (d == '\n' || d == '\\') return;
    delimited(d);
    const std::string replacement = delimited(d);
    bool exec = false;
    while (m_p < m_s.size()) {
      const char f = m_s[m_p];
      if (f == 'e') {
        exec = true;
        ++m_p;
      } else if (f == 'w') {
        ++m_p;
        write(rest_of_line(), "sed s///w");
        break;
      } else if (std::isalnum(static_cast<unsigned char>(f)) != 0) {
        ++m_p;
      } else {
        break;
      }
    }
    if (!exec) return;
    // The pattern space after the substitution runs: it is the replacement only when the whole
    // line was replaced, which sed cannot tell us. Run the replacement (a literal command is the
    // usual shape) and say the rest is not known.
    if (replacement.find_first_of("\\&") == std::string::npos && !replacement.empty()) {
      shell(CodeArg{replacement, false}, "sed s///e");
    }
    shell(CodeArg{"(the pattern space after s///e)", true}, "sed s///e");
  }

  std::string_view m_s;
  size_t m_p = 0;
  std::vector<CodeFinding> m_out;
};

// ---- Tcl ------------------------------------------------------------------------------------

struct TclWord {
  std::string text;
  bool braced = false;   // {literal}
  bool dynamic = false;  // $var or [cmd] substitution
};

class TclScanner {
 public:
  TclScanner(std::string_view s, int depth, std::vector<CodeFinding>& out)
      : m_s(s), m_depth(depth), m_out(out) {}

  void run() {
    while (m_p < m_s.size() && m_out.size() < k_max_findings) {
      std::vector<TclWord> words = command_words();
      if (!words.empty()) handle(words);
    }
  }

 private:
  std::vector<TclWord> command_words() {
    std::vector<TclWord> words;
    while (m_p < m_s.size()) {
      const char c = m_s[m_p];
      if (blank(c) || c == '\r') {
        ++m_p;
        continue;
      }
      if (c == '\\' && m_p + 1 < m_s.size() && m_s[m_p + 1] == '\n') {
        m_p += 2;
        continue;
      }
      if (c == '\n' || c == ';') {
        ++m_p;
        if (!words.empty()) return words;
        continue;
      }
      if (c == '#' && words.empty()) {
        while (m_p < m_s.size() && m_s[m_p] != '\n') ++m_p;
        continue;
      }
      words.push_back(word());
    }
    return words;
  }

  TclWord word() {
    TclWord w;
    const char c = m_s[m_p];
    if (c == '{') {
      w.braced = true;
      int depth = 0;
      ++m_p;
      while (m_p < m_s.size()) {
        const char ch = m_s[m_p];
        if (ch == '\\' && m_p + 1 < m_s.size()) {
          w.text += ch;
          w.text += m_s[m_p + 1];
          m_p += 2;
          continue;
        }
        if (ch == '{') ++depth;
        if (ch == '}' && depth-- == 0) {
          ++m_p;
          break;
        }
        w.text += ch;
        ++m_p;
      }
      return w;
    }
    const bool quoted = c == '"';
    if (quoted) ++m_p;
    int bracket = 0;
    while (m_p < m_s.size()) {
      const char ch = m_s[m_p];
      if (bracket == 0) {
        if (quoted && ch == '"') {
          ++m_p;
          break;
        }
        if (!quoted && (blank(ch) || ch == '\n' || ch == ';' || ch == '\r')) break;
      }
      if (ch == '\\' && m_p + 1 < m_s.size()) {
        w.text += m_s[m_p + 1];
        m_p += 2;
        continue;
      }
      if (ch == '$') w.dynamic = true;
      if (ch == '[') {
        w.dynamic = true;
        ++bracket;
      }
      if (ch == ']' && bracket > 0) --bracket;
      w.text += ch;
      ++m_p;
    }
    return w;
  }

  // Words of a Tcl exec pipeline as shell text: plain words as written (so `~`, `|`, `>` and `&`
  // keep their meaning), words with blanks or quotes single-quoted.
  static CodeArg shell_text(const std::vector<TclWord>& words, size_t from) {
    CodeArg out;
    for (size_t i = from; i < words.size(); ++i) {
      const TclWord& w = words[i];
      out.dynamic = out.dynamic || w.dynamic;
      if (!out.text.empty()) out.text += ' ';
      if (w.text.find_first_of(" \t\n'\"\\$`;") == std::string::npos && !w.text.empty()) {
        out.text += w.text;
        continue;
      }
      out.text += '\'';
      for (char ch : w.text) out.text += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
      out.text += '\'';
    }
    return out;
  }

  void handle(const std::vector<TclWord>& words) {
    const std::string& name = words[0].text;
    if (name == "exec" && !words[0].dynamic) {
      size_t i = 1;
      while (i < words.size() && !words[i].text.empty() && words[i].text[0] == '-') {
        const bool end = words[i].text == "--";
        ++i;
        if (end) break;
      }
      if (i < words.size()) {
        CodeFinding f;
        f.kind = CodeFinding::Kind::shell_text;
        f.text = shell_text(words, i);
        f.call = "exec";
        m_out.push_back(std::move(f));
      }
    } else if (name == "file" && words.size() > 2 && words[1].text == "delete") {
      CodeFinding f;
      f.kind = CodeFinding::Kind::argv;
      f.argv.push_back(CodeArg{"rm", false});
      size_t i = 2;
      for (; i < words.size() && (words[i].text == "-force" || words[i].text == "--"); ++i) {
        if (words[i].text == "-force") f.argv.push_back(CodeArg{"-rf", false});
      }
      for (; i < words.size(); ++i) f.argv.push_back(CodeArg{words[i].text, words[i].dynamic});
      f.call = "file delete";
      m_out.push_back(std::move(f));
    } else if (name == "open" && words.size() > 1 && !words[1].text.empty() &&
               words[1].text[0] == '|') {
      CodeFinding f;
      f.kind = CodeFinding::Kind::shell_text;
      f.text = CodeArg{words[1].text.substr(1), words[1].dynamic};
      f.call = "open |";
      m_out.push_back(std::move(f));
    }
    // Bodies (proc, if, foreach, catch, eval {..}) are scripts too.
    if (m_depth >= k_max_tcl_depth) return;
    for (size_t i = 1; i < words.size(); ++i) {
      if (words[i].braced || words[i].text.find('\n') != std::string::npos) {
        TclScanner inner(words[i].text, m_depth + 1, m_out);
        inner.run();
      }
    }
  }

  std::string_view m_s;
  size_t m_p = 0;
  int m_depth = 0;
  std::vector<CodeFinding>& m_out;
};

}  // namespace

std::vector<CodeFinding> scan_sed_script(std::string_view script) {
  SedScanner s(script);
  return s.run();
}

std::vector<CodeFinding> scan_tcl(std::string_view code) {
  std::vector<CodeFinding> out;
  TclScanner s(code, 0, out);
  s.run();
  return out;
}

}  // namespace blastwall::shell::detail
