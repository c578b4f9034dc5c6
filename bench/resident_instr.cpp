// Instructions per later call of the resident engine, for callgrind (bench/packs.sh instructions):
// runs `check --no-audit COMMAND` in-process the way `blastwall-core serve` does (resident::begin
// .. end around run_cli, the server's poll of the path watch before each request), alternating
// XDG_CONFIG_HOME between the given configurations, and dumps one callgrind profile per batch of
// N calls of one configuration.
//   blastwall_resident_instr N ROUNDS COMMAND LABEL=CONFIG_DIR...
#include <poll.h>
#include <valgrind/callgrind.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "cli/cli.hpp"
#include "cli/resident.hpp"

namespace {

void one_call(const std::string& command) {
  using namespace blastwall::cli;
  pollfd p{resident::watch_fd(), POLLIN, 0};
  if (p.fd >= 0) {
    int r = ::poll(&p, 1, 0);
    if (r >= 0) resident::watch_polled((p.revents & POLLIN) != 0);
  }
  resident::begin(resident::Request{});
  const char* argv[] = {"blastwall", "check", "--no-audit", command.c_str(), nullptr};
  (void)run_cli(4, argv, true);
  std::fflush(stdout);
  resident::end();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s N ROUNDS COMMAND LABEL=CONFIG_DIR...\n", argv[0]);
    return 2;
  }
  const int n = std::atoi(argv[1]);
  const int rounds = std::atoi(argv[2]);
  const std::string command = argv[3];
  std::vector<std::pair<std::string, std::string>> configs;
  for (int i = 4; i < argc; ++i) {
    std::string a = argv[i];
    auto eq = a.find('=');
    if (eq == std::string::npos) return 2;
    configs.emplace_back(a.substr(0, eq), a.substr(eq + 1));
  }
  for (int warm = 0; warm < 3; ++warm) {
    for (const auto& [label, dir] : configs) {
      ::setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
      one_call(command);
    }
  }
  for (int round = 0; round < rounds; ++round) {
    for (const auto& [label, dir] : configs) {
      ::setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
      one_call(command);  // the first call after a switch is not one of the N
      CALLGRIND_ZERO_STATS;
      for (int i = 0; i < n; ++i) one_call(command);
      CALLGRIND_DUMP_STATS_AT(label.c_str());
    }
  }
  blastwall::cli::resident::clear();
  return 0;
}
