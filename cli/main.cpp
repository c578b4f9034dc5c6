// blastwall-core: every command, in this process. The `blastwall` front (cli/front/front.cpp)
// hands `check` and `hook` to the resident engine when one runs and execs this binary otherwise.
#include "cli/cli.hpp"

int main(int argc, char** argv) { return blastwall::cli::run_cli(argc, argv, false); }
