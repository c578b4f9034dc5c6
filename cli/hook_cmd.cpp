// `blastwall hook <agent>`, `install`, `uninstall` and `doctor` (docs/INTEGRATIONS.md).
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>

#include "audit/audit_log.hpp"
#include "cli/cli.hpp"
#include "cli/engine_setup.hpp"
#include "cli/resident.hpp"
#include "cli/session_recall.hpp"
#include "integrations/common/hook_runner.hpp"
#include "integrations/common/install.hpp"

namespace blastwall::cli {

namespace fs = std::filesystem;
using namespace blastwall::integrations;

namespace {

// ---- hook ----

// The answer written if the hook overruns its budget. A signal handler can only reach static
// storage, so this one piece of process state is file-static; it is set once before the timer
// starts and only read afterwards.
std::string s_deadline_out;  // NOLINT
std::string s_deadline_err;  // NOLINT
int s_deadline_exit = 0;     // NOLINT

extern "C" void on_deadline(int) {
  ssize_t rc = ::write(STDOUT_FILENO, s_deadline_out.data(), s_deadline_out.size());
  rc = ::write(STDERR_FILENO, s_deadline_err.data(), s_deadline_err.size());
  (void)rc;
  ::_exit(s_deadline_exit);
}

// Inside the resident engine the front enforces the budget while it reads the envelope (the only
// wait that depends on the host), and a timer would end the server: no timer there.
void arm_deadline(const HookAnswer& a, int budget_ms) {
  if (resident::active()) return;
  s_deadline_out = a.out;
  s_deadline_err = a.err;
  s_deadline_exit = a.exit_code;
  struct sigaction sa {};
  sa.sa_handler = on_deadline;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGALRM, &sa, nullptr);
  itimerval t{};
  t.it_value.tv_sec = budget_ms / 1000;
  t.it_value.tv_usec = (budget_ms % 1000) * 1000;
  ::setitimer(ITIMER_REAL, &t, nullptr);
}

void disarm_deadline() {
  if (resident::active()) return;
  itimerval t{};
  ::setitimer(ITIMER_REAL, &t, nullptr);
  ::signal(SIGALRM, SIG_IGN);
}

void emit(const HookAnswer& a) {
  if (!a.out.empty()) std::fwrite(a.out.data(), 1, a.out.size(), stdout);
  if (!a.err.empty()) std::fwrite(a.err.data(), 1, a.err.size(), stderr);
  std::fflush(stdout);
  std::fflush(stderr);
}

// Reads stdin to EOF, stopping one byte past the cap (the runner rejects oversize input).
std::string read_stdin() {
  std::string s;
  char buf[65536];
  while (s.size() <= k_max_envelope_bytes) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    s.append(buf, static_cast<size_t>(n));
  }
  return s;
}

struct HookOpts {
  std::string agent;
  std::string ask_fallback;
  int budget_ms = 8000;
  bool no_audit = false;
  std::string audit_db;
};

int run_hook_body(const GlobalOptions& g, const HookOpts& o, const AgentSpec* spec);

int run_hook_cmd(const GlobalOptions& g, const HookOpts& o) {
  const AgentSpec* spec = find_agent_spec(o.agent);
  try {
    return run_hook_body(g, o, spec);
  } catch (...) {
    // main() would turn an escaped exception into exit 4, which every host reads as "no opinion".
    if (!spec || !spec->has_hooks) return 2;
    HookDeps deps;
    disarm_deadline();
    emit(fail_closed_answer(*spec, spec->default_event, deps, "internal error in the hook"));
    return 0;
  }
}

