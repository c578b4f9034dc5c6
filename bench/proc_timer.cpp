// Whole-process wall time, the way an agent host runs a hook: spawn, feed stdin from a file, wait.
// Cases are run interleaved (one call of each per round), so a noisy machine slows every case alike
// and ratios between cases stay meaningful.
//
// usage: blastwall_proc_timer SPEC_FILE ROUNDS [WARMUP] [alternate]
//   SPEC_FILE: one case per line, fields separated by TABs: name, stdin file ("-" = /dev/null),
//   then optional NAME=VALUE fields that set or replace variables in that case's environment
//   (built once, so a case pays no `/usr/bin/env` exec per call), then argv (argv[0] is a path).
//   Prints name, median, p95, p99 and mean in ms per case. `alternate` runs every other round in
//   reverse case order, so no case always follows the same neighbour (A/B specs).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern char** environ;

namespace {

struct Case {
  std::string name, input;
  std::vector<std::string> argv;
  std::vector<std::string> env;  // empty: the timer's own environment
  std::vector<double> ms;
};

// NAME=VALUE with a shell-style name: an environment override, not argv[0] (a path).
bool is_assignment(const std::string& f) {
  size_t eq = f.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  for (size_t i = 0; i < eq; ++i) {
    char c = f[i];
    bool ok = c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// The timer's environment with `overrides` applied (same order; new names appended).
std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) env.emplace_back(*e);
  for (const auto& o : overrides) {
    std::string name = o.substr(0, o.find('=') + 1);
    auto it = std::find_if(env.begin(), env.end(), [&](const std::string& e) {
      return e.compare(0, name.size(), name) == 0;
    });
    if (it != env.end()) {
      *it = o;
    } else {
      env.push_back(o);
    }
  }
  return env;
}

double now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

// One call: returns wall ms, or a negative number when the process could not be started.
double run_once(const Case& c) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, c.input == "-" ? "/dev/null" : c.input.c_str(), O_RDONLY,
                                   0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> argv;
  for (const auto& a : c.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : c.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  double t0 = now_ms();
  pid_t pid = 0;
  int rc =
      posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), c.env.empty() ? environ : envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return now_ms() - t0;
}

double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s SPEC_FILE ROUNDS [WARMUP] [alternate]\n", argv[0]);
    return 2;
  }
  std::ifstream spec(argv[1]);
  std::vector<Case> cases;
  for (std::string line; std::getline(spec, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    for (std::string field; std::getline(ss, field, '\t');) f.push_back(field);
    size_t first = 2;
    std::vector<std::string> overrides;
    while (first < f.size() && is_assignment(f[first])) overrides.push_back(f[first++]);
    if (first >= f.size()) continue;
    cases.push_back(
        Case{f[0],
             f[1],
             {f.begin() + static_cast<std::ptrdiff_t>(first), f.end()},
             overrides.empty() ? std::vector<std::string>{} : environment_with(overrides),
             {}});
  }
  int rounds = std::atoi(argv[2]);
  int warmup = argc > 3 ? std::atoi(argv[3]) : 10;
  bool alternate = argc > 4 && std::string(argv[4]) == "alternate";
  if (cases.empty() || rounds <= 0) return 2;
  std::vector<size_t> order(cases.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (int r = -warmup; r < rounds; ++r) {
    if (alternate) std::reverse(order.begin(), order.end());
    for (size_t i : order) {
      Case& c = cases[i];
      double ms = run_once(c);
      if (ms < 0) {
        std::fprintf(stderr, "cannot start %s\n", c.argv[0].c_str());
        return 1;
      }
      if (r >= 0) c.ms.push_back(ms);
    }
  }
  std::printf("%-34s %9s %9s %9s %9s\n", "case", "median", "p95", "p99", "mean");
  for (const auto& c : cases) {
    double mean = 0;
    for (double x : c.ms) mean += x;
    mean /= static_cast<double>(c.ms.size());
    std::printf("%-34s %7.2fms %7.2fms %7.2fms %7.2fms\n", c.name.c_str(), pct(c.ms, 50),
                pct(c.ms, 95), pct(c.ms, 99), mean);
  }
  return 0;
}
