// Stage 2 of the shell parse: turn raw simple commands into the commands that would really run.
// Wrappers (sudo, env, nice, xargs, ...) are peeled off and recorded; text handed to a shell
// (bash -c, eval, ssh, watch, here-docs, `echo .. | sh`, one level of base64/hex) is parsed again
// one level deeper; interpreter one-liners become synthetic commands; SQL becomes snippets.
// Text that is only data (echo args, grep patterns, commit messages) is never parsed.
//
// Choices (stage 2):
// - A wrapper is replaced by the command it runs; its label goes to `wrappers` ("sudo", "env",
//   "bash -c", "ssh HOST", "docker exec CONTAINER", "kubectl exec POD", "xargs", "find", ...).
//   A wrapper with no command left (`sudo -i`, `env`, `ssh host`) is kept as itself.
// - `find ... -exec CMD` keeps the find AND emits CMD (dynamic_args, origin "find -exec").
// - An interpreter with inline code keeps the interpreter command, adds a Snippet with its code,
//   and emits synthetic commands after it: [rm,-rf,P], [rm,P], [rmdir,P], [tee,P] for a write,
//   or the parse of a shell string. A non-literal P is a dynamic Word.
// - DB clients are kept; their SQL becomes one Snippet per statement pointing at them.
// - Nested commands carry the span of the command whose text they came from.
// - Known text piped into a shell/interpreter/DB client is used (echo/printf literal, or ONE
//   base64/hex/rev decoding of one); a decoder over unknown input makes the consumer a dynamic
//   verb; a payload that does not decode to text fails the parse closed.
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <utility>

#include "rules/shell/shell.hpp"
#include "rules/shell/unwrap_internal.hpp"

namespace blastwall::shell {

namespace {

constexpr int k_max_unwrap_steps = 64;  // wrappers peeled from one command

std::string base_name(std::string_view s) {
  while (!s.empty() && s.front() == '\\') s.remove_prefix(1);
  while (s.size() > 1 && s.back() == '/') s.remove_suffix(1);
  const auto slash = s.rfind('/');
  if (slash != std::string_view::npos) s = s.substr(slash + 1);
  return std::string(s);
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool is_shell_name(std::string_view n) {
  if (n.size() < 2 || n.size() > 5) return false;  // the names below are 2 to 5 bytes
  return one_of(n, {"bash", "sh", "zsh", "dash", "ksh", "mksh", "ash", "fish", "yash", "rbash"});
}

// python3.11 -> python, nodejs -> node.
std::optional<std::string> interpreter_language(std::string_view n) {
  // Asked for every command: a first letter none of the names below has answers at once.
  switch (n.empty() ? '\0' : n[0]) {
    case 'b':  // bun
    case 'd':  // deno
    case 'e':  // expect
    case 'l':  // lua, luajit, lua5.4
    case 'n':  // node, nodejs
    case 'p':  // python*, pypy*, perl*, php
    case 'r':  // ruby
    case 't':  // tclsh*
    case 'w':  // wish
      break;
    default:
      return std::nullopt;
  }
  if (n == "python" || n == "python2" || n == "python3" || n == "pypy" || n == "pypy3" ||
      (starts_with(n, "python") && n.size() > 6 &&
       n.find_first_not_of("0123456789.", 6) == std::string_view::npos)) {
    return "python";
  }
  if (n == "node" || n == "nodejs" || n == "deno" || n == "bun") return "node";
  if (n == "perl" || n == "perl5") return "perl";
  if (n == "ruby") return "ruby";
  if (n == "php") return "php";
  if (n == "lua" || n == "luajit" ||
      (starts_with(n, "lua") && n.find_first_not_of("0123456789.", 3) == std::string_view::npos)) {
    return "lua";
  }
  if (n == "tclsh" || n == "wish" || n == "expect" ||
      (starts_with(n, "tclsh") &&
       n.find_first_not_of("0123456789.", 5) == std::string_view::npos)) {
    return "tcl";
  }
  return std::nullopt;
}

bool is_awk_name(std::string_view n) {
  return n == "awk" || n == "gawk" || n == "mawk" || n == "nawk" || n == "original-awk";
}

bool is_db_client(std::string_view n) {
  if (n.size() < 4) return false;  // the shortest names below are `psql`, `hive`, `osql`, `isql`
  return one_of(n, {"psql",
                    "mysql",
                    "mariadb",
                    "sqlite3",
                    "sqlite",
                    "duckdb",
                    "clickhouse-client",
                    "clickhouse",
                    "cockroach",
                    "mongosh",
                    "mongo",
                    "redis-cli",
                    "sqlcmd",
                    "osql",
                    "isql",
                    "mssql-cli",
                    "snowsql",
                    "cqlsh",
                    "ycqlsh",
                    "ysqlsh",
                    "trino",
                    "presto",
                    "beeline",
                    "hive",
                    "spark-sql",
                    "impala-shell",
                    "vsql",
                    "usql",
                    "mycli",
                    "litecli",
                    "pgcli"});
}

bool is_stdin_redirect(const Redirect& r) {
  return r.op == RedirectOp::heredoc || r.op == RedirectOp::herestring ||
         ((r.op == RedirectOp::read || r.op == RedirectOp::read_write) &&
          (r.fd == -1 || r.fd == 0));
}

const Redirect* stdin_body(const SimpleCommand& c) {
  const Redirect* found = nullptr;
  for (const auto& r : c.redirects) {
    if (is_stdin_redirect(r) && (r.fd == -1 || r.fd == 0)) found = &r;  // last one wins
  }
  if (found != nullptr && found->op != RedirectOp::heredoc && found->op != RedirectOp::herestring) {
    return nullptr;
  }
  return found;
}

bool has_file_stdin(const SimpleCommand& c) {
  for (const auto& r : c.redirects) {
    if ((r.op == RedirectOp::read || r.op == RedirectOp::read_write) && (r.fd == -1 || r.fd == 0)) {
      return true;
    }
  }
  return false;
}

// Generic option scanner for wrappers: `-u root`, `-uroot`, `-iu root`, `--user=root`,
// `--user root`, `--` ends options, the first non-option stops.
struct OptScan {
  size_t next = 0;                                        // first operand
  std::vector<std::pair<std::string, std::string>> seen;  // ("-u","root"), ("-i","")
  bool has(std::string_view o) const {
    return std::any_of(seen.begin(), seen.end(), [&](const auto& p) { return p.first == o; });
  }
  std::optional<std::string> value(std::string_view o) const {
    std::optional<std::string> v;
    for (const auto& p : seen) {
      if (p.first == o) v = p.second;
    }
    return v;
  }
};

OptScan scan_options(const std::vector<Word>& argv, size_t start, std::string_view short_with_value,
                     std::initializer_list<std::string_view> long_with_value,
                     bool numeric_flags = false) {
  OptScan s;
  size_t i = start;
  while (i < argv.size()) {
    const std::string& a = argv[i].text;
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    if (numeric_flags &&
        a.find_first_not_of("0123456789", a[1] == '-' ? 2 : 1) == std::string::npos) {
      s.seen.emplace_back(a, "");
      ++i;
      continue;
    }
    if (a[1] == '-') {
      const auto eq = a.find('=');
      const std::string name = a.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      if (eq != std::string::npos) {
        s.seen.emplace_back("--" + name, a.substr(eq + 1));
      } else if (std::find(long_with_value.begin(), long_with_value.end(), name) !=
                     long_with_value.end() &&
                 i + 1 < argv.size()) {
        s.seen.emplace_back("--" + name, argv[i + 1].text);
        ++i;
      } else {
        s.seen.emplace_back("--" + name, "");
      }
      ++i;
      continue;
    }
    for (size_t k = 1; k < a.size(); ++k) {
      const std::string opt = std::string("-") + a[k];
      if (short_with_value.find(a[k]) != std::string_view::npos) {
        if (k + 1 < a.size()) {
          s.seen.emplace_back(opt, a.substr(k + 1));
        } else if (i + 1 < argv.size()) {
          s.seen.emplace_back(opt, argv[i + 1].text);
          ++i;
        } else {
          s.seen.emplace_back(opt, "");
        }
        break;
      }
      s.seen.emplace_back(opt, "");
    }
    ++i;
  }
  s.next = i;
  return s;
}

bool is_assignment_word(const Word& w) {
  const auto eq = w.text.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  for (size_t i = 0; i < eq; ++i) {
    const char c = w.text[i];
    const bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string join_path(const std::string& base, const std::string& dir) {
  if (!dir.empty() && dir[0] == '/') return dir;
  if (base.empty()) return {};
  if (dir.empty() || dir == ".") return base;
  return base.back() == '/' ? base + dir : base + "/" + dir;
}

std::string join_words(const std::vector<Word>& argv, size_t from, size_t to) {
  std::string s;
  for (size_t i = from; i < to && i < argv.size(); ++i) {
    if (i > from) s += ' ';
    s += argv[i].text;
  }
  return s;
}

bool any_dynamic(const std::vector<Word>& argv, size_t from, size_t to) {
  for (size_t i = from; i < to && i < argv.size(); ++i) {
    if (argv[i].dynamic) return true;
  }
  return false;
}

// Backslash escapes as `echo -e` / printf understand them (the common ones).
std::string process_escapes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    const char n = s[++i];
    switch (n) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case '\\':
        out += '\\';
        break;
      default:
        out += '\\';
        out += n;
    }
  }
  return out;
}

// How a piece of text reached a consumer's stdin.
struct StdinText {
  std::string text;
  std::string origin;    // pipe | base64 | hex | rev | heredoc | herestring
  bool dynamic = false;  // the text is not known
  bool junk = false;     // a decoder produced something that is not text
  std::string why;
};

// Context a nested parse inherits from the command that carried its text.
struct Frame {
  std::vector<std::string> wrappers;
  std::string origin;
  const SimpleCommand* parent = nullptr;
  bool dynamic_args = false;
  // ssh host bash <<EOF: the here-doc feeds the first stage of the remote text.
  std::vector<Redirect> stdin_redirects;
  std::string stdin_from;
  std::optional<StdinText> upstream_text;
  int pipeline_base = 0;
};

class Unwrapper {
 public:
  Unwrapper(ShellParse& parse, const ShellEnv& env, const Limits& limits)
      : m_parse(parse), m_env(env), m_limits(limits) {}

  void run() {
    std::vector<SimpleCommand> raw = std::move(m_parse.commands);
    m_parse.commands.clear();
    std::vector<Snippet> kept = std::move(m_parse.snippets);
    m_parse.snippets.clear();
    std::vector<int> first_out(raw.size(), -1);
    for (const auto& c : raw) m_next_pipeline = std::max(m_next_pipeline, c.pipeline + 1);
    Frame top;
    m_out.reserve(raw.size());
    for (auto& [name, body] : m_parse.functions) m_functions[name] = body;
    for (size_t i = 0; i < raw.size(); ++i) {
      first_out[i] = static_cast<int>(m_out.size());
      process(SimpleCommand(raw[i]), raw, i, top, 0);
    }
    // Snippets stage 1 may have produced point at raw indices: move them to the new ones.
    for (auto& s : kept) {
      if (s.command_index >= 0 && static_cast<size_t>(s.command_index) < first_out.size()) {
        s.command_index = first_out[static_cast<size_t>(s.command_index)];
      }
      m_snippets.push_back(std::move(s));
    }
    m_parse.commands = std::move(m_out);
    m_parse.snippets = std::move(m_snippets);
  }

 private:
  void fail(const std::string& why) {
    if (!m_parse.fail_closed) m_parse.fail_reason = why;
    m_parse.fail_closed = true;
    m_parse.complete = false;
    m_parse.trace.push_back("unwrap: fail closed: " + why);
  }

  // The trace is read only by --explain (Limits::trace): its lines are built only then.
  template <typename MakeLine>
  void trace(MakeLine&& make_line) {
    if (m_limits.trace) m_parse.trace.emplace_back(make_line());
  }

  // By rvalue reference, as process() and terminal(): a SimpleCommand is a dozen members, and
  // each by-value hand-over was one more move of all of them.
  int emit(SimpleCommand&& cmd) {
    if (m_out.size() >= m_limits.max_commands) {
      if (!m_limits_hit) fail("too many commands after unwrapping");
      m_limits_hit = true;
      return -1;
    }
    if (!cmd.argv.empty() && cmd.name.empty()) cmd.name = base_name(cmd.argv[0].text);
    m_out.push_back(std::move(cmd));
    return static_cast<int>(m_out.size()) - 1;
  }

  void add_snippet(std::string language, std::string text, int index) {
    m_snippets.push_back(Snippet{std::move(language), std::move(text), index});
  }

  // Removes argv[0..k) and records the wrapper. False (nothing removed) when no command remains.
  bool strip(SimpleCommand& cmd, size_t k, std::string_view label) {
    if (k >= cmd.argv.size()) return false;
    std::string consumed;
    if (m_limits.trace) consumed = join_words(cmd.argv, 0, k);
    cmd.argv.erase(cmd.argv.begin(), cmd.argv.begin() + static_cast<std::ptrdiff_t>(k));
    cmd.wrappers.emplace_back(label);
    cmd.name = base_name(cmd.argv[0].text);
    trace([&] { return "unwrap: " + consumed + " -> " + cmd.argv[0].text; });
    return true;
  }

  // ---- the main loop ------------------------------------------------------------------------

  void process(SimpleCommand&& cmd, const std::vector<SimpleCommand>& list, size_t index,
               const Frame& frame, int nesting) {
    if (nesting > m_limits.max_depth) {
      fail("unwrapping nested deeper than max_depth");
      return;
    }
    for (int step = 0; step < k_max_unwrap_steps; ++step) {
      if (cmd.argv.empty()) {
        emit(std::move(cmd));
        return;
      }
      if (cmd.argv[0].dynamic) {
        cmd.dynamic_verb = true;
        cmd.name = base_name(cmd.argv[0].text);
        trace([&] { return "unwrap: command name is dynamic: " + cmd.argv[0].text; });
        emit(std::move(cmd));
        return;
      }
      despoof_command_word(cmd);
      cmd.name = base_name(cmd.argv[0].text);
      const auto r = peel(cmd);
      if (r == Peel::peeled) continue;
      if (r == Peel::done) return;
      break;  // Peel::terminal
    }
    terminal(std::move(cmd), list, index, frame, nesting);
  }

  enum class Peel { peeled, terminal, done };

