// Shared helpers for the pack loader tests.
#pragma once

#include <string>

namespace blastwall::rules::testing {

// A valid pack header followed by `rules_yaml` (which starts at line 6 of the text).
inline std::string pack_with_rules(const std::string& rules_yaml) {
  return "format: 1\n"         // line 1
         "pack:\n"             // line 2
         "  id: t.pack\n"      // line 3
         "  version: 1.0.0\n"  // line 4
         "rules:\n" +          // line 5
         rules_yaml;
}

// One rule whose `when` is `when_yaml` (flow style, on line 9).
inline std::string pack_with_when(const std::string& when_yaml) {
  return pack_with_rules(
      "  - id: t.pack.r\n"   // line 6
      "    title: T\n"       // line 7
      "    decision: ask\n"  // line 8
      "    when: " +
      when_yaml +
      "\n"                  // line 9
      "    message: m\n");  // line 10
}

}  // namespace blastwall::rules::testing
