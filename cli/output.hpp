// Small helpers for human output: colour only on a TTY and when not disabled.
#pragma once

#include <string>
#include <string_view>

#include "blastwall/verdict.hpp"

namespace blastwall::cli {

struct Style {
  bool color = false;
  [[nodiscard]] std::string paint(std::string_view text, std::string_view code) const {
    if (!color) return std::string(text);
    return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
  }
  [[nodiscard]] std::string decision(Decision d) const {
    switch (d) {
      case Decision::allow:
        return paint("ALLOW", "32;1");
      case Decision::ask:
        return paint("ASK  ", "33;1");
      case Decision::deny:
        return paint("DENY ", "31;1");
    }
    return "?";
  }
};

// Colour when stdout is a terminal, NO_COLOR is unset and --no-color was not given.
[[nodiscard]] Style style_for_stdout(bool no_color);

// "allow" -> 0, "ask" -> 1, "deny" -> 2 (blastwall check's exit codes).
[[nodiscard]] int exit_code_for(Decision d);

}  // namespace blastwall::cli