  Peel peel(SimpleCommand& cmd) {
    // Asked for every command: a first letter no wrapper below starts with ends it at once
    // (ls, git, grep, rm, ...). A wrapper added below needs its letter here; the unwrap tests
    // peel every wrapper.
    switch (cmd.name.empty() ? '\0' : cmd.name[0]) {
      case 'b':  // builtin, busybox
      case 'c':  // command, caffeinate, chrt
      case 'd':  // doas, docker
      case 'e':  // env, exec
      case 'f':  // flock
      case 'i':  // ionice
      case 'k':  // kubectl
      case 'n':  // nohup, nice, nerdctl
      case 'o':  // oc
      case 'p':  // podman
      case 's':  // sudo, setsid, stdbuf, systemd-run, screen
      case 't':  // time, taskset, timeout
      case 'u':  // unbuffer
      case 'x':  // xargs
        break;
      default:
        return Peel::terminal;
    }
    const std::string name = cmd.name;
    const std::string_view n = name;  // compared with many literals: no strlen per comparison
    auto& a = cmd.argv;
    if (n == "sudo") {
      const auto o = scan_options(a, 1, "ugCDhprtTUR",
                                  {"user", "group", "close-from", "chdir", "host", "prompt", "role",
                                   "type", "command-timeout", "other-user", "chroot"});
      for (const char* keep : {"-l", "-v", "-k", "-K", "-e", "-V", "--list", "--validate", "--edit",
                               "--version", "--help", "-h"}) {
        if (o.has(keep) && !(std::string_view(keep) == "-h" && !o.value("-h")->empty())) {
          return Peel::terminal;
        }
      }
      size_t k = o.next;
      while (k < a.size() && is_assignment_word(a[k])) {
        const auto eq = a[k].text.find('=');
        cmd.env[a[k].text.substr(0, eq)] = a[k].text.substr(eq + 1);
        ++k;
      }
      if (auto d = o.value("-D")) cmd.cwd = join_path(cmd.cwd, *d);
      if (auto d = o.value("--chdir")) cmd.cwd = join_path(cmd.cwd, *d);
      return strip(cmd, k, "sudo") ? Peel::peeled : Peel::terminal;
    }
    if (n == "doas") {
      const auto o = scan_options(a, 1, "uC", {});
      return strip(cmd, o.next, "doas") ? Peel::peeled : Peel::terminal;
    }
    if (n == "env") return peel_env(cmd);
    if (n == "command") {
      const auto o = scan_options(a, 1, "", {});
      if (o.has("-v") || o.has("-V")) return Peel::terminal;  // lookup, not an exec
      return strip(cmd, o.next, "command") ? Peel::peeled : Peel::terminal;
    }
    if (n == "builtin") {
      return strip(cmd, a.size() > 1 && a[1].text == "--" ? 2 : 1, "builtin") ? Peel::peeled
                                                                              : Peel::terminal;
    }
    if (n == "exec") {
      const auto o = scan_options(a, 1, "a", {});
      return strip(cmd, o.next, "exec") ? Peel::peeled : Peel::terminal;
    }
    if (n == "nohup" || n == "unbuffer") {
      const auto o = scan_options(a, 1, "", {});
      return strip(cmd, o.next, n) ? Peel::peeled : Peel::terminal;
    }
    if (n == "setsid") {
      const auto o = scan_options(a, 1, "", {});
      return strip(cmd, o.next, n) ? Peel::peeled : Peel::terminal;
    }
    if (n == "caffeinate") {
      const auto o = scan_options(a, 1, "tw", {});
      return strip(cmd, o.next, n) ? Peel::peeled : Peel::terminal;
    }
    if (n == "time") {
      const auto o = scan_options(a, 1, "fo", {"format", "output"});
      return strip(cmd, o.next, n) ? Peel::peeled : Peel::terminal;
    }
    if (n == "nice") {
      const auto o = scan_options(a, 1, "n", {"adjustment"}, true);
      return strip(cmd, o.next, n) ? Peel::peeled : Peel::terminal;
    }
    if (n == "ionice") {
      const auto o = scan_options(a, 1, "cnpPu", {"class", "classdata", "pid", "pgid", "uid"});
      if (o.has("-p") || o.has("-P") || o.has("-u") || o.has("--pid")) return Peel::terminal;
      return strip(cmd, o.next, n) ? Peel::peeled : Peel::terminal;
    }
    if (n == "stdbuf") {
      const auto o = scan_options(a, 1, "ioe", {"input", "output", "error"});
      return strip(cmd, o.next, n) ? Peel::peeled : Peel::terminal;
    }
    if (n == "chrt") {
      const auto o = scan_options(a, 1, "TPD", {"sched-runtime", "sched-period", "sched-deadline"});
      if (o.has("-p") || o.has("--pid") || o.has("-m") || o.has("--max")) return Peel::terminal;
      return strip(cmd, o.next + 1, n) ? Peel::peeled : Peel::terminal;  // priority, then cmd
    }
    if (n == "taskset") {
      const auto o = scan_options(a, 1, "", {});
      if (o.has("-p") || o.has("--pid")) return Peel::terminal;
      return strip(cmd, o.next + 1, n) ? Peel::peeled : Peel::terminal;  // mask, then cmd
    }
    if (n == "timeout") {
      const auto o = scan_options(a, 1, "sk", {"signal", "kill-after"});
      return strip(cmd, o.next + 1, n) ? Peel::peeled : Peel::terminal;  // duration, then cmd
    }
    if (n == "flock") return peel_flock(cmd);
    if (n == "xargs") return peel_xargs(cmd);
    if (n == "busybox") {
      return strip(cmd, 1, "busybox") ? Peel::peeled : Peel::terminal;
    }
    if (n == "docker" || n == "podman" || n == "nerdctl") return peel_docker(cmd);
    if (n == "kubectl" || n == "oc") return peel_kubectl(cmd);
    if (n == "systemd-run" || n == "screen") {  // deferred.cpp
      const auto d = detail::deferred_command(n, a);
      if (d.form == detail::Deferred::Form::argv)
        return strip(cmd, d.start, d.label) ? Peel::peeled : Peel::terminal;
    }
    return Peel::terminal;
  }

  Peel peel_env(SimpleCommand& cmd) {
    auto& a = cmd.argv;
    // -S "string": split the string into words in place, then scan again.
    for (int guard = 0; guard < 8; ++guard) {
      bool split = false;
      for (size_t i = 1; i < a.size(); ++i) {
        const std::string& t = a[i].text;
        if (t == "--" || t.empty() || t[0] != '-') break;
        std::string payload;
        size_t consumed = 0;
        if ((t == "-S" || t == "--split-string") && i + 1 < a.size()) {
          payload = a[i + 1].text;
          consumed = 2;
        } else if (starts_with(t, "-S")) {
          payload = t.substr(2);
          consumed = 1;
        } else if (starts_with(t, "--split-string=")) {
          payload = t.substr(15);
          consumed = 1;
        } else {
          continue;
        }
        std::vector<Word> words;
        // env -S understands quotes: read the words with the shell lexer when the payload is one
        // plain command, else split on blanks.
        ShellParse sp = parse_raw(payload, m_env, m_limits, cmd.depth + 1);
        if (!sp.fail_closed && sp.commands.size() == 1 && sp.commands[0].assignments.empty() &&
            sp.commands[0].redirects.empty()) {
          for (Word w : sp.commands[0].argv) {
            w.begin = a[i].begin;
            w.end = a[i].end;
            words.push_back(std::move(w));
          }
          payload.clear();
        }
        size_t p = 0;
        while (p < payload.size()) {
          while (p < payload.size() && (payload[p] == ' ' || payload[p] == '\t')) ++p;
          size_t e = p;
          while (e < payload.size() && payload[e] != ' ' && payload[e] != '\t') ++e;
          if (e > p) {
            Word w = a[i];
            w.text = payload.substr(p, e - p);
            words.push_back(std::move(w));
          }
          p = e;
        }
        a.erase(a.begin() + static_cast<std::ptrdiff_t>(i),
                a.begin() + static_cast<std::ptrdiff_t>(i + consumed));
        a.insert(a.begin() + static_cast<std::ptrdiff_t>(i), words.begin(), words.end());
        trace(
            [&] { return "unwrap: env -S split into " + std::to_string(words.size()) + " words"; });
        split = true;
        break;
      }
      if (!split) break;
    }
    const auto o = scan_options(
        a, 1, "uC", {"unset", "chdir", "block-signal", "default-signal", "ignore-signal"});
    size_t k = o.next;
    if (k < a.size() && a[k].text == "-") ++k;  // `env -` = -i
    if (o.has("-i") || o.has("--ignore-environment") || (k > 0 && a[k - 1].text == "-")) {
      cmd.env.clear();
    }
    for (const auto& [opt, val] : o.seen) {
      if (opt == "-u" || opt == "--unset") cmd.env.erase(val);
      if (opt == "-C" || opt == "--chdir") cmd.cwd = join_path(cmd.cwd, val);
    }
    while (k < a.size() && is_assignment_word(a[k])) {
      const auto eq = a[k].text.find('=');
      cmd.env[a[k].text.substr(0, eq)] = a[k].text.substr(eq + 1);
      ++k;
    }
    return strip(cmd, k, "env") ? Peel::peeled : Peel::terminal;
  }

  Peel peel_flock(SimpleCommand& cmd) {
    auto& a = cmd.argv;
    const auto o = scan_options(a, 1, "wEc", {"timeout", "wait", "conflict-exit-code", "command"});
    if (o.value("-c")) return Peel::terminal;  // handled in terminal() as shell text
    if (o.value("--command")) return Peel::terminal;
    size_t k = o.next + 1;  // lock file
    if (k < a.size() && (a[k].text == "-c" || a[k].text == "--command")) return Peel::terminal;
    return strip(cmd, k, "flock") ? Peel::peeled : Peel::terminal;
  }

  Peel peel_xargs(SimpleCommand& cmd) {
    auto& a = cmd.argv;
    const auto o = scan_options(a, 1, "InPLsdaEe",
                                {"max-args", "max-procs", "delimiter", "arg-file", "replace",
                                 "max-lines", "eof", "max-chars", "process-slot-var"});
    std::string replace;
    if (auto r = o.value("-I")) replace = *r;
    if (auto r = o.value("--replace")) replace = r->empty() ? "{}" : *r;
    if (o.has("-i") && replace.empty()) replace = "{}";
    cmd.dynamic_args = true;
    cmd.origin = "xargs";
    if (o.next >= a.size()) {  // default command is echo
      Word w;
      w.text = "echo";
      w.begin = cmd.begin;
      w.end = cmd.end;
      a.push_back(w);
    }
    if (!replace.empty()) {
      for (size_t i = o.next; i < a.size(); ++i) {
        if (a[i].text.find(replace) != std::string::npos) a[i].dynamic = true;
      }
    }
    strip(cmd, o.next, "xargs");
    return Peel::peeled;
  }

  Peel peel_docker(SimpleCommand& cmd) {
    auto& a = cmd.argv;
    // Global options name the daemon the command runs on (`docker --context prod exec ...`,
    // `docker -H ssh://host exec ...`, `docker compose -f prod.yml exec ...`): they go into the
    // label, which scope reads for production and for "a local container".
    std::string where;
    auto skip_globals = [&](size_t i, bool compose) {
      while (i + 1 < a.size() && a[i].text.size() > 1 && a[i].text[0] == '-') {
        const std::string& t = a[i].text;
        const bool valued =
            compose ? (t == "-f" || t == "--file" || t == "-p" || t == "--project-name" ||
                       t == "--project-directory" || t == "--env-file" || t == "--profile" ||
                       t == "--ansi" || t == "--progress" || t == "--parallel")
                    : (t == "--context" || t == "-c" || t == "-H" || t == "--host" ||
                       t == "--config" || t == "-l" || t == "--log-level" || t == "--tlscacert" ||
                       t == "--tlscert" || t == "--tlskey");
        const bool names_daemon = t == "--context" || t == "-c" || t == "-H" || t == "--host" ||
                                  t == "-f" || t == "--file" || t == "-p" || t == "--project-name";
        if (valued && names_daemon) where += " " + t + " " + a[i + 1].text;
        if (!valued && t.find('=') != std::string::npos &&
            (t.rfind("--context=", 0) == 0 || t.rfind("--host=", 0) == 0 ||
             t.rfind("--file=", 0) == 0 || t.rfind("--project-name=", 0) == 0))
          where += " " + t;
        i += valued ? 2 : 1;
      }
      return i;
    };
    size_t sub = skip_globals(1, false);
    if (sub + 1 < a.size() && a[sub].text == "compose") sub = skip_globals(sub + 1, true);
    if (a.size() <= sub || a[sub].text != "exec") return Peel::terminal;
    const auto o = scan_options(a, sub + 1, "euw",
                                {"env", "env-file", "user", "workdir", "detach-keys", "index"});
    const size_t target = o.next;
    if (target >= a.size()) return Peel::terminal;
    // An interactive shell in the container runs whatever is typed later: leave it to the rules.
    if (target + 2 == a.size() && is_shell_name(base_name(a[target + 1].text)))
      return Peel::terminal;
    const std::string label = cmd.name + " exec " + a[target].text + where;
    return strip(cmd, target + 1, label) ? Peel::peeled : Peel::terminal;
  }

  Peel peel_kubectl(SimpleCommand& cmd) {
    auto& a = cmd.argv;
    // Global options may come before the verb: `kubectl --context prod-eu -n api exec ...`.
    size_t verb = 1;
    while (verb + 1 < a.size() && a[verb].text.size() > 1 && a[verb].text[0] == '-') {
      const std::string_view t = a[verb].text;
      const bool valued = t == "--context" || t == "-n" || t == "--namespace" ||
                          t == "--kubeconfig" || t == "--cluster" || t == "--user" || t == "-s" ||
                          t == "--server" || t == "--as" || t == "--request-timeout";
      verb += valued ? 2 : 1;
    }
    if (verb >= a.size() || a[verb].text != "exec") return Peel::terminal;
    if (verb != 1) {  // fold the global options into the exec's own, as kubectl does
      std::rotate(a.begin() + 1, a.begin() + static_cast<std::ptrdiff_t>(verb),
                  a.begin() + static_cast<std::ptrdiff_t>(verb) + 1);
    }
    size_t dashdash = 0;
    for (size_t i = 2; i < a.size(); ++i) {
      if (a[i].text == "--") {
        dashdash = i;
        break;
      }
    }
    std::string pod;
    size_t first = 0;
    if (dashdash != 0) {
      first = dashdash + 1;
      const auto o = scan_options(a, 2, "ncf",
                                  {"namespace", "container", "context", "kubeconfig", "cluster",
                                   "user", "pod-running-timeout", "filename"});
      if (o.next < dashdash) pod = a[o.next].text;
    } else {
      const auto o = scan_options(a, 2, "ncf",
                                  {"namespace", "container", "context", "kubeconfig", "cluster",
                                   "user", "pod-running-timeout", "filename"});
      if (o.next >= a.size()) return Peel::terminal;
      pod = a[o.next].text;
      first = o.next + 1;
    }
    // An interactive shell in the pod runs whatever is typed later: leave it to the rules.
    if (first + 1 == a.size() && is_shell_name(base_name(a[first].text))) return Peel::terminal;
    std::string label = cmd.name + " exec" + (pod.empty() ? "" : " " + pod);
    // The context and namespace are where the command runs (scope's prod facts read the label).
    for (size_t i = 2; i + 1 < first; ++i) {
      const std::string& t = a[i].text;
      if (t == "--context" || t == "-n" || t == "--namespace" || t == "--cluster")
        label += " " + t + " " + a[i + 1].text;
      else if (t.rfind("--context=", 0) == 0 || t.rfind("--namespace=", 0) == 0)
        label += " " + t;
    }
    return strip(cmd, first, label) ? Peel::peeled : Peel::terminal;
  }

