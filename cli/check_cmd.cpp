// `check`, `rules list|test|lint`, `corpus` and `demo`: the engine's own commands.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>

#include "audit/audit_log.hpp"
#include "audit/replay.hpp"
#include "cli/cli.hpp"
#include "cli/engine_setup.hpp"
#include "cli/output.hpp"
#include "cli/resident.hpp"
#include "cli/session_recall.hpp"
#include "cli/test_context.hpp"
#include "rules/pack/loader.hpp"
#include "rules/pack/serialize.hpp"

namespace blastwall::cli {
namespace fs = std::filesystem;

namespace {

constexpr size_t k_max_action_bytes = 16u << 20;  // 16 MiB of action JSON

Result<std::string> read_input(const std::string& path) {
  std::string text;
  if (path == "-") {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    text = ss.str();
  } else {
    std::ifstream f(path, std::ios::binary);
    if (!f) return make_error("cannot read " + path);
    std::ostringstream ss;
    ss << f.rdbuf();
    text = ss.str();
  }
  if (text.size() > k_max_action_bytes) return make_error("input larger than 16 MiB");
  return text;
}

std::string class_list(const Facts& f) {
  std::string out;
  for (const auto& t : f.targets) {
    if (!out.empty()) out += ", ";
    out += (t.resolved.empty() ? t.raw : t.resolved) + " [" + std::string(to_string(t.cls));
    if (t.write) out += ", write";
    if (t.glob) out += ", glob";
    if (t.dynamic) out += ", dynamic";
    if (t.self) out += ", blastwall";
    out += "]";
  }
  return out;
}

void print_verdict(const Style& st, const std::string& subject, const Verdict& v, bool explain) {
  std::printf("%s %s\n", st.decision(v.decision).c_str(), subject.c_str());
  auto headline = [&](const char* name, bool on) {
    auto it = v.facts.flags.find(name);
    std::string why =
        (on && it != v.facts.flags.end() && !it->second.empty()) ? " — " + it->second.front() : "";
    return std::string(name) + ": " + (on ? st.paint("yes", "1") : "no") + why;
  };
  std::printf("  %s\n  %s\n  %s\n", headline("destructive", v.facts.destructive()).c_str(),
              headline("global", v.facts.global()).c_str(),
              headline("prod", v.facts.prod()).c_str());
  std::string others;
  for (const auto& [name, reasons] : v.facts.flags) {
    if (name == "destructive" || name == "global" || name == "prod") continue;
    others += (others.empty() ? "" : ", ") + name;
  }
  if (!others.empty()) std::printf("  other facts: %s\n", others.c_str());
  if (!v.facts.targets.empty()) std::printf("  targets: %s\n", class_list(v.facts).c_str());
  for (const auto& m : v.matches) {
    std::printf("  rule %s (%s@%s): %s, %s\n    %s\n", st.paint(m.rule_id, "1").c_str(),
                m.pack_id.c_str(), m.pack_version.c_str(),
                std::string(to_string(m.decision)).c_str(),
                std::string(to_string(m.severity)).c_str(), m.message.c_str());
    if (!m.remediation.empty()) std::printf("    instead: %s\n", m.remediation.c_str());
  }
  for (const auto& s : v.suppressed) {
    std::printf("  suppressed %s by exception %s (%s) on '%s'\n", s.rule_id.c_str(),
                s.exception.c_str(), s.value.c_str(), s.subject.c_str());
  }
  std::printf("  decided by: %s — %s\n", v.source.c_str(), v.reason.c_str());
  if (explain) {
    std::printf("  explanation:\n");
    for (const auto& line : v.explanation) std::printf("    %s\n", line.c_str());
  }
}

struct CheckOptions {
  std::string command;
  std::string action_file;
  std::string cwd;
  std::string branch;
  std::string session;
  std::vector<std::string> env;
  bool json = false;
  bool explain = false;
  bool no_audit = false;
};

// `check` records with surface "check" like every other surface. It is a human's tool, not an
// enforcement point, so an audit failure is reported on stderr and does not change the verdict.
void record_check(const Action& action, const Verdict& v, Result<audit::AuditLog*>& log) {
  if (!log) {
    std::fprintf(stderr, "blastwall check: audit log unavailable: %s\n",
                 log.error().message.c_str());
    return;
  }
  audit::ActionRecord rec{action, v, "", audit::now_us(), v.eval_us};
  auto id = (*log)->record(rec);
  if (!id) {
    std::fprintf(stderr, "blastwall check: not recorded: %s\n", id.error().message.c_str());
  } else if (!(*log)->last_warning().empty()) {
    std::fprintf(stderr, "blastwall check: audit: %s\n", (*log)->last_warning().c_str());
  }
}

void run_check(const CheckOptions& o, GlobalOptions& g) {
  Action action;
  if (!o.action_file.empty()) {
    auto text = read_input(o.action_file);
    if (!text) {
      std::fprintf(stderr, "blastwall check: %s\n", text.error().message.c_str());
      g.exit_code = k_exit_bad_input;
      return;
    }
    auto parsed = action_from_json_text(*text);
    if (!parsed) {
      std::fprintf(stderr, "blastwall check: %s\n", parsed.error().message.c_str());
      g.exit_code = k_exit_bad_input;
      return;
    }
    action = std::move(*parsed);
  } else {
    if (o.command.empty()) {
      std::fprintf(stderr, "blastwall check: give a command line or --action FILE\n");
      g.exit_code = k_exit_bad_input;
      return;
    }
    action.kind = ActionKind::shell_exec;
    action.command = o.command;
  }
  if (!o.cwd.empty()) {
    std::error_code ec;
    action.ctx.cwd = fs::absolute(o.cwd, ec).lexically_normal().string();
    if (action.ctx.cwd.size() > 1 && action.ctx.cwd.back() == '/') action.ctx.cwd.pop_back();
  }
  if (!o.branch.empty()) action.ctx.vcs_branch = o.branch;
  if (!o.session.empty()) action.ctx.session = o.session;
  for (const auto& kv : o.env) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      std::fprintf(stderr, "blastwall check: --env wants NAME=VALUE, got '%s'\n", kv.c_str());
      g.exit_code = k_exit_bad_input;
      return;
    }
    action.ctx.env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (action.ctx.agent.empty()) action.ctx.agent = "cli";
  if (action.ctx.surface.empty()) action.ctx.surface = "check";
  fill_context_from_os(action.ctx);
  EngineSetup setup;
  setup.cwd = action.ctx.cwd;
  setup.policy_file = g.policy_file;
  auto engine = build_engine(setup);
  if (!engine) {
    std::fprintf(stderr, "blastwall check: %s\n", engine.error().format().c_str());
    g.exit_code = k_exit_bad_input;
    return;
  }
  // The audit log is also the session's memory (cli/session_recall.cpp): earlier checks of the
  // same --session feed recreate and burst facts.
  std::unique_ptr<audit::AuditLog> owned;
  Result<audit::AuditLog*> log = make_error("not opened (--no-audit)");
  if (!o.no_audit) {
    audit::AuditOptions ao;
    ao.path = g.audit_db.empty() ? audit::default_audit_path() : g.audit_db;
    log = resident::audit_log(std::move(ao), owned);
  }
  recall_session(action, (*engine)->policy(), log ? *log : nullptr);
  auto t0 = std::chrono::steady_clock::now();
  auto v = (*engine)->evaluate(action, EngineOptions{o.explain});
  v.eval_us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0)
          .count());
  if (!o.no_audit) record_check(action, v, log);
  if (o.json) {
    auto j = to_json(v);
    j["action"] = to_json(action);
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::string subject = action.kind == ActionKind::shell_exec ? action.command
                          : action.kind == ActionKind::mcp_call
                              ? action.mcp.server + "." + action.mcp.tool
                          : action.kind == ActionKind::net_fetch
                              ? action.url
                              : std::string(to_string(action.kind)) + " " + action.path;
    print_verdict(style_for_stdout(g.no_color), subject, v, o.explain);
  }
  g.exit_code = exit_code_for(v.decision);
}

