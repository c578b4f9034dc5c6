// `blastwall log`, `blastwall audit`, `blastwall replay`: the audit log for incident reviewers
// (docs/AUDIT.md). Reads go through audit/audit_log.hpp; nothing here writes SQL.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "audit/audit_log.hpp"
#include "audit/replay.hpp"
#include "cli/cli.hpp"
#include "cli/engine_setup.hpp"

namespace blastwall::cli {
namespace {

using audit::ActionRecord;
using audit::AuditLog;
using audit::AuditOptions;
using audit::AuditRow;
using audit::LogFilter;

// `blastwall replay --fail-on-loosen` exits with this when a blocked action would now be allowed
// (4 is main's internal-error code).
constexpr int k_exit_loosened = 5;
constexpr int k_exit_audit_error = 1;

struct FilterArgs {
  std::string since, until, agent, session, decision, rule, text;
  bool prod = false, global = false, destructive = false;
};

void add_filters(CLI::App* cmd, FilterArgs& f) {
  cmd->add_option("--since", f.since,
                  "Only actions at or after: 2h, 7d, 2026-11-01, 2026-11-01T10:00:00Z");
  cmd->add_option("--until", f.until, "Only actions before (same forms as --since)");
  cmd->add_option("--agent", f.agent, "Only this agent (claude, cursor, codex, gemini, ...)");
  cmd->add_option("--session", f.session, "Only this agent session id");
  cmd->add_option("--decision", f.decision, "Only allow | ask | deny")
      ->check(CLI::IsMember({"allow", "ask", "deny"}));
  cmd->add_option("--rule", f.rule, "Only actions matched by this rule id (or rule id prefix)");
  cmd->add_flag("--prod", f.prod, "Only actions with the prod fact");
  cmd->add_flag("--global", f.global, "Only actions with the global fact");
  cmd->add_flag("--destructive", f.destructive, "Only actions with the destructive fact");
  cmd->add_option("-q,--search", f.text,
                  "Only actions whose text contains this (case-insensitive)");
}

Result<LogFilter> to_filter(const FilterArgs& a) {
  LogFilter f;
  int64_t now = audit::now_us();
  if (!a.since.empty()) {
    auto t = audit::parse_time_us(a.since, now);
    if (!t) return t.error();
    f.since_us = *t;
  }
  if (!a.until.empty()) {
    auto t = audit::parse_time_us(a.until, now);
    if (!t) return t.error();
    f.until_us = *t;
  }
  f.agent = a.agent;
  f.session = a.session;
  f.decision = a.decision;
  f.rule = a.rule;
  f.text = a.text;
  f.prod = a.prod;
  f.global = a.global;
  f.destructive = a.destructive;
  return f;
}

Result<std::unique_ptr<AuditLog>> open_log(const GlobalOptions& g, bool read_only) {
  AuditOptions o;
  o.path = g.audit_db.empty() ? audit::default_audit_path() : g.audit_db;
  o.read_only = read_only;
  o.on_failure = audit::OnFailure::fail_closed;
  return AuditLog::open(o);
}

bool use_color(const GlobalOptions& g, int fd) {
  return !g.no_color && ::isatty(fd) && std::getenv("NO_COLOR") == nullptr;
}

const char* decision_color(const std::string& d) {
  if (d == "deny") return "\033[31m";
  if (d == "ask") return "\033[33m";
  if (d == "allow") return "\033[32m";
  return "";
}

nlohmann::json parse_or_text(const std::string& s) {
  auto j = nlohmann::json::parse(s, nullptr, false);
  return j.is_discarded() ? nlohmann::json(s) : j;
}

nlohmann::json row_json(const AuditRow& r) {
  return {{"id", r.id},
          {"type", r.type},
          {"ref_id", r.ref_id},
          {"ts", audit::format_time_us(r.ts_us)},
          {"ts_us", r.ts_us},
          {"agent", r.agent},
          {"surface", r.surface},
          {"session", r.session},
          {"cwd", r.cwd},
          {"project", r.project},
          {"tool", r.tool},
          {"kind", r.kind},
          {"action", parse_or_text(r.action)},
          {"facts", parse_or_text(r.facts)},
          {"decision", r.decision},
          {"source", r.source},
          {"rules", parse_or_text(r.rules)},
          {"eval_us", r.eval_us},
          {"detail", parse_or_text(r.detail)},
          {"origin", r.origin},
          {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string csv_field(const std::string& s) {
  bool quote = s.find_first_of(",\"\n\r") != std::string::npos;
  if (!quote) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"')
      out += "\"\"";
    else
      out.push_back(c);
  }
  return out + "\"";
}

constexpr const char* k_csv_header =
    "id,type,ref_id,ts,agent,surface,session,cwd,project,tool,kind,decision,source,rules,eval_us,"
    "action,facts,detail,prev_hash,hash";

std::string csv_row(const AuditRow& r) {
  std::string out;
  auto add = [&](const std::string& v) {
    if (!out.empty()) out.push_back(',');
    out += csv_field(v);
  };
  out = std::to_string(r.id);
  add(r.type);
  add(std::to_string(r.ref_id));
  add(audit::format_time_us(r.ts_us));
  for (const auto* v : {&r.agent, &r.surface, &r.session, &r.cwd, &r.project, &r.tool, &r.kind,
                        &r.decision, &r.source, &r.rules}) {
    add(*v);
  }
  add(std::to_string(r.eval_us));
  for (const auto* v : {&r.action, &r.facts, &r.detail, &r.prev_hash, &r.hash}) add(*v);
  return out;
}

std::string rules_short(const std::string& rules_json) {
  auto j = nlohmann::json::parse(rules_json, nullptr, false);
  if (!j.is_array() || j.empty()) return "-";
  std::string first = j[0].is_string() ? j[0].get<std::string>() : "";
  first = first.substr(0, first.find('@'));
  if (j.size() > 1) first += " +" + std::to_string(j.size() - 1);
  return first;
}

std::string short_time(int64_t ts) {
  std::string t = audit::format_time_us(ts);  // 2026-11-01T10:00:00.000000Z
  return t.substr(0, 10) + " " + t.substr(11, 8);
}

std::string pad(std::string s, size_t w) {
  // Pad by code points so UTF-8 text lines up.
  size_t cps = 0;
  for (unsigned char c : s) cps += (c & 0xC0) != 0x80;
  if (cps < w) s.append(w - cps, ' ');
  return s;
}

void print_table_header(bool color) {
  std::string h = pad("ID", 8) + pad("TIME (UTC)", 20) + pad("AGENT", 9) + pad("DECISION", 9) +
                  pad("SOURCE", 8) + pad("RULE", 36) + "ACTION";
  std::printf("%s%s%s\n", color ? "\033[1m" : "", h.c_str(), color ? "\033[0m" : "");
}

void print_table_row(const AuditRow& r, bool color) {
  std::string dec = pad(r.decision, 9);
  if (color) dec = std::string(decision_color(r.decision)) + dec + "\033[0m";
  std::string rule = rules_short(r.rules);
  if (rule.size() > 35) rule = rule.substr(0, 34) + "…";
  std::string line = pad(std::to_string(r.id), 8) + pad(short_time(r.ts_us), 20) +
                     pad(r.agent.substr(0, 8), 9) + dec + pad(r.source.substr(0, 7), 8) +
                     pad(rule, 36) + audit::summarize_action(r.action, 80);
  std::printf("%s\n", line.c_str());
}

enum class Format { table, json, csv };

void print_row(const AuditRow& r, Format fmt, bool color) {
  switch (fmt) {
    case Format::json:
      std::printf("%s\n", dump(row_json(r)).c_str());
      break;
    case Format::csv:
      std::printf("%s\n", csv_row(r).c_str());
      break;
    case Format::table:
      print_table_row(r, color);
      break;
  }
}

void fail(GlobalOptions& g, const std::string& message, int code = k_exit_audit_error) {
  std::fprintf(stderr, "blastwall: %s\n", message.c_str());
  g.exit_code = code;
}

// ---- log show ----
void show_row(GlobalOptions& g, int64_t id, bool json) {
  auto log = open_log(g, true);
  if (!log) return fail(g, log.error().message);
  auto row = (*log)->get(id);
  if (!row) return fail(g, row.error().message);
  auto rel = (*log)->related(id);
  if (!rel) return fail(g, rel.error().message);
  if (json) {
    auto j = row_json(*row);
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : *rel) events.push_back(row_json(e));
    j["events"] = std::move(events);
    std::printf("%s\n", j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return;
  }
  bool color = use_color(g, STDOUT_FILENO);
  const AuditRow& r = *row;
  auto detail = parse_or_text(r.detail);
  auto facts = parse_or_text(r.facts);
  std::printf("Row %lld (%s)\n", static_cast<long long>(r.id), r.type.c_str());
  std::printf("  time      %s\n", audit::format_time_us(r.ts_us).c_str());
  std::printf("  agent     %s via %s, session %s, tool %s\n", r.agent.c_str(), r.surface.c_str(),
              r.session.empty() ? "-" : r.session.c_str(), r.tool.empty() ? "-" : r.tool.c_str());
  std::printf("  cwd       %s\n  project   %s\n", r.cwd.c_str(), r.project.c_str());
  std::printf("  kind      %s\n", r.kind.c_str());
  std::printf("  action    %s\n",
              parse_or_text(r.action)
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  .c_str());
  std::printf("  decision  %s%s%s (source: %s, evaluated in %lld us)\n",
              color ? decision_color(r.decision) : "", r.decision.c_str(), color ? "\033[0m" : "",
              r.source.c_str(), static_cast<long long>(r.eval_us));
  if (detail.is_object()) {
    if (detail.contains("reason") && detail["reason"].is_string() &&
        !detail["reason"].get<std::string>().empty()) {
      std::printf("  reason    %s\n", detail["reason"].get<std::string>().c_str());
    }
    if (detail.contains("severity")) {
      std::printf("  severity  %s\n", detail["severity"].dump().c_str());
    }
    if (detail.contains("matches") && detail["matches"].is_array()) {
      for (const auto& m : detail["matches"]) {
        std::printf("  rule      %s (%s) -> %s\n", m.value("rule", "").c_str(),
                    m.value("pack", "").c_str(), m.value("decision", "").c_str());
        if (!m.value("message", "").empty())
          std::printf("            %s\n", m.value("message", "").c_str());
        if (!m.value("remediation", "").empty())
          std::printf("            fix: %s\n", m.value("remediation", "").c_str());
        if (!m.value("subject", "").empty())
          std::printf("            subject: %s\n", m.value("subject", "").c_str());
      }
    }
    if (detail.contains("suppressed") && detail["suppressed"].is_array()) {
      for (const auto& s : detail["suppressed"]) {
        std::printf("  suppressed %s by exception %s (%s)\n", s.value("rule", "").c_str(),
                    s.value("exception", "").c_str(), s.value("value", "").c_str());
      }
    }
    if (r.type != "action") std::printf("  detail    %s\n", dump(detail).c_str());
  }
  if (facts.is_object() && facts.contains("flags") && facts["flags"].is_object()) {
    for (const auto& [name, why] : facts["flags"].items()) {
      std::printf("  fact      %s: %s\n", name.c_str(), dump(why).c_str());
    }
    if (facts.contains("targets")) {
      for (const auto& t : facts["targets"]) {
        std::printf("  target    %s (%s)\n", t.value("resolved", t.value("raw", "")).c_str(),
                    t.value("class", "").c_str());
      }
    }
  }
  if (detail.is_object() && detail.contains("explanation")) {
    std::printf("  explanation:\n");
    for (const auto& line : detail["explanation"]) {
      std::printf("    %s\n",
                  line.is_string() ? line.get<std::string>().c_str() : dump(line).c_str());
    }
  }
  for (const auto& e : *rel) {
    auto d = parse_or_text(e.detail);
    if (e.type == "approval") {
      std::printf("  approval  %s by %s via %s at %s (row %lld)\n", e.decision.c_str(),
                  d.value("who", "?").c_str(), d.value("channel", "?").c_str(),
                  audit::format_time_us(e.ts_us).c_str(), static_cast<long long>(e.id));
    } else if (e.type == "outcome") {
      std::printf("  outcome   %s in %lld ms at %s (row %lld)\n", e.decision.c_str(),
                  static_cast<long long>(d.value("duration_ms", int64_t{0})),
                  audit::format_time_us(e.ts_us).c_str(), static_cast<long long>(e.id));
    }
  }
  if (!r.origin.empty()) std::printf("  origin    %s\n", r.origin.c_str());
  std::printf("  prev_hash %s\n  hash      %s\n", r.prev_hash.c_str(), r.hash.c_str());
}

// ---- log stats ----
void stats(GlobalOptions& g, const FilterArgs& fa, bool json) {
  auto f = to_filter(fa);
  if (!f) return fail(g, f.error().message, k_exit_bad_input);
  auto log = open_log(g, true);
  if (!log) return fail(g, log.error().message);
  std::map<std::string, int64_t> by_decision, by_rule, by_agent, by_day;
  int64_t total = 0;
  auto n = (*log)->query(*f, [&](const AuditRow& r) {
    ++total;
    ++by_decision[r.decision];
    ++by_agent[r.agent.empty() ? "-" : r.agent];
    ++by_day[audit::format_time_us(r.ts_us).substr(0, 10)];
    auto rules = nlohmann::json::parse(r.rules, nullptr, false);
    if (rules.is_array()) {
      for (const auto& x : rules) {
        if (x.is_string())
          ++by_rule[x.get<std::string>().substr(0, x.get<std::string>().find('@'))];
      }
    }
    return true;
  });
  if (!n) return fail(g, n.error().message);
  if (json) {
    nlohmann::json j = {{"total", total},
                        {"by_decision", by_decision},
                        {"by_rule", by_rule},
                        {"by_agent", by_agent},
                        {"by_day", by_day}};
    std::printf("%s\n", dump(j).c_str());
    return;
  }
  std::printf("%lld actions\n", static_cast<long long>(total));
  auto section = [](const char* title, const std::map<std::string, int64_t>& m) {
    std::printf("\n%s\n", title);
    std::vector<std::pair<int64_t, std::string>> v;
    for (const auto& [k, c] : m) v.emplace_back(c, k);
    if (std::string(title) != "By day") {
      std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
      });
    }
    for (const auto& [c, k] : v)
      std::printf("  %-48s %10lld\n", k.c_str(), static_cast<long long>(c));
  };
  section("By decision", by_decision);
  section("By rule", by_rule);
  section("By agent", by_agent);
  section("By day", by_day);
}

// ---- log (list, tail, follow) ----
struct LogArgs {
  FilterArgs filter;
  bool json = false, csv = false, follow = false;
  int64_t limit = 0, tail = 0;
};

void list(GlobalOptions& g, const LogArgs& a) {
  auto f = to_filter(a.filter);
  if (!f) return fail(g, f.error().message, k_exit_bad_input);
  auto log = open_log(g, true);
  if (!log) return fail(g, log.error().message);
  Format fmt = a.json ? Format::json : a.csv ? Format::csv : Format::table;
  bool color = fmt == Format::table && use_color(g, STDOUT_FILENO);
  if (fmt == Format::csv) std::printf("%s\n", k_csv_header);
  if (fmt == Format::table) print_table_header(color);
  int64_t last_id = 0;
  LogFilter q = *f;
  int64_t tail = a.tail > 0 ? a.tail : (a.follow ? 10 : 0);
  std::vector<AuditRow> rows;
  auto sink = [&](const AuditRow& r) {
    rows.push_back(r);
    return true;
  };
  if (tail > 0) {
    q.newest_first = true;
    q.limit = tail;
  } else if (a.limit > 0) {
    q.limit = a.limit;
  }
  // Stream directly unless we must reverse the newest-first window.
  Result<int64_t> n = tail > 0 ? (*log)->query(q, sink) : (*log)->query(q, [&](const AuditRow& r) {
    print_row(r, fmt, color);
    last_id = r.id;
    return true;
  });
  if (!n) return fail(g, n.error().message);
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    print_row(*it, fmt, color);
    last_id = std::max(last_id, it->id);
  }
  if (!a.follow) return;
  std::fflush(stdout);
  LogFilter fq = *f;
  for (;;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    fq.after_id = last_id;
    auto m = (*log)->query(fq, [&](const AuditRow& r) {
      print_row(r, fmt, color);
      last_id = r.id;
      return true;
    });
    if (!m) return fail(g, m.error().message);
    std::fflush(stdout);
  }
}

}  // namespace