  // ---- commands that end the wrapper chain ---------------------------------------------------

  static std::string script_key(const SimpleCommand& cmd, const std::string& path) {
    if (path.empty()) return {};
    if (path[0] == '/') return path;
    if (cmd.cwd.empty()) return {};
    std::string p = path;
    while (p.rfind("./", 0) == 0) p.erase(0, 2);
    return cmd.cwd + "/" + p;
  }

  void remember_written(const SimpleCommand& cmd, const std::vector<SimpleCommand>& list,
                        size_t index) {
    for (const auto& r : cmd.redirects) {
      const bool trunc = r.op == RedirectOp::write || r.op == RedirectOp::clobber;
      if ((!trunc && r.op != RedirectOp::append) || r.target.dynamic || (r.fd != -1 && r.fd != 1))
        continue;
      std::optional<std::string> text;
      if (cmd.name == "echo" || cmd.name == "printf") {
        if (auto t = produced_text(list, index, 0); t && !t->dynamic && !t->junk) text = t->text;
      } else if (cmd.name == "cat" && cmd.argv.size() == 1) {
        if (const Redirect* b = stdin_body(cmd)) text = b->body;
      }
      const std::string key = script_key(cmd, r.target.text);
      if (key.empty()) continue;
      if (!text) {
        m_written.erase(key);  // written with something we cannot see
        continue;
      }
      if (trunc) {
        m_written[key] = *text + "\n";
      } else {
        m_written[key] += *text + "\n";
      }
    }
  }

  // Runs a script written earlier in this line, if we know its content. True when handled.
  bool run_written_script(const SimpleCommand& cmd, const std::string& path,
                          const std::string& label, int nesting) {
    if (m_written.empty()) return false;
    auto it = m_written.find(script_key(cmd, path));
    if (it == m_written.end()) return false;
    trace([&] { return "unwrap: " + label + " runs " + path + ", written earlier in this line"; });
    nested(cmd, it->second, "script", label, nesting);
    return true;
  }

  // ---- editors -----------------------------------------------------------------------------

  // vim/nvim/ex command-line commands (`-c CMD`, `+CMD`, `--cmd CMD`) that run shell: `!cmd`,
  // `silent !cmd`, `r !cmd`, `w !cmd`, `call system("cmd")`, `:terminal cmd`. The text after the
  // bang is shell text (`%` and `#` would be the file names; they stay as written).
  void editor_commands(SimpleCommand cmd, int nesting) {
    std::vector<std::string> shell_texts;
    const auto& a = cmd.argv;
    for (size_t i = 1; i < a.size(); ++i) {
      std::string c;
      bool dyn = false;
      if ((a[i].text == "-c" || a[i].text == "--cmd") && i + 1 < a.size()) {
        c = a[i + 1].text;
        dyn = a[i + 1].dynamic;
        ++i;
      } else if (a[i].text.size() > 1 && a[i].text[0] == '+') {
        c = a[i].text.substr(1);
        dyn = a[i].dynamic;
      } else {
        continue;
      }
      if (dyn) {
        cmd.dynamic_verb = true;
        continue;
      }
      // Several commands joined by `|` in one -c: each is looked at.
      size_t p = 0;
      while (p <= c.size()) {
        std::string part = c.substr(p);
        // A bang command takes the rest of the line, bars included.
        std::string_view v = part;
        while (!v.empty() && (v.front() == ' ' || v.front() == ':')) v.remove_prefix(1);
        for (std::string_view pre : {"silent! ", "silent ", "exe ", "execute "}) {
          if (v.substr(0, pre.size()) == pre) v.remove_prefix(pre.size());
        }
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        // exe '!cmd': the string is the command.
        if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front()) {
          v = v.substr(1, v.size() - 2);
        }
        std::string_view rest;
        bool bang = false;
        bool writes = false;
        for (std::string_view lead : {"!", "r !", "r!", "read !", "read!", "w !", "w! !", "w!",
                                      "write !", "terminal ", "term "}) {
          if (v.substr(0, lead.size()) == lead) {
            rest = v.substr(lead.size());
            bang = true;
            writes = lead[0] == 'w';
            break;
          }
        }
        // `w !sh`: the buffer, which is not known here, is the shell's script.
        if (bang && writes) {
          std::string_view prog = rest.substr(0, rest.find(' '));
          prog = prog.substr(prog.rfind('/') == std::string_view::npos ? 0 : prog.rfind('/') + 1);
          if (prog == "sh" || prog == "bash" || prog == "zsh" || prog == "dash" ||
              interpreter_language(prog)) {
            cmd.dynamic_verb = true;
          }
        }
        if (bang) {
          if (!rest.empty()) shell_texts.emplace_back(rest);
          break;
        }
        // call system('..') / systemlist(".."): the string literal.
        for (std::string_view fn : {"system(", "systemlist("}) {
          const auto at = v.find(fn);
          if (at == std::string_view::npos) continue;
          const size_t q = at + fn.size();
          if (q < v.size() && (v[q] == '\'' || v[q] == '"')) {
            const auto e = v.find(v[q], q + 1);
            if (e != std::string_view::npos) shell_texts.emplace_back(v.substr(q + 1, e - q - 1));
          } else {
            cmd.dynamic_verb = true;
          }
        }
        const auto bar = c.find('|', p);
        if (bar == std::string::npos) break;
        p = bar + 1;
      }
    }
    SimpleCommand carrier = cmd;
    if (emit(std::move(cmd)) < 0) return;
    for (const auto& t : shell_texts) {
      trace([&] { return "unwrap: " + carrier.name + " runs shell text: " + t; });
      nested(carrier, t, carrier.name + " -c", carrier.name, nesting);
    }
  }

  // ---- compiled and JVM-family languages -----------------------------------------------------

  // groovy/kotlinc/kotlin/scala/rust-script/swift -e CODE; jshell, yaegi, `tcc -run -`, csi and
  // `swift -` reading code on stdin; `go run F.go`, `java F.java`, `kotlinc -script F.kts`,
  // `rust-script F.rs` of a file written earlier in the line; compilers (rustc, gcc, cc, clang,
  // g++, go build) of such a file remember the output so running it is running that code. True
  // when handled.
  bool compiled_family(SimpleCommand& cmd, const std::vector<SimpleCommand>& list, size_t index,
                       const Frame& frame, int nesting) {
    const auto& a = cmd.argv;
    static constexpr std::array<std::string_view, 14> k_eval = {
        "groovy", "kotlinc", "kotlin", "kotlinc-jvm", "scala",         "rust-script", "swift",
        "jshell", "yaegi",   "tcc",    "csi",         "dotnet-script", "gorun",       "jbang"};
    static constexpr std::array<std::string_view, 7> k_compilers = {
        "rustc", "gcc", "cc", "clang", "g++", "c++", "clang++"};
    // A few names: a scan of string_views is cheaper than a set of strings.
    auto in = [](const auto& names, std::string_view x) {
      return std::find(names.begin(), names.end(), x) != names.end();
    };
    const std::string_view name = cmd.name;
    // A first letter none of the names above (nor go, java) has answers at once.
    switch (name.empty() ? '\0' : name[0]) {
      case 'c':
      case 'd':
      case 'g':
      case 'j':
      case 'k':
      case 'r':
      case 's':
      case 't':
      case 'y':
        break;
      default:
        return false;
    }
    const bool go = name == "go" && a.size() >= 3 && (a[1].text == "run" || a[1].text == "build");
    const bool java = name == "java";
    if (!in(k_eval, name) && !in(k_compilers, name) && !go && !java) return false;
    const std::string n = cmd.name;  // a copy: cmd is moved below
    // Inline code.
    for (size_t i = 1; i + 1 < a.size(); ++i) {
      const std::string& t = a[i].text;
      if (in(k_eval, n) && (t == "-e" || t == "--eval" || t == "-expression" || t == "eval")) {
        if (a[i + 1].dynamic) {
          cmd.dynamic_verb = true;
          emit(std::move(cmd));
          return true;
        }
        const std::string code = a[i + 1].text;
        run_code(std::move(cmd), "clike", code, n + " " + t, nesting);
        return true;
      }
    }
    // Source files written earlier in this line.
    static constexpr std::string_view k_exts[] = {
        ".go", ".java", ".kt",  ".kts", ".groovy", ".scala", ".sc",    ".rs",
        ".c",  ".cc",   ".cpp", ".cxx", ".cs",     ".csx",   ".swift", ".jsh"};
    std::string source;
    std::string out;
    for (size_t i = 1; i < a.size(); ++i) {
      const std::string& t = a[i].text;
      if (t == "-o" && i + 1 < a.size()) {
        out = a[i + 1].text;
        ++i;
        continue;
      }
      if (t.rfind("-o", 0) == 0 && t.size() > 2 && (in(k_compilers, n) || go)) out = t.substr(2);
      const bool src = std::any_of(std::begin(k_exts), std::end(k_exts),
                                   [&](std::string_view e) { return t.ends_with(e); });
      if (!src || a[i].dynamic) continue;
      if (auto it = m_written.find(script_key(cmd, t)); it != m_written.end()) {
        source = it->second;
        if (out.empty() && n == "rustc") {
          std::string base = t.substr(0, t.size() - 3);
          out = base;
        }
        if (out.empty() && (n == "go") && a[1].text == "build") {
          out = t.substr(0, t.rfind('.'));
        }
        if (out.empty() && in(k_compilers, n) && n != "rustc") out = "a.out";
      }
    }
    if (source.empty()) {
      // Code on stdin (echo '..' | jshell, yaegi <<EOF).
      const bool reads_stdin =
          n == "jshell" || n == "yaegi" || n == "csi" ||
          (n == "tcc" &&
           std::any_of(a.begin(), a.end(), [](const Word& w) { return w.text == "-"; })) ||
          (n == "swift" && a.size() >= 2 && a.back().text == "-") || n == "groovysh" ||
          (n == "kotlinc" && a.size() == 1) || (n == "scala" && a.size() == 1);
      if (!reads_stdin) return false;
      const auto t = stdin_text(cmd, list, index, frame);
      if (!t) return false;
      if (consume_stdin_text(cmd, t, "interpreter")) return true;
      run_code(std::move(cmd), "clike", t->text, n + " " + t->origin, nesting);
      return true;
    }
    const bool compiles_only = in(k_compilers, n) || (go && a[1].text == "build");
    if (compiles_only) {
      if (!out.empty()) m_built[script_key(cmd, out)] = source;
      return false;  // the compiler itself is judged as it is
    }
    trace([&] { return "unwrap: " + n + " runs source written earlier in this line"; });
    run_code(std::move(cmd), "clike", source, n + " (source written in this line)", nesting);
    return true;
  }

  // `cmake -E rm -rf X` / `remove_directory X` / `remove X` is that delete; `cmake -P F` of a
  // script written earlier in the line runs its file(REMOVE[_RECURSE] ..) and
  // execute_process(COMMAND ..). True when handled.
  bool cmake_script(SimpleCommand& cmd, int nesting) {
    const auto& a = cmd.argv;
    for (size_t i = 1; i + 1 < a.size(); ++i) {
      if (a[i].text == "-E") {
        const std::string& tool = a[i + 1].text;
        std::vector<detail::CodeArg> argv;
        size_t from = i + 2;
        if (tool == "rm") {
          argv.push_back({"rm", false});
        } else if (tool == "remove_directory") {
          argv = {{"rm", false}, {"-rf", false}};
        } else if (tool == "remove") {
          argv = {{"rm", false}, {"-f", false}};
        } else {
          return false;
        }
        for (size_t k = from; k < a.size(); ++k) argv.push_back({a[k].text, a[k].dynamic});
        SimpleCommand carrier = cmd;
        if (emit(std::move(cmd)) < 0) return true;
        SimpleCommand s = synthetic(carrier, "cmake -E", argv);
        trace([&] { return "unwrap: cmake -E " + tool + " -> " + s.joined(); });
        process(std::move(s), {}, 0, Frame{}, nesting + 1);
        return true;
      }
      if (a[i].text == "-P") {
        auto it = m_written.find(script_key(cmd, a[i + 1].text));
        if (it == m_written.end()) return false;
        const std::string text = it->second;
        SimpleCommand carrier = cmd;
        if (emit(std::move(cmd)) < 0) return true;
        static const re2::RE2 k_file(R"((?i)file\s*\(\s*(REMOVE_RECURSE|REMOVE)\s+([^)]*)\))");
        static const re2::RE2 k_exec(R"((?i)execute_process\s*\(\s*COMMAND\s+([^)]*)\))");
        re2::StringPiece in(text);
        std::string mode;
        std::string args;
        while (re2::RE2::FindAndConsume(&in, k_file, &mode, &args)) {
          std::vector<detail::CodeArg> argv{{"rm", false}, {mode.size() > 6 ? "-rf" : "-f", false}};
          for (auto& w : split_words(args)) argv.push_back({w, w.find('$') != std::string::npos});
          process(synthetic(carrier, "cmake -P", argv), {}, 0, Frame{}, nesting + 1);
        }
        re2::StringPiece in2(text);
        while (re2::RE2::FindAndConsume(&in2, k_exec, &args)) {
          std::vector<detail::CodeArg> argv;
          for (auto& w : split_words(args)) {
            if (w == "WORKING_DIRECTORY" || w == "OUTPUT_VARIABLE" || w == "RESULT_VARIABLE") break;
            argv.push_back({w, w.find('$') != std::string::npos});
          }
          if (!argv.empty())
            process(synthetic(carrier, "cmake -P", argv), {}, 0, Frame{}, nesting + 1);
        }
        return true;
      }
    }
    return false;
  }