int run_hook_body(const GlobalOptions& g, const HookOpts& o, const AgentSpec* spec) {
  if (!spec || !spec->has_hooks) {
    // Exit 2 is the one code every hook host reads as "block".
    std::fprintf(stderr,
                 "blastwall: unknown agent '%s' for `hook` (claude, cursor, gemini, codex, vscode, "
                 "copilot); blocking\n",
                 o.agent.c_str());
    return 2;
  }
  HookDeps deps;
  deps.fail_closed = Decision::ask;
  deps.no_native_ask = Decision::deny;
  HookAnswer late = fail_closed_answer(*spec, spec->default_event, deps,
                                       "blastwall did not answer within its time budget");
  if (resident::active() && resident::request().stdin_timed_out) {
    emit(late);  // the front gave up waiting for the envelope: the same answer as the timer's
    return late.exit_code;
  }
  arm_deadline(late, o.budget_ms);
  std::string input = read_stdin();

  EngineSetup setup;
  setup.policy_file = g.policy_file;
  auto engine = build_engine(setup);
  if (engine) {
    deps.fail_closed = (*engine)->policy().fail_closed;
    deps.no_native_ask = (*engine)->policy().no_native_ask;
  }
  if (o.ask_fallback == "allow") deps.no_native_ask = Decision::allow;
  if (o.ask_fallback == "deny") deps.no_native_ask = Decision::deny;
  if (!engine) {
    disarm_deadline();
    emit(fail_closed_answer(*spec, spec->default_event, deps,
                            "the rule engine failed to load: " + engine.error().message));
    return 0;
  }
  std::shared_ptr<const Engine> eng = *engine;
  deps.complete_context = [](ActionContext& ctx) { fill_context_from_os(ctx); };

  // One audit connection per hook call, opened on first use: it is the session's memory before
  // the evaluation (cli/session_recall.cpp) and the record after it.
  std::unique_ptr<audit::AuditLog> log;
  audit::AuditLog* target = nullptr;
  std::string audit_path = !o.audit_db.empty() ? o.audit_db : g.audit_db;
  auto open_log = [&log, &target, audit_path]() -> Result<audit::AuditLog*> {
    if (target) return target;
    audit::AuditOptions ao;
    ao.path = audit_path.empty() ? audit::default_audit_path() : audit_path;
    auto opened = resident::audit_log(std::move(ao), log);
    if (opened) target = *opened;
    return opened;
  };
  const bool no_audit = o.no_audit;
  deps.evaluate = [eng, &open_log, no_audit](const Action& a) {
    Action with_memory = a;
    auto l = no_audit ? Result<audit::AuditLog*>(make_error("--no-audit")) : open_log();
    recall_session(with_memory, eng->policy(), l ? *l : nullptr);
    return eng->evaluate(with_memory);
  };
  if (!o.no_audit) {
    deps.record = [&open_log](const Action& a, const Verdict& v,
                              uint64_t latency_us) -> Result<bool> {
      auto opened = open_log();
      if (!opened) return opened.error();
      audit::AuditLog* target = *opened;
      audit::ActionRecord rec{a, v, "", audit::now_us(), latency_us};
      auto id = target->record(rec);
      if (!id) return id.error();
      if (!target->last_warning().empty()) {
        std::fprintf(stderr, "blastwall: audit: %s\n", target->last_warning().c_str());
      }
      return true;
    };
  }
  ActionContext base;
  base.agent = std::string(spec->name);
  base.surface = "hook";
  HookResult r = run_hook(*spec, input, base, deps);
  disarm_deadline();
  emit(r.answer);
  return r.answer.exit_code;
}

// ---- install / uninstall ----

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : fallback;
}

// The command agents should run: the `blastwall` front when it started us (it sets
// BLASTWALL_FRONT before exec'ing blastwall-core), else this binary.
std::string self_path() {
  if (const char* front = std::getenv("BLASTWALL_FRONT"); front && *front) return front;
  std::error_code ec;
  auto p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("blastwall") : p.string();
}

struct InstallOpts {
  std::string agent;
  bool user = false;
  std::optional<std::string> project;
  std::string project_dir;
  bool dry_run = false;
  std::string bin;
};

InstallPaths paths_for(const std::optional<std::string>& project) {
  InstallPaths p;
  p.home = env_or("HOME", "/");
  std::error_code ec;
  std::string proj = project && !project->empty() ? *project : fs::current_path(ec).string();
  p.project = fs::absolute(proj, ec).lexically_normal().string();
  if (p.project.size() > 1 && p.project.back() == '/') p.project.pop_back();
  p.xdg_config = env_or("XDG_CONFIG_HOME", p.home + "/.config");
  p.codex_home = env_or("CODEX_HOME", p.home + "/.codex");
  p.project_scope = project.has_value();
  return p;
}

