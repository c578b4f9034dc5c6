// blastwall_clidoc: writes the man pages and the bash, zsh and fish completions from the CLI11
// command tree that blastwall-core itself parses (cli::build_app), so neither can drift from the
// code. Run at build time by a custom command (CMakeLists.txt); nothing of it is in the binaries.
//
//   blastwall_clidoc --man DIR --bash FILE --zsh FILE --fish FILE
//
// One page per command: blastwall(1), blastwall-check(1), blastwall-audit-ship(1), ... (the
// command path joined with '-'). Hidden commands and options (group "") are left out, as in
// --help. Path arguments are those whose type name is FILE, DIR, PATH or PREFIX; options with an
// IsMember check complete to their values.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace fs = std::filesystem;

namespace blastwall::clidoc {
namespace {

enum class ArgKind { none, text, file, dir, values };

struct Opt {
  std::vector<std::string> names;  // "-v", "--verbose" (short first); empty for a positional
  std::string pname;               // positional name
  std::string metavar;             // TEXT, FILE, INT, ...
  std::string validator;           // "{allow,ask,deny}", "INT in [1 - 1000]"
  std::vector<std::string> choices;
  std::string description, default_str;
  bool takes_value = false, optional_value = false, multi = false, required = false;
  ArgKind kind = ArgKind::none;
};

struct Cmd {
  std::vector<std::string> path;  // {} = blastwall itself
  std::string description, footer;
  std::vector<Opt> options, positionals;
  std::vector<Cmd> subs;
  bool sub_required = false;
};

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string page_name(const Cmd& c) {
  return c.path.empty() ? "blastwall" : "blastwall-" + join(c.path, "-");
}
std::string display(const Cmd& c) {
  return c.path.empty() ? "blastwall" : "blastwall " + join(c.path, " ");
}

Opt make_opt(const CLI::Option& o) {
  Opt r;
  for (const auto& s : o.get_snames()) r.names.push_back("-" + s);
  for (const auto& l : o.get_lnames()) r.names.push_back("--" + l);
  if (r.names.empty()) r.pname = o.get_name(true);
  r.description = o.get_description();
  r.required = o.get_required();
  r.takes_value = o.get_type_size_max() > 0 && o.get_expected_max() > 0;
  r.optional_value = r.takes_value && o.get_expected_min() == 0;
  r.multi = r.takes_value && o.get_items_expected_max() > 1;
  if (!r.takes_value) return r;
  std::string t = o.get_type_name();
  auto colon = t.find(':');
  r.metavar = t.substr(0, colon);
  if (colon != std::string::npos) r.validator = t.substr(colon + 1);
  if (r.validator.size() > 2 && r.validator.front() == '{' && r.validator.back() == '}') {
    std::stringstream ss(r.validator.substr(1, r.validator.size() - 2));
    for (std::string v; std::getline(ss, v, ',');) r.choices.push_back(v);
  }
  std::string d = o.get_default_str();
  if (d != "[]" && d != "{}") r.default_str = d;
  if (!r.choices.empty()) {
    r.kind = ArgKind::values;
  } else if (r.metavar == "DIR") {
    r.kind = ArgKind::dir;
  } else if (r.metavar == "FILE" || r.metavar == "PATH" || r.metavar == "PREFIX") {
    r.kind = ArgKind::file;
  } else {
    r.kind = ArgKind::text;
  }
  return r;
}

Cmd walk(const CLI::App& app, std::vector<std::string> path) {
  Cmd c;
  c.path = std::move(path);
  c.description = app.get_description();
  c.footer = app.get_footer();
  c.sub_required = app.get_require_subcommand_min() > 0;
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_group().empty()) continue;  // hidden
    Opt opt = make_opt(*o);
    (opt.names.empty() ? c.positionals : c.options).push_back(std::move(opt));
  }
  for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (s->get_name().empty() || s->get_group().empty()) continue;  // option groups, hidden
    auto p = c.path;
    p.push_back(s->get_name());
    c.subs.push_back(walk(*s, std::move(p)));
  }
  return c;
}

void all_commands(const Cmd& c, std::vector<const Cmd*>& out) {
  out.push_back(&c);
  for (const auto& s : c.subs) all_commands(s, out);
}

// ---- roff ----

