// STUB: the owning room replaces this file.
#include "cli/cli.hpp"
namespace blastwall::cli {
void register_check(CLI::App&, GlobalOptions&) {}
void register_rules(CLI::App&, GlobalOptions&) {}
void register_demo(CLI::App&, GlobalOptions&) {}
void register_corpus(CLI::App&, GlobalOptions&) {}
}  // namespace blastwall::cli
