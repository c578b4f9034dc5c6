// `blastwall audit ship`: sends the audit log to an OpenTelemetry collector (OTLP/HTTP JSON) or a
// syslog receiver, at least once, with a cursor (docs/TEAMS.md). Never on the hook path: it runs
// as its own process, by hand, from a timer, or started in the background by the resident engine
// and `blastwall mcp` when ship.yaml says `continuous: true`.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "audit/audit_log.hpp"
#include "cli/cli.hpp"
#include "ship/config.hpp"
#include "ship/shipper.hpp"

namespace blastwall::cli {
namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop.store(true); }

struct ShipArgs {
  std::string config, otlp, syslog;
  std::vector<std::string> headers;
  bool follow = false, status = false, json = false, quiet = false, detach = false;
  int max_attempts = 5, batch = 0;
  int64_t parent_pid = 0;
};

void print_status(const std::vector<ship::CursorStatus>& st, bool json) {
  if (json) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& c : st) {
      arr.push_back({{"target", c.target},
                     {"last_id", c.last_id},
                     {"backlog", c.backlog},
                     {"shipped", c.shipped},
                     {"rejected", c.rejected},
                     {"gaps", c.gaps},
                     {"failures", c.failures},
                     {"status", c.status},
                     {"error", c.error},
                     {"head", c.head_id},
                     {"last_ok", c.last_ok_us ? audit::format_time_us(c.last_ok_us) : ""},
                     {"last_try", c.last_try_us ? audit::format_time_us(c.last_try_us) : ""}});
    }
    std::printf("%s\n", arr.dump().c_str());
    return;
  }
  for (const auto& c : st) {
    std::printf("%-16s %-13s shipped %lld through id %lld, backlog %lld", c.target.c_str(),
                c.status.c_str(), static_cast<long long>(c.shipped),
                static_cast<long long>(c.last_id), static_cast<long long>(c.backlog));
    if (c.gaps) std::printf(", %lld pruned before shipping", static_cast<long long>(c.gaps));
    if (c.failures) std::printf(", %lld failed attempts", static_cast<long long>(c.failures));
    if (c.last_ok_us) std::printf(", last ok %s", audit::format_time_us(c.last_ok_us).c_str());
    std::printf("\n");
    if (!c.error.empty()) std::printf("  last error: %s\n", c.error.c_str());
  }
}

Result<ship::ShipConfig> config_for(const ShipArgs& a) {
  ship::ShipConfig cfg;
  if (!a.otlp.empty() || !a.syslog.empty()) {
    if (!a.otlp.empty()) {
      ship::Destination t;
      t.name = "otlp";
      t.type = ship::TargetType::otlp;
      t.endpoint = a.otlp;
      for (const auto& h : a.headers) {
        auto eq = h.find('=');
        if (eq == std::string::npos || eq == 0) return make_error("--header wants NAME=VALUE");
        t.headers[h.substr(0, eq)] = h.substr(eq + 1);
      }
      if (auto ep = ship::parse_endpoint(t.endpoint, t.type); !ep) return ep.error();
      cfg.targets.push_back(t);
    }
    if (!a.syslog.empty()) {
      ship::Destination t;
      t.name = "syslog";
      t.type = ship::TargetType::syslog;
      t.address = a.syslog;
      if (auto ep = ship::parse_endpoint(t.address, t.type); !ep) return ep.error();
      cfg.targets.push_back(t);
    }
  } else {
    std::string path = a.config.empty() ? ship::default_ship_config_path() : a.config;
    if (path.empty())
      return make_error(
          "no ship.yaml (looked for /etc/blastwall/ship.yaml and ~/.config/blastwall/ship.yaml); "
          "pass --config, --otlp URL or --syslog ADDR");
    auto c = ship::load_ship_config(path);
    if (!c) return c.error();
    cfg = std::move(*c);
  }
  if (a.batch > 0) {
    for (auto& t : cfg.targets) t.batch = a.batch;
  }
  return cfg;
}

void ship_cmd(GlobalOptions& g, const ShipArgs& a) {
  std::string db = g.audit_db.empty() ? audit::default_audit_path() : g.audit_db;
  auto cfg = config_for(a);
  if (!cfg) {
    std::fprintf(stderr, "blastwall: %s\n", cfg.error().format().c_str());
    g.exit_code = k_exit_bad_input;
    return;
  }
  if (a.status) {
    auto st = ship::read_status(db, *cfg);
    if (!st) {
      std::fprintf(stderr, "blastwall: %s\n", st.error().message.c_str());
      g.exit_code = k_exit_internal;
      return;
    }
    print_status(*st, a.json);
    return;
  }
  if (a.detach) {
    // The spawner waits for this process only: the follower lives on in a grandchild, so the
    // long-lived parent never collects a zombie.
    pid_t pid = ::fork();
    if (pid < 0) {
      std::perror("blastwall: fork");
      g.exit_code = k_exit_internal;
      return;
    }
    if (pid > 0) return;
    ::setsid();
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  ship::ShipOptions o;
  o.follow = a.follow;
  o.max_attempts = a.max_attempts;
  o.parent_pid = a.parent_pid;
  o.stop = &g_stop;
  bool quiet = a.quiet;
  o.on_message = [quiet](const std::string& m) {
    if (!quiet) std::fprintf(stderr, "blastwall: %s\n", m.c_str());
  };
  auto r = ship::ship(db, *cfg, o);
  if (!r) {
    std::fprintf(stderr, "blastwall: %s\n", r.error().message.c_str());
    g.exit_code = k_exit_internal;
    return;
  }
  if (!a.quiet) {
    if (a.json) {
      std::printf("%s\n",
                  nlohmann::json({{"shipped", r->shipped}, {"gaps", r->gaps}, {"ok", r->ok}})
                      .dump()
                      .c_str());
    } else {
      std::printf("shipped %lld rows\n", static_cast<long long>(r->shipped));
      print_status(r->targets, false);
    }
  }
  if (!r->ok) g.exit_code = 1;
}

}  // namespace