  static std::vector<std::string> split_words(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    bool quoted = false;
    for (char ch : s) {
      if (ch == '"') {
        quoted = !quoted;
        continue;
      }
      if (!quoted && std::isspace(static_cast<unsigned char>(ch)) != 0) {
        if (!cur.empty()) out.push_back(std::move(cur));
        cur.clear();
        continue;
      }
      cur += ch;
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
  }

  // ---- look-alikes ------------------------------------------------------------------------------

  // `rм -rf ~` (Cyrillic м), `ｒｍ`, `r<ZWSP>m`: bash would look up a different name, which only
  // exists if someone planted it. Match rules against the ASCII it imitates and say why.
  void despoof_command_word(SimpleCommand& cmd) {
    Word& w = cmd.argv[0];
    const auto sk = detail::ascii_skeleton(w.text);
    if (!sk || sk->text == w.text) return;
    cmd.facts.emplace_back("homoglyph", sk->first + " in the command word '" + w.text +
                                            "' (reads as '" + sk->text + "')");
    trace([&] {
      return "unwrap: command word '" + w.text + "' imitates '" + sk->text + "' (" + sk->first +
             ")";
    });
    // A no-break space inside the word makes it look like several words: split it the same way.
    std::vector<Word> parts;
    size_t p = 0;
    while (p < sk->text.size()) {
      while (p < sk->text.size() && sk->text[p] == ' ') ++p;
      size_t e = p;
      while (e < sk->text.size() && sk->text[e] != ' ') ++e;
      if (e > p) {
        Word part = w;
        part.text = sk->text.substr(p, e - p);
        parts.push_back(std::move(part));
      }
      p = e;
    }
    if (parts.empty()) return;
    cmd.argv.erase(cmd.argv.begin());
    cmd.argv.insert(cmd.argv.begin(), parts.begin(), parts.end());
  }

  // `--fоrce`, `–rf`, `npm publіsh`: a flag or a subcommand-like word mixing ASCII with
  // look-alikes is matched as the word it imitates. Text in another script (`Привет`), message
  // values (`-m "— note"`) and echo/printf arguments are data and stay as they are.
  static void despoof_flags(SimpleCommand& cmd) {
    // Bytes that are not UTF-8 in a word or a redirection target: what it names cannot be shown
    // to the human as written, so it is not allowed silently.
    auto is_ascii = [](const std::string& t) {
      unsigned char any = 0;  // no early exit: the compiler folds the bytes in wide registers
      for (const char c : t) any |= static_cast<unsigned char>(c);
      return any < 0x80;
    };
    bool any_non_ascii_word = false;
    auto check_bytes = [&](const std::string& t, const char* where) {
      if (is_ascii(t)) return false;
      if (!detail::valid_utf8(t)) {
        cmd.facts.emplace_back("not_utf8", std::string("bytes that are not UTF-8 in ") + where);
      }
      return true;
    };
    for (const auto& w : cmd.argv) any_non_ascii_word |= check_bytes(w.text, "a word");
    for (const auto& r : cmd.redirects) check_bytes(r.target.text, "a redirection target");
    // Look-alikes need a byte above 0x7f: an all-ASCII argv (nearly every command) is done.
    if (!any_non_ascii_word) return;
    const std::string_view name = cmd.name;
    if (name == "echo" || name == "printf") return;
    for (size_t i = 1; i < cmd.argv.size(); ++i) {
      Word& w = cmd.argv[i];
      const auto sk = detail::ascii_skeleton(w.text);  // nullopt at once for ASCII words
      if (!sk || sk->text.size() < 2) continue;
      const bool word_shape = std::all_of(sk->text.begin(), sk->text.end(), [](char c) {
        return c == '-' || c == '=' || c == '_' || c == '.' || c == '/' || c == '~' || c == ':' ||
               c == '@' || c == ',' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9');
      });
      const bool mixed = std::any_of(w.text.begin(), w.text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      });
      // A dash look-alike makes a flag even without ASCII letters around it (`–rf`).
      if (!word_shape || (!mixed && sk->text[0] != '-')) continue;
      const std::string& prev = cmd.argv[i - 1].text;
      if (prev == "-m" || prev == "--message" || prev == "-t" || prev == "--title" ||
          prev == "-b" || prev == "--body" || prev == "--description" || prev == "--notes") {
        continue;
      }
      cmd.facts.emplace_back(
          "homoglyph", sk->first + " in the word '" + w.text + "' (reads as '" + sk->text + "')");
      w.text = sk->text;
    }
  }

  void terminal(SimpleCommand&& cmd, const std::vector<SimpleCommand>& list, size_t index,
                const Frame& frame, int nesting) {
    despoof_flags(cmd);
    const std::string name = cmd.name;
    const std::string_view n = name;
    remember_written(cmd, list, index);
    if (!cmd.argv.empty() && cmd.argv[0].text.find('/') != std::string::npos &&
        run_written_script(cmd, cmd.argv[0].text, cmd.argv[0].text, nesting))
      return;
    // ./w after `rustc /tmp/w.rs -o /tmp/w` or `gcc x.c -o x`: the program built from source
    // written earlier in this line.
    if (!cmd.argv.empty() && !m_built.empty()) {
      if (auto it = m_built.find(script_key(cmd, cmd.argv[0].text)); it != m_built.end()) {
        trace([&] {
          return "unwrap: " + cmd.argv[0].text + " was built from source written in this line";
        });
        const std::string code = it->second;
        const std::string label = cmd.argv[0].text + " (built)";
        return run_code(std::move(cmd), "clike", code, label, nesting);
      }
    }
    if ((n == "source" || n == ".") && cmd.argv.size() >= 2) {
      const std::string& f = cmd.argv[1].text;
      if (f == "/dev/stdin" || f == "/proc/self/fd/0" || f == "/dev/fd/0") {
        const auto t = stdin_text(cmd, list, index, frame);
        if (consume_stdin_text(cmd, t, "shell")) return;
        if (t) return nested(cmd, t->text, t->origin, name, nesting);
      } else if (is_process_substitution(cmd.argv[1])) {
        // source <(echo ..): known text is read; source <(tool completion bash) stays as it was.
        const auto t = procsub_text(cmd.argv[1], cmd.depth);
        if (t && !t->dynamic && !t->junk) return nested(cmd, t->text, t->origin, name, nesting);
      } else if (run_written_script(cmd, f, name, nesting)) {
        return;
      }
    }
    if (is_shell_name(n)) return shell(std::move(cmd), list, index, frame, nesting);
    if (call_function(cmd, nesting)) return;
    if (deferred(cmd, list, index, frame, nesting)) return;
    if (n == "eval") return eval(std::move(cmd), list, index, nesting);
    if (n == "su") return su(std::move(cmd), nesting);
    if (n == "ssh") return ssh(std::move(cmd), list, index, frame, nesting);
    if ((n == "gcloud" || n == "fly" || n == "flyctl" || n == "aws") &&
        cloud_remote_command(cmd, nesting))
      return;
    if (n == "ansible" || n == "salt" || n == "salt-ssh" || n == "pssh" || n == "parallel-ssh" ||
        n == "pdsh" || n == "clush")
      return fleet(std::move(cmd), nesting);
    if (n == "watch") return watch(std::move(cmd), nesting);
    if (n == "flock") return flock_text(std::move(cmd), nesting);
    if (n == "find") return find(std::move(cmd), list, index, frame, nesting);
    if (n == "parallel") return parallel(std::move(cmd), nesting);
    if (auto lang = interpreter_language(n)) {
      return interpreter(std::move(cmd), *lang, list, index, frame, nesting);
    }
    if (compiled_family(cmd, list, index, frame, nesting)) return;
    if (n == "vim" || n == "vi" || n == "nvim" || n == "ex" || n == "view" || n == "gvim" ||
        n == "vim.basic" || n == "vim.tiny") {
      return editor_commands(std::move(cmd), nesting);
    }
    if (n == "cmake" && cmake_script(cmd, nesting)) return;
    if (is_db_client(n)) return db_client(std::move(cmd), list, index, frame);
    if (is_awk_name(n)) return awk(std::move(cmd), nesting);
    if (n == "sed" || n == "gsed") return sed(std::move(cmd), nesting);
    if (n == "git") return git(std::move(cmd), nesting);
    if (n == "alias") return alias(std::move(cmd), nesting);
    emit(std::move(cmd));
  }

  // ---- programs in other tools' languages ----------------------------------------------------

  // awk 'PROGRAM' / gawk -e 'PROGRAM': system(), `print | "cmd"`, `"cmd" | getline`.
  void awk(SimpleCommand cmd, int nesting) {
    const auto& a = cmd.argv;
    std::optional<Word> program;
    bool from_file = false;
    size_t i = 1;
    for (; i < a.size(); ++i) {
      const std::string& t = a[i].text;
      if (t == "--") {
        ++i;
        break;
      }
      if (t.size() < 2 || t[0] != '-') break;
      if ((t == "-e" || t == "--source") && i + 1 < a.size()) {
        program = a[++i];
        continue;
      }
      if (starts_with(t, "--source=")) {
        program = a[i];
        program->text = t.substr(9);
        continue;
      }
      if (t == "-f" || starts_with(t, "--file")) from_file = true;
      if (t.size() == 2 && std::string_view("fFvEilW").find(t[1]) != std::string_view::npos) ++i;
    }
    if (!program && !from_file && i < a.size()) program = a[i];
    if (!program) return void(emit(std::move(cmd)));
    if (program->dynamic) {
      cmd.dynamic_verb = true;
      trace([&] { return "unwrap: " + cmd.name + " program is dynamic"; });
      return void(emit(std::move(cmd)));
    }
    const std::string origin = cmd.name + " program";
    run_code(std::move(cmd), "awk", program->text, origin, nesting);
  }

  // sed SCRIPT / sed -e SCRIPT -e ...: `e CMD`, `s///e`, `w FILE`. --sandbox refuses them all.
  void sed(SimpleCommand cmd, int nesting) {
    const auto& a = cmd.argv;
    std::string script;
    bool dynamic = false;
    bool have = false;
    bool from_file = false;
    size_t i = 1;
    for (; i < a.size(); ++i) {
      const std::string& t = a[i].text;
      if (t == "--") {
        ++i;
        break;
      }
      if (t.size() < 2 || t[0] != '-') break;
      if (t == "--sandbox") return void(emit(std::move(cmd)));
      if ((t == "-e" || t == "--expression") && i + 1 < a.size()) {
        script += (have ? "\n" : "") + a[i + 1].text;
        dynamic = dynamic || a[i + 1].dynamic;
        have = true;
        ++i;
        continue;
      }
      if (starts_with(t, "--expression=")) {
        script += (have ? "\n" : "") + t.substr(13);
        dynamic = dynamic || a[i].dynamic;
        have = true;
        continue;
      }
      if (t == "-f" || starts_with(t, "--file")) from_file = true;
      if (t == "-f" || t == "-l") ++i;
    }
    if (!have && !from_file && i < a.size()) {
      script = a[i].text;
      dynamic = a[i].dynamic;
      have = true;
    }
    // Only a script that can run or write anything is worth a second look.
    if (!have || (script.find('e') == std::string::npos && script.find('w') == std::string::npos &&
                  script.find('W') == std::string::npos)) {
      return void(emit(std::move(cmd)));
    }
    // A dynamic script (`sed "s/$OLD/$NEW/"`) is scanned as written: its commands are literal.
    (void)dynamic;
    run_code(std::move(cmd), "sed", script, "sed script", nesting);
  }

  // git: configuration values set on this line that git runs as shell commands, and aliases.
  void git(SimpleCommand cmd, int nesting) {
    const auto g = detail::scan_git(cmd.argv, cmd.env, m_git_aliases);
    for (const auto& [key, why] : g.installs) cmd.facts.emplace_back("installs_command", why);
    for (const auto& [key, why] : g.injections) cmd.facts.emplace_back("config_exec", why);
    if (g.sub_index < cmd.argv.size() && cmd.argv[g.sub_index].text == "config") {
      // Remember aliases this line defines for a later `git NAME` in the same line.
      for (size_t k = g.sub_index + 1; k + 1 < cmd.argv.size(); ++k) {
        const std::string& key = cmd.argv[k].text;
        if (starts_with(key, "alias.") && !cmd.argv[k + 1].dynamic) {
          m_git_aliases[key.substr(6)] = cmd.argv[k + 1].text;
          break;
        }
      }
    }
    SimpleCommand carrier = cmd;
    emit(std::move(cmd));
    for (const auto& t : g.shell) {
      if (m_limits_hit) return;
      if (t.text.dynamic) {
        SimpleCommand s = synthetic(carrier, t.origin, {t.text});
        s.dynamic_verb = true;
        trace([&] { return "unwrap: " + t.origin + " runs dynamic shell text"; });
        emit(std::move(s));
        continue;
      }
      trace([&] { return "unwrap: " + t.origin + " runs: " + t.text.text; });
      nested(carrier, t.text.text, t.origin, "git", nesting);
    }
    if (g.alias_name.empty()) return;
    // `git NAME args`: the alias value replaces NAME.
    std::string rest;
    for (size_t k = g.sub_index + 1; k < carrier.argv.size(); ++k) {
      rest += " " + quote_word(carrier.argv[k].text);
    }
    if (starts_with(g.alias_value, "!")) {
      nested(carrier, g.alias_value.substr(1) + rest, "git alias " + g.alias_name, "git", nesting);
    } else {
      std::string prefix;
      for (size_t k = 0; k < g.sub_index; ++k) prefix += quote_word(carrier.argv[k].text) + " ";
      nested(carrier, prefix + g.alias_value + rest, "git alias " + g.alias_name, "git", nesting);
    }
  }

  static std::string quote_word(const std::string& w) {
    if (!w.empty() && w.find_first_of(" \t\n'\"\\$`;&|<>(){}*?[]~#!") == std::string::npos) {
      return w;
    }
    std::string q = "'";
    for (char ch : w) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
    return q + "'";
  }

  // alias NAME='TEXT': like a function body, the text runs when the name is used; it is listed
  // where it is defined.
  void alias(SimpleCommand cmd, int nesting) {
    SimpleCommand carrier = cmd;
    emit(std::move(cmd));
    for (size_t i = 1; i < carrier.argv.size(); ++i) {
      const Word& w = carrier.argv[i];
      const auto eq = w.text.find('=');
      if (eq == std::string::npos || eq == 0) continue;
      const std::string name = w.text.substr(0, eq);
      if (w.dynamic) {
        SimpleCommand s = carrier;
        s.argv = {w};
        s.argv[0].text = w.text.substr(eq + 1);
        s.dynamic_verb = true;
        s.origin = "alias " + name;
        emit(std::move(s));
        continue;
      }
      trace([&] {
        return "unwrap: alias " + name + " defined (its text is listed; it runs when used)";
      });
      nested(carrier, w.text.substr(eq + 1), "alias " + name, "alias " + name, nesting);
    }
  }

