// Shell understanding: a bash-faithful parse of one command line into every simple command that
// would run. Pure: no I/O, no clock. Linear time, depth-bounded; never throws.
//
// Two stages, both behind parse_shell():
//   1. parser.cpp  — lexer + grammar + expansion (quotes, $'..', $VAR/${VAR} with constant
//      propagation, ~, brace expansion, $( ) / backticks / <( ) recursively, here-docs,
//      redirections, compound commands). Produces RawCommands.
//   2. unwrap.cpp  — wrappers (sudo, env, command, exec, nohup, nice, timeout, xargs, find -exec,
//   ...),
//      `bash -c`, eval, source, interpreter one-liners (python -c, node -e, ...), here-doc bodies
//      fed to shells/interpreters, `base64 -d | sh`. Produces the final SimpleCommands.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace blastwall::shell {

// One word after expansion and quote removal.
struct Word {
  std::string text;     // expanded value (quotes removed). Dynamic parts are kept as written.
  bool quoted = false;  // any part was quoted
  bool glob = false;    // contains an UNQUOTED *, ? or [...] (kept as a glob, not expanded)
  bool dynamic =
      false;  // contains an expansion that could not be resolved ($UNKNOWN, $(cmd), $((..)))
  uint32_t begin = 0;  // byte span in the ORIGINAL top-level line (0,0 when synthesized)
  uint32_t end = 0;
};

enum class RedirectOp {
  write,       // >   (truncates)
  clobber,     // >|  (truncates)
  append,      // >>
  read,        // <
  read_write,  // <>
  heredoc,     // << and <<-   (body in `body`)
  herestring,  // <<<          (text in `body`)
  dup_out,     // >&N, &>file  (when target is a file, treated as write)
  dup_in,      // <&N
};

struct Redirect {
  RedirectOp op = RedirectOp::write;
  int fd = -1;       // explicit fd number, -1 when defaulted
  Word target;       // file name (for heredoc: the delimiter word)
  std::string body;  // here-doc body (expanded unless the delimiter was quoted) / here-string
  bool body_literal = false;  // here-doc delimiter was quoted: body not expanded
};

struct Assignment {
  std::string name;
  Word value;
};

// How a simple command's text should be read.
enum class Role {
  exec,  // it would run
  data,  // text that is only data (kept for explain; rules ignore it)
};

struct SimpleCommand {
  std::vector<Word> argv;               // argv[0] is the command name as resolved (see name)
  std::vector<Assignment> assignments;  // prefix assignments (FOO=1 cmd) and bare assignments
  std::vector<Redirect> redirects;
  std::string name;  // basename of argv[0] after unwrapping (/bin/rm -> rm, \rm -> rm)
  std::vector<std::string>
      wrappers;  // chain that led here, outermost first: "sudo", "bash -c", "xargs"
  std::string origin =
      "shell";  // shell | heredoc | eval | bash -c | python -c | base64 | xargs | find -exec | ...
  std::string cwd;  // cwd this command runs in (after literal `cd`); empty = unknown
  std::map<std::string, std::string>
      env;                    // known variables in effect (assignments, export, env X=..)
  bool dynamic_verb = false;  // command name computed at run time and not resolvable
  bool dynamic_args = false;  // receives extra args at run time (xargs, parallel, find -exec {})
  bool background = false;    // ended by &
  int pipeline = -1;          // index of the pipeline it belongs to (same index = same pipe)
  int pipeline_pos = 0;       // 0 = first stage
  // A command inside a group (`( ... )`, `{ ...; }`) that is itself a pipeline stage: that
  // stage's pipeline and position (`(crontab -l; echo JOB) | crontab -`: both feed stage 1).
  int group_pipeline = -1;
  int group_pos = 0;
  std::string stdin_from;  // name of the previous pipeline stage feeding stdin, if any
  int depth = 0;           // nesting depth ($(), bash -c, eval, ...)
  // Named facts the shell stage itself established, each with its reason (homoglyph,
  // fork_bomb, installs_command, ...). Scope analysis copies them onto the subject.
  std::vector<std::pair<std::string, std::string>> facts;
  uint32_t begin = 0;  // span in the ORIGINAL top-level line
  uint32_t end = 0;