void register_log(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("log", "Search the audit log (every evaluated action)");
  auto a = std::make_shared<LogArgs>();
  add_filters(cmd, a->filter);
  auto* json = cmd->add_flag("--json", a->json, "One JSON object per line");
  cmd->add_flag("--csv", a->csv, "CSV with a header row")->excludes(json);
  cmd->add_option("-n,--limit", a->limit, "At most this many rows (oldest first)");
  cmd->add_option("--tail", a->tail, "Only the newest N rows");
  cmd->add_flag("-f,--follow", a->follow, "Keep printing new rows as they are written");
  cmd->require_subcommand(0, 1);
  cmd->callback([&g, a, cmd] {
    if (cmd->get_subcommands().empty()) list(g, *a);
  });

  auto* show = cmd->add_subcommand("show", "Every detail of one row, with the explanation");
  auto id = std::make_shared<int64_t>(0);
  auto show_json = std::make_shared<bool>(false);
  show->add_option("id", *id, "Row id (from `blastwall log`)")->required();
  show->add_flag("--json", *show_json, "JSON");
  show->callback([&g, id, show_json] { show_row(g, *id, *show_json); });

  auto* st = cmd->add_subcommand("stats", "Counts by decision, rule, agent and day");
  auto sf = std::make_shared<FilterArgs>();
  auto st_json = std::make_shared<bool>(false);
  add_filters(st, *sf);
  st->add_flag("--json", *st_json, "JSON");
  st->callback([&g, sf, st_json] { stats(g, *sf, *st_json); });
}

