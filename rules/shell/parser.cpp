// STUB (shell-parser owner replaces).
#include "rules/shell/shell.hpp"
namespace blastwall::shell {
std::string SimpleCommand::joined() const {
  std::string s;
  for (const auto& w : argv) { if (!s.empty()) s += ' '; s += w.text; }
  return s;
}
ShellParse parse_raw(std::string_view, const ShellEnv&, const Limits&, int) {
  ShellParse p; p.complete = false; p.fail_closed = true; p.fail_reason = "parser not built"; return p;
}
ShellParse parse_shell(std::string_view line, const ShellEnv& env, const Limits& limits) {
  auto p = parse_raw(line, env, limits, 0);
  unwrap(p, env, limits);
  return p;
}
}  // namespace blastwall::shell
