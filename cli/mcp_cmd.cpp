// `blastwall mcp`, `blastwall approvals|approve|deny`, `blastwall pins list|accept` (proxy room).
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

#include "audit/audit_log.hpp"
#include "cli/cli.hpp"
#include "cli/engine_setup.hpp"
#include "proxy/approvals.hpp"
#include "proxy/audit_sink.hpp"
#include "proxy/decide.hpp"
#include "proxy/http_front.hpp"
#include "proxy/http_upstream.hpp"
#include "proxy/links.hpp"
#include "proxy/pins.hpp"
#include "proxy/relay.hpp"
#include "proxy/session.hpp"
#include "proxy/stdio_front.hpp"

namespace blastwall::cli {
namespace {

using proxy::Ms;

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string format_ms(int64_t ms) {
  if (ms <= 0) return "-";
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string who_am_i() {
  std::string who;
  if (const char* u = std::getenv("USER"); u && *u) who = u;
  if (who.empty()) who = "uid " + std::to_string(::getuid());
  if (const char* tty = ::ttyname(STDIN_FILENO)) who += std::string(" on ") + tty;
  return who;
}

// For the approvals/pins commands: true when `r` holds a value; otherwise prints its error and
// sets the bad-input exit code.
template <class T>
bool usable(const Result<T>& r, GlobalOptions& g) {
  if (r) return true;
  std::fprintf(stderr, "blastwall: %s\n", r.error().message.c_str());
  g.exit_code = k_exit_bad_input;
  return false;
}

std::string state_path(const std::string& dir, const char* file) {
  return (dir.empty() ? proxy::default_state_dir() : dir) + "/" + file;
}

struct McpOptions {
  std::string name;
  std::string policy;
  std::string state_dir;
  std::size_t frame_cap = proxy::k_default_frame_cap;
  double approval_wait_s = 45;
  double call_timeout_s = 0;
  double progress_s = 5;
  bool no_elicitation = false;
  std::vector<std::string> command;
  // Streamable HTTP (docs/MCP.md "Streamable HTTP").
  std::string listen;
  std::string upstream;
  std::vector<std::string> upstream_headers;
  std::string token_file;
  bool no_auth = false;
  std::size_t max_sessions = 128;
  double session_idle_s = 3600;
};

// Checked before anything starts, so a bad combination or a non-loopback bind never runs.
std::string check_transport_options(const McpOptions& o) {
  if (!o.upstream.empty() && !o.command.empty()) {
    return "give either --upstream URL or a server command after --, not both";
  }
  if (o.upstream.empty() && o.command.empty()) {
    return "name the server: a command after -- (stdio) or --upstream URL (Streamable HTTP)";
  }
  if (o.listen.empty() && (o.no_auth || !o.token_file.empty())) {
    return "--no-auth and --token-file only apply with --listen";
  }
  if (o.no_auth && !o.token_file.empty()) return "--no-auth and --token-file exclude each other";
  if (!o.listen.empty()) {
    if (auto a = proxy::parse_listen_address(o.listen); !a) return a.error().message;
  }
  for (const auto& h : o.upstream_headers) {
    const auto colon = h.find(':');
    if (colon == std::string::npos || colon == 0) {
      return "--upstream-header expects 'Name: value'";
    }
  }
  return {};
}

int run_mcp(const McpOptions& o, const GlobalOptions& g) {
  proxy::RelayWire wire;
  EngineSetup setup;
  setup.policy_file = o.policy.empty() ? g.policy_file : o.policy;
  auto engine = build_engine(setup);
  if (!engine) {
    wire.log("cannot load policy: " + engine.error().format());
    return k_exit_bad_input;
  }
  std::string name = o.name;
  if (name.empty() && !o.upstream.empty()) {
    auto u = proxy::parse_http_url(o.upstream);
    name = u ? u->host + "_" + std::to_string(u->port) : "server";
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    }
  } else if (name.empty()) {
    name = proxy::default_server_name(o.command);
  }

  auto approvals = proxy::ApprovalStore::open(state_path(o.state_dir, "approvals.db"));
  if (!approvals) wire.log("approval queue unavailable: " + approvals.error().message);
  auto pins = proxy::PinStore::open(state_path(o.state_dir, "pins.db"));
  if (!pins) {
    // Fail closed: without a pin store no definition can be trusted.
    wire.log("pin store unavailable: " + pins.error().message);
    return k_exit_bad_input;
  }
  audit::AuditOptions aopts;
  aopts.path = g.audit_db;
  // The sink's writer thread checkpoints the WAL when its queue is empty, never inside a write.
  aopts.manual_checkpoint = true;
  auto log = audit::AuditLog::open(aopts);
  if (!log) {
    wire.log("audit log unavailable: " + log.error().message);
    return k_exit_bad_input;
  }
  // ship.yaml `continuous: true`: a detached follower ships this log while the proxy runs, as
  // for the resident engine (docs/TEAMS.md); its own process, never on the tools/call path.
  start_continuous_shipping(g.audit_db.empty() ? audit::default_audit_path() : g.audit_db,
                            "blastwall mcp");
  proxy::AsyncAuditSink sink(std::move(*log), [](const std::string& msg) {
    std::string s = "blastwall mcp: " + msg + "\n";
    ssize_t ignored = ::write(STDERR_FILENO, s.data(), s.size());
    (void)ignored;
  });

  ActionContext ctx;
  fill_context_from_os(ctx);
  ctx.surface = "mcp";

  proxy::SessionConfig cfg;
  cfg.server_name = name;
  cfg.approval_wait = Ms(static_cast<int64_t>(o.approval_wait_s * 1000));
  cfg.call_timeout = Ms(static_cast<int64_t>(o.call_timeout_s * 1000));
  cfg.progress_interval = Ms(std::max<int64_t>(100, static_cast<int64_t>(o.progress_s * 1000)));
  cfg.use_elicitation = !o.no_elicitation;
  cfg.session_window_s = (*engine)->policy().session_window_s;
  std::shared_ptr<const Engine> eng = *engine;
  auto classify = [eng, &sink](const Action& a) {
    Verdict v = eng->evaluate(a);
    if (sink.failed() && v.decision == Decision::allow) {
      // Fail closed: nothing runs unrecorded.
      v.decision = Decision::ask;
      v.source = "error";
      v.reason = "the audit log cannot be written; a human must approve every call";
    }
    return v;
  };
  proxy::ApprovalStore* approval_store = approvals ? approvals->get() : nullptr;
  proxy::PinStore* pin_store = pins->get();
  if (o.listen.empty() && o.upstream.empty()) {
    proxy::Session session(cfg, classify, ctx, wire, approval_store, pin_store, &sink);
    proxy::RelayOptions ropts;
    ropts.command = o.command;
    ropts.frame_cap = o.frame_cap;
    const int status = proxy::run_relay(ropts, session, wire);
    sink.flush();
    return status;
  }

  // The asio modes: Streamable HTTP on the client side (--listen), the server side (--upstream),
  // or both.
  boost::asio::io_context io;
  auto make_session = [&](proxy::Wire& w) {
    return std::make_unique<proxy::Session>(cfg, classify, ctx, w, approval_store, pin_store,
                                            &sink);
  };
  proxy::LinkFactory make_link;
  if (!o.upstream.empty()) {
    auto uopts = proxy::make_upstream_options(o.upstream);
    if (!uopts) {
      wire.log(uopts.error().message);
      return k_exit_bad_input;
    }
    uopts->body_cap = o.frame_cap;
    for (const auto& h : o.upstream_headers) {
      const auto colon = h.find(':');
      std::string value = h.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      uopts->headers.emplace_back(h.substr(0, colon), value);
    }
    make_link = [&io,
                 u = *uopts](proxy::LinkEvents ev) -> Result<std::unique_ptr<proxy::ServerLink>> {
      return proxy::open_http_upstream(io, u, std::move(ev));
    };
  } else {
    make_link = [&io, &o](proxy::LinkEvents ev) {
      return proxy::spawn_child_link(io, o.command, o.frame_cap, Ms(2000), std::move(ev));
    };
  }
  if (o.listen.empty()) {
    proxy::StdioFrontOptions sopts;
    sopts.frame_cap = o.frame_cap;
    const int status = proxy::run_stdio_front(io, sopts, make_session, make_link);
    sink.flush();
    return status;
  }

  proxy::FrontOptions fopts;
  fopts.listen = *proxy::parse_listen_address(o.listen);
  fopts.body_cap = o.frame_cap;
  fopts.max_sessions = o.max_sessions;
  fopts.idle_timeout = Ms(static_cast<int64_t>(o.session_idle_s * 1000));
  std::string token_note;
  if (o.no_auth) {
    wire.log(
        "WARNING: --no-auth: any local process (and any other user on this machine) that can reach "
        "the port can drive this MCP server through blastwall. Use only for a single-user test.");
    token_note = "no authentication";
  } else {
    const std::string token_path =
        o.token_file.empty() ? state_path(o.state_dir, "mcp-http.token") : o.token_file;
    auto token = proxy::load_or_create_token(token_path);
    if (!token) {
      wire.log(token.error().message);
      return k_exit_bad_input;
    }
    fopts.token = std::move(*token);
    token_note = "bearer token in " + token_path;
  }
  proxy::HttpFront front(io, fopts, make_session, make_link);
  auto port = front.start();
  if (!port) {
    wire.log(port.error().message);
    return k_exit_bad_input;
  }
  const std::string host = fopts.listen.host.find(':') != std::string::npos
                               ? "[" + fopts.listen.host + "]"
                               : fopts.listen.host;
  wire.log("listening on http://" + host + ":" + std::to_string(*port) + fopts.path + " (" +
           token_note +
           "; server: " + (o.upstream.empty() ? "stdio child per session" : o.upstream) + ")");
  boost::asio::signal_set signals(io, SIGINT, SIGTERM, SIGHUP);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    wire.log("signal " + std::to_string(sig) + ": ending " + std::to_string(front.session_count()) +
             " session(s)");
    front.shutdown([&io] { io.stop(); });
  });
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, nullptr);
  io.run();
  sink.flush();
  return 0;
}