std::string backup_dir(const InstallPaths& p) {
  return env_or("XDG_STATE_HOME", p.home + "/.local/state") + "/blastwall/backups";
}

int run_install_cmd(const InstallOpts& o, bool install) {
  InstallOptions opts;
  opts.paths = paths_for(o.project);
  opts.bin = o.bin.empty() ? self_path() : o.bin;
  opts.backup_dir = backup_dir(opts.paths);
  opts.dry_run = o.dry_run;
  std::vector<const AgentSpec*> targets;
  if (o.agent == "all") {
    for (const auto& s : agent_specs()) {
      std::error_code ec;
      bool found = false;
      for (const auto& d : s.detect_dirs(opts.paths)) found = found || fs::exists(d, ec);
      if (found) targets.push_back(&s);
    }
    if (targets.empty())
      std::printf("no supported agent found under %s\n", opts.paths.home.c_str());
  } else if (const AgentSpec* s = find_agent_spec(o.agent)) {
    targets.push_back(s);
  } else {
    std::fprintf(stderr, "blastwall: unknown agent '%s'. Known:", o.agent.c_str());
    for (const auto& s : agent_specs()) std::fprintf(stderr, " %s", std::string(s.name).c_str());
    std::fprintf(stderr, " all\n");
    return k_exit_bad_input;
  }
  int rc = 0;
  for (const AgentSpec* spec : targets) {
    InstallReport rep = install ? install_agent(*spec, opts) : uninstall_agent(*spec, opts);
    std::printf("%s (%s scope)%s\n", std::string(spec->title).c_str(),
                opts.paths.project_scope ? "project" : "user", o.dry_run ? " [dry run]" : "");
    for (const auto& f : rep.files) {
      if (f.action == "missing") continue;
      std::printf("  %-9s %s\n", f.action.c_str(), f.path.c_str());
      for (const auto& n : f.notes) std::printf("            %s\n", n.c_str());
      if (o.dry_run && !f.diff.empty()) std::printf("%s", f.diff.c_str());
    }
    for (const auto& e : rep.errors) std::fprintf(stderr, "  error: %s\n", e.c_str());
    if (!rep.errors.empty()) rc = 1;
  }
  return rc;
}

// ---- doctor ----

int run_doctor_cmd(const GlobalOptions& g, const std::optional<std::string>& project, bool all) {
  InstallPaths paths = paths_for(project);
  std::unique_ptr<audit::AuditLog> log;
  audit::AuditOptions ao;
  ao.path = g.audit_db.empty() ? audit::default_audit_path() : g.audit_db;
  ao.read_only = true;
  std::string audit_note;
  std::error_code ec;
  if (fs::exists(ao.path, ec)) {
    auto opened = audit::AuditLog::open(ao);
    if (opened) {
      log = std::move(*opened);
    } else {
      audit_note = "audit log unreadable: " + opened.error().message;
    }
  } else {
    audit_note = "no audit log yet at " + ao.path;
  }
  auto last_fired = [&log](std::string_view agent) -> std::optional<int64_t> {
    if (!log) return std::nullopt;
    audit::LogFilter f;
    f.agent = std::string(agent);
    f.newest_first = true;
    std::optional<int64_t> ts;
    auto q = log->query(f, [&ts](const audit::AuditRow& row) {
      if (row.surface != "hook") return true;
      ts = row.ts_us;
      return false;
    });
    (void)q;
    return ts;
  };
  auto checks = run_doctor(paths, last_fired, audit::now_us(), env_or("PATH", ""));
  size_t problems = 0;
  size_t found = 0;
  for (const auto& c : checks) {
    if (!c.found) {
      if (all) std::printf("%-20s not found\n", c.title.c_str());
      continue;
    }
    ++found;
    std::printf("%s (%s)\n", c.title.c_str(), c.agent.c_str());
    for (const auto& s : c.ok) std::printf("  ok       %s\n", s.c_str());
    for (size_t i = 0; i < c.problems.size(); ++i) {
      std::printf("  PROBLEM  %s\n", c.problems[i].c_str());
      if (i < c.fixes.size()) std::printf("    fix:   %s\n", c.fixes[i].c_str());
    }
    problems += c.problems.size();
  }
  if (!audit_note.empty()) std::printf("note: %s\n", audit_note.c_str());
  if (found == 0) std::printf("no supported agent found under %s\n", paths.home.c_str());
  problems += static_cast<size_t>(print_pack_doctor(g));
  problems += static_cast<size_t>(print_ship_doctor(g));
  std::printf("%zu problem(s)\n", problems);
  return problems ? 1 : 0;
}

}  // namespace