// ---------------------------------------------------------------- rules

Result<std::vector<rules::PackSpec>> packs_for(const std::vector<std::string>& paths,
                                               bool builtin) {
  std::vector<rules::PackSpec> packs;
  if (builtin || paths.empty()) {
    auto b = rules::load_builtin_packs(/*with_tests=*/true);
    if (!b) return b.error();
    packs = std::move(*b);
  }
  for (const auto& p : paths) {
    auto loaded = rules::load_pack_path(p);
    if (!loaded) return loaded.error();
    for (auto& pk : *loaded) packs.push_back(std::move(pk));
  }
  return packs;
}

bool has_match(const Verdict& v, const std::string& id) {
  return std::any_of(v.matches.begin(), v.matches.end(),
                     [&](const auto& m) { return m.rule_id == id; });
}

// `rules test PACK --replay [DB]`: what the pack would change on real traffic, per rule of the
// tested packs (the same engine `replay --rules PACK` builds: the user's policy plus the pack).
bool replay_for_rules_test(const std::vector<std::string>& paths, const std::string& db,
                           GlobalOptions& g) {
  EngineSetup setup;
  setup.policy_file = g.policy_file;
  setup.extra_packs = paths;
  auto engine = build_engine(setup);
  if (!engine) {
    std::fprintf(stderr, "blastwall rules test --replay: %s\n", engine.error().format().c_str());
    return false;
  }
  audit::AuditOptions ao;
  ao.path = !db.empty() ? db : !g.audit_db.empty() ? g.audit_db : audit::default_audit_path();
  ao.read_only = true;
  auto log = audit::AuditLog::open(ao);
  if (!log) {
    std::fprintf(stderr, "blastwall rules test --replay: %s: %s\n", ao.path.c_str(),
                 log.error().message.c_str());
    return false;
  }
  audit::ReplayOptions o;
  o.max_listed_changes = 1000000;
  auto rep = audit::replay(**log, **engine, o);
  if (!rep) {
    std::fprintf(stderr, "blastwall rules test --replay: %s\n", rep.error().message.c_str());
    return false;
  }
  std::printf(
      "replay of %lld logged actions (%s): %lld would change (%lld loosened, %lld "
      "tightened)\n",
      static_cast<long long>(rep->total), ao.path.c_str(), static_cast<long long>(rep->changed),
      static_cast<long long>(rep->loosened), static_cast<long long>(rep->tightened));
  auto tested = packs_for(paths, false);
  if (!tested) return false;
  std::printf("  %-48s %8s %6s %6s  %s\n", "rule", "matches", "+new", "-gone",
              "decisions it changes");
  for (const auto& pack : *tested) {
    for (const auto& rule : pack.rules) {
      audit::RuleDelta d;
      if (auto it = rep->rules.find(rule.id); it != rep->rules.end()) d = it->second;
      std::map<std::string, int> moves;
      for (const auto& c : rep->changes) {
        bool mine =
            std::find(c.new_rules.begin(), c.new_rules.end(), rule.id) != c.new_rules.end() ||
            std::find(c.old_rules.begin(), c.old_rules.end(), rule.id) != c.old_rules.end();
        if (mine) ++moves[c.old_decision + "->" + c.new_decision];
      }
      std::string what;
      for (const auto& [t, n] : moves)
        what += (what.empty() ? "" : ", ") + t + " " + std::to_string(n);
      std::printf("  %-48s %8lld %6lld %6lld  %s\n", rule.id.c_str(),
                  static_cast<long long>(d.after), static_cast<long long>(d.added),
                  static_cast<long long>(d.removed), what.empty() ? "none" : what.c_str());
    }
  }
  return true;
}