// Text for a roff line: backslashes escaped, option-like dashes as \- (so they copy as ASCII),
// `code` in bold, anything beyond ASCII as \[uXXXX] (groff reads its input as Latin-1).
std::string roff(const std::string& s) {
  std::string out;
  bool bold = false;
  bool in_option = false;  // inside a word that starts with '-': every dash in it is \-
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char ch = static_cast<unsigned char>(s[i]);
    char prev = i ? s[i - 1] : ' ';
    if (ch == ' ' || ch == ',' || ch == ')' || ch == '=') in_option = false;
    if (ch == '\\') {
      out += "\\e";
    } else if (ch == '-' && (in_option || prev == ' ' || prev == '(' || prev == '[' ||
                             prev == '`' || prev == '\'' || prev == '"' || prev == '/' || i == 0)) {
      out += "\\-";
      in_option = true;
    } else if (ch == '`') {
      out += bold ? "\\fR" : "\\fB";
      bold = !bold;
    } else if (ch >= 0x80) {
      uint32_t cp = 0;
      int extra = ch >= 0xf0 ? 3 : ch >= 0xe0 ? 2 : 1;
      cp = ch & (0x3f >> extra);
      for (int k = 0; k < extra && i + 1 < s.size(); ++k) {
        cp = (cp << 6) | (static_cast<unsigned char>(s[++i]) & 0x3f);
      }
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\[u%04X]", cp);
      out += buf;
    } else {
      out += static_cast<char>(ch);
    }
  }
  if (bold) out += "\\fR";
  return out;
}

// A text line that never starts with a control character.
std::string text_line(const std::string& s) { return "\\&" + roff(s) + "\n"; }

std::string sentence(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (!s.empty() && s.back() != '.' && s.back() != '?' && s.back() != '!') s += '.';
  return s;
}

bool mentions_default(const Opt& o) {
  std::string d;
  for (char ch : o.description)
    d += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return d.find("default") != std::string::npos ||
         o.description.find("(" + o.default_str + ")") != std::string::npos;
}

std::string opt_synopsis(const Opt& o) {
  // \fB--name\fR \fIMETA\fR
  std::string s;
  for (size_t i = 0; i < o.names.size(); ++i) {
    s += (i ? ", " : "") + std::string("\\fB") + roff(o.names[i]) + "\\fR";
  }
  if (o.takes_value) {
    std::string meta = "\\fI" + roff(o.metavar.empty() ? "VALUE" : o.metavar) + "\\fR";
    s += " " + (o.optional_value ? "[" + meta + "]" : meta);
    if (o.multi) s += " ...";
  }
  return s;
}

std::string positional_synopsis(const Opt& p) {
  std::string s = "\\fI" + roff(p.pname) + "\\fR" + (p.multi ? " ..." : "");
  return p.required ? s : "[" + s + "]";
}