  // tmux send-keys / screen -X stuff / at / batch / crontab: the command they will run later is
  // parsed as shell text below the runner (deferred.cpp); one that cannot be seen is dynamic.
  bool deferred(SimpleCommand& cmd, const std::vector<SimpleCommand>& list, size_t index,
                const Frame& frame, int nesting) {
    using Form = detail::Deferred::Form;
    const auto d = detail::deferred_command(cmd.name, cmd.argv);
    if (d.form == Form::none || d.form == Form::argv) return false;
    std::optional<StdinText> t;
    if (d.form == Form::text) {
      t = StdinText{};
      t->text = d.text;
      t->dynamic = d.dynamic;
    } else if (d.form == Form::stdin_text) {
      t = stdin_text(cmd, list, index, frame);
    }
    if (!t || t->dynamic) {
      trace([&] { return "unwrap: " + d.label + " runs a command that cannot be seen"; });
      cmd.dynamic_verb = true;
      emit(std::move(cmd));
      return true;
    }
    // The scheduler itself stays a subject too: rules about installing jobs (crontab) see it.
    const std::string text = d.crontab ? detail::crontab_commands(t->text) : t->text;
    if (d.crontab) emit(SimpleCommand(cmd));
    nested(cmd, text, "deferred", d.label, nesting);
    return true;
  }

  // Parses `text` as shell one level below `carrier` and unwraps the result in place.
  void nested(const SimpleCommand& carrier, const std::string& text, const std::string& origin,
              const std::string& wrapper, int nesting, Frame extra = {},
              std::optional<std::vector<std::string>> positional = std::nullopt) {
    const int depth = carrier.depth + 1;
    if (depth > m_limits.max_depth || nesting + 1 > m_limits.max_depth) {
      fail("nested shell text deeper than max_depth (" + std::to_string(m_limits.max_depth) + ")");
      return;
    }
    ShellEnv env = m_env;
    env.cwd = carrier.cwd.empty() ? m_env.cwd : carrier.cwd;
    for (const auto& [k, v] : carrier.env) env.vars[k] = v;
    env.positional = std::move(positional);
    ShellParse sub = parse_raw(text, env, m_limits, depth);
    for (auto& [name, body] : sub.functions) m_functions[name] = body;
    trace([&] {
      return origin + ": parsed " + std::to_string(sub.commands.size()) + " commands at depth " +
             std::to_string(depth);
    });
    if (m_limits.trace) {
      for (auto& t : sub.trace) m_parse.trace.push_back("  " + t);
    }
    if (sub.fail_closed) fail(origin + ": " + sub.fail_reason);
    if (!sub.complete) m_parse.complete = false;

    Frame f = std::move(extra);
    f.wrappers = carrier.wrappers;
    if (!wrapper.empty()) f.wrappers.push_back(wrapper);
    f.origin = origin;
    f.parent = &carrier;
    f.dynamic_args = carrier.dynamic_args;
    f.pipeline_base = m_next_pipeline;
    for (const auto& c : sub.commands) {
      m_next_pipeline = std::max(m_next_pipeline, f.pipeline_base + c.pipeline + 1);
    }
    for (size_t i = 0; i < sub.commands.size(); ++i) {
      if (m_limits_hit) return;
      SimpleCommand c = sub.commands[i];
      adopt(c, f, depth);
      process(std::move(c), sub.commands, i, f, nesting + 1);
    }
  }

  // Text whose origin hides it from a reader of the line: a decoded payload (base64, hex, rev,
  // tr) or a command git runs from its configuration (`-c alias.x='!..'`, `git config ..`, an
  // alias defined in the line). What such text runs carries `concealed`, and so does everything
  // nested below it (`git -c alias.x='!sh -c "rm -rf ~/p"'`: the rm under the sh -c).
  static std::string concealing(const std::string& origin) {
    if (origin == "base64" || origin == "hex" || origin == "rev" || origin == "tr")
      return "decoded from a " + origin + " payload";
    if (starts_with(origin, "git -c ") || starts_with(origin, "git config ") ||
        starts_with(origin, "git alias ") || starts_with(origin, "GIT_"))
      return "run by git from its configuration (" + origin + ")";
    return {};
  }

  void adopt(SimpleCommand& c, const Frame& f, int base_depth) const {
    const SimpleCommand& p = *f.parent;
    {
      std::string why = concealing(f.origin);
      if (why.empty()) {
        for (const auto& [k, v] : p.facts) {
          if (k == "concealed") why = v;
        }
      }
      if (!why.empty()) c.facts.emplace_back("concealed", std::move(why));
    }
    std::vector<std::string> w = f.wrappers;
    w.insert(w.end(), c.wrappers.begin(), c.wrappers.end());
    c.wrappers = std::move(w);
    if (c.origin.empty() || c.origin == "shell") c.origin = f.origin;
    if (c.depth < base_depth) c.depth = base_depth;
    // Spans of nested text do not map to the top-level line: point at the carrier.
    c.begin = p.begin;
    c.end = p.end;
    for (auto& word : c.argv) {
      word.begin = p.begin;
      word.end = p.end;
    }
    for (const auto& [k, v] : p.env) c.env.emplace(k, v);
    if (c.cwd.empty()) c.cwd = p.cwd;
    if (f.dynamic_args) c.dynamic_args = true;
    if (p.background) c.background = true;
    if (c.pipeline >= 0) c.pipeline += f.pipeline_base;
    if (c.depth == base_depth && c.pipeline_pos == 0) {
      if (!f.stdin_redirects.empty() && !has_stdin_redirect(c)) {
        c.redirects.insert(c.redirects.end(), f.stdin_redirects.begin(), f.stdin_redirects.end());
      }
      if (!f.stdin_from.empty() && c.stdin_from.empty()) c.stdin_from = f.stdin_from;
    }
  }

  // What the carrier's stdin is, for the first stage of the text it runs (bash -c, ssh, eval).
  Frame stdin_frame(const SimpleCommand& cmd, const std::vector<SimpleCommand>& list,
                    size_t index) {
    Frame extra;
    for (const auto& r : cmd.redirects) {
      if (is_stdin_redirect(r)) extra.stdin_redirects.push_back(r);
    }
    extra.stdin_from = cmd.stdin_from;
    if (!has_stdin_redirect(cmd) && cmd.pipeline >= 0 && cmd.pipeline_pos > 0) {
      if (const auto up = upstream(list, index)) extra.upstream_text = produced_text(list, *up, 0);
    }
    return extra;
  }

  static bool has_stdin_redirect(const SimpleCommand& c) {
    return std::any_of(c.redirects.begin(), c.redirects.end(), is_stdin_redirect);
  }

  // ---- stdin ------------------------------------------------------------------------------

  // What the command reads on stdin, when it is known text.
  std::optional<StdinText> stdin_text(const SimpleCommand& cmd,
                                      const std::vector<SimpleCommand>& list, size_t index,
                                      const Frame& frame) {
    if (const Redirect* r = stdin_body(cmd)) {
      StdinText t;
      t.text = r->body;
      t.origin = r->op == RedirectOp::heredoc ? "heredoc" : "herestring";
      return t;
    }
    if (has_file_stdin(cmd)) {
      // `bash < <(echo ..)`: stdin is what the process substitution prints.
      const Redirect* last = nullptr;
      for (const auto& r : cmd.redirects) {
        if ((r.op == RedirectOp::read || r.op == RedirectOp::read_write) &&
            (r.fd == -1 || r.fd == 0)) {
          last = &r;
        }
      }
      if (last != nullptr && is_process_substitution(last->target)) {
        return procsub_text(last->target, cmd.depth);
      }
      return std::nullopt;
    }
    if (cmd.pipeline >= 0 && cmd.pipeline_pos > 0) {
      const auto up = upstream(list, index);
      if (!up) return group_text(cmd, list, index);
      return produced_text(list, *up, 0);
    }
    if (cmd.pipeline_pos == 0 && frame.upstream_text && cmd.depth == frame.parent->depth + 1) {
      return frame.upstream_text;
    }
    return std::nullopt;
  }

  // What a group stage prints (`(echo a; echo b) | sh`): each of its pipelines' last stage in
  // order, when every one is known text. For a crontab reading it, the current table (`crontab
  // -l`, optionally filtered by grep) adds nothing new: only the appended lines are jobs to judge.
  std::optional<StdinText> group_text(const SimpleCommand& cmd,
                                      const std::vector<SimpleCommand>& list, size_t index) {
    std::vector<size_t> members;
    for (size_t j = 0; j < index && j < list.size(); ++j) {
      const SimpleCommand& u = list[j];
      if (u.group_pipeline == cmd.pipeline && u.group_pos == cmd.pipeline_pos - 1 &&
          u.depth == cmd.depth)
        members.push_back(j);
    }
    if (members.empty()) return std::nullopt;
    const bool into_crontab = cmd.name == "crontab";
    bool unknown = false;
    StdinText out;
    out.origin = "pipe";
    for (size_t m = 0; m < members.size(); ++m) {
      const SimpleCommand& u = list[members[m]];
      // Only the last stage of each inner pipeline prints to the group's output.
      const bool feeds_next = m + 1 < members.size() &&
                              list[members[m + 1]].pipeline == u.pipeline &&
                              list[members[m + 1]].pipeline_pos > u.pipeline_pos;
      if (feeds_next) continue;
      if (into_crontab && lists_current_table(list, members, m)) continue;
      if (prints_nothing(u)) continue;
      auto t = produced_text(list, members[m], 0);
      if (!t) {
        unknown = true;
        continue;
      }
      if (t->dynamic) return t;
      out.text += t->text;
      if (!out.text.empty() && out.text.back() != '\n') out.text += '\n';
    }
    // A crontab installs the whole text: one part nobody can see makes the table unseen. A shell
    // reading partly unknown text (`(cat x; echo CMD) | sh`) is judged by what can be seen, as
    // `cat x | sh` is.
    if (unknown && (into_crontab || out.text.empty())) return std::nullopt;
    return out;
  }

  static bool prints_nothing(const SimpleCommand& u) {
    static constexpr std::string_view k_silent[] = {"sleep",  "true", "false", ":",     "cd",
                                                    "export", "set",  "wait",  "umask", "unset"};
    for (auto s : k_silent)
      if (u.name == s && u.redirects.empty()) return true;
    return false;
  }

  // `crontab -l`, or `crontab -l | grep ...`, among a group's members ending at `m`.
  static bool lists_current_table(const std::vector<SimpleCommand>& list,
                                  const std::vector<size_t>& members, size_t m) {
    const SimpleCommand& last = list[members[m]];
    for (size_t k = 0; k <= m; ++k) {
      const SimpleCommand& u = list[members[k]];
      if (u.pipeline != last.pipeline) continue;
      const bool lists = u.name == "crontab" && u.argv.size() == 2 && u.argv[1].text == "-l";
      if (!(lists || (u.name == "grep" && u.pipeline_pos > 0))) return false;
      if (u.pipeline_pos == 0 && !lists) return false;
    }
    return true;
  }

  static bool is_process_substitution(const Word& w) {
    return w.dynamic && w.text.size() > 3 && starts_with(w.text, "<(") && w.text.back() == ')';
  }

  // What `<(CMD)` prints, when CMD is a literal echo/printf or one decoder over one; otherwise
  // unknown (dynamic), so a shell reading it is a dynamic verb.
  std::optional<StdinText> procsub_text(const Word& w, int depth) {
    const std::string inner = w.text.substr(2, w.text.size() - 3);
    ShellParse sub = parse_raw(inner, m_env, m_limits, depth + 1);
    StdinText unknown;
    unknown.origin = "process substitution";
    unknown.dynamic = true;
    unknown.why = "output of <(" + inner.substr(0, 80) + ")";
    if (sub.fail_closed || sub.commands.empty()) return unknown;
    const size_t last = sub.commands.size() - 1;
    const SimpleCommand& lc = sub.commands[last];
    // Only a single pipeline's last stage decides what is printed.
    for (const auto& c : sub.commands) {
      if (c.pipeline != lc.pipeline || c.depth != lc.depth) return unknown;
    }
    auto t = produced_text(sub.commands, last, 0);
    if (!t) return unknown;
    t->origin = "process substitution";
    return t;
  }

  static std::optional<size_t> upstream(const std::vector<SimpleCommand>& list, size_t index) {
    if (index >= list.size()) return std::nullopt;
    const SimpleCommand& c = list[index];
    for (size_t j = index; j-- > 0;) {
      const SimpleCommand& u = list[j];
      if (u.pipeline == c.pipeline && u.depth == c.depth && u.pipeline_pos == c.pipeline_pos - 1) {
        return j;
      }
    }
    return std::nullopt;
  }

  // The text a command writes to stdout when it is a literal (echo/printf) or one decoder over a
  // literal. nullopt = not known text (curl, cat file, ...).
  std::optional<StdinText> produced_text(const std::vector<SimpleCommand>& list, size_t j,
                                         int level) {
    const SimpleCommand& u = list[j];
    if (u.argv.empty()) return std::nullopt;
    const std::string n = base_name(u.argv[0].text);
    const auto& a = u.argv;
    if (n == "echo") {
      size_t i = 1;
      bool escapes = false;
      while (i < a.size() && (a[i].text == "-n" || a[i].text == "-e" || a[i].text == "-E" ||
                              a[i].text == "-ne" || a[i].text == "-en")) {
        escapes = escapes || a[i].text.find('e') != std::string::npos;
        ++i;
      }
      StdinText t;
      t.origin = "pipe";
      t.dynamic = any_dynamic(a, i, a.size());
      t.text = join_words(a, i, a.size());
      if (escapes) t.text = process_escapes(t.text);
      return t;
    }
    if (n == "printf") {
      size_t i = 1;
      if (i < a.size() && a[i].text == "--") ++i;
      if (i >= a.size()) return std::nullopt;
      StdinText t;
      t.origin = "pipe";
      t.dynamic = any_dynamic(a, i, a.size());
      std::string fmt = a[i].text;
      size_t arg = i + 1;
      std::string out;
      for (size_t k = 0; k < fmt.size(); ++k) {
        if (fmt[k] == '%' && k + 1 < fmt.size()) {
          if (fmt[k + 1] == '%') {
            out += '%';
          } else if (fmt[k + 1] == 's' || fmt[k + 1] == 'b') {
            if (arg < a.size())
              out += fmt[k + 1] == 'b' ? process_escapes(a[arg++].text) : a[arg++].text;
          } else {
            out += fmt[k];
            continue;
          }
          ++k;
          continue;
        }
        out += fmt[k];
      }
      t.text = process_escapes(out);
      return t;
    }
    if (level > 0) return std::nullopt;  // ONE level of decoding
    const auto decoder = decoder_kind(u);
    if (!decoder) return std::nullopt;
    std::optional<StdinText> input;
    if (const Redirect* r = stdin_body(u)) {
      input = StdinText{r->body, "herestring", false, false, {}};
    } else if (u.pipeline_pos > 0) {
      if (const auto up = upstream(list, j)) input = produced_text(list, *up, level + 1);
    }
    StdinText t;
    t.origin = *decoder;
    if (!input || input->dynamic) {
      t.dynamic = true;
      t.why = *decoder + " of unknown input";
      return t;
    }
    std::optional<std::string> decoded;
    std::string payload = input->text;
    if (*decoder == "base64") {
      decoded = detail::decode_base64(payload);
    } else if (*decoder == "hex") {
      decoded = detail::decode_hex(payload);
    } else if (*decoder == "tr") {
      decoded = translate(u.argv[1].text, u.argv[2].text, payload);
    } else {  // rev: reverse each line
      std::string out;
      size_t p = 0;
      while (p <= payload.size()) {
        auto e = payload.find('\n', p);
        if (e == std::string::npos) e = payload.size();
        std::string line = payload.substr(p, e - p);
        std::reverse(line.begin(), line.end());
        out += line;
        if (e < payload.size()) out += '\n';
        p = e + 1;
      }
      decoded = out;
    }
    if (!decoded) {
      t.junk = true;
      t.why = "could not decode " + *decoder + " payload";
      return t;
    }
    // A trailing newline is normal for `echo`; anything else non-printable is junk.
    while (!decoded->empty() && decoded->back() == '\n') decoded->pop_back();
    if (!detail::looks_like_text(*decoded)) {
      t.junk = true;
      t.why = "decoded " + *decoder + " payload is not text";
      return t;
    }
    t.text = *decoded;
    return t;
  }