  // argv joined with single spaces (for messages and regex fields).
  [[nodiscard]] std::string joined() const;
};

// Something found in code that is not shell (interpreter one-liners, SQL passed to a DB client).
struct Snippet {
  std::string language;  // python, node, perl, ruby, sql, ...
  std::string text;
  int command_index = -1;  // index into ShellParse::commands of the command that carries it
};

struct Limits {
  size_t max_input_bytes = 1 << 20;  // 1 MiB; larger input -> fail_closed
  int max_depth = 32;                // nesting of $(), subshells, bash -c, eval, ...
  size_t max_commands = 4096;        // simple commands in one parse
  size_t max_words = 65536;          // words in one parse (brace expansion counts its results)
  bool trace = true;  // fill ShellParse::trace (only --explain reads it; off saves per-call work)
};

struct ShellEnv {
  std::string cwd;   // may be empty (unknown)
  std::string home;  // may be empty (unknown)
  std::string user;
  std::map<std::string, std::string> vars;  // environment the agent passed
  // $0, $1, ... when the text is a function body called with literal arguments or `sh -c TEXT
  // NAME ARGS`; unset: positional parameters are dynamic.
  std::optional<std::vector<std::string>> positional;
};

struct ShellParse {
  std::vector<SimpleCommand> commands;  // every simple command that would run, in source order
  std::vector<Snippet> snippets;        // non-shell code found (interpreter bodies, SQL)
  // Functions the text defines (name, body text): stage 2 parses a body again, with the
  // positional parameters bound, where the function is called with literal arguments.
  std::vector<std::pair<std::string, std::string>> functions;
  bool complete = true;      // false when something could not be parsed or was cut by a limit
  bool fail_closed = false;  // the whole line must not be allowed (limits, unterminated quote, ...)
  std::string fail_reason;   // one line, for the verdict
  std::vector<std::string> trace;  // human-readable parse trace for --explain
};

// Stage 1 only (parser.cpp): raw simple commands, no wrapper unwrapping.
// Parser choices (stage 1):
// - A command that is only assignments and/or redirections (`TMPDIR=/`, `> /etc/passwd`) IS
//   emitted, with empty argv and name "", so the scope stage sees the assignment / write target.
// - The `time` keyword (and `time -p`) and `!` are stripped; the pipeline is emitted as usual.
// - `&>file` is RedirectOp::dup_out with fd -1 (a write to a file); `&>>file` is append, fd -1;
//   `|&` adds {dup_out, fd 2, target "1"} to the left-hand command.
// - Redirections after a compound command (`{ ..; } > f`, `done <<EOF`) are copied onto every
//   simple command emitted inside it (an empty-argv command is emitted if there is none).
// - SimpleCommand::env holds the variables the line itself set and knows (assignments, export,
//   prefix assignments; capped), not ShellEnv::vars, which the caller already has.
// - Function bodies are emitted where they are defined (they may run); `[[ ]]` and `(( ))` emit
//   nothing themselves, but substitutions inside them are emitted.
// - An outermost `for` loop over up to 16 literal words is unrolled (its body is emitted once
//   per item with the variable bound); otherwise the loop variable is dynamic. An outermost loop
//   whose body changes variables or the cwd is parsed a second time with those values dynamic.
//   Variables set and `cd` inside conditional bodies (if/case/loops/functions) become
//   dynamic/unknown afterwards.
// - On a parse failure the commands parsed before it are kept (fail_closed is set regardless).
[[nodiscard]] ShellParse parse_raw(std::string_view line, const ShellEnv& env, const Limits& limits,
                                   int depth = 0);

// Stage 1 + 2: what the engine uses.
[[nodiscard]] ShellParse parse_shell(std::string_view line, const ShellEnv& env,
                                     const Limits& limits = {});

// Stage 2 (unwrap.cpp): rewrite `in` (from parse_raw) in place into final commands.
void unwrap(ShellParse& parse, const ShellEnv& env, const Limits& limits);

}  // namespace blastwall::shell