void write_page(const Cmd& c, const std::string& dir, const std::string& version) {
  std::string name = page_name(c);
  std::string upper;
  for (char ch : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::ostringstream m;
  m << ".\\\" Generated by blastwall_clidoc from the command definitions (cli/*.cpp); do not "
       "edit.\n";
  m << ".TH " << roff(upper) << " 1 \"\" \"blastwall " << version << "\" \"blastwall manual\"\n";
  std::string summary = c.description;
  if (summary.rfind("blastwall: ", 0) == 0) summary.erase(0, 11);
  m << ".SH NAME\n" << roff(name) << " \\- " << roff(summary) << "\n";

  // No automatic hyphenation anywhere: pages are full of identifiers (blastwall-audit-ship).
  m << ".nh\n";
  m << ".SH SYNOPSIS\n.ad l\n";
  m << "\\fBblastwall\\fR";
  if (!c.path.empty()) m << " [\\fIGLOBAL OPTIONS\\fR]";
  for (const auto& w : c.path) m << " \\fB" << roff(w) << "\\fR";
  if (c.options.size() > 1 || c.path.empty()) m << " [\\fIOPTIONS\\fR]";
  if (!c.subs.empty()) m << (c.sub_required ? " \\fICOMMAND\\fR" : " [\\fICOMMAND\\fR]");
  for (const auto& p : c.positionals) {
    m << " " << (p.pname == "command" && p.multi ? "[\\fB\\-\\-\\fR] " : "")
      << positional_synopsis(p);
  }
  m << "\n.ad\n";

  m << ".SH DESCRIPTION\n" << text_line(sentence(c.description));
  if (c.path.empty()) {
    m << ".PP\n"
      << text_line(
             "`blastwall` is a small front that hands `check` and `hook` to the resident engine "
             "(`blastwall-core serve`) and runs every other command through `blastwall-core`, "
             "which takes the same arguments. Each command has its own page, named after its "
             "path: blastwall-check(1), blastwall-audit-ship(1), and so on.");
  }

  if (!c.positionals.empty()) {
    m << ".SH ARGUMENTS\n";
    for (const auto& p : c.positionals) {
      m << ".TP\n" << positional_synopsis(p) << "\n" << text_line(sentence(p.description));
    }
  }
  if (!c.options.empty()) {
    m << ".SH " << (c.path.empty() ? "GLOBAL OPTIONS" : "OPTIONS") << "\n";
    if (c.path.empty())
      m << text_line("These go before the command word, e.g. `blastwall --audit-db FILE log`.");
    for (const auto& o : c.options) {
      m << ".TP\n" << opt_synopsis(o) << "\n";
      std::string d = sentence(o.description);
      if (!o.choices.empty()) {
        d += " One of: " + join(o.choices, ", ") + ".";
      } else if (!o.validator.empty()) {
        d += " Accepts " + o.validator + ".";
      }
      if (o.takes_value && !o.default_str.empty() && !mentions_default(o))
        d += " Default: " + o.default_str + ".";
      if (o.required) d += " Required.";
      if (o.multi && d.find("repeatable") == std::string::npos) d += " May be repeated.";
      m << text_line(d);
    }
  }
  if (!c.subs.empty()) {
    m << ".SH COMMANDS\n";
    for (const auto& s : c.subs) {
      m << ".TP\n\\fB" << roff(s.path.back()) << "\\fR\n"
        << "\\&" << roff(sentence(s.description)) << " See \\%" << roff(page_name(s)) << "(1).\n";
    }
  }
  if (!c.footer.empty()) {
    std::string f = c.footer;
    const std::string k = "Exit status:";
    if (f.rfind(k, 0) == 0) {
      std::string rest = f.substr(k.size());
      while (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
      if (!rest.empty())
        rest[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(rest[0])));
      m << ".SH EXIT STATUS\n" << text_line(rest);
    } else {
      m << ".SH NOTES\n" << text_line(f);
    }
  }
  m << ".SH SEE ALSO\n";
  std::vector<std::string> refs;
  if (!c.path.empty()) {
    refs.push_back("blastwall");
    if (c.path.size() > 1) {
      Cmd parent;
      parent.path.assign(c.path.begin(), c.path.end() - 1);
      refs.push_back(page_name(parent));
    }
  }
  for (const auto& s : c.subs) refs.push_back(page_name(s));
  if (c.path.empty()) refs.push_back("blastwall-core");
  for (size_t i = 0; i < refs.size(); ++i) {
    m << ".BR " << roff(refs[i]) << " (1)" << (i + 1 < refs.size() ? "," : "") << "\n";
  }
  m << ".PP\n"
    << text_line(
           "The README and docs/ (installed under share/doc/blastwall) describe rule packs, "
           "policy files, the audit log and the MCP proxy in full.");
  std::ofstream(dir + "/" + name + ".1") << m.str();
}

// ---- completions ----

std::string key(const Cmd& c) { return join(c.path, " "); }

std::vector<std::string> sub_names(const Cmd& c) {
  std::vector<std::string> n;
  for (const auto& s : c.subs) n.push_back(s.path.back());
  return n;
}

// How a shell's completion names what an option's value is (bash: our own words; zsh: actions).
struct KindWords {
  const char* file;
  const char* dir;
  const char* values_open;
  const char* values_close;
  const char* any;
};
constexpr KindWords k_bash_kinds{"file", "dir", "values ", "", "any"};
constexpr KindWords k_zsh_kinds{"_files", "_files -/", "(", ")", " "};

std::string kind_text(const Opt& o, const KindWords& w) {
  switch (o.kind) {
    case ArgKind::file:
      return w.file;
    case ArgKind::dir:
      return w.dir;
    case ArgKind::values:
      return w.values_open + join(o.choices, " ") + w.values_close;
    default:
      return w.any;
  }
}
std::string kind_word(const Opt& o) { return kind_text(o, k_bash_kinds); }

std::string bash_completion(const std::vector<const Cmd*>& cmds) {
  std::ostringstream b;
  b << "# bash completion for blastwall and blastwall-core.\n"
       "# Generated by blastwall_clidoc from the command definitions (cli/*.cpp); do not edit.\n\n";
  b << "_blastwall_subcommands() {\n  case \"$1\" in\n";
  for (const Cmd* c : cmds) {
    if (c->subs.empty()) continue;
    b << "    \"" << key(*c) << "\") echo '" << join(sub_names(*c), " ") << "' ;;\n";
  }
  b << "  esac\n}\n\n";
  b << "_blastwall_options() {\n  case \"$1\" in\n";
  for (const Cmd* c : cmds) {
    std::vector<std::string> n;
    for (const auto& o : c->options)
      for (const auto& nm : o.names) n.push_back(nm);
    b << "    \"" << key(*c) << "\") echo '" << join(n, " ") << "' ;;\n";
  }
  b << "  esac\n}\n\n";
  b << "# What the option $2 of command $1 takes: nothing (a flag), any, file, dir or values "
       "V...\n";
  b << "_blastwall_option_arg() {\n  case \"$1|$2\" in\n";
  for (const Cmd* c : cmds) {
    for (const auto& o : c->options) {
      if (!o.takes_value) continue;
      std::vector<std::string> pats;
      for (const auto& nm : o.names) pats.push_back("\"" + key(*c) + "|" + nm + "\"");
      b << "    " << join(pats, " | ") << ") echo '" << kind_word(o) << "' ;;\n";
    }
  }
  b << "  esac\n}\n\n";
  b << "_blastwall_positional() {\n  case \"$1\" in\n";
  for (const Cmd* c : cmds) {
    if (c->positionals.empty()) continue;
    b << "    \"" << key(*c) << "\") echo '" << kind_word(c->positionals.front()) << "' ;;\n";
  }
  b << "  esac\n}\n\n";
  b << R"SH(_blastwall_complete_kind() {
  case "$1" in
    file)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
    dir)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -d -- "$2") ;;
    values\ *) mapfile -t COMPREPLY < <(compgen -W "${1#values }" -- "$2") ;;
  esac
}