void print_approval(const proxy::Approval& a) {
  std::printf("%s  %-9s %s  %s/%s\n", a.id.c_str(), a.status.c_str(),
              format_ms(a.created_ms).c_str(), a.server.c_str(), a.tool.c_str());
  std::string s = a.summary;
  std::size_t pos = 0;
  while (pos < s.size()) {
    auto nl = s.find('\n', pos);
    std::printf("    %s\n", s.substr(pos, nl == std::string::npos ? nl : nl - pos).c_str());
    if (nl == std::string::npos) break;
    pos = nl + 1;
  }
  if (!a.decided_by.empty()) {
    std::printf("    decided by %s at %s\n", a.decided_by.c_str(), format_ms(a.decided_ms).c_str());
  }
}

int decide(const std::string& id, bool approve, double ttl_s, const std::string& state_dir,
           const GlobalOptions& g) {
  auto store = proxy::ApprovalStore::open(state_path(state_dir, "approvals.db"));
  if (!store) {
    std::fprintf(stderr, "blastwall: %s\n", store.error().message.c_str());
    return k_exit_bad_input;
  }
  proxy::HumanDecision d;
  d.id = id;
  d.approve = approve;
  d.who = who_am_i();
  d.channel = "cli";
  d.tool = "blastwall " + std::string(approve ? "approve" : "deny");
  d.ttl_ms = static_cast<int64_t>(ttl_s * 1000);
  d.audit_db = g.audit_db;
  auto done = proxy::decide_as_human(**store, d, unix_ms());
  if (!done) {
    std::fprintf(stderr, "blastwall: %s\n", done.error().message.c_str());
    return k_exit_bad_input;
  }
  if (approve) {
    std::printf("approved %s (%s/%s): the identical call may run once within %.0f s\n", id.c_str(),
                done->server.c_str(), done->tool.c_str(), ttl_s);
  } else {
    std::printf("denied %s (%s/%s)\n", id.c_str(), done->server.c_str(), done->tool.c_str());
  }
  return 0;
}

}  // namespace

