#include "cli/output.hpp"

#include <unistd.h>

#include <cstdlib>

namespace blastwall::cli {

Style style_for_stdout(bool no_color) {
  Style s;
  s.color = !no_color && isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  return s;
}

int exit_code_for(Decision d) { return static_cast<int>(d); }

}  // namespace blastwall::cli
