// Scope analysis: turns an Action (and, for shell, its parse) into Subjects — the units rules are
// evaluated against — each carrying its fields and facts (targets and path classes, global, prod,
// recursive, remote_exec, secrets, self, ...). Pure: no I/O, no clock. Thread-safe (no shared
// state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "blastwall/action.hpp"
#include "blastwall/verdict.hpp"
#include "rules/shell/shell.hpp"

namespace blastwall::scope {

struct ScopeConfig {
  std::vector<std::string> prod_patterns{"prod", "production", "prd", "live"};
  std::vector<std::string> protected_branches{"main", "master", "release/*"};
  std::vector<std::string> temp_dirs{"/tmp", "/var/tmp"};
  int64_t session_window_s = 600;  // session memory window (policy `session.window_seconds`)
  int burst_threshold = 5;         // destructive actions in the window that make a burst; 0 = off
};

// One thing rules are evaluated against.
struct Subject {
  ActionKind kind = ActionKind::shell_exec;
  std::string display;  // what the verdict shows as the subject (argv joined, path, url, tool)
  uint32_t begin = 0, end = 0;

  // shell
  std::string name;  // command name after unwrapping ("" when dynamic)
  std::string argv0;
  std::vector<std::string> args;         // argv[1..]
  std::vector<std::string> positionals;  // non-option args (known option values skipped)
  std::string argv_joined;
  std::string line;                    // the shell text this subject was parsed from
  std::string cwd;                     // the command's working directory (follows literal `cd`)
  std::vector<std::string> redirects;  // files written by redirections (resolved)
  std::string stdin_from;
  std::vector<std::string> wrappers;
  std::string origin;
  std::vector<std::pair<std::string, std::string>> env;  // effective variables (line, then agent)
  std::vector<std::string> sql;                          // SQL statements carried by this subject
  bool informational = false;  // `--help` and similar: rules are not evaluated
  bool bounded = false;        // find with name/time/size predicates: targets are narrowed

  // file / net / mcp
  std::string path;  // resolved
  std::string content;
  std::string url;
  std::string method;
  std::string mcp_server, mcp_tool, mcp_args;
  std::string tool;  // agent tool name

  Facts facts;

  [[nodiscard]] const std::string* env_value(std::string_view name) const;
};

struct Analysis {
  std::vector<Subject> subjects;
  bool fail_closed = false;
  std::string fail_reason;
  std::vector<std::string> trace;  // parse + scope trace for --explain
};

// Analyses any action. For shell.exec (and shell text found in MCP arguments) it runs the shell
// parser itself.
[[nodiscard]] Analysis analyze(const Action& action, const ScopeConfig& config,
                               const shell::Limits& limits = {});

// --- Building blocks, exposed for tests and for other rooms ---

// Lexical resolution: ~, ~/x, relative to cwd, `.`/`..` collapsed. Empty when not resolvable.
[[nodiscard]] std::string resolve_path(std::string_view raw, std::string_view cwd,
                                       std::string_view home);
[[nodiscard]] PathClass classify_path(std::string_view resolved, const ActionContext& ctx,
                                      const ScopeConfig& config);
[[nodiscard]] bool is_self_path(std::string_view resolved, std::string_view home);
// <dir>/blastwall/ui-token: the dashboard's login token (ui/token.hpp), which the agent must not
// read at all (reading other self paths is allowed).
[[nodiscard]] bool is_ui_token_path(std::string_view resolved);
// ~/.local/state/blastwall or $XDG_STATE_HOME/blastwall itself (where the token lives).
[[nodiscard]] bool is_state_dir(std::string_view resolved, std::string_view home);
// Whole-token match against production patterns ("prod-eu" yes, "product" no).
[[nodiscard]] bool matches_prod(std::string_view value, const std::vector<std::string>& patterns);
// Also a pattern that is a whole word of a CamelCase identifier (`BillingProdStack`,
// `ProdApiStack`, `apiProd`; not `ProductStack`, `Prodigy`): for resource identifiers, where CDK
// stack ids and CloudFormation names are written that way.
[[nodiscard]] bool matches_prod_camel(std::string_view value,
                                      const std::vector<std::string>& patterns);
[[nodiscard]] bool matches_branch(std::string_view branch,
                                  const std::vector<std::string>& patterns);

// The bulk-operation summary when the session's recent actions hold at least
// `config.burst_threshold` destructive ones inside the window; empty otherwise.
[[nodiscard]] std::string burst_summary(const ActionContext& ctx, const ScopeConfig& config);

// SQL facts for one statement: sets global / sql_unbounded / sql_drop ... on `facts`.
void analyze_sql(std::string_view statement, Facts& facts);

}  // namespace blastwall::scope