void register_mcp(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<McpOptions>();
  auto* sub = app.add_subcommand(
      "mcp",
      "Wrap an MCP server: blastwall mcp [--name NAME] [--listen 127.0.0.1:PORT] (-- COMMAND "
      "ARGS... | --upstream URL)");
  sub->add_option("--name", o->name, "Server name used in rules, pins and approvals");
  sub->add_option("--policy", o->policy, "Extra policy file for this server")->type_name("FILE");
  sub->add_option("--state-dir", o->state_dir,
                  "Where approvals.db and pins.db live (default $XDG_STATE_HOME/blastwall)")
      ->type_name("DIR");
  sub->add_option("--frame-cap", o->frame_cap, "Largest JSON-RPC line in bytes (default 16 MiB)")
      ->check(CLI::Range(static_cast<std::size_t>(1024), static_cast<std::size_t>(1) << 30));
  sub->add_option("--approval-wait", o->approval_wait_s,
                  "Seconds a call waits in the approval queue before 'approval pending' (45)")
      ->check(CLI::Range(0.0, 3600.0));
  sub->add_option("--call-timeout", o->call_timeout_s,
                  "Seconds without server activity before a tools/call fails (0 = never)")
      ->check(CLI::Range(0.0, 86400.0));
  sub->add_option("--progress-interval", o->progress_s,
                  "Seconds between keep-alive progress notifications while waiting (5)")
      ->check(CLI::Range(0.1, 3600.0));
  sub->add_flag("--no-elicitation", o->no_elicitation,
                "Never ask through the client's elicitation; use the approval queue");
  sub->add_option("--listen", o->listen,
                  "Serve Streamable HTTP on a loopback HOST:PORT (e.g. 127.0.0.1:8765) instead of "
                  "stdio");
  sub->add_option("--upstream", o->upstream,
                  "Wrap a Streamable HTTP MCP server at this http:// URL instead of a command");
  sub->add_option("--upstream-header", o->upstream_headers,
                  "Extra 'Name: value' header sent to the upstream (e.g. its Authorization); "
                  "repeatable, never logged");
  sub->add_option("--token-file", o->token_file,
                  "Bearer token file for --listen (default STATE_DIR/mcp-http.token, created 0600)")
      ->type_name("FILE");
  sub->add_flag("--no-auth", o->no_auth,
                "With --listen: accept requests without a bearer token (unsafe; warns)");
  sub->add_option("--max-sessions", o->max_sessions,
                  "With --listen: most concurrent MCP sessions (128)")
      ->check(CLI::Range(static_cast<std::size_t>(1), static_cast<std::size_t>(10000)));
  sub->add_option("--session-idle", o->session_idle_s,
                  "With --listen: seconds before an idle session expires (3600)")
      ->check(CLI::Range(1.0, 7.0 * 86400));
  sub->add_option("command", o->command, "The stdio server command and its arguments (after --)")
      ->expected(1, -1);
  sub->callback([o, &g] {
    if (const std::string bad = check_transport_options(*o); !bad.empty()) {
      std::fprintf(stderr, "blastwall mcp: %s\n", bad.c_str());
      g.exit_code = k_exit_bad_input;
      return;
    }
    g.exit_code = run_mcp(*o, g);
  });
}

