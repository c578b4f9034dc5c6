// STUB: the owning room replaces this file.
#include "cli/cli.hpp"
namespace blastwall::cli {
void register_hook(CLI::App&, GlobalOptions&) {}
void register_install(CLI::App&, GlobalOptions&) {}
void register_doctor(CLI::App&, GlobalOptions&) {}
}  // namespace blastwall::cli
