// libFuzzer target: the full shell parse (stage 1 + unwrap) on arbitrary bytes with small limits.
// It must never crash, hang or read out of bounds; spans must stay inside the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rules/shell/shell.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace blastwall::shell;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  ShellEnv env;
  env.cwd = "/home/dev/project";
  env.home = "/home/dev";
  env.user = "dev";
  env.vars["TARGET"] = "/etc";
  Limits limits;
  limits.max_input_bytes = 64 * 1024;
  limits.max_depth = 8;
  limits.max_commands = 256;
  limits.max_words = 4096;

  ShellParse raw = parse_raw(line, env, limits);
  if (raw.fail_closed == raw.complete && raw.fail_closed) std::abort();  // fail_closed => !complete
  for (const auto& c : raw.commands) {
    if (c.begin > c.end || c.end > size) std::abort();
    for (const auto& w : c.argv) {
      if (w.begin > w.end || w.end > size) std::abort();
    }
    if (c.dynamic_verb != (!c.argv.empty() && c.argv[0].dynamic)) std::abort();
  }
  if (raw.commands.size() > limits.max_commands) std::abort();

  ShellParse full = parse_shell(line, env, limits);
  (void)full;
  return 0;
}