void register_hook(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<HookOpts>();
  auto* cmd = app.add_subcommand(
      "hook",
      "Answer an agent's pre-tool hook: envelope on stdin, the agent's own answer on stdout");
  cmd->add_option("agent", o->agent, "claude, cursor, gemini, codex, vscode or copilot");
  cmd->add_option("--ask-fallback", o->ask_fallback,
                  "What an 'ask' becomes where the agent cannot ask (deny|allow; default: policy)");
  cmd->add_option("--budget-ms", o->budget_ms,
                  "Answer fail-closed after this many ms (default 8000)");
  cmd->add_flag("--no-audit", o->no_audit, "Do not write the audit log");
  cmd->add_option("--audit-db", o->audit_db, "Audit database (same as the global option)")
      ->type_name("FILE");
  // Unknown arguments must never turn into a parse error the host reads as "no opinion".
  cmd->allow_extras();
  cmd->callback([&g, o] { g.exit_code = run_hook_cmd(g, *o); });
}

void register_install(CLI::App& app, GlobalOptions& g) {
  (void)g;
  for (bool install : {true, false}) {
    auto o = std::make_shared<InstallOpts>();
    auto* cmd = app.add_subcommand(
        install ? "install" : "uninstall",
        install ? "Add blastwall's hook to an agent's settings and wrap its MCP servers"
                : "Remove blastwall's hook and MCP wrapping (restores the backup when unchanged)");
    cmd->add_option(
           "agent", o->agent,
           "claude, cursor, gemini, codex, vscode, copilot, claude-desktop, windsurf, cline, "
           "roo, zed, or all")
        ->required();
    cmd->add_flag("--user", o->user, "User-level settings (default)");
    auto* proj =
        cmd->add_option("--project", o->project_dir, "Project-level settings in DIR (default: cwd)")
            ->type_name("DIR")
            ->expected(0, 1);
    cmd->add_flag("--dry-run", o->dry_run, "Print the diff; change nothing");
    cmd->add_option("--bin", o->bin, "blastwall binary to write into configs (default: this one)")
        ->type_name("FILE");
    cmd->callback([&g, o, install, proj] {
      if (proj->count() > 0) o->project = o->project_dir;
      if (o->project && o->user) {
        std::fprintf(stderr, "blastwall: choose --user or --project, not both\n");
        g.exit_code = k_exit_bad_input;
        return;
      }
      g.exit_code = run_install_cmd(*o, install);
    });
  }
}

void register_doctor(CLI::App& app, GlobalOptions& g) {
  auto project = std::make_shared<std::optional<std::string>>();
  auto project_dir = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "doctor", "Check each agent: hook installed, command resolves, fired recently, MCP wrapped");
  auto* proj =
      cmd->add_option("--project", *project_dir, "Project directory to check (default: cwd)")
          ->type_name("DIR")
          ->expected(0, 1);
  cmd->add_flag("--all", *all, "Also list agents that were not found");
  cmd->footer("Exit status: 0 no problems, 1 problems found (each with a fix).");
  cmd->callback([&g, project, project_dir, all, proj] {
    if (proj->count() > 0) *project = *project_dir;
    g.exit_code = run_doctor_cmd(g, *project, *all);
  });
}

}  // namespace blastwall::cli