void run_rules_test(const std::vector<std::string>& paths, bool builtin, bool verbose,
                    GlobalOptions& g) {
  auto packs = packs_for(paths, builtin);
  if (!packs) {
    std::fprintf(stderr, "%s\n", packs.error().format().c_str());
    g.exit_code = k_exit_bad_input;
    return;
  }
  auto engine = Engine::create(*packs, Policy{});
  if (!engine) {
    std::fprintf(stderr, "%s\n", engine.error().format().c_str());
    g.exit_code = k_exit_bad_input;
    return;
  }
  int passed = 0, failed = 0, todo = 0, todo_fixed = 0;
  for (const auto& pack : (*engine)->packs()) {
    for (const auto& rule : pack.rules) {
      auto run = [&](const std::string& entry, int kind) {  // 0 match, 1 no_match, 2 todo
        auto action = test_action(entry);
        if (!action) {
          std::printf("FAIL %s: bad test entry %s: %s\n", rule.id.c_str(), entry.c_str(),
                      action.error().message.c_str());
          ++failed;
          return;
        }
        auto v = (*engine)->evaluate(*action);
        bool m = has_match(v, rule.id);
        if (kind == 2) {
          if (m) {
            ++todo_fixed;
            std::printf("TODO-NOW-MATCHES %s: %s\n", rule.id.c_str(), entry.c_str());
          } else {
            ++todo;
          }
          return;
        }
        bool ok = kind == 0 ? m : !m;
        if (ok) {
          ++passed;
          if (verbose) std::printf("ok   %s: %s\n", rule.id.c_str(), entry.c_str());
        } else {
          ++failed;
          std::printf("FAIL %s (%s:%d): expected %s: %s  [decision %s; matched:", rule.id.c_str(),
                      rule.loc.file.c_str(), rule.loc.line, kind == 0 ? "match" : "no match",
                      entry.c_str(), std::string(to_string(v.decision)).c_str());
          for (const auto& mm : v.matches) std::printf(" %s", mm.rule_id.c_str());
          std::printf("]\n");
        }
      };
      for (const auto& e : rule.tests.match) run(e, 0);
      for (const auto& e : rule.tests.no_match) run(e, 1);
      for (const auto& e : rule.tests.todo_match) run(e, 2);
    }
  }
  std::printf("rule tests: %d todo, %d todo now matching\n", todo, todo_fixed);
  std::printf("%d passed, %d failed\n", passed, failed);
  g.exit_code = failed == 0 && passed > 0 ? 0 : 1;
}

