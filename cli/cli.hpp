// Subcommand registration. Each room's commands live in their own file and register here;
// main.cpp builds the CLI11 app and runs it. A command sets `exit_code` and must not call exit().
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "blastwall/engine.hpp"
#include "blastwall/result.hpp"

namespace blastwall::cli {

struct GlobalOptions {
  std::string audit_db;     // --audit-db; empty = default ($XDG_STATE_HOME/blastwall/audit.db)
  std::string policy_file;  // --policy; an extra, explicit policy layer
  bool no_color = false;    // --no-color (colour is only used on a TTY anyway)
  int exit_code = 0;        // set by the command that ran
};

// Exit codes shared by commands that classify (check, hook fallbacks): see README.
inline constexpr int k_exit_allow = 0;
inline constexpr int k_exit_ask = 1;
inline constexpr int k_exit_deny = 2;
inline constexpr int k_exit_bad_input = 3;
inline constexpr int k_exit_internal = 4;

// Builds the app and runs one command (cli/run.cpp). served_only registers just the commands the
// resident engine answers (check, hook), and of those only the one the command line names.
int run_cli(int argc, const char* const* argv, bool served_only);
// The whole command tree, as run_cli parses it; `g` receives the parsed values and must outlive
// `app`. Also walked by the man page and completion generator (tools/clidoc.cpp), so the docs are
// the code's own.
void build_app(CLI::App& app, GlobalOptions& g, bool served_only);

// cli/check_cmd.cpp
void register_check(CLI::App& app, GlobalOptions& g);
void register_rules(CLI::App& app, GlobalOptions& g);
void register_demo(CLI::App& app, GlobalOptions& g);
void register_corpus(CLI::App& app, GlobalOptions& g);
// cli/log_cmd.cpp (audit room)
void register_log(CLI::App& app, GlobalOptions& g);
void register_audit(CLI::App& app, GlobalOptions& g);
void register_replay(CLI::App& app, GlobalOptions& g);
// cli/ship_cmd.cpp (audit shipping; registered under `audit`)
void register_audit_ship(CLI::App* audit_cmd, GlobalOptions& g);
// Starts the background follower (`audit ship --follow`, detached) for audit_db when ship.yaml
// says `continuous: true`; the resident engine and `blastwall mcp` call it once at start. A
// config problem is said on stderr, prefixed with `who`.
void start_continuous_shipping(const std::string& audit_db, const char* who);
// Prints doctor's "Audit shipping" section when a ship.yaml exists (no network); returns the
// number of problems.
int print_ship_doctor(const GlobalOptions& g);
// cli/hook_cmd.cpp (agent integrations)
void register_hook(CLI::App& app, GlobalOptions& g);
void register_install(CLI::App& app, GlobalOptions& g);
void register_doctor(CLI::App& app, GlobalOptions& g);
// cli/mcp_cmd.cpp (MCP proxy and approvals)
void register_mcp(CLI::App& app, GlobalOptions& g);
void register_approvals(CLI::App& app, GlobalOptions& g);
void register_pins(CLI::App& app, GlobalOptions& g);
// cli/packs_cmd.cpp (distributed rule packs)
void register_packs(CLI::App& app, GlobalOptions& g);
// Prints doctor's "Rule packs" section; returns the number of problems.
int print_pack_doctor(const GlobalOptions& g);
// cli/serve.cpp (resident engine)
void register_serve(CLI::App& app, GlobalOptions& g);
// cli/ui_cmd.cpp (the dashboard)
void register_ui(CLI::App& app, GlobalOptions& g);

}  // namespace blastwall::cli