  // `tr SET1 SET2` over TEXT: ranges (a-z) and the escapes \n \t \\ expanded; SET2 is padded with
  // its last character, as GNU tr does. Character classes ([:upper:]) are not expanded: nullopt.
  static std::optional<std::string> translate(const std::string& s1, const std::string& s2,
                                              const std::string& text) {
    auto expand = [](const std::string& set) -> std::optional<std::string> {
      if (set.find("[:") != std::string::npos || set.find("[=") != std::string::npos)
        return std::nullopt;
      std::string out;
      for (size_t i = 0; i < set.size(); ++i) {
        char c = set[i];
        if (c == '\\' && i + 1 < set.size()) {
          const char e = set[++i];
          c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
        }
        if (i + 2 < set.size() && set[i + 1] == '-') {
          const char hi = set[i + 2];
          if (static_cast<unsigned char>(hi) < static_cast<unsigned char>(c)) return std::nullopt;
          for (int x = static_cast<unsigned char>(c); x <= static_cast<unsigned char>(hi); ++x)
            out += static_cast<char>(x);
          i += 2;
          continue;
        }
        out += c;
      }
      return out;
    };
    const auto from = expand(s1);
    auto to = expand(s2);
    if (!from || !to || to->empty()) return std::nullopt;
    while (to->size() < from->size()) to->push_back(to->back());
    std::array<char, 256> map{};
    for (int x = 0; x < 256; ++x) map[static_cast<size_t>(x)] = static_cast<char>(x);
    for (size_t i = 0; i < from->size(); ++i)
      map[static_cast<unsigned char>((*from)[i])] = (*to)[i];
    std::string out = text;
    for (auto& ch : out) ch = map[static_cast<unsigned char>(ch)];
    return out;
  }

  static std::optional<std::string> decoder_kind(const SimpleCommand& u) {
    const std::string n = base_name(u.argv[0].text);
    const auto& a = u.argv;
    auto has = [&](std::initializer_list<std::string_view> opts) {
      for (size_t i = 1; i < a.size(); ++i) {
        if (one_of(a[i].text, opts)) return true;
      }
      return false;
    };
    auto has_short = [&](char c) {
      for (size_t i = 1; i < a.size(); ++i) {
        const auto& t = a[i].text;
        if (t.size() >= 2 && t[0] == '-' && t[1] != '-' && t.find(c) != std::string::npos) {
          return true;
        }
      }
      return false;
    };
    if (n == "base64" || n == "base32" || n == "basenc") {
      if (n == "base64" && (has({"--decode"}) || has_short('d') || has_short('D'))) {
        return "base64";
      }
      return std::nullopt;
    }
    if (n == "openssl" && a.size() > 1 && (a[1].text == "base64" || a[1].text == "enc")) {
      const bool b64 = a[1].text == "base64" || has({"-base64", "-a"});
      if (b64 && has({"-d"})) return "base64";
      return std::nullopt;
    }
    if (n == "xxd" && has_short('r') && (has_short('p') || has({"-ps", "-plain"}))) return "hex";
    if (n == "rev" && a.size() == 1) return "rev";
    // tr SET1 SET2 with literal sets (rot13 and friends); -d/-s/-c change what it means.
    if (n == "tr" && a.size() == 3 && !a[1].dynamic && !a[2].dynamic && !a[1].text.empty() &&
        a[1].text[0] != '-' && !a[2].text.empty() && a[2].text[0] != '-')
      return "tr";
    return std::nullopt;
  }

  // Feeds known stdin text to a shell / interpreter / DB client. Returns true when handled.
  bool consume_stdin_text(SimpleCommand& cmd, const std::optional<StdinText>& t,
                          const std::string& kind) {
    if (!t) return false;
    if (t->junk) {
      fail(t->why);
      emit(std::move(cmd));
      return true;
    }
    if (t->dynamic) {
      if (kind == "shell" || kind == "interpreter") {
        cmd.dynamic_verb = true;
        trace([&] {
          return "unwrap: " + cmd.name + " reads code that is not known" +
                 (t->why.empty() ? "" : " (" + t->why + ")");
        });
      }
      emit(std::move(cmd));
      return true;
    }
    return false;
  }

  // ---- shells ------------------------------------------------------------------------------

  void shell(SimpleCommand cmd, const std::vector<SimpleCommand>& list, size_t index,
             const Frame& frame, int nesting) {
    const auto& a = cmd.argv;
    bool cmode = false;
    bool smode = false;
    size_t i = 1;
    while (i < a.size()) {
      const std::string& t = a[i].text;
      if (t == "--" || t == "-") {
        ++i;
        break;
      }
      if (t.size() < 2 || (t[0] != '-' && t[0] != '+')) break;
      if (t[1] == '-') {
        if (t == "--rcfile" || t == "--init-file") ++i;
        if (t == "--help" || t == "--version") return void(emit(std::move(cmd)));
        if (t == "--command") cmode = true;  // fish
        ++i;
        continue;
      }
      bool takes_value = false;
      for (size_t k = 1; k < t.size(); ++k) {
        if (t[k] == 'c') cmode = true;
        if (t[k] == 's') smode = true;
        if (t[k] == 'o' || t[k] == 'O') takes_value = true;
      }
      i += takes_value ? 2 : 1;
    }
    if (cmode) {
      if (i >= a.size()) return void(emit(std::move(cmd)));
      if (a[i].dynamic) {
        cmd.dynamic_verb = true;
        trace([&] { return "unwrap: " + cmd.name + " -c with dynamic text"; });
        return void(emit(std::move(cmd)));
      }
      const std::string text = a[i].text;
      // `sh -c TEXT NAME ARGS`: NAME is $0 and ARGS are $1.., bound when all are literal.
      std::optional<std::vector<std::string>> pos;
      if (i + 1 < a.size() && !any_dynamic(a, i + 1, a.size())) {
        pos.emplace();
        for (size_t k = i + 1; k < a.size(); ++k) pos->push_back(a[k].text);
      }
      return nested(cmd, text, cmd.name + " -c", cmd.name + " -c", nesting,
                    stdin_frame(cmd, list, index), std::move(pos));
    }
    if (i < a.size() && !smode && !a[i].dynamic &&
        run_written_script(cmd, a[i].text, cmd.name + " " + a[i].text, nesting))
      return;
    if (i < a.size() && !smode && is_process_substitution(a[i])) {
      const auto t = procsub_text(a[i], cmd.depth);
      if (t && !t->dynamic && !t->junk) return nested(cmd, t->text, t->origin, cmd.name, nesting);
    }
    if (i < a.size() && !smode) {
      // bash script.sh: the file is not visible here; keep it. bash <(curl ..): dynamic.
      if (a[i].dynamic) {
        cmd.dynamic_verb = true;
        trace([&] { return "unwrap: " + cmd.name + " runs a script whose name is dynamic"; });
      }
      return void(emit(std::move(cmd)));
    }
    const auto t = stdin_text(cmd, list, index, frame);
    if (consume_stdin_text(cmd, t, "shell")) return;
    if (t) return nested(cmd, t->text, t->origin, cmd.name, nesting);
    emit(std::move(cmd));  // interactive, or stdin from something unknown (curl: scope decides)
  }

  // `f(){ git push --force origin "$1"; }; f main`: a function defined in the line and called
  // with literal arguments runs its body with $1.. bound to them. The body was already listed
  // where it was defined (with the parameters unknown); here it is parsed again with them known,
  // below the call (wrapper "function NAME"). A function is not expanded inside its own call.
  bool call_function(SimpleCommand& cmd, int nesting) {
    if (m_functions.empty() || cmd.argv.size() < 2) return false;
    const auto it = m_functions.find(cmd.argv[0].text);
    if (it == m_functions.end() || any_dynamic(cmd.argv, 1, cmd.argv.size())) return false;
    const std::string name = it->first;
    const std::string label = "function " + name;
    if (std::find(cmd.wrappers.begin(), cmd.wrappers.end(), label) != cmd.wrappers.end())
      return false;
    std::vector<std::string> pos;
    pos.reserve(cmd.argv.size());
    for (const auto& w : cmd.argv) pos.push_back(w.text);
    trace([&] { return "unwrap: " + label + " called with literal arguments (body bound)"; });
    SimpleCommand carrier = cmd;
    emit(std::move(cmd));
    nested(carrier, it->second, label, label, nesting, {}, std::move(pos));
    return true;
  }

  void eval(SimpleCommand cmd, const std::vector<SimpleCommand>& list, size_t index, int nesting) {
    size_t i = 1;
    if (i < cmd.argv.size() && cmd.argv[i].text == "--") ++i;
    if (i >= cmd.argv.size()) return void(emit(std::move(cmd)));
    if (any_dynamic(cmd.argv, i, cmd.argv.size())) {
      cmd.dynamic_verb = true;
      trace([&] { return "unwrap: eval of dynamic text"; });
      return void(emit(std::move(cmd)));
    }
    const std::string text = join_words(cmd.argv, i, cmd.argv.size());
    nested(cmd, text, "eval", "eval", nesting, stdin_frame(cmd, list, index));
  }

  void su(SimpleCommand cmd, int nesting) {
    const auto& a = cmd.argv;
    std::optional<Word> text;
    for (size_t i = 1; i < a.size(); ++i) {
      const std::string& t = a[i].text;
      if ((t == "-c" || t == "--command") && i + 1 < a.size()) {
        text = a[i + 1];
        ++i;
      } else if (starts_with(t, "--command=")) {
        text = a[i];
        text->text = t.substr(10);
      } else if (t.size() > 2 && starts_with(t, "-c")) {
        text = a[i];
        text->text = t.substr(2);
      } else if (t == "-s" || t == "--shell" || t == "-g" || t == "-G" || t == "--group") {
        ++i;
      }
    }
    if (!text) return void(emit(std::move(cmd)));
    if (text->dynamic) {
      cmd.dynamic_verb = true;
      return void(emit(std::move(cmd)));
    }
    nested(cmd, text->text, "su -c", "su", nesting);
  }

  void ssh(SimpleCommand cmd, const std::vector<SimpleCommand>& list, size_t index,
           const Frame& frame, int nesting) {
    const auto o = scan_options(cmd.argv, 1, "bcDEeFIiJLlmOoPpQRSWw", {});
    if (o.next >= cmd.argv.size()) return void(emit(std::move(cmd)));
    const std::string host = cmd.argv[o.next].text;
    const size_t first = o.next + 1;
    const std::string label = "ssh " + host;
    if (first >= cmd.argv.size()) {
      // Remote login shell: whatever arrives on stdin is shell text.
      const auto t = stdin_text(cmd, list, index, frame);
      if (consume_stdin_text(cmd, t, "shell")) return;
      if (t) return nested(cmd, t->text, "ssh", label, nesting);
      mark_remote_unseen(cmd, host);
      return void(emit(std::move(cmd)));
    }
    if (any_dynamic(cmd.argv, first, cmd.argv.size())) {
      cmd.dynamic_verb = true;
      trace([&] { return "unwrap: ssh remote command is dynamic"; });
      return void(emit(std::move(cmd)));
    }
    const std::string text = join_words(cmd.argv, first, cmd.argv.size());
    // `ssh HOST bash -s < deploy.sh`, `cat x.sh | ssh HOST sudo sh`: the remote shell runs
    // whatever stdin holds; when that is not known text, nobody can see what runs there.
    std::vector<std::string> rw;  // the remote words (`'bash -s'` is one argument, two words)
    {
      std::istringstream in(text);
      for (std::string w; in >> w;) rw.push_back(w);
    }
    size_t r = 0;
    while (r < rw.size() && (rw[r] == "sudo" || rw[r] == "-E" || rw[r] == "env" || rw[r] == "exec"))
      ++r;
    if (r < rw.size() && is_shell_name(base_name(rw[r])) &&
        (r + 1 == rw.size() || rw[r + 1] == "-s" || rw[r + 1] == "-")) {
      const auto t = stdin_text(cmd, list, index, frame);
      // The ssh command carries the fact (its host names where the script runs).
      if ((!t || t->dynamic) && mark_remote_unseen(cmd, host)) emit(SimpleCommand(cmd));
    }
    nested(cmd, text, "ssh", label, nesting, stdin_frame(cmd, list, index));
  }