void run_rules_test_cmd(const std::vector<std::string>& paths, bool builtin, bool verbose,
                        const std::optional<std::string>& replay_db, GlobalOptions& g) {
  run_rules_test(paths, builtin, verbose, g);
  if (!replay_db) return;
  if (paths.empty()) {
    std::fprintf(stderr, "blastwall rules test --replay: name the pack files to replay\n");
    g.exit_code = k_exit_bad_input;
    return;
  }
  if (!replay_for_rules_test(paths, *replay_db, g)) g.exit_code = 1;
}

// `rules list` without packs: what this user's blastwall enforces, and where each rule came from
// (shipped, installed from a source and signed by whom, a policy's extra_packs) and which policy
// layers changed it.
void run_rules_list_effective(GlobalOptions& g) {
  EngineReport report;
  EngineSetup setup;
  setup.policy_file = g.policy_file;
  setup.report = &report;
  auto engine = build_engine(setup);
  if (!engine) {
    std::fprintf(stderr, "blastwall rules list: %s\n", engine.error().format().c_str());
    g.exit_code = k_exit_bad_input;
    return;
  }
  const Policy& policy = (*engine)->policy();
  for (const auto& p : (*engine)->packs()) {
    auto info = std::find_if(report.packs.begin(), report.packs.end(),
                             [&](const LoadedPackInfo& i) { return i.id == p.id; });
    std::string origin = "builtin";
    if (info != report.packs.end()) {
      origin = info->origin;
      if (info->origin != "builtin") origin += " " + info->location;
      origin += info->signer.empty() ? (info->origin == "builtin" ? "" : ", unsigned")
                                     : ", signed by " + info->signer + " (" + info->key_id + ")";
      if (info->locked) {
        origin += ", required and locked by the managed policy";
      } else if (info->required) {
        origin += ", required";
      }
    }
    bool pack_off = std::find(policy.disabled_packs.begin(), policy.disabled_packs.end(), p.id) !=
                    policy.disabled_packs.end();
    std::printf("%s@%s  %s  (%zu rules)%s\n  from: %s\n", p.id.c_str(), p.version.c_str(),
                p.title.c_str(), p.rules.size(), pack_off ? " DISABLED by policy" : "",
                origin.c_str());
    for (const auto& r : p.rules) {
      std::string note = r.enabled ? "" : " (off by default)";
      if (auto it = policy.rules.find(r.id); it != policy.rules.end()) {
        const RuleOverride& o = it->second;
        std::string what;
        if (o.enabled) what += *o.enabled ? "enabled" : "disabled";
        if (o.decision) {
          what += (what.empty() ? "" : ", ") + std::string("decision ") +
                  std::string(to_string(*o.decision)) + (o.tighten_only ? " (tighten-only)" : "");
        }
        if (!o.exceptions.empty()) what += (what.empty() ? "" : ", ") + std::string("exceptions");
        std::string by;
        for (const auto& s : o.set_by) by += (by.empty() ? "" : "; ") + s;
        note += " [" + what + " by " + by + "]";
      }
      std::printf("  %-48s %-5s %-8s %s%s\n", r.id.c_str(),
                  std::string(to_string(r.decision)).c_str(),
                  std::string(to_string(r.severity)).c_str(), r.title.c_str(), note.c_str());
    }
  }
  if (!policy.sources.empty()) {
    std::printf("policy layers:");
    for (const auto& s : policy.sources) std::printf(" %s", s.c_str());
    std::printf("\n");
  }
  if (!report.lockfile.empty()) std::printf("lockfile: %s\n", report.lockfile.c_str());
}