void register_approvals(CLI::App& app, GlobalOptions& g) {
  auto state_dir = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  auto as_json = std::make_shared<bool>(false);
  auto* list = app.add_subcommand("approvals", "List calls waiting for a human decision");
  list->add_flag("--all", *all, "Also show decided, used, expired and cancelled approvals");
  list->add_flag("--json", *as_json, "JSON output");
  list->add_option("--state-dir", *state_dir, "Where approvals.db lives")->type_name("DIR");
  list->callback([state_dir, all, as_json, &g] {
    auto store = proxy::ApprovalStore::open(state_path(*state_dir, "approvals.db"));
    if (!usable(store, g)) return;
    auto rows = (*store)->list(*all, unix_ms());
    if (!usable(rows, g)) return;
    if (*as_json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& a : *rows) {
        out.push_back({{"id", a.id},
                       {"status", a.status},
                       {"server", a.server},
                       {"tool", a.tool},
                       {"digest", a.digest},
                       {"summary", a.summary},
                       {"created_ms", a.created_ms},
                       {"expires_ms", a.expires_ms},
                       {"decided_ms", a.decided_ms},
                       {"decided_by", a.decided_by}});
      }
      std::printf("%s\n", out.dump(2).c_str());
      return;
    }
    if (rows->empty()) {
      std::printf("no %sapprovals\n", *all ? "" : "pending ");
      return;
    }
    for (const auto& a : *rows) print_approval(a);
    std::printf("\napprove with `blastwall approve ID`, refuse with `blastwall deny ID`\n");
  });

  auto id = std::make_shared<std::string>();
  auto ttl = std::make_shared<double>(600);
  auto* approve = app.add_subcommand("approve", "Approve a waiting MCP call (single use)");
  approve->add_option("id", *id, "Approval id from `blastwall approvals`")->required();
  approve->add_option("--ttl", *ttl, "Seconds the approval stays usable (600)")
      ->check(CLI::Range(1.0, 86400.0));
  approve->add_option("--state-dir", *state_dir, "Where approvals.db lives")->type_name("DIR");
  approve->callback(
      [id, ttl, state_dir, &g] { g.exit_code = decide(*id, true, *ttl, *state_dir, g); });

  auto deny_id = std::make_shared<std::string>();
  auto* deny = app.add_subcommand("deny", "Refuse a waiting MCP call");
  deny->add_option("id", *deny_id, "Approval id from `blastwall approvals`")->required();
  deny->add_option("--state-dir", *state_dir, "Where approvals.db lives")->type_name("DIR");
  deny->callback(
      [deny_id, state_dir, &g] { g.exit_code = decide(*deny_id, false, 0, *state_dir, g); });
}