_blastwall() {
  local cur=${COMP_WORDS[COMP_CWORD]} path="" i w kind opt subs
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [[ $w == -- ]]; then
      # The rest is a server command (`blastwall mcp -- CMD ...`).
      if ((i + 1 == COMP_CWORD)); then
        mapfile -t COMPREPLY < <(compgen -c -- "$cur")
      else
        _blastwall_complete_kind file "$cur"
      fi
      return 0
    fi
    if [[ $w == -* ]]; then
      [[ $w == *=* ]] && continue
      kind=$(_blastwall_option_arg "$path" "$w")
      if [[ -n $kind ]]; then
        # --opt VALUE, or --opt = VALUE when COMP_WORDBREAKS split --opt=VALUE
        if [[ ${COMP_WORDS[i + 1]} == = ]]; then ((i += 2)); else ((i++)); fi
      fi
      continue
    fi
    subs=" $(_blastwall_subcommands "$path") "
    if [[ $subs == *" $w "* ]]; then path=${path:+$path }$w; fi
  done
  opt=""
  if [[ $cur == = ]]; then
    opt=${COMP_WORDS[COMP_CWORD - 1]}
    cur=""
  elif ((COMP_CWORD > 1)) && [[ ${COMP_WORDS[COMP_CWORD - 1]} == = ]]; then
    opt=${COMP_WORDS[COMP_CWORD - 2]}
  elif ((COMP_CWORD > 1)); then
    opt=${COMP_WORDS[COMP_CWORD - 1]}
  fi
  if [[ $opt == -* && $opt != *=* ]]; then
    kind=$(_blastwall_option_arg "$path" "$opt")
    if [[ -n $kind ]]; then
      _blastwall_complete_kind "$kind" "$cur"
      return 0
    fi
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_blastwall_options "$path")" -- "$cur")
    return 0
  fi
  subs=$(_blastwall_subcommands "$path")
  if [[ -n $subs ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
    return 0
  fi
  _blastwall_complete_kind "$(_blastwall_positional "$path")" "$cur"
  return 0
}
complete -F _blastwall blastwall blastwall-core
)SH";
  return b.str();
}