void run_rules_list(const std::vector<std::string>& paths, bool json, GlobalOptions& g) {
  if (paths.empty() && !json) {
    run_rules_list_effective(g);
    return;
  }
  auto packs = packs_for(paths, false);
  if (!packs) {
    std::fprintf(stderr, "%s\n", packs.error().format().c_str());
    g.exit_code = k_exit_bad_input;
    return;
  }
  if (json) {
    for (const auto& p : *packs) std::printf("%s\n", rules::pack_to_json(p).dump().c_str());
    return;
  }
  for (const auto& p : *packs) {
    std::printf("%s@%s  %s  (%zu rules, %s, %s)\n", p.id.c_str(), p.version.c_str(),
                p.title.c_str(), p.rules.size(), p.maturity.c_str(), p.source.c_str());
    for (const auto& r : p.rules) {
      std::printf("  %-48s %-5s %-8s %s%s\n", r.id.c_str(),
                  std::string(to_string(r.decision)).c_str(),
                  std::string(to_string(r.severity)).c_str(), r.title.c_str(),
                  r.enabled ? "" : " (off by default)");
    }
  }
}

void run_rules_lint(const std::vector<std::string>& paths, GlobalOptions& g) {
  auto packs = packs_for(paths, false);
  if (!packs) {
    std::fprintf(stderr, "%s\n", packs.error().format().c_str());
    g.exit_code = k_exit_bad_input;
    return;
  }
  auto findings = rules::lint_packs(*packs);
  int errors = 0;
  for (const auto& f : findings) {
    bool err = f.level == rules::LintFinding::Level::error;
    errors += err ? 1 : 0;
    std::printf("%s: %s\n", err ? "error" : "warning", f.where.format().c_str());
  }
  auto engine = Engine::create(*packs, Policy{});
  if (!engine) {
    std::printf("error: %s\n", engine.error().format().c_str());
    ++errors;
  }
  std::printf("%zu packs, %zu findings, %d errors\n", packs->size(), findings.size(), errors);
  g.exit_code = errors == 0 ? 0 : 1;
}

// ---------------------------------------------------------------- corpus

struct CorpusStats {
  int risky = 0, detected = 0, benign = 0, false_pos = 0, expect_fail = 0;
};

// A corpus line's `before`: earlier actions of the same session. They go through the path
// `check --session` and the hooks take (cli/session_recall.cpp): each is recalled, evaluated and
// recorded in an audit log (a throw-away one in TMPDIR), so the case itself is judged with the
// session memory the resident engine would hand it.
class CorpusSessions {
 public:
  ~CorpusSessions() {
    m_log.reset();
    std::error_code ec;
    if (!m_dir.empty()) fs::remove_all(m_dir, ec);
  }
  // Evaluates `before` (strings are command lines, objects Action fields; both take the case's
  // cwd/env/branch unless they set their own) and gives `action` their session. Errors name the
  // entry that could not be built or recorded.
  Result<bool> replay_before(const Engine& engine, const nlohmann::json& before,
                             const nlohmann::json& case_fields, Action& action) {
    if (!before.is_array()) return make_error("before must be an array");
    auto log = open();
    if (!log) return log.error();
    const std::string session = "corpus-" + std::to_string(++m_sessions);
    for (const auto& entry : before) {
      nlohmann::json fields;
      if (entry.is_string()) {
        fields["command"] = entry;
      } else if (entry.is_object()) {
        fields = entry;
      } else {
        return make_error("before entries are command strings or action objects");
      }
      for (const char* k : {"cwd", "env", "branch", "home", "project_root"})
        if (!fields.contains(k) && case_fields.contains(k)) fields[k] = case_fields[k];
      if (!fields.contains("kind") && fields.contains("command")) fields["kind"] = "shell.exec";
      auto earlier = test_action_from_json(fields);
      if (!earlier) return make_error("before: " + earlier.error().message);
      join(*earlier, session);
      recall_session(*earlier, engine.policy(), *log);
      auto v = engine.evaluate(*earlier);
      audit::ActionRecord rec{*earlier, v, "", audit::now_us(), v.eval_us};
      if (auto id = (*log)->record(rec); !id) return make_error("before: " + id.error().message);
    }
    join(action, session);
    recall_session(action, engine.policy(), *log);
    return true;
  }

