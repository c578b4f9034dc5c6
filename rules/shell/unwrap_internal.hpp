// Private to rules/shell: helpers shared by unwrap.cpp, inline_code.cpp and decode.cpp.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/shell/shell.hpp"

namespace blastwall::shell::detail {

// ---- decode.cpp -------------------------------------------------------------------------------
// Standard or URL-safe base64, whitespace ignored, padding optional. nullopt when the text is not
// base64 at all.
[[nodiscard]] std::optional<std::string> decode_base64(std::string_view text);
// Plain hex digits (xxd -r -p): whitespace ignored, optional 0x prefix. nullopt on odd length or
// a non-hex character.
[[nodiscard]] std::optional<std::string> decode_hex(std::string_view text);
// True when a decoded payload looks like text a shell could run (printable ASCII/UTF-8, tabs and
// newlines); junk (NULs, control bytes) is a reason to fail closed rather than guess.
[[nodiscard]] bool looks_like_text(std::string_view payload);

// ---- inline_code.cpp --------------------------------------------------------------------------
// What a destructive call in interpreter code amounts to.
struct CodeArg {
  std::string text;      // literal value, or the expression as written when dynamic
  bool dynamic = false;  // not a plain string literal
};

struct CodeFinding {
  enum class Kind {
    argv,        // an equivalent argv (rm -rf P, rm P, rmdir P, tee P, or an exec'd argv list)
    shell_text,  // a string the code hands to a shell (os.system, backticks, execSync, ...)
    sql,         // an SQL statement passed to execute()/query()
  };
  Kind kind = Kind::argv;
  std::vector<CodeArg> argv;  // for argv
  CodeArg text;               // for shell_text / sql
  std::string call;           // the call that produced it (for the trace)
  // Facts the finding itself establishes (secrets_send for code that posts the environment).
  std::vector<std::pair<std::string, std::string>> facts;
};

// language: python, node, perl, ruby, php (deno = node), awk, lua, sed, tcl. Never throws; bounded
// by code size.
[[nodiscard]] std::vector<CodeFinding> scan_inline_code(std::string_view language,
                                                        std::string_view code);

// ---- script_langs.cpp -------------------------------------------------------------------------
// sed scripts: `e CMD` runs CMD, bare `e` and the `s///e` flag run the pattern space (dynamic),
// `w FILE` / `s///w FILE` write FILE (tee). Honours nothing else; unknown commands are skipped.
[[nodiscard]] std::vector<CodeFinding> scan_sed_script(std::string_view script);
// Tcl: `exec WORDS` runs a pipeline of words (shell text), `file delete [-force] P..` deletes,
// `open "|cmd"` runs cmd. `$var` / `[cmd]` make a word dynamic.
[[nodiscard]] std::vector<CodeFinding> scan_tcl(std::string_view code);

// ---- confusables.cpp ---------------------------------------------------------------------------
// A word with Unicode look-alikes of ASCII (Cyrillic/Greek letters, fullwidth forms, dashes,
// unusual and zero-width spaces) mapped to the ASCII it imitates.
struct Skeleton {
  std::string text;   // the word in ASCII
  std::string first;  // the first look-alike: "U+0430 CYRILLIC SMALL LETTER A"
};
// nullopt when the word is plain ASCII (the fast path), not valid UTF-8, or contains a non-ASCII
// character that is not a look-alike (a real word in another script is data, not a disguise).
[[nodiscard]] std::optional<Skeleton> ascii_skeleton(std::string_view word);
// False when the text has bytes that are not UTF-8 (a path or word no one can read as written).
[[nodiscard]] bool valid_utf8(std::string_view text);

// ---- git_exec.cpp -----------------------------------------------------------------------------
// What a git command line would run through /bin/sh because of configuration it sets itself.
struct GitExec {
  struct Text {
    std::string origin;  // "git -c core.pager", "GIT_SSH_COMMAND=", "git config alias.x"
    CodeArg text;
  };
  std::vector<Text> shell;  // config values git runs as shell commands
  size_t sub_index = 0;     // argv index of the subcommand (argv.size() when none)
  std::string alias_name;   // the subcommand is an alias defined in this line ...
  std::string alias_value;  // ... with this value ("!cmd" or git arguments)
  std::vector<std::pair<std::string, std::string>> installs;  // git config KEY that runs later
  // -c / variables whose command is not the program the key is for (`core.sshCommand='sh -c ..'`)
  std::vector<std::pair<std::string, std::string>> injections;
};
// `env`: variables the line itself set (GIT_PAGER=.. git log). `aliases`: git aliases set earlier
// in the same line (`git config alias.x ...; git x`).
[[nodiscard]] GitExec scan_git(const std::vector<Word>& argv,
                               const std::map<std::string, std::string>& env,
                               const std::map<std::string, std::string>& aliases);

// Split SQL text into statements on `;` outside quotes and comments; trims; drops empty ones.
[[nodiscard]] std::vector<std::string> split_sql(std::string_view sql);

// ---- deferred.cpp ------------------------------------------------------------------------------
// Where the command a deferred or detached runner will execute is (systemd-run, screen, tmux,
// at/batch, crontab).
struct Deferred {
  enum class Form {
    none,        // not a runner, or a use that runs nothing (`at -l`, `crontab -l`)
    argv,        // the command is argv[start..] (systemd-run CMD, screen -dm CMD)
    text,        // the command is shell text (tmux send-keys, screen -X stuff, tmux new 'cmd')
    stdin_text,  // the command arrives on stdin (at, batch, crontab -)
    hidden,      // it cannot be seen (at -f FILE, crontab FILE): fail closed
  };
  Form form = Form::none;
  size_t start = 0;
  std::string text;
  bool dynamic = false;  // text built from words only known at run time
  bool crontab = false;  // stdin is a crontab table (commands after the time fields)
  std::string label;     // the wrapper recorded on the commands it runs
};
[[nodiscard]] Deferred deferred_command(std::string_view name, const std::vector<Word>& argv);
// The commands of a crontab table: each entry without its five time fields (or @reboot, ...).
[[nodiscard]] std::string crontab_commands(std::string_view table);

}  // namespace blastwall::shell::detail
