// The command line: builds the CLI11 app and runs one command. main.cpp calls it once per process;
// the resident engine (serve.cpp) calls it once per request with only the commands it serves.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string_view>

#include "cli/cli.hpp"

namespace blastwall::cli {

namespace {

// The command word: the first argument that is not a global option or its value.
std::string_view command_word(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--audit-db" || a == "--policy") {
      ++i;
    } else if (a.empty() || a[0] != '-') {
      return a;
    }
  }
  return {};
}

bool is_hook_command(int argc, const char* const* argv) {
  return command_word(argc, argv) == "hook";
}

void add_globals(CLI::App& app, GlobalOptions& g) {
  app.description("blastwall: a local safety proxy between AI coding agents and their tools");
  app.set_version_flag("--version", std::string("blastwall ") + BLASTWALL_VERSION);
  app.require_subcommand(1);
  app.add_option("--audit-db", g.audit_db,
                 "Audit database (default $XDG_STATE_HOME/blastwall/audit.db)")
      ->type_name("FILE");
  app.add_option("--policy", g.policy_file, "Extra policy file layered over the defaults")
      ->type_name("FILE");
  app.add_flag("--no-color", g.no_color, "Never colour output");
}

// The resident engine's tree for one request: only the served command the request names (building
// CLI11's option tree cost more than a warm evaluation); both when it names neither. The parse is
// the same: with require_subcommand(1), a sibling command's name later on the line is an argument
// either way.
void build_served_app(CLI::App& app, GlobalOptions& g, std::string_view word) {
  add_globals(app, g);
  if (word != "hook") register_check(app, g);
  if (word != "check") register_hook(app, g);
}

}  // namespace

void build_app(CLI::App& app, GlobalOptions& g, bool served_only) {
  if (served_only) {
    build_served_app(app, g, {});
    return;
  }
  add_globals(app, g);
  register_check(app, g);
  register_hook(app, g);
  register_rules(app, g);
  register_demo(app, g);
  register_corpus(app, g);
  register_log(app, g);
  register_audit(app, g);
  register_replay(app, g);
  register_install(app, g);
  register_doctor(app, g);
  register_mcp(app, g);
  register_approvals(app, g);
  register_pins(app, g);
  register_packs(app, g);
  register_serve(app, g);
  register_ui(app, g);
  // Set last: CLI11 copies a parent's footer into subcommands created after it.
  app.footer(
      "Exit status: 0 success, 3 bad input or usage, 4 internal error. Commands with codes of "
      "their own (check, doctor, audit ship, ...) say so in their help and man page.");
}

int run_cli(int argc, const char* const* argv, bool served_only) {
  try {
    CLI::App app;
    GlobalOptions g;
    if (served_only) {
      build_served_app(app, g, command_word(argc, argv));
    } else {
      build_app(app, g, false);
    }
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      int rc = app.exit(e);
      if (rc == 0) return 0;
      // A host reads any exit but 2 from a hook as "no opinion" and runs the tool: a broken hook
      // command line (a typo in the installed settings) must block, not let everything through.
      return is_hook_command(argc, argv) ? k_exit_deny : k_exit_bad_input;
    }
    return g.exit_code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "blastwall: internal error: %s\n", e.what());
    return k_exit_internal;
  } catch (...) {
    std::fprintf(stderr, "blastwall: internal error\n");
    return k_exit_internal;
  }
}

}  // namespace blastwall::cli