 private:
  static void join(Action& a, const std::string& session) {
    a.ctx.agent = "corpus";
    a.ctx.surface = "check";
    a.ctx.session = session;
  }
  Result<audit::AuditLog*> open() {
    if (m_log) return m_log.get();
    std::error_code ec;
    std::string tmpl = (fs::temp_directory_path(ec) / "blastwall-corpus.XXXXXX").string();
    if (ec || !::mkdtemp(tmpl.data())) return make_error("cannot create a session audit log");
    m_dir = tmpl;
    audit::AuditOptions ao;
    ao.path = m_dir + "/audit.db";
    auto opened = audit::AuditLog::open(std::move(ao));
    if (!opened) return opened.error();
    m_log = std::move(*opened);
    return m_log.get();
  }
  std::string m_dir;
  std::unique_ptr<audit::AuditLog> m_log;
  int m_sessions = 0;
};

void run_corpus(const std::vector<std::string>& paths, double min_det, double max_fp,
                int max_expect_mismatch, bool verbose, bool json_out, GlobalOptions& g) {
  auto engine = Engine::create_builtin(Policy{});
  if (!engine) {
    std::fprintf(stderr, "%s\n", engine.error().format().c_str());
    g.exit_code = k_exit_bad_input;
    return;
  }
  std::vector<fs::path> files;
  for (const auto& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& e : fs::directory_iterator(p, ec))
        if (e.path().extension() == ".jsonl") files.push_back(e.path());
    } else {
      files.emplace_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  std::map<std::string, CorpusStats> by_cat;
  CorpusStats total;
  CorpusSessions sessions;
  int bad_lines = 0;
  for (const auto& file : files) {
    std::ifstream in(file);
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception& e) {
        std::printf("BAD %s:%d: %s\n", file.c_str(), lineno, e.what());
        ++bad_lines;
        continue;
      }
      std::string id = j.value("id", file.filename().string() + ":" + std::to_string(lineno));
      std::string label = j.value("label", "");
      std::string cat = j.value("category", "uncategorised");
      if (label != "risky" && label != "benign") {
        std::printf("BAD %s:%d: label must be risky or benign\n", file.c_str(), lineno);
        ++bad_lines;
        continue;
      }
      nlohmann::json fields = j.contains("action") ? j["action"] : nlohmann::json::object();
      if (j.contains("command")) fields["command"] = j["command"];
      for (const char* k : {"cwd", "env", "branch", "home", "project_root"})
        if (j.contains(k)) fields[k] = j[k];
      if (!fields.contains("kind") && fields.contains("command")) fields["kind"] = "shell.exec";
      auto action = test_action_from_json(fields);
      if (!action) {
        std::printf("BAD %s:%d: %s\n", file.c_str(), lineno, action.error().message.c_str());
        ++bad_lines;
        continue;
      }
      if (j.contains("before")) {
        if (auto r = sessions.replay_before(**engine, j["before"], fields, *action); !r) {
          std::printf("BAD %s:%d: %s\n", file.c_str(), lineno, r.error().message.c_str());
          ++bad_lines;
          continue;
        }
      }
      auto v = (*engine)->evaluate(*action);
      auto& cs = by_cat[cat];
      std::string shown = action->kind == ActionKind::shell_exec ? action->command : fields.dump();
      if (label == "risky") {
        ++cs.risky;
        ++total.risky;
        if (v.decision != Decision::allow) {
          ++cs.detected;
          ++total.detected;
        } else {
          std::printf("MISS %s [%s]: %s\n", id.c_str(), cat.c_str(), shown.c_str());
        }
      } else {
        ++cs.benign;
        ++total.benign;
        if (v.decision != Decision::allow) {
          ++cs.false_pos;
          ++total.false_pos;
          std::printf("FALSE-POSITIVE %s [%s]: %s -> %s (%s)\n", id.c_str(), cat.c_str(),
                      shown.c_str(), std::string(to_string(v.decision)).c_str(), v.reason.c_str());
        }
      }
      if (j.contains("expect")) {
        auto want = parse_decision(j.value("expect", ""));
        if (!want || *want != v.decision) {
          ++cs.expect_fail;
          ++total.expect_fail;
          std::printf("EXPECT %s [%s]: %s -> %s, expected %s (%s)\n", id.c_str(), cat.c_str(),
                      shown.c_str(), std::string(to_string(v.decision)).c_str(),
                      j.value("expect", "").c_str(), v.reason.c_str());
        }
      }
      if (verbose) {
        std::printf("%-6s %s [%s] %s\n", std::string(to_string(v.decision)).c_str(), id.c_str(),
                    label.c_str(), shown.c_str());
      }
    }
  }
  auto rate = [](int a, int b) { return b == 0 ? 0.0 : static_cast<double>(a) / b; };
  double det = rate(total.detected, total.risky);
  double fp = rate(total.false_pos, total.benign);
  if (json_out) {
    nlohmann::json j;
    for (const auto& [cat, s] : by_cat)
      j["categories"][cat] = {{"risky", s.risky},
                              {"detected", s.detected},
                              {"benign", s.benign},
                              {"false_positives", s.false_pos}};
    j["detection"] = det;
    j["false_positive_rate"] = fp;
    j["risky"] = total.risky;
    j["expect_mismatches"] = total.expect_fail;
    j["benign"] = total.benign;
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%-16s %7s %9s %7s %6s\n", "category", "risky", "detected", "benign", "FP");
    for (const auto& [cat, s] : by_cat)
      std::printf("%-16s %7d %9d %7d %6d\n", cat.c_str(), s.risky, s.detected, s.benign,
                  s.false_pos);
    std::printf(
        "detection %.2f%% (%d/%d), false positives %.2f%% (%d/%d), expectation mismatches %d\n",
        det * 100, total.detected, total.risky, fp * 100, total.false_pos, total.benign,
        total.expect_fail);
  }
  bool ok = bad_lines == 0 && total.risky + total.benign > 0 && det >= min_det && fp <= max_fp &&
            total.expect_fail <= max_expect_mismatch;
  int failed = (total.risky - total.detected) + total.false_pos + total.expect_fail + bad_lines;
  std::printf("%d passed, %d failed\n", total.risky + total.benign - failed + total.expect_fail,
              failed);
  g.exit_code = ok ? 0 : 1;
}