  // Cloud CLIs that run a command on a machine: `gcloud compute ssh HOST --command CMD` (or
  // `-- CMD`), `fly ssh console -a APP -C CMD`, `aws ssm send-command --parameters
  // 'commands=["CMD"]'`. The command is judged as shell on that host (wrapper "ssh HOST", so the
  // host's production name counts); the CLI stays a subject for its own rules.
  bool cloud_remote_command(const SimpleCommand& cmd, int nesting) {
    const auto& a = cmd.argv;
    auto has = [&](std::string_view w) {
      return std::any_of(a.begin(), a.end(), [&](const Word& x) { return x.text == w; });
    };
    auto value = [&](std::initializer_list<std::string_view> opts) -> std::optional<Word> {
      for (size_t i = 1; i < a.size(); ++i) {
        if (a[i].text == "--") break;
        for (auto o : opts) {
          if (a[i].text == o && i + 1 < a.size()) return a[i + 1];
          if (starts_with(a[i].text, std::string(o) + "=")) {
            Word w = a[i];
            w.text = a[i].text.substr(o.size() + 1);
            return w;
          }
        }
      }
      return std::nullopt;
    };
    std::optional<Word> text;
    std::string host;
    const std::string& n = cmd.name;
    if (n == "gcloud" && has("compute") && has("ssh")) {
      static constexpr std::string_view k_valued[] = {
          "--zone",          "--project",   "--command",
          "--ssh-key-file",  "--ssh-flag",  "--account",
          "--configuration", "--container", "--strict-host-key-checking"};
      size_t i = 1;
      while (i < a.size() && a[i].text != "ssh") ++i;
      for (++i; i < a.size(); ++i) {
        const std::string& t = a[i].text;
        if (t == "--") break;
        if (!t.empty() && t[0] == '-') {
          if (std::find(std::begin(k_valued), std::end(k_valued), t) != std::end(k_valued)) ++i;
          continue;
        }
        if (host.empty()) host = t.substr(t.find('@') == std::string::npos ? 0 : t.find('@') + 1);
      }
      text = value({"--command"});
      if (!text) {
        const auto dd =
            std::find_if(a.begin(), a.end(), [](const Word& w) { return w.text == "--"; });
        if (dd != a.end() && dd + 1 != a.end()) {
          Word w = *(dd + 1);
          const auto from = static_cast<size_t>(dd - a.begin()) + 1;
          w.text = join_words(a, from, a.size());
          w.dynamic = any_dynamic(a, from, a.size());
          // `-- -L 8080:localhost:80` passes ssh options, not a command.
          if (!w.text.empty() && w.text[0] != '-') text = w;
        }
      }
    } else if ((n == "fly" || n == "flyctl") && has("ssh") && has("console")) {
      text = value({"-C", "--command"});
      if (auto app = value({"-a", "--app"})) host = app->text;
    } else if (n == "aws" && has("ssm") && has("send-command")) {
      auto params = value({"--parameters"});
      if (!params) return false;
      const std::string& v = params->text;
      const auto at = v.find("commands");
      if (at == std::string::npos) return false;
      std::string joined;
      size_t from = v.find('[', at);
      if (from == std::string::npos) from = at + 8;
      for (size_t q = v.find('"', from); q != std::string::npos; q = v.find('"', q + 1)) {
        const auto e = v.find('"', q + 1);
        if (e == std::string::npos) break;
        const std::string item = v.substr(q + 1, e - q - 1);
        if (item != "commands" && !item.empty()) joined += item + "\n";
        q = e;
      }
      if (joined.empty()) {
        const auto eq = v.find('=', at);
        if (eq != std::string::npos) joined = v.substr(eq + 1);
      }
      Word w = *params;
      w.text = joined;
      text = w;
      if (auto ids = value({"--instance-ids"})) host = ids->text;
      // `--targets Key=tag:env,Values=prod`: the tag values name the hosts.
      if (auto t = value({"--targets"})) {
        const auto vals = t->text.find("Values=");
        host = vals == std::string::npos ? t->text : t->text.substr(vals + 7);
      }
    }
    if (!text) return false;
    if (host.empty()) host = n;
    emit(SimpleCommand(cmd));
    if (text->dynamic) {
      SimpleCommand d = cmd;
      d.dynamic_verb = true;
      trace([&] { return "unwrap: " + n + " runs a remote command that cannot be seen"; });
      emit(std::move(d));
      return true;
    }
    nested(cmd, text->text, "ssh", "ssh " + host, nesting);
    return true;
  }

  // The remote side runs a script from stdin that is not known text (a local file, a pipe from a
  // tool). Scope analysis asks for it when the host is production.
  bool mark_remote_unseen(SimpleCommand& cmd, const std::string& host) {
    if (!has_file_stdin(cmd) && cmd.pipeline_pos == 0) return false;  // nothing on stdin
    for (const auto& r : cmd.redirects)
      if (is_stdin_redirect(r) && r.target.text == "/dev/null") return false;
    trace([&] { return "unwrap: ssh " + host + " runs a script from stdin that cannot be seen"; });
    cmd.facts.emplace_back("remote_unseen",
                           "ssh " + host + " runs a script from stdin that cannot be seen");
    return true;
  }

  // Fleet tools run a command on many hosts at once: `ansible prod -i inv -m shell -a 'CMD'`,
  // `salt 'web*' cmd.run 'CMD'`, `pssh -h hosts -i 'CMD'`, `pdsh -w web[1-4] CMD`. The tool's own
  // command stays a subject (for its rules); the remote command is judged as shell text, with the
  // wrapper "on hosts TOOL TARGET INVENTORY" that names where it runs. Salt's execution modules
  // that mirror a shell command (pkg.remove, service.stop, file.remove, system.reboot) are read as
  // that command.
  void fleet(SimpleCommand cmd, int nesting) {
    const auto& a = cmd.argv;
    const std::string n = cmd.name;
    std::string text;
    std::string where;
    bool text_dynamic = false;
    if (n == "ansible") {
      std::string module = "command";
      std::optional<Word> margs;
      std::string pattern;
      for (size_t i = 1; i < a.size(); ++i) {
        const std::string& t = a[i].text;
        auto value = [&](std::string_view o) -> std::optional<Word> {
          if (t == o && i + 1 < a.size()) return a[++i];
          if (t.size() > o.size() + 1 && starts_with(t, std::string(o) + "=")) {
            Word w = a[i];
            w.text = t.substr(o.size() + 1);
            return w;
          }
          return std::nullopt;
        };
        if (auto v = value("-m"))
          module = v->text;
        else if (auto v2 = value("--module-name"))
          module = v2->text;
        else if (auto v3 = value("-a"))
          margs = v3;
        else if (auto v4 = value("--args"))
          margs = v4;
        else if (auto v5 = value("-i"))
          where += " -i " + v5->text;
        else if (auto v6 = value("--inventory"))
          where += " -i " + v6->text;
        else if (auto v7 = value("-l"))
          where += " -l " + v7->text;
        else if (auto v8 = value("--limit"))
          where += " -l " + v8->text;
        else if (t == "-u" || t == "-e" || t == "-f" || t == "-M" || t == "-T" || t == "-t" ||
                 t == "-P" || t == "-B" || t == "--become-user" || t == "--vault-password-file" ||
                 t == "--private-key" || t == "-c" || t == "--user" || t == "--extra-vars")
          ++i;
        else if (!t.empty() && t[0] != '-' && pattern.empty())
          pattern = t;
      }
      if (const auto dot = module.rfind('.'); dot != std::string::npos)
        module = module.substr(dot + 1);  // ansible.builtin.shell
      if ((module == "shell" || module == "command" || module == "raw") && margs) {
        text = margs->text;
        text_dynamic = margs->dynamic;
      } else if (module == "reboot") {
        text = "reboot";
      } else if (module == "file" && margs) {
        // `-m file -a 'path=X state=absent'` removes X recursively on the hosts: judged as
        // `rm -rf X` there (a temp directory is routine, a system or home path is not).
        std::string path;
        bool absent = false;
        std::istringstream in(margs->text);
        for (std::string kv; in >> kv;) {
          for (std::string_view k : {"path=", "dest=", "name="}) {
            if (starts_with(kv, k)) path = kv.substr(k.size());
          }
          if (kv == "state=absent") absent = true;
        }
        if (absent && !path.empty()) {
          // ansible expands `~` on the host: keep it unquoted.
          const bool tilde = path == "~" || starts_with(path, "~/");
          text = "rm -rf " + (tilde ? "~" + (path.size() > 1 ? quote_word(path.substr(1)) : "")
                                    : quote_word(path));
          text_dynamic = margs->dynamic;
        }
      }
      where = " " + pattern + where;
    } else if (n == "salt" || n == "salt-ssh") {
      size_t i = 1;
      std::vector<size_t> pos;
      for (; i < a.size(); ++i) {
        const std::string& t = a[i].text;
        if (!t.empty() && t[0] == '-') {
          if (t == "-t" || t == "--timeout" || t == "-b" || t == "--batch-size" || t == "-c" ||
              t == "--config-dir" || t == "--out" || t == "-N" || t == "--nodegroup" || t == "-L" ||
              t == "-G" || t == "-C" || t == "-E" || t == "--return")
            if (t != "-L" && t != "-G" && t != "-C" && t != "-E") ++i;
          continue;
        }
        pos.push_back(i);
      }
      if (pos.size() >= 2) {
        where = " " + a[pos[0]].text;
        const std::string fn = a[pos[1]].text;
        std::string rest;
        for (size_t k = 2; k < pos.size(); ++k) {
          if (a[pos[k]].text.find('=') != std::string::npos && k > 2) continue;  // kwargs
          if (!rest.empty()) rest += ' ';
          rest += a[pos[k]].text;
          text_dynamic = text_dynamic || a[pos[k]].dynamic;
        }
        if (fn == "cmd.run" || fn == "cmd.shell" || fn == "cmd.run_all" || fn == "cmd.run_stdout")
          text = rest;
        else if ((fn == "pkg.remove" || fn == "pkg.purge") && !rest.empty())
          text = "apt-get " + fn.substr(4) + " " + rest;
        else if ((fn == "service.stop" || fn == "service.disable" || fn == "service.restart") &&
                 !rest.empty())
          text = "systemctl " + fn.substr(8) + " " + rest;
        else if ((fn == "file.remove" || fn == "file.rmdir") && !rest.empty())
          text = "rm -rf " + rest;
        else if (fn == "system.reboot" || fn == "system.shutdown" || fn == "system.poweroff")
          text = fn.substr(7);
      }
    } else {  // pssh, parallel-ssh, pdsh, clush
      const auto o = scan_options(a, 1, "hHlptoeOxXwgxcbpRS",
                                  {"hosts", "host", "user", "par", "timeout", "outdir", "errdir",
                                   "extra-args", "option", "group", "nodes"});
      for (auto opt : {"-h", "-H", "-w", "-g", "--hosts", "--host", "--nodes", "--group"})
        if (auto v = o.value(opt)) where += " " + std::string(opt) + " " + *v;
      if (o.next < a.size()) {
        text = join_words(a, o.next, a.size());
        text_dynamic = any_dynamic(a, o.next, a.size());
      }
    }
    if (text.empty()) return void(emit(std::move(cmd)));
    const SimpleCommand carrier = cmd;
    emit(std::move(cmd));
    if (text_dynamic) {
      trace([&] { return "unwrap: " + n + " remote command is dynamic"; });
      return;
    }
    nested(carrier, text, n, "on hosts " + n + where, nesting);
  }

  void watch(SimpleCommand cmd, int nesting) {
    const auto o = scan_options(cmd.argv, 1, "nqd", {"interval", "differences"});
    if (o.next >= cmd.argv.size()) return void(emit(std::move(cmd)));
    if (o.has("-x") || o.has("--exec")) {
      cmd.argv.erase(cmd.argv.begin(), cmd.argv.begin() + static_cast<std::ptrdiff_t>(o.next));
      cmd.wrappers.push_back("watch");
      cmd.name = base_name(cmd.argv[0].text);
      return process(std::move(cmd), {}, 0, Frame{}, nesting + 1);
    }
    if (any_dynamic(cmd.argv, o.next, cmd.argv.size())) {
      cmd.dynamic_verb = true;
      return void(emit(std::move(cmd)));
    }
    nested(cmd, join_words(cmd.argv, o.next, cmd.argv.size()), "watch", "watch", nesting);
  }

  void flock_text(SimpleCommand cmd, int nesting) {
    const auto& a = cmd.argv;
    std::optional<Word> text;
    for (size_t i = 1; i < a.size(); ++i) {
      if ((a[i].text == "-c" || a[i].text == "--command") && i + 1 < a.size()) {
        text = a[i + 1];
        break;
      }
      if (starts_with(a[i].text, "--command=")) {
        text = a[i];
        text->text = a[i].text.substr(10);
        break;
      }
    }
    if (!text) return void(emit(std::move(cmd)));
    if (text->dynamic) {
      cmd.dynamic_verb = true;
      return void(emit(std::move(cmd)));
    }
    nested(cmd, text->text, "flock -c", "flock", nesting);
  }

  void find(SimpleCommand cmd, const std::vector<SimpleCommand>& list, size_t index,
            const Frame& frame, int nesting) {
    (void)list;
    (void)index;
    (void)frame;
    std::vector<SimpleCommand> execs;
    const auto& a = cmd.argv;
    for (size_t i = 1; i < a.size(); ++i) {
      const std::string& t = a[i].text;
      if (!one_of(t, {"-exec", "-execdir", "-ok", "-okdir"})) continue;
      SimpleCommand sub;
      sub.assignments = {};
      sub.wrappers = cmd.wrappers;
      sub.wrappers.push_back("find");
      sub.origin = "find " + t;
      if (t == "-exec") sub.origin = "find -exec";
      sub.cwd = t == "-execdir" || t == "-okdir" ? std::string() : cmd.cwd;
      sub.env = cmd.env;
      sub.dynamic_args = true;
      sub.background = cmd.background;
      sub.pipeline = cmd.pipeline;
      sub.pipeline_pos = cmd.pipeline_pos;
      sub.depth = cmd.depth;
      sub.begin = cmd.begin;
      sub.end = cmd.end;
      size_t k = i + 1;
      for (; k < a.size(); ++k) {
        if (a[k].text == ";" || (a[k].text == "+" && k > i + 1 && a[k - 1].text == "{}")) break;
        Word w = a[k];
        if (w.text.find("{}") != std::string::npos) w.dynamic = true;  // a path found at run time
        sub.argv.push_back(std::move(w));
      }
      // {} as the command itself is a dynamic verb; as an argument it is a dynamic target.
      if (!sub.argv.empty()) {
        trace([&] { return "unwrap: find " + t + " -> " + sub.argv[0].text; });
        execs.push_back(std::move(sub));
      }
      i = k;
    }
    emit(std::move(cmd));
    for (auto& s : execs) process(std::move(s), {}, 0, Frame{}, nesting + 1);
  }

  void parallel(SimpleCommand cmd, int nesting) {
    const auto& a = cmd.argv;
    const auto o = scan_options(a, 1, "jPSIaN",
                                {"jobs", "max-procs", "sshlogin", "arg-file", "delay", "timeout",
                                 "joblog", "results", "tmpdir", "workdir", "env", "max-args"});
    size_t sep = o.next;
    while (sep < a.size() && !starts_with(a[sep].text, ":::")) ++sep;
    if (o.next >= sep) return void(emit(std::move(cmd)));  // commands come from the args
    std::vector<Word> args;
    bool known = sep < a.size();
    for (size_t i = sep; i < a.size(); ++i) {
      if (starts_with(a[i].text, ":::")) {
        if (a[i].text == "::::" || a[i].text == "::::+") known = false;  // from a file
        continue;
      }
      args.push_back(a[i]);
    }
    std::vector<Word> tmpl(a.begin() + static_cast<std::ptrdiff_t>(o.next),
                           a.begin() + static_cast<std::ptrdiff_t>(sep));
    SimpleCommand base = cmd;
    base.wrappers.push_back("parallel");
    base.origin = "parallel";
    base.argv = tmpl;
    trace([&] { return "unwrap: parallel -> " + tmpl[0].text; });
    if (!known || args.empty() || args.size() > 64 || any_dynamic(args, 0, args.size())) {
      base.dynamic_args = true;
      for (auto& w : base.argv) {
        if (w.text.find("{") != std::string::npos) w.dynamic = true;
      }
      return process(std::move(base), {}, 0, Frame{}, nesting + 1);
    }
    for (const auto& arg : args) {
      SimpleCommand c = base;
      bool placed = false;
      for (auto& w : c.argv) {
        const auto p = w.text.find("{}");
        if (p != std::string::npos) {
          w.text.replace(p, 2, arg.text);
          placed = true;
        }
      }
      if (!placed) c.argv.push_back(arg);
      if (m_limits_hit) return;
      process(std::move(c), {}, 0, Frame{}, nesting + 1);
    }
  }