// zsh: single-quoted words; descriptions inside [...] escape ] and \.
std::string zq(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}
std::string zdesc(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == ']' || ch == '\\' || ch == '[') out += '\\';
    out += ch;
  }
  return out;
}
std::string zcolon(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == ':' || ch == '\\') out += '\\';
    out += ch;
  }
  return out;
}
std::string zaction(const Opt& o) { return kind_text(o, k_zsh_kinds); }
std::string zfunc(const Cmd& c) {
  std::string n = "_blastwall_cmd";
  for (const auto& w : c.path) {
    n += "__";
    for (char ch : w) n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  }
  return n;
}

std::string zsh_completion(const std::vector<const Cmd*>& cmds) {
  std::ostringstream z;
  z << "#compdef blastwall blastwall-core\n"
       "# zsh completion for blastwall. Generated by blastwall_clidoc from the command "
       "definitions\n"
       "# (cli/*.cpp); do not edit.\n\n";
  for (const Cmd* c : cmds) {
    z << zfunc(*c) << "() {\n";
    if (!c->subs.empty()) {
      z << "  local curcontext=\"$curcontext\" state line ret=1\n  typeset -A opt_args\n";
      z << "  local -a subcommands\n  subcommands=(\n";
      for (const auto& s : c->subs)
        z << "    " << zq(zcolon(s.path.back()) + ":" + s.description) << "\n";
      z << "  )\n";
    }
    z << "  _arguments -s -S" << (c->subs.empty() ? "" : " -C") << " \\\n";
    for (const auto& o : c->options) {
      std::string excl = o.names.size() > 1 ? zq("(" + join(o.names, " ") + ")") : "";
      std::vector<std::string> forms;
      for (const auto& nm : o.names) {
        std::string f = nm;
        if (o.takes_value) f += nm.size() == 2 ? "+" : "=";
        forms.push_back(f);
      }
      std::string names = forms.size() > 1 ? "{" + join(forms, ",") + "}" : forms[0];
      std::string spec = "[" + zdesc(o.description) + "]";
      if (o.takes_value) {
        std::string meta = o.metavar.empty() ? "VALUE" : o.metavar;
        spec += std::string(o.optional_value ? "::" : ":") + zcolon(meta) + ":" + zaction(o);
      }
      z << "    " << (o.multi ? zq("*") : "") << excl << names << zq(spec) << " \\\n";
    }
    if (!c->subs.empty()) {
      z << "    ': :->command' \\\n    '*:: :->args' && ret=0\n";
      z << "  case $state in\n";
      z << "    command) _describe -t commands " << zq(display(*c) + " command")
        << " subcommands && ret=0 ;;\n";
      z << "    args)\n      case $words[1] in\n";
      for (const auto& s : c->subs)
        z << "        " << zq(s.path.back()) << ") " << zfunc(s) << " && ret=0 ;;\n";
      z << "      esac ;;\n  esac\n  return ret\n}\n\n";
      continue;
    }
    for (const auto& p : c->positionals) {
      std::string meta = zcolon(p.pname);
      if (p.pname == "command" && p.multi) {
        z << "    '(-)*:: :_normal' \\\n";
        continue;
      }
      std::string spec =
          (p.multi ? "*" : std::string(p.required ? "" : ":")) + ":" + meta + ":" + zaction(p);
      z << "    " << zq(spec) << " \\\n";
    }
    z << "    && return 0\n  return 1\n}\n\n";
  }
  z << zfunc(*cmds.front()) << " \"$@\"\n";
  return z.str();
}

std::string fq(const std::string& s) {  // fish single quotes
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'' || ch == '\\') out += '\\';
    out += ch;
  }
  return out + "'";
}