// ---------------------------------------------------------------- demo

void run_demo(GlobalOptions& g) {
  auto engine = Engine::create_builtin(Policy{});
  if (!engine) {
    std::fprintf(stderr, "%s\n", engine.error().format().c_str());
    g.exit_code = k_exit_bad_input;
    return;
  }
  struct Step {
    const char* story;
    const char* command;
    std::map<std::string, std::string> env;
  };
  const Step steps[] = {
      {"The agent starts on a small bug fix and looks around.", "git status && ls -la src/", {}},
      {"It runs the tests.", "npm test -- --watch=false", {}},
      {"It cleans its build output — routine.", "rm -rf build/ dist/", {}},
      {"Asked to fix one setting in staging, it decides to recreate the whole environment.",
       "terraform destroy -auto-approve",
       {{"TF_WORKSPACE", "production"}}},
      {"It tries the same through a wrapper and a variable.",
       "X=destroy; bash -c \"terraform $X -auto-approve -var-file=prod.tfvars\"",
       {}},
      {"Cleaning a cache, it expands the wrong variable and wipes the home directory.",
       "rm -rf \"$HOME/\"",
       {}},
      {"The same, obfuscated the way bypass write-ups do.", "$'\\x72\\x6d' -rf ~", {}},
      {"Its history rewrite looks wrong upstream, so it force-pushes main.",
       "git push --force origin main",
       {}},
      {"A migration 'cleanup' on the production database.",
       "psql \"$PROD_DATABASE_URL\" -c 'DROP TABLE users'",
       {}},
      {"And it tries to turn the guard off.", "rm -rf ~/.config/blastwall", {}},
  };
  auto st = style_for_stdout(g.no_color);
  std::printf("blastwall demo: verdicts for a session modelled on real incidents\n");
  std::printf("(context: cwd /home/dev/project, HOME /home/dev, branch feature/x)\n\n");
  int n = 0;
  for (const auto& s : steps) {
    Action a;
    a.kind = ActionKind::shell_exec;
    a.ctx = test_context();
    a.ctx.agent = "demo";
    a.ctx.env = s.env;
    a.command = s.command;
    auto v = (*engine)->evaluate(a);
    std::printf("%d. %s\n   $ %s%s\n   %s %s\n\n", ++n, s.story, s.command,
                s.env.empty()
                    ? ""
                    : ("   (" + s.env.begin()->first + "=" + s.env.begin()->second + ")").c_str(),
                st.decision(v.decision).c_str(), v.reason.c_str());
  }
  g.exit_code = 0;
}

}  // namespace

