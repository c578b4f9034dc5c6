// STUB (shell-unwrap owner replaces).
#include "rules/shell/shell.hpp"
namespace blastwall::shell {
void unwrap(ShellParse&, const ShellEnv&, const Limits&) {}
}  // namespace blastwall::shell
