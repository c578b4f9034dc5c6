// `blastwall ui`: the local dashboard (ui room). This file only parses options, finds the token
// and the engine factory, prints the login URL and waits for a signal.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "cli/cli.hpp"
#include "cli/engine_setup.hpp"
#include "proxy/sqlite_util.hpp"
#include "ui/server.hpp"
#include "ui/token.hpp"

extern char** environ;

namespace blastwall::cli {
namespace {

struct UiArgs {
  std::string host = "127.0.0.1";
  uint16_t port = ui::k_default_port;
  std::string state_dir, audit_db;
  bool open = false;
};

void open_browser(const std::string& url) {
  // xdg-open gets the URL as an argument (never a shell); a missing opener is only a note.
  pid_t pid = 0;
  const char* argv[] = {"xdg-open", url.c_str(), nullptr};
  if (::posix_spawnp(&pid, "xdg-open", nullptr, nullptr, const_cast<char* const*>(argv), environ) !=
      0) {
    std::fprintf(stderr, "blastwall: cannot run xdg-open; open the URL above yourself\n");
    return;
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
}

int run_ui(const UiArgs& a, const GlobalOptions& g) {
  const std::string state_dir = a.state_dir.empty() ? proxy::default_state_dir() : a.state_dir;
  auto token = ui::load_or_create_token(state_dir);
  if (!token) {
    std::fprintf(stderr, "blastwall: %s\n", token.error().message.c_str());
    return k_exit_bad_input;
  }
  ui::UiOptions o;
  o.host = a.host;
  o.port = a.port;
  o.state_dir = state_dir;
  o.audit_db = !a.audit_db.empty() ? a.audit_db : g.audit_db;
  o.token = *token;
  const char* user = std::getenv("USER");
  o.who = user && *user ? user : "uid " + std::to_string(::getuid());
  o.engine_factory = [](const std::vector<std::string>& packs, const std::string& policy) {
    EngineSetup s;
    s.extra_packs = packs;
    s.policy_file = policy;
    return build_engine(s);
  };
  // Signals are taken synchronously by this thread, so the server threads never see them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  auto server = ui::UiServer::start(o);
  if (!server) {
    std::fprintf(stderr, "blastwall: %s\n", server.error().message.c_str());
    return k_exit_bad_input;
  }
  std::printf("blastwall dashboard on %s\n", (*server)->base_url().c_str());
  std::printf("Open this URL in your browser; it carries your login token, do not share it:\n");
  std::printf("  %s\n", (*server)->login_url().c_str());
  std::printf("Ctrl-C stops the dashboard.\n");
  std::fflush(stdout);
  if (a.open) open_browser((*server)->login_url());
  int sig = 0;
  sigwait(&set, &sig);
  (*server)->stop();
  return 0;
}

}  // namespace

void register_ui(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<UiArgs>();
  auto* cmd = app.add_subcommand(
      "ui", "Local dashboard: approvals, live timeline, sessions, stats, replay (127.0.0.1 only)");
  cmd->add_option("--port", a->port, "TCP port (default 8765; 0 = any free port)");
  cmd->add_option("--host", a->host, "Loopback address to bind: 127.0.0.1 (default) or ::1")
      ->check([](const std::string& h) {
        return ui::is_loopback_address(h) ? std::string()
                                          : "blastwall ui binds only to a loopback address";
      });
  cmd->add_option("--audit-db", a->audit_db, "Audit database (default: the global --audit-db)")
      ->type_name("FILE");
  cmd->add_option("--state-dir", a->state_dir,
                  "Where approvals.db and ui-token live (default $XDG_STATE_HOME/blastwall)")
      ->type_name("DIR");
  cmd->add_flag("--open", a->open, "Open the login URL with xdg-open");
  cmd->callback([a, &g] { g.exit_code = run_ui(*a, g); });
}

}  // namespace blastwall::cli
