// Audit log micro-benchmarks (docs/PERFORMANCE.md "Audit log"): one record per transaction in a
// long-lived process, open+record+close (what a short-lived hook process pays), batched records,
// redaction alone, and verify.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "audit/redact.hpp"

namespace {

using namespace blastwall;
using namespace blastwall::audit;

std::string temp_db() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "bw-audit-bench-XXXXXX").string();
  char* p = ::mkdtemp(tmpl.data());
  return std::string(p ? p : "/tmp") + "/audit.db";
}

ActionRecord record_for(int64_t i) {
  ActionRecord r;
  r.action.kind = ActionKind::shell_exec;
  r.action.command = "git push --force origin feature/x # " + std::to_string(i);
  r.action.ctx.agent = "claude";
  r.action.ctx.surface = "hook";
  r.action.ctx.session = "bench";
  r.action.ctx.cwd = "/home/dev/project";
  r.action.ctx.project_root = "/home/dev/project";
  r.action.ctx.tool = "Bash";
  r.verdict.decision = Decision::ask;
  r.verdict.source = "rule";
  RuleMatch m;
  m.rule_id = "core.git.push-force";
  m.pack_id = "core.git";
  m.pack_version = "1.0.0";
  m.message = "Force push rewrites remote history";
  r.verdict.matches.push_back(m);
  r.verdict.facts.set("destructive", "force push");
  r.ts_us = now_us();
  r.latency_us = 40;
  return r;
}

void BM_record_single(benchmark::State& state) {
  AuditOptions o;
  o.path = temp_db();
  auto log = AuditLog::open(o).value();
  int64_t i = 0;
  for (auto _ : state) {
    auto id = log->record(record_for(i++));
    if (!id || *id <= 0) state.SkipWithError("record failed");
  }
  state.SetItemsProcessed(state.iterations());
  std::filesystem::remove_all(std::filesystem::path(o.path).parent_path());
}
BENCHMARK(BM_record_single)->Unit(benchmark::kMicrosecond);

// What a short-lived hook process pays for the log: open (schema check, spool check), one record,
// close.
void BM_open_record_close(benchmark::State& state) {
  AuditOptions o;
  o.path = temp_db();
  { (void)AuditLog::open(o); }
  int64_t i = 0;
  for (auto _ : state) {
    auto log = AuditLog::open(o).value();
    auto id = log->record(record_for(i++));
    if (!id || *id <= 0) state.SkipWithError("record failed");
  }
  state.SetItemsProcessed(state.iterations());
  std::filesystem::remove_all(std::filesystem::path(o.path).parent_path());
}
BENCHMARK(BM_open_record_close)->Unit(benchmark::kMicrosecond);

void BM_record_batch(benchmark::State& state) {
  AuditOptions o;
  o.path = temp_db();
  auto log = AuditLog::open(o).value();
  std::vector<ActionRecord> batch;
  for (int64_t i = 0; i < state.range(0); ++i) batch.push_back(record_for(i));
  for (auto _ : state) {
    auto ids = log->record_batch(batch);
    if (!ids) state.SkipWithError("batch failed");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  std::filesystem::remove_all(std::filesystem::path(o.path).parent_path());
}
BENCHMARK(BM_record_batch)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_redact_command(benchmark::State& state) {
  std::string cmd =
      "GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 curl -H 'Authorization: Bearer "
      "abc.def.ghi' https://user:pw@example.com/x && echo done";
  for (auto _ : state) benchmark::DoNotOptimize(redact_text(cmd));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_redact_command);

void BM_verify(benchmark::State& state) {
  AuditOptions o;
  o.path = temp_db();
  auto log = AuditLog::open(o).value();
  std::vector<ActionRecord> batch;
  for (int64_t i = 0; i < 1000; ++i) batch.push_back(record_for(i));
  for (int k = 0; k < state.range(0) / 1000; ++k) (void)log->record_batch(batch);
  for (auto _ : state) {
    auto v = log->verify();
    if (!v || !v->ok) state.SkipWithError("verify failed");
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  std::filesystem::remove_all(std::filesystem::path(o.path).parent_path());
}
BENCHMARK(BM_verify)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace
