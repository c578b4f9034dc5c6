// Google Benchmark for the engine with every shipped pack loaded (docs/PERFORMANCE.md).
#include <benchmark/benchmark.h>

#include <string>

#include "blastwall/engine.hpp"
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

void BM_parse_only(benchmark::State& state) {
  shell::ShellEnv env{"/home/dev/project", "/home/dev", "dev", {}};
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
BENCHMARK(BM_parse_only);
BENCHMARK(BM_engine_startup)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_fail_closed_1mib)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_fail_closed_nested_subst)->Unit(benchmark::kMillisecond);

}  // namespace