std::string fish_completion(const std::vector<const Cmd*>& cmds) {
  std::ostringstream f;
  f << "# fish completion for blastwall and blastwall-core.\n"
       "# Generated by blastwall_clidoc from the command definitions (cli/*.cpp); do not edit.\n\n";
  f << "function __blastwall_subcommands\n    switch \"$argv[1]\"\n";
  for (const Cmd* c : cmds) {
    if (c->subs.empty()) continue;
    f << "        case " << fq(key(*c)) << "\n            string join \\n "
      << join(sub_names(*c), " ") << "\n";
  }
  f << "    end\nend\n\n";
  f << "function __blastwall_takes_value\n    switch \"$argv[1]|$argv[2]\"\n";
  std::vector<std::string> pats;
  for (const Cmd* c : cmds)
    for (const auto& o : c->options)
      if (o.takes_value)
        for (const auto& nm : o.names) pats.push_back(fq(key(*c) + "|" + nm));
  f << "        case " << join(pats, " ")
    << "\n            return 0\n    end\n    return 1\nend\n\n";
  f << R"FISH(# The command path (e.g. "audit ship") of the command line being completed; "--" once past --.
function __blastwall_path
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path ''
    set -l skip 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        if test "$t" = --
            echo -- --
            return
        end
        if string match -q -- '-*' $t
            if not string match -q -- '*=*' $t; and __blastwall_takes_value "$path" $t
                set skip 1
            end
            continue
        end
        if contains -- $t (__blastwall_subcommands "$path")
            set path (string trim -- "$path $t")
        end
    end
    echo -- $path
end

function __blastwall_at
    set -l p (__blastwall_path)
    test "$p" = "$argv[1]"
end

complete -c blastwall -f
complete -c blastwall-core -w blastwall
complete -c blastwall -n '__blastwall_at --' -F
)FISH";
  for (const Cmd* c : cmds) {
    std::string cond = " -n " + fq("__blastwall_at " + fq(key(*c)));
    for (const auto& s : c->subs)
      f << "complete -c blastwall" << cond << " -a " << fq(s.path.back()) << " -d "
        << fq(s.description) << "\n";
    for (const auto& o : c->options) {
      f << "complete -c blastwall" << cond;
      for (const auto& nm : o.names)
        f << (nm.size() == 2 ? " -s " : " -l ") << nm.substr(nm[1] == '-' ? 2 : 1);
      if (o.takes_value) {
        switch (o.kind) {
          case ArgKind::file:
          case ArgKind::dir:
            f << " -r -F";
            break;
          case ArgKind::values:
            f << " -x -a " << fq(join(o.choices, " "));
            break;
          default:
            f << " -x";
        }
      }
      f << " -d " << fq(o.description) << "\n";
    }
    if (!c->positionals.empty() && c->subs.empty()) {
      const Opt& p = c->positionals.front();
      if (p.kind == ArgKind::file || p.kind == ArgKind::dir)
        f << "complete -c blastwall" << cond << " -F\n";
    }
  }
  return f.str();
}

int run(int argc, char** argv) {
  std::string man_dir, bash_file, zsh_file, fish_file;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--man")
      man_dir = argv[i + 1];
    else if (a == "--bash")
      bash_file = argv[i + 1];
    else if (a == "--zsh")
      zsh_file = argv[i + 1];
    else if (a == "--fish")
      fish_file = argv[i + 1];
    else {
      std::fprintf(stderr, "blastwall_clidoc: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
  // Registration may read the environment for a default (serve's BLASTWALL_DAEMON_IDLE): the
  // pages must not depend on who built them.
  ::clearenv();
  CLI::App app;
  app.option_defaults()->always_capture_default();
  cli::GlobalOptions g;
  cli::build_app(app, g, false);
  Cmd root = walk(app, {});
  std::vector<const Cmd*> cmds;
  all_commands(root, cmds);
  if (!man_dir.empty()) {
    fs::create_directories(man_dir);
    // Pages of commands that no longer exist must not linger.
    for (const auto& e : fs::directory_iterator(man_dir)) {
      auto n = e.path().filename().string();
      if (n.rfind("blastwall", 0) == 0 && (e.path().extension() == ".1" || n.ends_with(".1.gz")))
        fs::remove(e.path());
    }
    for (const Cmd* c : cmds) write_page(*c, man_dir, BLASTWALL_VERSION);
    // blastwall-core takes the same arguments as blastwall.
    std::ofstream(man_dir + "/blastwall-core.1") << ".so man1/blastwall.1\n";
  }
  auto write = [](const std::string& path, const std::string& text) {
    if (path.empty()) return;
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
  };
  write(bash_file, bash_completion(cmds));
  write(zsh_file, zsh_completion(cmds));
  write(fish_file, fish_completion(cmds));
  std::printf("blastwall_clidoc: %zu commands\n", cmds.size());
  return 0;
}

}  // namespace
}  // namespace blastwall::clidoc

int main(int argc, char** argv) { return blastwall::clidoc::run(argc, argv); }
