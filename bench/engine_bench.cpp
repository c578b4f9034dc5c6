// Google Benchmark for the engine with every shipped pack loaded (docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "blastwall/engine.hpp"
#include "cli/test_context.hpp"
#include "rules/pack/loader.hpp"
#include "rules/shell/shell.hpp"

namespace {

using namespace blastwall;

std::shared_ptr<const Engine> engine() {
  static auto e = [] {
    auto r = Engine::create_builtin(Policy{});
    if (!r) std::abort();
    return *r;
  }();
  return e;
}

Action shell(const std::string& cmd) {
  Action a;
  a.kind = ActionKind::shell_exec;
  a.ctx.cwd = "/home/dev/project";
  a.ctx.home = "/home/dev";
  a.ctx.user = "dev";
  a.ctx.project_root = "/home/dev/project";
  a.ctx.vcs_branch = "feature/x";
  a.command = cmd;
  return a;
}

void run(benchmark::State& state, const std::string& cmd) {
  auto e = engine();
  auto a = shell(cmd);
  (void)e->evaluate(a);  // warm the lazily compiled regex sets this command reaches
  for (auto _ : state) {
    auto v = e->evaluate(a);
    benchmark::DoNotOptimize(v);
  }
}

void BM_evaluate_benign_ls(benchmark::State& s) { run(s, "ls -la src/"); }
void BM_evaluate_benign_git_status(benchmark::State& s) { run(s, "git status --short"); }
void BM_evaluate_benign_npm_test(benchmark::State& s) { run(s, "npm test -- --watch=false"); }
void BM_evaluate_rm_rf_home(benchmark::State& s) { run(s, "rm -rf ~"); }
void BM_evaluate_force_push_main(benchmark::State& s) { run(s, "git push --force origin main"); }
void BM_evaluate_kubectl_prod(benchmark::State& s) {
  run(s, "kubectl --context prod delete deploy api");
}
void BM_evaluate_pipeline(benchmark::State& s) {
  run(s, "cd src && grep -rn 'TODO' . | sort | uniq -c | head -20");
}
void BM_evaluate_obfuscated(benchmark::State& s) {
  run(s, "X=rm; sudo env -i bash -c \"$'\\x72\\x6d' -rf ${HOME}\"");
}

// Every action of the project corpus (rules/corpus/*.jsonl, as `blastwall corpus` builds them),
// one per iteration in turn: the time per iteration is the mean over a representative mix.
std::vector<Action> corpus_actions() {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& f : fs::directory_iterator(std::string(BLASTWALL_SOURCE_DIR) + "/rules/corpus"))
    if (f.path().extension() == ".jsonl") files.push_back(f.path());
  std::sort(files.begin(), files.end());
  std::vector<Action> out;
  for (const auto& f : files) {
    std::ifstream in(f);
    std::string line;
    while (std::getline(in, line)) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      auto j = nlohmann::json::parse(line);
      nlohmann::json fields = j.contains("action") ? j["action"] : nlohmann::json::object();
      if (j.contains("command")) fields["command"] = j["command"];
      for (const char* k : {"cwd", "env", "branch", "home", "project_root"})
        if (j.contains(k)) fields[k] = j[k];
      if (!fields.contains("kind") && fields.contains("command")) fields["kind"] = "shell.exec";
      if (auto a = cli::test_action_from_json(fields)) out.push_back(std::move(*a));
    }
  }
  return out;
}

void BM_evaluate_corpus_mix(benchmark::State& state) {
  auto e = engine();
  static const auto actions = corpus_actions();
  if (actions.empty()) {
    state.SkipWithError("no corpus");
    return;
  }
  for (const auto& a : actions) (void)e->evaluate(a);  // warm every regex set the mix reaches
  size_t i = 0;
  for (auto _ : state) {
    auto v = e->evaluate(actions[i]);
    benchmark::DoNotOptimize(v);
    if (++i == actions.size()) i = 0;
  }
  state.counters["actions"] = static_cast<double>(actions.size());
}

void BM_parse_only(benchmark::State& state) {
  shell::ShellEnv env{"/home/dev/project", "/home/dev", "dev", {}, {}};
  for (auto _ : state) {
    auto p = shell::parse_shell("git -C ../lib push origin feature/x && npm run build", env);
    benchmark::DoNotOptimize(p);
  }
}

void BM_engine_startup(benchmark::State& state) {
  for (auto _ : state) {
    auto r = Engine::create_builtin(Policy{});
    benchmark::DoNotOptimize(r);
  }
}

void BM_fail_closed_1mib(benchmark::State& state) {
  auto e = engine();
  auto a = shell(std::string(1 << 20, 'a'));
  for (auto _ : state) benchmark::DoNotOptimize(e->evaluate(a));
}

void BM_fail_closed_nested_subst(benchmark::State& state) {
  auto e = engine();
  std::string s;
  for (int i = 0; i < 10000; ++i) s += "$(";
  auto a = shell(s);
  for (auto _ : state) benchmark::DoNotOptimize(e->evaluate(a));
}

BENCHMARK(BM_evaluate_benign_ls);
BENCHMARK(BM_evaluate_benign_git_status);
BENCHMARK(BM_evaluate_benign_npm_test);
BENCHMARK(BM_evaluate_rm_rf_home);
BENCHMARK(BM_evaluate_force_push_main);
BENCHMARK(BM_evaluate_kubectl_prod);
BENCHMARK(BM_evaluate_pipeline);
BENCHMARK(BM_evaluate_obfuscated);
BENCHMARK(BM_evaluate_corpus_mix);
BENCHMARK(BM_parse_only);
BENCHMARK(BM_engine_startup)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_fail_closed_1mib)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_fail_closed_nested_subst)->Unit(benchmark::kMillisecond);

}  // namespace
