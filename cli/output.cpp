#include "cli/output.hpp"

#include <unistd.h>

#include <cstdlib>

#include "cli/resident.hpp"

namespace blastwall::cli {

Style style_for_stdout(bool no_color) {
  Style s;
  // In the resident engine stdout is a buffer; the front said whether its own stdout is a TTY.
  bool tty = resident::active() ? resident::request().stdout_tty : isatty(STDOUT_FILENO) == 1;
  s.color = !no_color && tty && std::getenv("NO_COLOR") == nullptr;
  return s;
}

int exit_code_for(Decision d) { return static_cast<int>(d); }

}  // namespace blastwall::cli
