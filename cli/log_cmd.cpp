// STUB: the owning room replaces this file.
#include "cli/cli.hpp"
namespace blastwall::cli {
void register_log(CLI::App&, GlobalOptions&) {}
void register_audit(CLI::App&, GlobalOptions&) {}
void register_replay(CLI::App&, GlobalOptions&) {}
}  // namespace blastwall::cli
