// Helpers shared by the integrations tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "blastwall/verdict.hpp"

namespace blastwall::integrations::testing {

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void spit(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// Every regular file under dir, relative path -> bytes.
inline std::map<std::string, std::string> snapshot(const std::filesystem::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) {
      out[std::filesystem::relative(e.path(), dir).string()] = slurp(e.path());
    }
  }
  return out;
}

// A fresh empty directory under the system temp dir.
inline std::filesystem::path temp_dir(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() /
           ("blastwall-it-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

// The decision an agent would read from a hook answer (stdout, exit code), per agents.md.
inline std::string answer_decision(const std::string& agent, const std::string& out,
                                   int exit_code) {
  if (exit_code == 2) return "deny";
  if (exit_code != 0) return "error";
  if (out.empty()) return "allow";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(out);
  } catch (const std::exception&) {
    return "invalid-json";
  }
  if (agent == "cursor") return j.value("permission", "missing");
  if (agent == "gemini") {
    std::string d = j.value("decision", "allow");
    return d == "block" ? "deny" : d;
  }
  if (agent == "copilot") return j.value("permissionDecision", "allow");
  if (j.contains("hookSpecificOutput")) {
    const auto& h = j["hookSpecificOutput"];
    if (h.contains("permissionDecision")) return h["permissionDecision"].get<std::string>();
    if (h.contains("decision")) return h["decision"].value("behavior", "missing");
  }
  return "allow";
}

}  // namespace blastwall::integrations::testing