void register_check(CLI::App& app, GlobalOptions& g) {
  auto o = std::make_shared<CheckOptions>();
  auto* cmd = app.add_subcommand(
      "check", "Classify one shell command line (or any action) and explain the verdict");
  cmd->add_option("command", o->command, "The command line, as the agent would send it");
  cmd->add_option("--action", o->action_file, "Read an action as JSON from FILE ('-' = stdin)")
      ->type_name("FILE");
  cmd->add_option("--cwd", o->cwd, "Working directory the command runs in (default: current)")
      ->type_name("DIR");
  cmd->add_option("--branch", o->branch, "Current git branch (default: read from .git/HEAD)");
  cmd->add_option("--session", o->session,
                  "Session id: earlier checks of the same session (from the audit log) feed the "
                  "recreate and burst facts");
  cmd->add_option("--env", o->env, "NAME=VALUE the agent's environment has (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--json", o->json, "Print the verdict as JSON");
  cmd->add_flag("--explain", o->explain, "Show how the line was parsed and evaluated");
  cmd->add_flag("--no-audit", o->no_audit, "Do not record this check in the audit log");
  cmd->footer("Exit status: 0 allow, 1 ask, 2 deny, 3 bad input.");
  cmd->callback([o, &g] { run_check(*o, g); });
}

void register_rules(CLI::App& app, GlobalOptions& g) {
  auto* rules = app.add_subcommand("rules", "List, test and lint rule packs");
  rules->require_subcommand(1);
  auto paths = std::make_shared<std::vector<std::string>>();
  auto json = std::make_shared<bool>(false);
  auto builtin = std::make_shared<bool>(false);
  auto verbose = std::make_shared<bool>(false);
  auto* list = rules->add_subcommand(
      "list", "List packs and their rules (default: the packs in force, with their origin)");
  list->add_option("packs", *paths, "Pack files or directories")->type_name("PATH");
  list->add_flag("--json", *json, "One JSON object per pack");
  list->callback([=, &g] { run_rules_list(*paths, *json, g); });
  auto* test = rules->add_subcommand("test", "Run every rule's embedded match/no_match tests");
  test->add_option("packs", *paths, "Pack files or directories (default: the shipped packs)")
      ->type_name("PATH");
  test->add_flag("--builtin", *builtin, "Also load the shipped packs");
  test->add_flag("-v,--verbose", *verbose, "Print every passing case");
  auto replay_db = std::make_shared<std::string>();
  auto* replay =
      test->add_option("--replay", *replay_db,
                       "Then replay the audit log (default: --audit-db or the user's) with the "
                       "packs and report per rule what they would change")
          ->expected(0, 1);
  test->callback([=, &g] {
    std::optional<std::string> db;
    if (replay->count() > 0) db = *replay_db;
    run_rules_test_cmd(*paths, *builtin, *verbose, db, g);
  });
  auto* lint = rules->add_subcommand("lint", "Check packs for errors and weak spots");
  lint->add_option("packs", *paths, "Pack files or directories (default: the shipped packs)")
      ->type_name("PATH");
  lint->callback([=, &g] { run_rules_lint(*paths, g); });
}

void register_corpus(CLI::App& app, GlobalOptions& g) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto min_det = std::make_shared<double>(0.0);
  auto max_fp = std::make_shared<double>(1.0);
  auto max_expect = std::make_shared<int>(0);
  auto verbose = std::make_shared<bool>(false);
  auto json = std::make_shared<bool>(false);
  auto* c = app.add_subcommand(
      "corpus", "Evaluate a labelled corpus (rules/corpus/*.jsonl) and report rates");
  c->add_option("paths", *paths, "Corpus files or directories")->type_name("PATH")->required();
  c->add_option("--min-detection", *min_det, "Fail when detection is below this fraction");
  c->add_option("--max-false-positive", *max_fp,
                "Fail when the false-positive rate is above this fraction");
  c->add_option("--max-expect-mismatch", *max_expect,
                "Fail when more than N cases' `expect` verdicts are not met (default 0)")
      ->check(CLI::NonNegativeNumber);
  c->add_flag("-v,--verbose", *verbose, "Print every case");
  c->add_flag("--json", *json, "Print rates as JSON");
  c->callback([=, &g] { run_corpus(*paths, *min_det, *max_fp, *max_expect, *verbose, *json, g); });
}

void register_demo(CLI::App& app, GlobalOptions& g) {
  auto* d = app.add_subcommand("demo",
                               "Show verdicts for a built-in scenario modelled on real incidents");
  d->callback([&g] { run_demo(g); });
}

}  // namespace blastwall::cli
