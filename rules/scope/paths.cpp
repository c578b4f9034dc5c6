// Lexical path resolution and classification. No file system access: an agent's command is judged
// before it runs, and symlinks are the sandbox's business (docs/THREAT_MODEL.md).
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "rules/scope/scope.hpp"

namespace blastwall::scope {
namespace {

bool has_prefix_dir(std::string_view path, std::string_view dir) {
  if (dir.empty()) return false;
  if (dir == "/") return !path.empty() && path[0] == '/';
  if (path.size() < dir.size() || path.compare(0, dir.size(), dir) != 0) return false;
  return path.size() == dir.size() || path[dir.size()] == '/';
}

// has_prefix_dir(path, head + "/" + tail) without building the string.
bool has_prefix_dir2(std::string_view path, std::string_view head, std::string_view tail) {
  const size_t n = head.size() + 1 + tail.size();
  if (path.size() < n || path.compare(0, head.size(), head) != 0 || path[head.size()] != '/' ||
      path.compare(head.size() + 1, tail.size(), tail) != 0)
    return false;
  return path.size() == n || path[n] == '/';
}

// Appends the components of `piece` to `out` ("/a/b" form), dropping empty and `.` components
// and letting `..` remove the last one.
void append_components(std::string& out, std::string_view piece) {
  size_t i = 0;
  while (i <= piece.size()) {
    size_t j = piece.find('/', i);
    if (j == std::string_view::npos) j = piece.size();
    auto part = piece.substr(i, j - i);
    if (part.empty() || part == ".") {
      // skip
    } else if (part == "..") {
      auto slash = out.rfind('/');
      out.resize(slash == std::string::npos ? 0 : slash);
    } else {
      out += '/';
      out += part;
    }
    i = j + 1;
  }
}

std::string_view basename_of(std::string_view p) {
  auto pos = p.rfind('/');
  return pos == std::string_view::npos ? p : p.substr(pos + 1);
}

// Build and package tools' credential files follow the agent-CLI ones. The entry after them is
// the bearer token of `blastwall mcp --listen` (docs/MCP.md): a credential like the others, and
// one the agent must not lift to drive the proxy's HTTP front itself.
constexpr std::array<std::string_view, 24> k_home_secrets{".ssh",
                                                          ".aws",
                                                          ".config/gcloud",
                                                          ".kube",
                                                          ".docker/config.json",
                                                          ".gnupg",
                                                          ".netrc",
                                                          ".git-credentials",
                                                          ".config/gh",
                                                          ".npmrc",
                                                          ".pypirc",
                                                          ".m2/settings.xml",
                                                          ".m2/settings-security.xml",
                                                          ".gradle/gradle.properties",
                                                          ".gem/credentials",
                                                          ".cargo/credentials.toml",
                                                          ".cargo/credentials",
                                                          ".config/composer/auth.json",
                                                          ".composer/auth.json",
                                                          ".pgpass",
                                                          ".my.cnf",
                                                          ".vault-token",
                                                          ".local/state/blastwall/mcp-http.token"};

constexpr std::array<std::string_view, 20> k_system_dirs{
    "/etc",  "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/boot", "/dev",
    "/proc", "/sys", "/var", "/opt",  "/srv", "/root",  "/home",  "/snap",   "/run",  "/mnt"};

// Re-creatable package-manager and tool caches under HOME. Only the cache part of a tool's
// directory: ~/.m2/repository, not ~/.m2 (settings.xml holds credentials).
constexpr std::array<std::string_view, 49> k_home_caches{".cache",
                                                         ".npm/_cacache",
                                                         ".npm/_npx",
                                                         ".npm/_logs",
                                                         ".yarn/cache",
                                                         ".yarn/berry/cache",
                                                         ".pnpm-store",
                                                         ".local/share/pnpm/store",
                                                         ".bun/install/cache",
                                                         ".cargo/registry",
                                                         ".cargo/git",
                                                         ".rustup/downloads",
                                                         ".m2/repository",
                                                         ".gradle/caches",
                                                         ".gradle/wrapper/dists",
                                                         ".gradle/daemon",
                                                         ".ivy2/cache",
                                                         ".coursier/cache",
                                                         "go/pkg/mod",
                                                         ".pub-cache",
                                                         ".nuget/packages",
                                                         ".composer/cache",
                                                         ".bundle/cache",
                                                         ".node-gyp",
                                                         "Library/Caches",
                                                         "Library/Developer/Xcode/DerivedData",
                                                         ".conda/pkgs",
                                                         ".terraform.d/plugin-cache",
                                                         ".android/cache",
                                                         ".sbt/boot",
                                                         ".cache/bazel",
                                                         ".gem/specs",
                                                         ".cabal/packages",
                                                         ".stack/pantry",
                                                         ".stack/indices",
                                                         ".ghcup/cache",
                                                         ".hex/packages",
                                                         ".cocoapods/repos",
                                                         ".android/build-cache",
                                                         ".konan/cache",
                                                         ".julia/compiled",
                                                         ".opam/download-cache",
                                                         ".conan2/p",
                                                         ".rustup/tmp",
                                                         ".nvm/.cache",
                                                         ".electron-gyp",
                                                         ".sonar/cache",
                                                         ".deno/gen",
                                                         "Library/Developer/CoreSimulator/Caches"};

constexpr std::array<std::string_view, 4> k_env_templates{".env.example", ".env.sample",
                                                          ".env.template", ".env.dist"};

}  // namespace

std::string resolve_path(std::string_view raw, std::string_view cwd, std::string_view home) {
  if (raw.empty()) return {};
  // Collapse //, /./ and /../ lexically. The pieces joined below meet at a '/', so resolving them
  // one after the other gives the components of their concatenation.
  std::string out;
  out.reserve(cwd.size() + raw.size() + 2);
  if (raw[0] == '~') {
    if (raw.size() == 1 || raw[1] == '/') {
      if (home.empty()) return {};
      append_components(out, home);
      append_components(out, raw.substr(1));
    } else {
      // ~user or ~user/x
      auto slash = raw.find('/');
      std::string user(raw.substr(1, slash == std::string_view::npos ? raw.npos : slash - 1));
      std::string full =
          (user == "root" ? std::string("/root") : "/home/" + user) +
          (slash == std::string_view::npos ? std::string() : std::string(raw.substr(slash)));
      append_components(out, full);
    }
  } else if (raw[0] == '/') {
    append_components(out, raw);
  } else {
    if (cwd.empty()) return {};
    append_components(out, cwd);
    append_components(out, raw);
  }
  return out.empty() ? "/" : out;
}

bool is_ui_token_path(std::string_view p) {
  auto base = basename_of(p);
  if (base != "ui-token" || p.size() <= base.size()) return false;
  auto dir = p.substr(0, p.size() - base.size() - 1);
  return basename_of(dir) == "blastwall";
}

bool is_state_dir(std::string_view p, std::string_view home) {
  if (!home.empty() && has_prefix_dir2(p, home, ".local/state/blastwall")) {
    auto tail = p.substr(home.size());
    return tail == "/.local/state/blastwall" || tail == "/.local/state/blastwall/";
  }
  // $XDG_STATE_HOME/blastwall: a directory named blastwall inside one named state.
  if (basename_of(p) != "blastwall" || p.size() <= 10) return false;
  return basename_of(p.substr(0, p.size() - 10)) == "state";
}

bool is_self_path(std::string_view p, std::string_view home) {
  if (p.empty()) return false;
  if (has_prefix_dir(p, "/etc/blastwall")) return true;
  if (!home.empty()) {
    if (has_prefix_dir2(p, home, ".config/blastwall") ||
        has_prefix_dir2(p, home, ".local/state/blastwall"))
      return true;
  }
  // Any .blastwall/ directory (project policy) and the binary itself.
  if (p.find("/.blastwall/") != std::string_view::npos || basename_of(p) == ".blastwall")
    return true;
  // blastwall's data wherever a platform convention puts an application's files, under any
  // home: `.local/share/blastwall` (XDG data), `.config/blastwall`, `/usr[/local]/share/blastwall`,
  // macOS `Library/Application Support|Preferences/blastwall`, Windows `AppData/Roaming|Local/
  // blastwall`. A project's own `build/share/blastwall` install tree is not one of them.
  for (size_t at = p.find("/blastwall"); at != std::string_view::npos;
       at = p.find("/blastwall", at + 1)) {
    const size_t end = at + 10;
    if (end != p.size() && p[end] != '/') continue;
    const auto up = p.substr(0, at);
    const auto parent = basename_of(up);
    auto above = up.substr(0, up.size() - parent.size());
    if (!above.empty()) above.remove_suffix(1);  // the '/' before parent
    const auto grand = basename_of(above);
    if (parent == ".config" || (parent == "share" && grand == ".local") || up == "/usr/share" ||
        up == "/usr/local/share" ||
        ((parent == "Application Support" || parent == "Preferences") && grand == "Library") ||
        ((parent == "Roaming" || parent == "Local") && grand == "AppData"))
      return true;
  }
  auto base = basename_of(p);
  if (base == "blastwall") {
    auto dir = p.substr(0, p.size() - base.size());
    if (dir.size() >= 5 && dir.substr(dir.size() - 5) == "/bin/") return true;
  }
  // Hook registrations in agents' settings.
  auto parent_is = [&](std::string_view dirname) {
    auto dir = p.substr(0, p.size() - base.size());
    if (dir.empty()) return false;
    dir.remove_suffix(1);
    return basename_of(dir) == dirname;
  };
  if (parent_is(".claude") && base.substr(0, 8) == "settings" && base.size() > 5 &&
      base.substr(base.size() - 5) == ".json")
    return true;
  if (parent_is(".cursor") && base == "hooks.json") return true;
  if (parent_is(".gemini") && base == "settings.json") return true;
  if (parent_is(".codex") && (base == "hooks.json" || base == "config.toml")) return true;
  if (parent_is("hooks") && p.find("/.github/hooks/") != std::string_view::npos) return true;
  return false;
}

PathClass classify_path(std::string_view p, const ActionContext& ctx, const ScopeConfig& config) {
  if (p.empty()) return PathClass::unknown;
  if (p == "/") return PathClass::root;
  const std::string& home = ctx.home;
  if (!home.empty() && p == home) return PathClass::home_root;
  auto base = basename_of(p);
  if (base == ".env" ||
      (base.substr(0, 5) == ".env." &&
       std::find(k_env_templates.begin(), k_env_templates.end(), base) == k_env_templates.end()))
    return PathClass::home_secret;
  // Every home secret and cache entry is a path under HOME starting with '.', 'g' or 'L': look at
  // the part after HOME once instead of re-matching HOME for every entry.
  std::string_view home_rel;
  if (!home.empty() && p.size() > home.size() + 1 && has_prefix_dir(p, home))
    home_rel = p.substr(home.size() + 1);
  auto rel_under = [&](std::string_view entry) {
    return home_rel.size() >= entry.size() && home_rel.compare(0, entry.size(), entry) == 0 &&
           (home_rel.size() == entry.size() || home_rel[entry.size()] == '/');
  };
  if (!home_rel.empty() && home_rel[0] == '.') {
    for (auto s : k_home_secrets) {
      if (rel_under(s)) return PathClass::home_secret;
    }
  }
  if (!home.empty()) {
    // Tool caches are throw-away in the same sense as temp: deleting them costs a re-download.
    const char c0 = home_rel.empty() ? '\0' : home_rel[0];
    if (c0 == '.' || c0 == 'g' || c0 == 'L') {
      for (auto s : k_home_caches) {
        if (rel_under(s)) return PathClass::temp;
      }
      // ~/.gem/ruby/3.3.0/cache: gem's download cache lives under a versioned directory.
      if (rel_under(".gem") && home_rel.find("/cache") != std::string_view::npos)
        return PathClass::temp;
    }
  }
  for (const auto& t : config.temp_dirs) {
    if (has_prefix_dir(p, t)) return PathClass::temp;
  }
  if (auto it = ctx.env.find("TMPDIR");
      it != ctx.env.end() && it->second.size() > 1 && has_prefix_dir(p, it->second))
    return PathClass::temp;
  if (!ctx.project_root.empty() && has_prefix_dir(p, ctx.project_root))
    return PathClass::inside_project;
  if (!home.empty() && has_prefix_dir(p, home)) return PathClass::outside_project;
  for (auto s : k_system_dirs) {
    if (has_prefix_dir(p, s)) return PathClass::system;
  }
  // Any other top-level directory (/data, /x) is system-level: it is not anyone's workspace.
  if (p.find('/', 1) == std::string_view::npos) return PathClass::system;
  return PathClass::outside_project;
}

namespace {
bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
}  // namespace

bool matches_prod(std::string_view value, const std::vector<std::string>& patterns) {
  for (const auto& pat : patterns) {
    if (pat.empty() || pat.size() > value.size()) continue;
    for (size_t i = 0; i + pat.size() <= value.size(); ++i) {
      if (i > 0 && is_alnum(value[i - 1])) continue;
      size_t k = 0;
      while (k < pat.size() && lower(value[i + k]) == lower(pat[k])) ++k;
      if (k != pat.size()) continue;
      size_t after = i + k;
      if (after < value.size() && is_alnum(value[after])) continue;
      return true;
    }
  }
  return false;
}

bool matches_prod_camel(std::string_view value, const std::vector<std::string>& patterns) {
  if (matches_prod(value, patterns)) return true;
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower_c = [](char c) { return c >= 'a' && c <= 'z'; };
  for (const auto& pat : patterns) {
    if (pat.empty() || pat.size() > value.size()) continue;
    for (size_t i = 0; i + pat.size() <= value.size(); ++i) {
      // The word starts at a CamelCase boundary (capital after a lower-case letter or digit,
      // or a capital at the start) ...
      if (!upper(value[i])) continue;
      if (i > 0 && is_alnum(value[i - 1]) && upper(value[i - 1])) continue;
      size_t k = 0;
      while (k < pat.size() && lower(value[i + k]) == lower(pat[k])) ++k;
      if (k != pat.size() || (k > 1 && !lower_c(value[i + 1]))) continue;  // `PRODUCT`: caps
      // ... and ends at one: the next character starts a new word or is not a letter.
      const size_t after = i + k;
      if (after < value.size() && lower_c(value[after])) continue;
      return true;
    }
  }
  return false;
}

bool matches_branch(std::string_view branch, const std::vector<std::string>& patterns) {
  if (branch.substr(0, 11) == "refs/heads/") branch.remove_prefix(11);
  for (const auto& pat : patterns) {
    if (!pat.empty() && pat.back() == '*') {
      std::string_view prefix(pat.data(), pat.size() - 1);
      if (branch.substr(0, prefix.size()) == prefix) return true;
    } else if (branch == pat) {
      return true;
    }
  }
  return false;
}

}  // namespace blastwall::scope