void start_continuous_shipping(const std::string& audit_db, const char* who) {
  char self[4096];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return;
  self[n] = '\0';
  if (std::string why; !ship::start_background_shipper(self, audit_db, &why) && !why.empty())
    std::fprintf(stderr, "%s: %s\n", who, why.c_str());
}

int print_ship_doctor(const GlobalOptions& g) {
  std::string path = ship::default_ship_config_path();
  if (path.empty()) return 0;  // shipping not configured: nothing to report
  auto cfg = ship::load_ship_config(path);
  if (!cfg) {
    std::printf("Audit shipping (%s)\n  PROBLEM  %s\n    fix:   correct the file (docs/TEAMS.md)\n",
                path.c_str(), cfg.error().format().c_str());
    return 1;
  }
  std::string db = g.audit_db.empty() ? audit::default_audit_path() : g.audit_db;
  std::printf("Audit shipping (%s%s)\n", path.c_str(), cfg->continuous ? ", continuous" : "");
  auto st = ship::read_status(db, *cfg);
  if (!st) {
    std::printf("  PROBLEM  cannot read the shipping cursors: %s\n", st.error().message.c_str());
    return 1;
  }
  int problems = 0;
  for (const auto& c : *st) {
    std::string where = "shipped through id " + std::to_string(c.last_id);
    if (c.head_id >= 0) where += " of " + std::to_string(c.head_id);
    if (c.backlog >= 0) where += " (lag " + std::to_string(c.backlog) + " rows)";
    std::string when =
        c.last_ok_us ? ", last ok " + audit::format_time_us(c.last_ok_us) : ", never shipped yet";
    bool failing = c.status == "refused" || (c.status == "retrying" && c.failures > 0);
    if (!failing) {
      std::printf("  ok       %s: %s%s\n", c.target.c_str(), where.c_str(), when.c_str());
    } else {
      ++problems;
      std::printf("  PROBLEM  %s: %s after %lld failed attempts: %s; %s%s\n", c.target.c_str(),
                  c.status.c_str(), static_cast<long long>(c.failures), c.error.c_str(),
                  where.c_str(), when.c_str());
      std::printf("    fix:   %s\n", c.status == "refused"
                                         ? "the collector refuses the rows: fix it or the target "
                                           "in ship.yaml (nothing is skipped meanwhile)"
                                         : "check that the collector is up and reachable");
    }
    if (c.gaps)
      std::printf("  note     %s: %lld rows were pruned before they were shipped\n",
                  c.target.c_str(), static_cast<long long>(c.gaps));
  }
  if (int64_t pid = ship::running_shipper(db); pid != 0) {
    std::printf("  ok       a shipper is running%s\n",
                pid > 0 ? (" (pid " + std::to_string(pid) + ")").c_str() : "");
  } else if (cfg->continuous) {
    std::printf(
        "  note     no follower running: the resident engine or `blastwall mcp` starts one, or "
        "run `blastwall audit ship --follow`\n");
  } else {
    std::printf(
        "  note     no shipper running (not continuous: ship from a timer, docs/TEAMS.md)\n");
  }
  return problems;
}

void register_audit_ship(CLI::App* audit_cmd, GlobalOptions& g) {
  auto* s = audit_cmd->add_subcommand(
      "ship", "Send the audit log to an OpenTelemetry collector or syslog (at least once)");
  auto a = std::make_shared<ShipArgs>();
  s->add_option("--config", a->config,
                "ship.yaml (default /etc/blastwall/ship.yaml, else ~/.config/blastwall/ship.yaml)")
      ->type_name("FILE");
  s->add_option("--otlp", a->otlp, "Ship to this OTLP/HTTP endpoint instead (http://host:4318)");
  s->add_option("--header", a->headers, "NAME=VALUE header for --otlp (${ENV} is expanded)");
  s->add_option("--syslog", a->syslog,
                "Ship to syslog instead: udp://h:514, tcp://h:601, unix:///dev/log");
  s->add_flag("--follow", a->follow, "Keep shipping new rows until stopped (SIGTERM)");
  s->add_flag("--status", a->status, "Show each target's cursor, backlog and last error");
  s->add_flag("--json", a->json, "JSON output");
  s->add_flag("--quiet", a->quiet, "No progress or summary output");
  s->add_option("--max-attempts", a->max_attempts,
                "Without --follow: give up on a target after this many failed attempts")
      ->check(CLI::Range(1, 1000));
  s->add_option("--batch", a->batch, "Rows per request (default: the target's, 1000)")
      ->check(CLI::Range(1, 100000));
  s->add_option("--parent-pid", a->parent_pid, "")->group("");
  s->add_flag("--detach", a->detach, "")->group("");
  s->footer(
      "Exit status: 0 caught up (or --status shown), 1 a backlog is left (a target gave up), 3 bad "
      "configuration, 4 internal error.");
  s->callback([&g, a] { ship_cmd(g, *a); });
}

}  // namespace blastwall::cli
