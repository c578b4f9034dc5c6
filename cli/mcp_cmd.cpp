// STUB: the owning room replaces this file.
#include "cli/cli.hpp"
namespace blastwall::cli {
void register_mcp(CLI::App&, GlobalOptions&) {}
void register_approvals(CLI::App&, GlobalOptions&) {}
void register_pins(CLI::App&, GlobalOptions&) {}
}  // namespace blastwall::cli