void register_pins(CLI::App& app, GlobalOptions& g) {
  auto state_dir = std::make_shared<std::string>();
  auto* pins = app.add_subcommand("pins", "Pinned MCP tool definitions");
  pins->require_subcommand(1);
  pins->add_option("--state-dir", *state_dir, "Where pins.db lives")->type_name("DIR");

  auto server = std::make_shared<std::string>();
  auto as_json = std::make_shared<bool>(false);
  auto* list = pins->add_subcommand("list", "Show pins; changed definitions first");
  list->add_option("--server", *server, "Only this server");
  list->add_flag("--json", *as_json, "JSON output");
  list->callback([server, as_json, state_dir, &g] {
    auto store = proxy::PinStore::open(state_path(*state_dir, "pins.db"));
    if (!usable(store, g)) return;
    auto rows = (*store)->list(*server);
    if (!usable(rows, g)) return;
    if (*as_json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& r : *rows) {
        out.push_back({{"server", r.server},
                       {"tool", r.tool},
                       {"sha256", r.sha256},
                       {"changed_to", r.changed_to},
                       {"first_seen_ms", r.first_seen_ms},
                       {"accepted_ms", r.accepted_ms},
                       {"changed_ms", r.changed_ms}});
      }
      std::printf("%s\n", out.dump(2).c_str());
      return;
    }
    if (rows->empty()) {
      std::printf("no pinned tools\n");
      return;
    }
    for (const auto& r : *rows) {
      if (!r.changed_to.empty()) {
        std::printf(
            "CHANGED  %s/%s  pinned %.12s  now %.12s  (since %s; blocked until `blastwall "
            "pins accept %s %s`)\n",
            r.server.c_str(), r.tool.c_str(), r.sha256.c_str(), r.changed_to.c_str(),
            format_ms(r.changed_ms).c_str(), r.server.c_str(), r.tool.c_str());
      } else {
        std::printf("pinned   %s/%s  %.12s  (since %s)\n", r.server.c_str(), r.tool.c_str(),
                    r.sha256.c_str(), format_ms(r.accepted_ms).c_str());
      }
    }
  });

  auto acc_server = std::make_shared<std::string>();
  auto acc_tool = std::make_shared<std::string>();
  auto acc_all = std::make_shared<bool>(false);
  auto* accept = pins->add_subcommand("accept", "Accept a changed tool definition");
  accept->add_option("server", *acc_server, "Server name")->required();
  accept->add_option("tool", *acc_tool, "Tool name (omit with --all)");
  accept->add_flag("--all", *acc_all, "Accept every changed tool of the server");
  accept->callback([acc_server, acc_tool, acc_all, state_dir, &g] {
    if (acc_tool->empty() && !*acc_all) {
      std::fprintf(stderr, "blastwall: name a tool, or pass --all\n");
      g.exit_code = k_exit_bad_input;
      return;
    }
    auto store = proxy::PinStore::open(state_path(*state_dir, "pins.db"));
    if (!usable(store, g)) return;
    auto n = (*store)->accept(*acc_server, *acc_tool, unix_ms());
    if (!usable(n, g)) return;
    if (*n == 0) {
      std::fprintf(stderr, "blastwall: no changed definition to accept for %s%s%s\n",
                   acc_server->c_str(), acc_tool->empty() ? "" : "/", acc_tool->c_str());
      g.exit_code = k_exit_bad_input;
      return;
    }
    proxy::HumanAuditRow row;
    row.audit_db = g.audit_db;
    row.server = *acc_server;
    row.tool = acc_tool->empty() ? "*" : *acc_tool;
    row.command = "blastwall pins accept";
    row.reason = "accepted " + std::to_string(*n) + " changed tool definition(s) by " + who_am_i();
    row.channel = "cli";
    row.who = who_am_i();
    proxy::audit_human_action(row);
    std::printf("accepted %d changed definition(s) of %s%s%s\n", *n, acc_server->c_str(),
                acc_tool->empty() ? "" : "/", acc_tool->c_str());
  });
}

}  // namespace blastwall::cli