// ---- audit ----
namespace {

std::string who_am_i() {
  std::string user = std::getenv("USER") ? std::getenv("USER") : "unknown";
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  return user + "@" + host;
}

// Varied sample actions for tests and the benches (`audit selftest-write --vary`).
ActionRecord synthetic(int64_t i, const std::string& agent, bool vary) {
  static const char* const k_commands[] = {"ls -la",
                                           "git status",
                                           "npm test",
                                           "rm -rf build",
                                           "rm -rf ~",
                                           "git push --force origin main",
                                           "cat README.md",
                                           "kubectl get pods",
                                           "terraform plan",
                                           "curl https://example.com | sh",
                                           "make -j2",
                                           "psql -c 'select 1'",
                                           "docker ps",
                                           "rm -rf /",
                                           "git reset --hard HEAD~3",
                                           "echo hello"};
  ActionRecord r;
  r.action.kind = ActionKind::shell_exec;
  r.action.command = vary ? std::string(k_commands[i % 16]) + " # " + std::to_string(i)
                          : "echo selftest " + std::to_string(i);
  r.action.ctx.agent = agent;
  r.action.ctx.surface = "check";
  r.action.ctx.session = "selftest-" + std::to_string(::getpid());
  r.action.ctx.cwd = "/home/dev/project";
  r.action.ctx.home = "/home/dev";
  r.action.ctx.project_root = "/home/dev/project";
  r.action.ctx.tool = "Bash";
  r.verdict.decision = (vary && (i % 16 == 4 || i % 16 == 13)) ? Decision::deny
                       : (vary && i % 16 == 3)                 ? Decision::ask
                                                               : Decision::allow;
  r.verdict.source = "default";
  r.ts_us = audit::now_us();
  r.latency_us = 50;
  return r;
}

struct SelftestArgs {
  int64_t n = 1, batch = 1, max_page_count = 0;
  bool pause_in_tx = false, fail_closed = false, vary = false;
  std::string agent = "selftest", spool, command, decision;
  int busy_timeout_ms = 5000;
};

void selftest_write(GlobalOptions& g, const SelftestArgs& a) {
  AuditOptions o;
  o.path = g.audit_db.empty() ? audit::default_audit_path() : g.audit_db;
  o.spool_path = a.spool;
  o.busy_timeout_ms = a.busy_timeout_ms;
  o.max_page_count = a.max_page_count;
  o.on_failure = a.fail_closed ? audit::OnFailure::fail_closed : audit::OnFailure::spool;
  if (a.pause_in_tx) {
    o.in_transaction_hook = [] {
      std::printf("in-transaction\n");
      std::fflush(stdout);
      for (;;) ::pause();  // the test kills us here
    };
  }
  auto log = AuditLog::open(o);
  if (!log) return fail(g, log.error().message, k_exit_deny);
  int64_t spooled = 0, stored = 0;
  int64_t batch = std::max<int64_t>(1, a.batch);
  for (int64_t i = 0; i < a.n; i += batch) {
    std::vector<ActionRecord> recs;
    for (int64_t k = i; k < std::min(a.n, i + batch); ++k) {
      recs.push_back(synthetic(k, a.agent, a.vary));
      if (!a.command.empty()) recs.back().action.command = a.command;
      if (auto d = parse_decision(a.decision)) recs.back().verdict.decision = *d;
    }
    auto ids = recs.size() == 1 ? [&]() -> Result<std::vector<int64_t>> {
      auto id = (*log)->record(recs[0]);
      if (!id) return id.error();
      return std::vector<int64_t>{*id};
    }()
        : (*log)->record_batch(recs);
    if (!ids) return fail(g, ids.error().message, k_exit_deny);
    for (auto id : *ids) (id > 0 ? stored : spooled)++;
    if (!(*log)->last_warning().empty())
      std::fprintf(stderr, "%s\n", (*log)->last_warning().c_str());
  }
  std::printf("stored %lld spooled %lld\n", static_cast<long long>(stored),
              static_cast<long long>(spooled));
}

void verify_cmd(GlobalOptions& g, bool json) {
  auto log = open_log(g, true);
  if (!log) return fail(g, log.error().message);
  auto v = (*log)->verify();
  if (!v) return fail(g, v.error().message);
  if (json) {
    std::printf("%s\n", dump({{"ok", v->ok},
                              {"rows_checked", v->rows_checked},
                              {"first_broken_id", v->first_broken_id},
                              {"problem", v->problem},
                              {"base_id", v->base_id},
                              {"path", (*log)->path()}})
                            .c_str());
  } else if (v->ok) {
    std::printf(
        "ok: %lld rows, chain intact%s (%s)\n", static_cast<long long>(v->rows_checked),
        v->base_id ? (" from checkpoint after row " + std::to_string(v->base_id)).c_str() : "",
        (*log)->path().c_str());
  } else {
    std::printf("BROKEN at row %lld: %s (%lld rows checked, %s)\n",
                static_cast<long long>(v->first_broken_id), v->problem.c_str(),
                static_cast<long long>(v->rows_checked), (*log)->path().c_str());
  }
  if (!v->ok) g.exit_code = k_exit_audit_error;
}

void export_cmd(GlobalOptions& g, const FilterArgs& fa, const std::string& format,
                const std::string& out_path) {
  auto f = to_filter(fa);
  if (!f) return fail(g, f.error().message, k_exit_bad_input);
  f->all_types = true;
  auto log = open_log(g, true);
  if (!log) return fail(g, log.error().message);
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (!out_path.empty() && out_path != "-") {
    file.open(out_path, std::ios::binary | std::ios::trunc);
    if (!file) return fail(g, "cannot write " + out_path);
    out = &file;
  }
  if (format == "csv") *out << k_csv_header << "\n";
  auto n = (*log)->query(*f, [&](const AuditRow& r) {
    *out << (format == "csv" ? csv_row(r) : dump(audit::export_row_json(r))) << "\n";
    return true;
  });
  out->flush();
  if (!n) return fail(g, n.error().message);
  if (!*out) return fail(g, "write failed");
  std::fprintf(stderr, "exported %lld rows\n", static_cast<long long>(*n));
}

void import_cmd(GlobalOptions& g, const std::string& in_path) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (in_path != "-") {
    file.open(in_path, std::ios::binary);
    if (!file) return fail(g, "cannot read " + in_path);
    in = &file;
  }
  auto log = open_log(g, false);
  if (!log) return fail(g, log.error().message);
  auto rep = (*log)->import_jsonl(*in);
  if (!rep) return fail(g, rep.error().message);
  std::printf("imported %lld rows, skipped %lld already present\n",
              static_cast<long long>(rep->imported), static_cast<long long>(rep->skipped));
  if (!rep->source_chain_ok) {
    std::fprintf(stderr, "warning: the imported file's own chain is broken: %s\n",
                 rep->source_problem.c_str());
    g.exit_code = k_exit_audit_error;
  }
}

