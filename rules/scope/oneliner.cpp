// Delete calls in interpreter one-liners, reduced to the paths they name so that they follow the
// same rules as rm: a literal build output or temp path is routine, anything computed is not.
#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/scope/extra_facts.hpp"

namespace blastwall::scope {

std::vector<std::pair<std::string, bool>> interpreter_delete_paths(std::string_view code) {
  // Call names whose first argument is the path deleted (Python, Node, Ruby, Perl, PHP).
  static constexpr std::string_view k_calls[] = {
      "rmtree(",    "os.remove(",  "os.unlink(",    "os.rmdir(",   "os.removedirs(", "rmSync(",
      "rmdirSync(", "unlinkSync(", "fs.rm(",        "fs.rmdir(",   "fs.unlink(",     "rm_rf(",
      "rm_r(",      "rm_f(",       "FileUtils.rm(", "remove_dir(", "remove_entry(",  "File.delete(",
      "Dir.rmdir(", "Dir.delete(", "remove_tree(",  "rimraf(",     "rimraf.sync(",   "unlink(",
      "rmdir(",     ".unlink(",    ".rmdir(",       "unlink ",     "rmtree ",        "rm_rf ",
      "rm_r "};
  std::vector<std::pair<std::string, bool>> out;
  std::vector<size_t> seen;  // call positions already handled (longer names first)
  for (auto call : k_calls) {
    size_t pos = 0;
    while ((pos = code.find(call, pos)) != std::string_view::npos) {
      const size_t at = pos;
      pos += call.size();
      // `os.unlink(` also contains `unlink(`: count each call site once.
      bool dup = false;
      for (size_t s : seen)
        if (at >= s && at < s + 16) dup = true;
      if (dup) continue;
      seen.push_back(at);
      size_t i = at + call.size();
      while (i < code.size() && (code[i] == ' ' || code[i] == '\t')) ++i;
      if (i < code.size() && (code[i] == '\'' || code[i] == '"')) {
        const char q = code[i];
        size_t end = code.find(q, i + 1);
        std::string_view lit =
            end == std::string_view::npos ? std::string_view() : code.substr(i + 1, end - i - 1);
        // A literal with interpolation (#{...}, ${...}, %s, {}) is not a literal.
        if (!lit.empty() && lit.find("#{") == std::string_view::npos &&
            lit.find("${") == std::string_view::npos && lit.find('%') == std::string_view::npos &&
            lit.find('{') == std::string_view::npos && lit.find('$') == std::string_view::npos) {
          out.emplace_back(std::string(lit), false);
          continue;
        }
      }
      // `d = 'build'; shutil.rmtree(d)`: a name last assigned a plain literal before the call.
      size_t e = i;
      while (e < code.size() &&
             (std::isalnum(static_cast<unsigned char>(code[e])) != 0 || code[e] == '_'))
        ++e;
      if (e > i && e < code.size() && code[e] == ')') {
        const std::string name(code.substr(i, e - i));
        std::string lit;
        bool found = false;
        for (size_t a = code.find(name); a != std::string_view::npos && a < at;
             a = code.find(name, a + 1)) {
          if (a > 0 && (std::isalnum(static_cast<unsigned char>(code[a - 1])) != 0 ||
                        code[a - 1] == '_' || code[a - 1] == '.'))
            continue;
          size_t k = a + name.size();
          while (k < code.size() && code[k] == ' ') ++k;
          if (k >= code.size() || code[k] != '=' || (k + 1 < code.size() && code[k + 1] == '='))
            continue;
          ++k;
          while (k < code.size() && code[k] == ' ') ++k;
          if (k < code.size() && (code[k] == '\'' || code[k] == '"')) {
            const size_t q = code.find(code[k], k + 1);
            const size_t stop = code.find_first_of(";\n", k);
            if (q != std::string_view::npos && (stop == std::string_view::npos || stop > q) &&
                (q + 1 >= code.size() ||
                 code.find_first_not_of(' ', q + 1) == std::string_view::npos ||
                 code[code.find_first_not_of(' ', q + 1)] == ';' ||
                 code[code.find_first_not_of(' ', q + 1)] == '\n')) {
              lit = std::string(code.substr(k + 1, q - k - 1));
              found = lit.find_first_of("{}$%#") == std::string::npos && !lit.empty();
              continue;
            }
          }
          found = false;  // assigned something that is not a plain literal
        }
        if (found) {
          out.emplace_back(lit, false);
          continue;
        }
      }
      out.emplace_back(std::string(), true);
    }
  }
  return out;
}

bool is_junk_name(std::string_view v) {
  static constexpr std::string_view k_junk[] = {"__pycache__",   "*.pyc",
                                                "*.pyo",         "*.py[co]",
                                                "*.orig",        "*.rej",
                                                "*.swp",         "*.swo",
                                                ".*.swp",        "*~",
                                                ".DS_Store",     "Thumbs.db",
                                                "*.o",           "*.obj",
                                                "*.class",       "node_modules",
                                                ".pytest_cache", ".mypy_cache",
                                                ".ruff_cache",   ".tox",
                                                "*.egg-info",    "build",
                                                "dist",          "target",
                                                "bin",           "obj",
                                                "coverage",      ".coverage",
                                                ".next",         ".turbo",
                                                ".cache",        ".parcel-cache",
                                                ".nyc_output",   ".gradle",
                                                "*.tmp",         ".ipynb_checkpoints",
                                                ".terraform",    ".terragrunt-cache",
                                                ".serverless",   ".aws-sam"};
  for (auto j : k_junk)
    if (v == j) return true;
  return false;
}

bool interpreter_deletes_only_junk(std::string_view code) {
  auto calls = interpreter_delete_paths(code);
  if (calls.empty()) return false;
  for (const auto& [path, dyn] : calls)
    if (!dyn) return false;
  size_t globs = 0;
  for (auto g : {"rglob(", "glob(", "iglob(", "Dir.glob(", "Dir["}) {
    size_t pos = 0;
    while ((pos = code.find(g, pos)) != std::string_view::npos) {
      pos += std::string_view(g).size();
      if (pos >= code.size() || (code[pos] != '\'' && code[pos] != '"')) return false;
      const char q = code[pos];
      size_t end = code.find(q, pos + 1);
      if (end == std::string_view::npos) return false;
      std::string_view pat = code.substr(pos + 1, end - pos - 1);
      auto slash = pat.rfind('/');
      if (!is_junk_name(slash == std::string_view::npos ? pat : pat.substr(slash + 1)))
        return false;
      ++globs;
      pos = end;
    }
  }
  return globs > 0;
}

}  // namespace blastwall::scope
