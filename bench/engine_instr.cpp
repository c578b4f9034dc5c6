// Engine cost per action without Google Benchmark, for A/B comparisons between trees
// (docs/PERFORMANCE.md). It uses only the public engine API, so the same file builds against older
// checkouts of rules/.
//
//   engine_instr cases [N]           the fixed benchmark lines; under callgrind
//                                    (--collect-atstart=no) each case is one dump named after it,
//                                    N warm calls (default 200) after one warm-up call
//   engine_instr corpus [N] FILE...  every corpus action (rules/corpus/*.jsonl lines): one warm-up
//                                    call each, then N rounds (default 1) of one timed call per
//                                    action, round robin; prints per-action wall-time
//                                    median/p90/p99/mean (the median of each action's rounds) —
//                                    under callgrind one dump
//   engine_instr corpus-warm [N] FILE...  the same, each action's N calls in a row
//   engine_instr dump [--explain] FILE...   one line per corpus action: id and the verdict JSON
//                                    (eval_us zeroed), for byte-for-byte before/after diffs
#include <valgrind/callgrind.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "blastwall/engine.hpp"

namespace {

using namespace blastwall;

ActionContext context() {
  ActionContext ctx;
  ctx.agent = "test";
  ctx.surface = "check";
  ctx.cwd = "/home/dev/project";
  ctx.home = "/home/dev";
  ctx.user = "dev";
  ctx.project_root = "/home/dev/project";
  ctx.vcs_branch = "feature/x";
  return ctx;
}

Action shell(const std::string& cmd) {
  Action a;
  a.kind = ActionKind::shell_exec;
  a.ctx = context();
  a.command = cmd;
  return a;
}

// The corpus runner's action for one line (cli/check_cmd.cpp run_corpus + test_action_from_json).
bool corpus_action(const nlohmann::json& j, Action& out) {
  nlohmann::json fields = j.contains("action") ? j["action"] : nlohmann::json::object();
  if (j.contains("command")) fields["command"] = j["command"];
  for (const char* k : {"cwd", "env", "branch", "home", "project_root"})
    if (j.contains(k)) fields[k] = j[k];
  if (!fields.contains("kind") && fields.contains("command")) fields["kind"] = "shell.exec";
  if (!fields.is_object()) return false;
  const auto ctx = context();
  auto dflt = [&](const char* key, const std::string& v) {
    if (!fields.contains(key)) fields[key] = v;
  };
  dflt("cwd", ctx.cwd);
  dflt("home", ctx.home);
  dflt("user", ctx.user);
  dflt("project_root", ctx.project_root);
  dflt("branch", ctx.vcs_branch);
  dflt("agent", ctx.agent);
  dflt("surface", ctx.surface);
  auto a = action_from_json(fields);
  if (!a) return false;
  out = std::move(*a);
  return true;
}

struct Named {
  std::string id;
  Action action;
};

std::vector<Named> read_corpus(const std::vector<std::string>& files) {
  std::vector<Named> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
      ++n;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      try {
        auto j = nlohmann::json::parse(line);
        Named x;
        x.id = j.value("id", f + ":" + std::to_string(n));
        if (corpus_action(j, x.action)) out.push_back(std::move(x));
      } catch (const nlohmann::json::exception&) {
      }
    }
  }
  return out;
}

// Keeps a verdict alive so the call is not optimised away.
void benchmark_sink(const Verdict& v) {
  static volatile int sink = 0;
  sink = sink + static_cast<int>(v.decision);
}