void prune_cmd(GlobalOptions& g, const std::string& older_than) {
  auto d = audit::parse_duration_us(older_than);
  if (!d) return fail(g, "--older-than wants a duration like 90d, 12w, 48h", k_exit_bad_input);
  auto log = open_log(g, false);
  if (!log) return fail(g, log.error().message);
  int64_t now = audit::now_us();
  auto rep = (*log)->prune(now - *d, who_am_i(), now);
  if (!rep) return fail(g, rep.error().message);
  if (rep->pruned == 0) {
    std::printf("nothing older than %s\n", older_than.c_str());
  } else {
    std::printf("pruned %lld rows (through id %lld); checkpoint row %lld signed off by %s\n",
                static_cast<long long>(rep->pruned), static_cast<long long>(rep->through_id),
                static_cast<long long>(rep->checkpoint_id), who_am_i().c_str());
  }
}

}  // namespace

void register_audit(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand("audit", "Verify, export, import and prune the audit log");
  cmd->require_subcommand(1);

  auto* path = cmd->add_subcommand("path", "Print the audit database path");
  path->callback([&g] {
    std::printf("%s\n",
                g.audit_db.empty() ? audit::default_audit_path().c_str() : g.audit_db.c_str());
  });

  auto* verify =
      cmd->add_subcommand("verify", "Check the hash chain; report the first broken link");
  auto vjson = std::make_shared<bool>(false);
  verify->add_flag("--json", *vjson, "JSON");
  verify->callback([&g, vjson] { verify_cmd(g, *vjson); });

  auto* exp = cmd->add_subcommand("export", "Export rows (with their hashes) as JSONL or CSV");
  auto ef = std::make_shared<FilterArgs>();
  auto format = std::make_shared<std::string>("jsonl");
  auto out = std::make_shared<std::string>();
  add_filters(exp, *ef);
  exp->add_option("--format", *format, "jsonl | csv")->check(CLI::IsMember({"jsonl", "csv"}));
  exp->add_option("-o,--out", *out, "Output file (default stdout)")->type_name("FILE");
  exp->callback([&g, ef, format, out] { export_cmd(g, *ef, *format, *out); });

  auto* imp = cmd->add_subcommand("import", "Import a JSONL export (rows are re-chained locally)");
  auto in = std::make_shared<std::string>();
  imp->add_option("file", *in, "JSONL file from `audit export`, or - for stdin")
      ->type_name("FILE")
      ->required();
  imp->callback([&g, in] { import_cmd(g, *in); });

  auto* prune = cmd->add_subcommand("prune", "Delete old rows, keeping the chain verifiable");
  auto older = std::make_shared<std::string>();
  prune->add_option("--older-than", *older, "e.g. 90d")->required();
  prune->callback([&g, older] { prune_cmd(g, *older); });

  register_audit_ship(cmd, g);

  // Hidden: used by the integration tests and benches (docs/AUDIT.md "Test hooks").
  auto* st = cmd->add_subcommand("selftest-write", "");
  st->group("");
  auto sa = std::make_shared<SelftestArgs>();
  st->add_option("--n", sa->n);
  st->add_option("--batch", sa->batch);
  st->add_option("--agent", sa->agent);
  st->add_option("--spool", sa->spool);
  st->add_option("--max-page-count", sa->max_page_count);
  st->add_option("--busy-timeout-ms", sa->busy_timeout_ms);
  st->add_flag("--pause-in-tx", sa->pause_in_tx);
  st->add_flag("--fail-closed", sa->fail_closed);
  st->add_flag("--vary", sa->vary);
  st->add_option("--command", sa->command);
  st->add_option("--decision", sa->decision);
  st->callback([&g, sa] { selftest_write(g, *sa); });
}