  // ---- interpreters --------------------------------------------------------------------------

  void interpreter(SimpleCommand cmd, const std::string& lang,
                   const std::vector<SimpleCommand>& list, size_t index, const Frame& frame,
                   int nesting) {
    const auto& a = cmd.argv;
    const std::string& n = cmd.name;
    std::optional<Word> code;
    std::string flag;
    bool script = false;
    size_t i = 1;
    if (n == "deno" || n == "bun") {
      if (a.size() > 1 && a[1].text == "eval") {
        flag = "eval";
        for (size_t k = 2; k < a.size(); ++k) {
          if (a[k].text.empty() || a[k].text[0] != '-') {
            code = a[k];
            break;
          }
        }
        i = a.size();
      } else if (n == "deno") {
        i = a.size();
        script = a.size() > 1;
      }
    }
    for (; i < a.size() && !code; ++i) {
      const std::string& t = a[i].text;
      if (t == "--") {
        script = i + 1 < a.size();
        break;
      }
      if (t == "-") break;  // program read from stdin
      if (t.size() < 2 || t[0] != '-') {
        script = true;
        break;
      }
      if (lang == "node") {
        if (one_of(t, {"-e", "--eval", "-p", "--print"}) && i + 1 < a.size()) {
          code = a[i + 1];
          flag = t == "--eval" ? "-e" : (t == "--print" ? "-p" : t);
        } else if (starts_with(t, "--eval=") || starts_with(t, "--print=")) {
          code = a[i];
          code->text = t.substr(t.find('=') + 1);
          flag = "-e";
        } else if (one_of(t, {"-r", "--require", "--import", "--loader"})) {
          ++i;
        }
        continue;
      }
      if (t[1] == '-') continue;  // --long flags of other interpreters take no value here
      // Short bundles: python -Bc CODE, perl -ne CODE, ruby -e CODE, php -r CODE.
      const std::string code_flags = lang == "python" ? "c"
                                     : lang == "php"  ? "r"
                                     : lang == "lua"  ? "e"
                                     : lang == "tcl"  ? (n == "expect" ? "c" : "")
                                                      : "eE";
      const std::string value_flags = lang == "python" ? "WXm"
                                      : lang == "perl" ? "IMmdx"
                                      : lang == "ruby" ? "IrCEFTUWx"
                                      : lang == "lua"  ? "l"
                                      : lang == "tcl"  ? "f"
                                                       : "dcf";
      bool stop = false;
      for (size_t k = 1; k < t.size(); ++k) {
        if (lang == "perl" && t[k] == 'i') break;  // -i[ext]: the rest is the extension
        if (code_flags.find(t[k]) != std::string::npos && !(lang == "ruby" && t[k] == 'E')) {
          flag = std::string("-") + t[k];
          if (k + 1 < t.size()) {
            code = a[i];
            code->text = t.substr(k + 1);
          } else if (i + 1 < a.size()) {
            code = a[i + 1];
          }
          stop = true;
          break;
        }
        if (value_flags.find(t[k]) != std::string::npos) {
          if (lang == "python" && t[k] == 'm') {
            script = true;  // python -m module
            stop = true;
          } else if (k + 1 == t.size()) {
            ++i;
          }
          break;
        }
      }
      if (stop && script) break;
    }
    // perl/ruby accept several -e: join them as lines.
    if (code && (lang == "perl" || lang == "ruby")) {
      std::string joined;
      for (size_t k = 1; k + 1 < a.size(); ++k) {
        if (a[k].text == "-e" || a[k].text == "-E") {
          if (!joined.empty()) joined += '\n';
          joined += a[k + 1].text;
          if (a[k + 1].dynamic) code->dynamic = true;
        }
      }
      if (!joined.empty()) code->text = joined;
    }
    std::string origin;
    std::string text;
    if (code) {
      origin = n + " " + flag;
      if (code->dynamic) {
        cmd.dynamic_verb = true;
        trace([&] { return "unwrap: " + origin + " with dynamic code"; });
        return void(emit(std::move(cmd)));
      }
      text = code->text;
    } else if (script) {
      return void(emit(std::move(cmd)));
    } else {
      const auto t = stdin_text(cmd, list, index, frame);
      if (consume_stdin_text(cmd, t, "interpreter")) return;
      if (!t) return void(emit(std::move(cmd)));
      origin = n + " " + t->origin;
      text = t->text;
    }
    run_code(std::move(cmd), lang, text, origin, nesting);
  }

  // Emits the carrier, keeps its code as a snippet, and emits what the code would run or delete.
  void run_code(SimpleCommand cmd, const std::string& lang, const std::string& text,
                const std::string& origin, int nesting) {
    const std::string n = cmd.name;
    if (forks_in_a_loop(text)) {
      cmd.facts.emplace_back("fork_bomb", origin + " calls fork() in an endless loop");
    }
    SimpleCommand carrier = cmd;
    const int at = emit(std::move(cmd));
    if (at < 0) return;
    add_snippet(lang, text, at);
    const auto findings = detail::scan_inline_code(lang, text);
    trace(
        [&] { return "unwrap: " + origin + ": " + std::to_string(findings.size()) + " findings"; });
    for (const auto& f : findings) {
      if (m_limits_hit) return;
      switch (f.kind) {
        case detail::CodeFinding::Kind::sql:
          for (auto& s : detail::split_sql(f.text.text)) add_snippet("sql", s, at);
          break;
        case detail::CodeFinding::Kind::shell_text:
          if (f.text.dynamic) {
            SimpleCommand s = synthetic(carrier, origin, {f.text});
            s.dynamic_verb = true;
            trace([&] { return "unwrap: " + origin + ": " + f.call + " runs dynamic shell text"; });
            emit(std::move(s));
          } else {
            nested(carrier, f.text.text, origin, n, nesting);
          }
          break;
        case detail::CodeFinding::Kind::argv: {
          SimpleCommand s = synthetic(carrier, origin, f.argv);
          s.facts.insert(s.facts.end(), f.facts.begin(), f.facts.end());
          trace([&] { return "unwrap: " + origin + ": " + f.call + " -> " + s.joined(); });
          process(std::move(s), {}, 0, Frame{}, nesting + 1);
          break;
        }
      }
    }
  }

  // `perl -e 'fork while fork'`, `python -c 'while True: os.fork()'`, `ruby -e 'loop { fork }'`.
  static bool forks_in_a_loop(std::string_view code) {
    const auto f = code.find("fork");
    if (f == std::string_view::npos) return false;
    for (std::string_view loop : {"while", "loop", "for(;;)", "for (;;)", "until"}) {
      if (code.find(loop) != std::string_view::npos) return true;
    }
    return false;
  }

  static SimpleCommand synthetic(const SimpleCommand& carrier, const std::string& origin,
                                 const std::vector<detail::CodeArg>& args) {
    SimpleCommand s;
    for (const auto& arg : args) {
      Word w;
      w.text = arg.text;
      w.dynamic = arg.dynamic;
      w.quoted = true;
      w.begin = carrier.begin;
      w.end = carrier.end;
      s.argv.push_back(std::move(w));
    }
    s.wrappers = carrier.wrappers;
    s.wrappers.push_back(carrier.name);
    s.origin = origin;
    s.cwd = carrier.cwd;
    s.env = carrier.env;
    s.background = carrier.background;
    s.pipeline = carrier.pipeline;
    s.pipeline_pos = carrier.pipeline_pos;
    s.depth = carrier.depth + 1;
    s.begin = carrier.begin;
    s.end = carrier.end;
    return s;
  }

  // ---- DB clients ---------------------------------------------------------------------------

  void db_client(SimpleCommand cmd, const std::vector<SimpleCommand>& list, size_t index,
                 const Frame& frame) {
    const auto& a = cmd.argv;
    const std::string n = cmd.name;
    std::vector<Word> texts;
    std::string language = "sql";
    bool reads_file = false;
    auto flag_values = [&](std::initializer_list<std::string_view> shorts,
                           std::initializer_list<std::string_view> longs,
                           std::initializer_list<std::string_view> skip_value) {
      for (size_t i = 1; i < a.size(); ++i) {
        const std::string& t = a[i].text;
        if (one_of(t, shorts) || one_of(t, longs)) {
          if (i + 1 < a.size()) texts.push_back(a[i + 1]);
          ++i;
          continue;
        }
        bool matched = false;
        for (auto l : longs) {
          if (starts_with(t, std::string(l) + "=")) {
            Word w = a[i];
            w.text = t.substr(l.size() + 1);
            texts.push_back(std::move(w));
            matched = true;
          }
        }
        if (matched) continue;
        for (auto s : shorts) {
          if (t.size() > s.size() && starts_with(t, s) && s.size() == 2) {
            Word w = a[i];
            w.text = t.substr(2);
            texts.push_back(std::move(w));
          }
        }
        if (one_of(t, {"-f", "--file"})) reads_file = true;
        if (one_of(t, skip_value)) ++i;
      }
    };
    if (n == "psql") {
      flag_values({"-c"}, {"--command"},
                  {"-h", "-p", "-U", "-d", "-o", "-v", "-P", "-F", "-R", "-T", "-L"});
    } else if (n == "mysql" || n == "mariadb") {
      flag_values({"-e"}, {"--execute"},
                  {"-h", "-u", "-P", "-D", "-S", "--host", "--user", "--port", "--database"});
    } else if (n == "clickhouse-client" ||
               (n == "clickhouse" && a.size() > 1 && a[1].text == "client")) {
      flag_values({"-q"}, {"--query"},
                  {"-h", "--host", "--port", "-u", "--user", "-d", "--database"});
    } else if (n == "cockroach") {
      if (a.size() < 2 || a[1].text != "sql") return void(emit(std::move(cmd)));
      flag_values({"-e"}, {"--execute"}, {"--url", "--host", "--database", "-d", "--user", "-u"});
    } else if (n == "mongosh" || n == "mongo") {
      language = "mongo";
      flag_values({}, {"--eval"}, {"--host", "--port", "-u", "-p", "--username", "--password"});
    } else if (n == "sqlite3" || n == "sqlite" || n == "duckdb") {
      size_t positional = 0;
      for (size_t i = 1; i < a.size(); ++i) {
        const std::string& t = a[i].text;
        if (!t.empty() && t[0] == '-' && t != "-") {
          if (one_of(t, {"-cmd", "-c"}) && i + 1 < a.size())
            texts.push_back(a[++i]);
          else if (one_of(t, {"-separator", "-newline", "-nullvalue", "-init"}))
            ++i;
          continue;
        }
        if (positional++ >= 1) texts.push_back(a[i]);
      }
    } else if (n == "redis-cli") {
      language = "redis";
    } else if (one_of(n, {"sqlcmd", "osql", "isql", "mssql-cli"})) {
      // SQL Server: -Q runs and exits, -q runs and stays.
      flag_values({"-Q", "-q"}, {"--query"},
                  {"-S", "-U", "-P", "-d", "-H", "-i", "-o", "-s", "-w", "-h", "-l", "-t"});
    } else if (one_of(n, {"snowsql", "impala-shell"})) {
      flag_values({"-q"}, {"--query"},
                  {"-a", "-u", "-d", "-s", "-w", "-r", "-c", "-i", "--connection", "--impalad"});
    } else if (one_of(n, {"cqlsh", "ycqlsh", "trino", "presto", "beeline", "hive", "spark-sql",
                          "mycli", "litecli"})) {
      // cqlsh HOST -e, trino --execute, beeline -u URL -e, hive -e, spark-sql -e.
      flag_values({"-e"}, {"--execute"},
                  {"-u", "-n", "-p", "-k", "--server", "--catalog", "--schema", "--user",
                   "--keyspace", "-h", "-P", "-D", "--host", "--database"});
    } else if (one_of(n, {"vsql", "usql", "ysqlsh", "pgcli"})) {
      flag_values({"-c"}, {"--command"}, {"-h", "-p", "-U", "-d", "-w", "-o"});
    }
    const int at = emit(SimpleCommand(cmd));
    if (at < 0) return;
    for (const auto& w : texts) {
      if (w.dynamic) {
        trace([&] { return "unwrap: " + n + " runs dynamic " + language; });
        continue;
      }
      add_language_text(language, w.text, at);
    }
    if (texts.empty() && !reads_file) {
      const auto t = stdin_text(cmd, list, index, frame);
      if (t && t->junk) {
        fail(t->why);
      } else if (t && !t->dynamic) {
        add_language_text(language, t->text, at);
      }
    }
  }

  void add_language_text(const std::string& language, const std::string& text, int at) {
    if (language == "sql") {
      const auto stmts = detail::split_sql(text);
      trace([&] { return "unwrap: sql: " + std::to_string(stmts.size()) + " statements"; });
      for (const auto& s : stmts) add_snippet("sql", s, at);
    } else {
      add_snippet(language, text, at);
    }
  }

  ShellParse& m_parse;
  const ShellEnv& m_env;
  const Limits& m_limits;
  // Files this line wrote with literal content (echo 'rm -rf ~' > x.sh), so that running them
  // later in the same line (bash x.sh, ./x.sh, source x.sh) is judged by what they contain.
  std::map<std::string, std::string> m_written;
  // Programs compiled in this line from source written in it (output path -> source text).
  std::map<std::string, std::string> m_built;
  std::map<std::string, std::string> m_git_aliases;  // git config alias.X set earlier in the line
  std::map<std::string, std::string> m_functions;    // functions the line defines: name -> body
  std::vector<SimpleCommand> m_out;
  std::vector<Snippet> m_snippets;
  bool m_limits_hit = false;
  int m_next_pipeline = 0;  // nested pipelines get indices after the top-level ones
};

}  // namespace

void unwrap(ShellParse& parse, const ShellEnv& env, const Limits& limits) {
  // Nothing here is expected to throw; if allocation does, the line must not pass as allowed.
  try {
    Unwrapper u(parse, env, limits);
    u.run();
  } catch (...) {
    parse.fail_closed = true;
    parse.complete = false;
    parse.fail_reason = "internal error while unwrapping";
  }
}

}  // namespace blastwall::shell