double pct(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: engine_instr cases [N] | corpus[-warm] [N] FILE... | dump FILE...\n");
    return 2;
  }
  auto engine = Engine::create_builtin(Policy{});
  if (!engine) {
    std::fprintf(stderr, "%s\n", engine.error().message.c_str());
    return 1;
  }
  const auto& e = **engine;
  const std::string mode = argv[1];
  int arg = 2;
  if (mode == "cases") {
    const int n = argc > arg ? std::atoi(argv[arg]) : 200;
    std::vector<std::pair<std::string, Action>> cases = {
        {"ls", shell("ls -la src/")},
        {"git_status", shell("git status --short")},
        {"npm_test", shell("npm test -- --watch=false")},
        {"rm_rf_home", shell("rm -rf ~")},
        {"force_push_main", shell("git push --force origin main")},
        {"kubectl_prod", shell("kubectl --context prod delete deploy api")},
        {"pipeline", shell("cd src && grep -rn 'TODO' . | sort | uniq -c | head -20")},
        {"obfuscated", shell("X=rm; sudo env -i bash -c \"$'\\x72\\x6d' -rf ${HOME}\"")},
        {"npm_publish", shell("npm publish --access public")},
        {"cp_git_hook", shell("cp scripts/hook .git/hooks/pre-commit")},
    };
    Action w;
    w.kind = ActionKind::file_write;
    w.ctx = context();
    w.path = "src/a.ts";
    w.content = "export const a = 1;\n";
    cases.emplace_back("file_write_project", w);
    for (auto& [name, a] : cases) {
      auto first = e.evaluate(a);  // warm the lazily compiled regex sets this action reaches
      std::vector<double> us;
      CALLGRIND_TOGGLE_COLLECT;
      for (int i = 0; i < n; ++i) {
        if (RUNNING_ON_VALGRIND) {  // count the evaluation only
          benchmark_sink(e.evaluate(a));
          continue;
        }
        auto t0 = std::chrono::steady_clock::now();
        auto v = e.evaluate(a);
        auto t1 = std::chrono::steady_clock::now();
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        if (v.decision != first.decision) std::abort();
      }
      CALLGRIND_TOGGLE_COLLECT;
      CALLGRIND_DUMP_STATS_AT(name.c_str());
      if (RUNNING_ON_VALGRIND) continue;
      std::printf("%-20s %-5s median %.2f us (%d calls)\n", name.c_str(),
                  std::string(to_string(first.decision)).c_str(), pct(us, 0.5), n);
    }
    return 0;
  }
  if (mode == "corpus" || mode == "corpus-warm") {
    // corpus: round robin (each call follows a different action: caches as cold as a mix makes
    // them); corpus-warm: each action N times in a row (as the single-line benchmarks time it).
    const bool warm = mode == "corpus-warm";
    int rounds = 1;
    if (argc > arg && std::string(argv[arg]).find_first_not_of("0123456789") == std::string::npos)
      rounds = std::atoi(argv[arg++]);
    auto actions = read_corpus(std::vector<std::string>(argv + arg, argv + argc));
    for (const auto& x : actions) (void)e.evaluate(x.action);  // warm
    std::vector<std::vector<double>> per(actions.size());
    CALLGRIND_TOGGLE_COLLECT;
    auto timed = [&](size_t i) {
      if (RUNNING_ON_VALGRIND) {
        benchmark_sink(e.evaluate(actions[i].action));
        return;
      }
      auto t0 = std::chrono::steady_clock::now();
      auto v = e.evaluate(actions[i].action);
      auto t1 = std::chrono::steady_clock::now();
      per[i].push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      benchmark_sink(v);
    };
    if (warm) {
      for (size_t i = 0; i < actions.size(); ++i)
        for (int r = 0; r < rounds; ++r) timed(i);
    } else {
      for (int r = 0; r < rounds; ++r)
        for (size_t i = 0; i < actions.size(); ++i) timed(i);
    }
    CALLGRIND_TOGGLE_COLLECT;
    CALLGRIND_DUMP_STATS_AT("corpus");
    if (RUNNING_ON_VALGRIND) {
      std::printf("%zu actions x %d rounds (counted by callgrind)\n", actions.size(), rounds);
      return 0;
    }
    std::vector<double> med;
    double sum = 0;
    for (auto& p : per) {
      med.push_back(pct(p, 0.5));
      sum += med.back();
    }
    std::printf(
        "%zu actions x %d rounds: median %.2f us, p90 %.2f, p99 %.2f, max %.2f, mean %.2f\n",
        actions.size(), rounds, pct(med, 0.5), pct(med, 0.9), pct(med, 0.99), pct(med, 1.0),
        med.empty() ? 0.0 : sum / static_cast<double>(med.size()));
    return 0;
  }
  if (mode == "dump") {
    EngineOptions opt;
    if (argc > arg && std::string(argv[arg]) == "--explain") {
      opt.explain = true;
      ++arg;
    }
    auto actions = read_corpus(std::vector<std::string>(argv + arg, argv + argc));
    for (const auto& x : actions) {
      auto v = e.evaluate(x.action, opt);
      v.eval_us = 0;
      std::printf("%s\t%s\n", x.id.c_str(), to_json(v).dump().c_str());
    }
    return 0;
  }
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