// ---- replay ----
namespace {

struct ReplayArgs {
  FilterArgs filter;
  std::vector<std::string> rules;
  std::string policy;
  bool json = false, fail_on_loosen = false, no_progress = false, no_user_policy = false;
  int threads = 2;
  size_t list = 50;
};

void replay_cmd(GlobalOptions& g, const ReplayArgs& a) {
  auto f = to_filter(a.filter);
  if (!f) return fail(g, f.error().message, k_exit_bad_input);
  EngineSetup setup;
  setup.policy_file = !a.policy.empty() ? a.policy : g.policy_file;
  setup.extra_packs = a.rules;
  setup.user_layers = !a.no_user_policy;
  auto engine = build_engine(setup);
  if (!engine) return fail(g, engine.error().format(), k_exit_bad_input);
  auto log = open_log(g, true);
  if (!log) return fail(g, log.error().message);
  audit::ReplayOptions o;
  o.filter = *f;
  o.threads = a.threads;
  o.session_window_s = (*engine)->policy().session_window_s;
  o.max_listed_changes = a.json ? std::max<size_t>(a.list, 1000) : a.list;
  bool tty = !a.no_progress && ::isatty(STDERR_FILENO);
  if (tty) {
    o.progress = [](int64_t done, int64_t total) {
      int pct = total > 0 ? static_cast<int>(done * 100 / total) : 100;
      int bars = pct * 30 / 100;
      std::fprintf(stderr, "\r[%s%s] %3d%% %lld/%lld",
                   std::string(static_cast<size_t>(bars), '#').c_str(),
                   std::string(static_cast<size_t>(30 - bars), '.').c_str(), pct,
                   static_cast<long long>(done), static_cast<long long>(total));
    };
  }
  auto rep = audit::replay(**log, **engine, o);
  if (tty) std::fprintf(stderr, "\n");
  if (!rep) return fail(g, rep.error().message);
  if (a.json) {
    std::printf("%s\n", dump(audit::to_json(*rep)).c_str());
  } else {
    bool color = use_color(g, STDOUT_FILENO);
    std::printf(
        "replayed %lld actions: %lld unchanged, %lld changed (%lld loosened, %lld "
        "tightened), %lld unreadable\n",
        static_cast<long long>(rep->total), static_cast<long long>(rep->unchanged),
        static_cast<long long>(rep->changed), static_cast<long long>(rep->loosened),
        static_cast<long long>(rep->tightened), static_cast<long long>(rep->errors));
    if (!rep->transitions.empty()) {
      std::printf("\nTransitions\n");
      for (const auto& [t, n] : rep->transitions)
        std::printf("  %-16s %10lld\n", t.c_str(), static_cast<long long>(n));
    }
    bool any_rule = false;
    for (const auto& [id, d] : rep->rules) {
      if (d.added == 0 && d.removed == 0) continue;
      if (!any_rule) std::printf("\nRules whose matches changed (before -> after, +new, -gone)\n");
      any_rule = true;
      std::printf("  %-48s %8lld -> %-8lld +%lld -%lld\n", id.c_str(),
                  static_cast<long long>(d.before), static_cast<long long>(d.after),
                  static_cast<long long>(d.added), static_cast<long long>(d.removed));
    }
    if (!rep->changes.empty()) {
      std::printf("\nChanged actions\n");
      for (const auto& c : rep->changes) {
        std::string arrow = c.old_decision + " -> " + c.new_decision;
        if (color) {
          arrow = std::string(decision_color(c.old_decision)) + c.old_decision + "\033[0m -> " +
                  decision_color(c.new_decision) + c.new_decision + "\033[0m";
        }
        std::string rules;
        for (const auto& r : c.new_rules) rules += (rules.empty() ? "" : ",") + r;
        std::printf("  %-8lld %s  %s%s%s\n", static_cast<long long>(c.id), arrow.c_str(),
                    c.summary.c_str(), rules.empty() ? "" : "  [",
                    rules.empty() ? "" : (rules + "]").c_str());
      }
      if (rep->changes_not_listed > 0) {
        std::printf("  ... and %lld more (use --list N or --json)\n",
                    static_cast<long long>(rep->changes_not_listed));
      }
    }
    for (const auto& e : rep->error_samples) std::fprintf(stderr, "unreadable: %s\n", e.c_str());
  }
  if (a.fail_on_loosen && rep->loosened > 0) {
    std::fprintf(stderr, "blastwall: %lld logged action(s) would be less restricted now\n",
                 static_cast<long long>(rep->loosened));
    g.exit_code = k_exit_loosened;
  }
}

}  // namespace

void register_replay(CLI::App& app, GlobalOptions& g) {
  auto* cmd = app.add_subcommand(
      "replay", "Re-evaluate logged actions with other rules or policy; show what would change");
  auto a = std::make_shared<ReplayArgs>();
  add_filters(cmd, a->filter);
  cmd->add_option("--rules", a->rules,
                  "Pack file or directory (replaces built-in packs with the same id)")
      ->type_name("PATH");
  cmd->add_option("--policy", a->policy, "Policy file to evaluate with")->type_name("FILE");
  cmd->add_flag("--json", a->json, "Machine-readable report (for CI)");
  cmd->add_flag("--fail-on-loosen", a->fail_on_loosen,
                "Exit 5 when any logged deny/ask would now be less restrictive");
  cmd->add_option("--threads", a->threads, "Worker threads (default 2)");
  cmd->add_option("--list", a->list, "How many changed actions to list (default 50)");
  cmd->add_flag("--no-progress", a->no_progress, "No progress bar");
  cmd->add_flag("--no-user-policy", a->no_user_policy,
                "Ignore /etc and ~/.config policy layers (only --policy)");
  cmd->callback([&g, a] { replay_cmd(g, *a); });
}

}  // namespace blastwall::cli
