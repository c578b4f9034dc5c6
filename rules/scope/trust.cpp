// Trust facts: writes that install code which runs later or elsewhere, or change whom the tools
// trust, and writes outside the project. One fact whatever the surface: an agent's Write/Edit tool,
// an MCP write_file, a shell redirection, cp/mv/ln/install/tee/sed -i, or a tool's own config
// command all reach the same classification of the written path.
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "rules/scope/extra_facts.hpp"

namespace blastwall::scope {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool under(std::string_view path, std::string_view dir) {
  return !dir.empty() && starts_with(path, dir) &&
         (path.size() == dir.size() || path[dir.size()] == '/' || dir.back() == '/');
}
std::string_view base_of(std::string_view p) {
  auto pos = p.rfind('/');
  return pos == std::string_view::npos ? p : p.substr(pos + 1);
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

struct Location {
  const char* fact = nullptr;  // installs_code | trust_change | nullptr
  std::string why;
};

// HOME-relative files and directories (a trailing '/' means everything under it).
struct HomeEntry {
  std::string_view rel;
  const char* fact;
  const char* what;
};
constexpr std::array<HomeEntry, 60> k_home_entries{{
    // Shell and session start-up: runs in every new shell or login.
    {".bashrc", "installs_code", "shell start-up file"},
    {".bash_profile", "installs_code", "login shell file"},
    {".bash_login", "installs_code", "login shell file"},
    {".bash_logout", "installs_code", "shell logout file"},
    {".profile", "installs_code", "login shell file"},
    {".zshrc", "installs_code", "shell start-up file"},
    {".zshenv", "installs_code", "shell start-up file"},
    {".zprofile", "installs_code", "login shell file"},
    {".zlogin", "installs_code", "login shell file"},
    {".zlogout", "installs_code", "shell logout file"},
    {".cshrc", "installs_code", "shell start-up file"},
    {".tcshrc", "installs_code", "shell start-up file"},
    {".kshrc", "installs_code", "shell start-up file"},
    {".xprofile", "installs_code", "session start-up file"},
    {".xinitrc", "installs_code", "session start-up file"},
    {".xsessionrc", "installs_code", "session start-up file"},
    {".config/fish/", "installs_code", "fish shell configuration"},
    {".oh-my-zsh/custom/", "installs_code", "shell start-up plugin"},
    // Autostart.
    {".config/systemd/user/", "installs_code", "systemd user unit"},
    {".local/share/systemd/user/", "installs_code", "systemd user unit"},
    {".config/autostart/", "installs_code", "XDG autostart entry"},
    {"Library/LaunchAgents/", "installs_code", "launchd agent"},
    // Commands on PATH: whatever is written there runs instead of, or as, a command.
    {".local/bin/", "installs_code", "command on PATH"},
    {"bin/", "installs_code", "command on PATH"},
    {".cargo/bin/", "installs_code", "command on PATH"},
    {"go/bin/", "installs_code", "command on PATH"},
    // Build tools' user-level hooks that run in every build.
    {".gradle/init.d/", "installs_code", "Gradle init script (runs in every build)"},
    {".gradle/init.gradle", "installs_code", "Gradle init script (runs in every build)"},
    {".gradle/init.gradle.kts", "installs_code", "Gradle init script (runs in every build)"},
    {".githooks/", "installs_code", "git hooks directory"},
    {".config/git/hooks/", "installs_code", "git hooks directory"},
    // Tool configuration and credentials: registries, proxies, hosts, tokens.
    {".gitconfig", "trust_change", "user git configuration"},
    {".config/git/config", "trust_change", "user git configuration"},
    {".ssh/config", "trust_change", "ssh client configuration"},
    {".ssh/authorized_keys", "trust_change", "ssh authorized keys (who may log in)"},
    {".ssh/rc", "installs_code", "ssh login script"},
    {".ssh/environment", "trust_change", "ssh login environment"},
    {".npmrc", "trust_change", "npm user configuration (registry, tokens)"},
    {".yarnrc", "trust_change", "yarn user configuration"},
    {".yarnrc.yml", "trust_change", "yarn user configuration"},
    {".pypirc", "trust_change", "PyPI upload credentials"},
    {".netrc", "trust_change", "netrc credentials"},
    {".git-credentials", "trust_change", "git credential store"},
    {".pip/pip.conf", "trust_change", "pip configuration (package index)"},
    {".config/pip/pip.conf", "trust_change", "pip configuration (package index)"},
    {".condarc", "trust_change", "conda configuration (channels)"},
    {".cargo/config.toml", "trust_change", "cargo user configuration (registries)"},
    {".cargo/config", "trust_change", "cargo user configuration (registries)"},
    {".cargo/credentials.toml", "trust_change", "cargo registry token"},
    {".cargo/credentials", "trust_change", "cargo registry token"},
    {".m2/settings.xml", "trust_change", "maven settings (repositories, credentials)"},
    {".m2/settings-security.xml", "trust_change", "maven master password"},
    {".gradle/gradle.properties", "trust_change", "gradle user properties (credentials)"},
    {".gem/credentials", "trust_change", "rubygems credentials"},
    {".gemrc", "trust_change", "rubygems configuration (sources)"},
    {".bundle/config", "trust_change", "bundler user configuration"},
    {".config/composer/", "trust_change", "composer user configuration"},
    {".composer/", "trust_change", "composer user configuration"},
    {".docker/config.json", "trust_change", "docker credentials"},
    {".nuget/NuGet/NuGet.Config", "trust_change", "NuGet configuration (feeds)"},
}};

// Absolute system locations.
struct AbsEntry {
  std::string_view path;
  const char* fact;
  const char* what;
};
constexpr std::array<AbsEntry, 20> k_abs_entries{{
    {"/etc/systemd/", "installs_code", "systemd unit"},
    {"/lib/systemd/", "installs_code", "systemd unit"},
    {"/usr/lib/systemd/", "installs_code", "systemd unit"},
    {"/etc/init.d/", "installs_code", "init script"},
    {"/etc/rc.local", "installs_code", "boot script"},
    {"/etc/cron.d/", "installs_code", "cron job"},
    {"/etc/cron.hourly/", "installs_code", "cron job"},
    {"/etc/cron.daily/", "installs_code", "cron job"},
    {"/etc/cron.weekly/", "installs_code", "cron job"},
    {"/etc/cron.monthly/", "installs_code", "cron job"},
    {"/etc/crontab", "installs_code", "cron table"},
    {"/var/spool/cron/", "installs_code", "cron table"},
    {"/etc/xdg/autostart/", "installs_code", "XDG autostart entry"},
    {"/Library/LaunchAgents/", "installs_code", "launchd agent"},
    {"/Library/LaunchDaemons/", "installs_code", "launchd daemon"},
    {"/etc/profile", "installs_code", "login shell file"},
    {"/etc/profile.d/", "installs_code", "login shell file"},
    {"/etc/bash.bashrc", "installs_code", "shell start-up file"},
    {"/usr/local/bin/", "installs_code", "command on PATH"},
    {"/etc/pip.conf", "trust_change", "pip configuration (package index)"},
}};

constexpr std::array<std::string_view, 14> k_ci_files{".gitlab-ci.yml",
                                                      ".gitlab-ci.yaml",
                                                      "Jenkinsfile",
                                                      ".travis.yml",
                                                      "azure-pipelines.yml",
                                                      "azure-pipelines.yaml",
                                                      "bitbucket-pipelines.yml",
                                                      ".drone.yml",
                                                      ".woodpecker.yml",
                                                      "appveyor.yml",
                                                      ".appveyor.yml",
                                                      "cloudbuild.yaml",
                                                      "cloudbuild.yml",
                                                      "buildspec.yml"};
constexpr std::array<std::string_view, 7> k_ci_dirs{
    "/.github/workflows/", "/.github/actions/", "/.circleci/", "/.buildkite/",
    "/.woodpecker/",       "/.gitlab/ci/",      "/.tekton/"};

// Where a written path sits, independent of what is written.
Location location_of(std::string_view p, const ActionContext& ctx) {
  Location loc;
  // Directory patterns also match the directory itself as a destination (cp x .git/hooks/).
  auto has_dir = [&](std::string_view d) {
    return p.find(d) != std::string_view::npos || ends_with(p, d.substr(0, d.size() - 1));
  };
  auto set = [&](const char* fact, std::string what) {
    loc.fact = fact;
    loc.why = std::move(what);
  };
  const auto base = base_of(p);
  if (has_dir("/.git/hooks/") && !ends_with(base, ".sample")) {
    set("installs_code", "git hook " + std::string(p));
    return loc;
  }
  if (has_dir("/.husky/")) {
    set("installs_code", "git hook (husky) " + std::string(p));
    return loc;
  }
  if (ends_with(p, "/.git/config")) {
    set("trust_change", "repository git configuration " + std::string(p) +
                            " (hooksPath, aliases, sshCommand run as commands)");
    return loc;
  }
  for (auto d : k_ci_dirs) {
    if (has_dir(d)) {
      set("installs_code", "CI definition " + std::string(p));
      return loc;
    }
  }
  for (auto f : k_ci_files) {
    if (base == f || (f == "Jenkinsfile" && starts_with(base, "Jenkinsfile."))) {
      set("installs_code", "CI definition " + std::string(p));
      return loc;
    }
  }
  if (ends_with(base, ".pth") && (p.find("/site-packages/") != std::string_view::npos ||
                                  p.find("/dist-packages/") != std::string_view::npos)) {
    set("installs_code", "Python .pth file (runs at every interpreter start) " + std::string(p));
    return loc;
  }
  if (base == "sitecustomize.py" || base == "usercustomize.py") {
    set("installs_code", "Python start-up module " + std::string(p));
    return loc;
  }
  // Files of the project (unless the project is HOME itself) are not dotfiles or system locations.
  const std::string& home = ctx.home;
  if (!ctx.project_root.empty() && ctx.project_root != home && under(p, ctx.project_root))
    return loc;
  if (!home.empty() && under(p, home) && p.size() > home.size()) {
    std::string_view rel = p.substr(home.size() + 1);
    for (const auto& e : k_home_entries) {
      const bool dir = e.rel.back() == '/';
      if (dir ? (starts_with(rel, e.rel) || rel == e.rel.substr(0, e.rel.size() - 1))
              : rel == e.rel) {
        set(e.fact, std::string(e.what) + " ~/" + std::string(rel));
        return loc;
      }
    }
  }
  for (const auto& e : k_abs_entries) {
    const bool dir = e.path.back() == '/';
    if (dir ? (starts_with(p, e.path) || p == e.path.substr(0, e.path.size() - 1)) : p == e.path) {
      set(e.fact, std::string(e.what) + " " + std::string(p));
      return loc;
    }
  }
  return loc;
}

// --- Content of manifests and build scripts ---

// Text that downloads and runs code, in any language a build file is written in.
const RE2& fetch_run_re() {
  static const RE2 re(
      R"re((?i)((curl|wget|fetch|iwr|invoke-webrequest|invoke-restmethod)\b[^\n|;]*\|\s*(sudo\s+)?(ba|z|da|k|fi)?sh\b)re"
      R"re(|((curl|wget)\b[^\n|;]*\|\s*(sudo\s+)?(python[0-9.]*|node|perl|ruby|php|iex))\b)re"
      R"re(|\b(ba|z)?sh\s+(-c\s+)?["']?\$\(\s*(curl|wget))re"
      R"re(|\b(ba|z)?sh\s+<\(\s*(curl|wget))re"
      R"re(|urlopen\([^\n]*\)\.read\(\)[^\n]*\bexec\b|\bexec\([^\n]*urlopen))re");
  return re;
}
// Process-spawning calls in Python, Ruby, Rust, JVM and JS build files.
const RE2& spawn_re() {
  static const RE2 re(
      R"re(\bos\.(system|popen|exec[lv]p?e?)\s*\(|\bsubprocess\.|\bPopen\s*\(|\bKernel\.(system|exec)\b|\bsystem\s*\(|\bexec\s*\(|%x[({]|Command::new\s*\(\s*"(sh|bash|zsh|cmd|powershell|pwsh|curl|wget)"|Runtime\.getRuntime\(\)\.exec|ProcessBuilder\s*\(|child_process|execSync\s*\(|spawnSync\s*\()re");
  return re;
}

constexpr std::array<std::string_view, 15> k_npm_lifecycle{
    "preinstall",     "install",    "postinstall", "preuninstall", "uninstall",
    "postuninstall",  "prepublish", "preprepare",  "prepare",      "postprepare",
    "prepublishOnly", "prepack",    "postpack",    "dependencies", "prestart"};
constexpr std::array<std::string_view, 10> k_composer_lifecycle{
    "pre-install-cmd",           "post-install-cmd",        "pre-update-cmd",
    "post-update-cmd",           "pre-autoload-dump",       "post-autoload-dump",
    "post-root-package-install", "post-create-project-cmd", "pre-package-install",
    "post-package-install"};

// `"key": "value"` entries of `content` whose key is a lifecycle script and which are not present,
// with the same value, in `old_content`.
std::string new_lifecycle_script(std::string_view content, std::string_view old_content,
                                 const std::string_view* keys, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    std::string quoted = "\"" + std::string(keys[k]) + "\"";
    size_t pos = 0;
    while ((pos = content.find(quoted, pos)) != std::string_view::npos) {
      size_t after = pos + quoted.size();
      while (after < content.size() && (content[after] == ' ' || content[after] == '\t')) ++after;
      // A script is a command string (composer: or a list of them); `"dependencies": {` is the
      // dependency map, not npm's `dependencies` lifecycle script.
      size_t val = after + 1;
      while (val < content.size() && (content[val] == ' ' || content[val] == '\t' ||
                                      content[val] == '\n' || content[val] == '\r'))
        ++val;
      const bool script_value =
          val < content.size() && (content[val] == '"' || content[val] == '[');
      if (after < content.size() && content[after] == ':' && script_value) {
        size_t eol = content.find_first_of("\n", after);
        std::string_view entry =
            content.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
        while (!entry.empty() &&
               (entry.back() == ',' || entry.back() == ' ' || entry.back() == '\r'))
          entry.remove_suffix(1);
        if (old_content.find(entry) == std::string_view::npos) return std::string(entry);
      }
      pos = after;
    }
  }
  return {};
}

enum class BuildFile { none, npm, composer, python_setup, makefile, ruby, rust_build, jvm_build };

BuildFile build_file_kind(std::string_view p) {
  const auto base = base_of(p);
  if (base == "package.json") return BuildFile::npm;
  if (base == "composer.json") return BuildFile::composer;
  if (base == "setup.py" || base == "conftest.py" || base == "noxfile.py" || base == "setup.cfg")
    return BuildFile::python_setup;
  if (base == "Makefile" || base == "makefile" || base == "GNUmakefile" || ends_with(base, ".mk") ||
      base == "justfile" || base == "Justfile" || base == "Taskfile.yml" ||
      base == "CMakeLists.txt" || ends_with(base, ".cmake") || base == "meson.build" ||
      base == "tox.ini")
    return BuildFile::makefile;
  if (base == "Rakefile" || ends_with(base, ".gemspec") || base == "Gemfile" ||
      ends_with(base, ".rake"))
    return BuildFile::ruby;
  if (base == "build.rs") return BuildFile::rust_build;
  if (base == "build.gradle" || base == "build.gradle.kts" || base == "settings.gradle" ||
      base == "settings.gradle.kts" || base == "pom.xml" || base == "build.sbt")
    return BuildFile::jvm_build;
  return BuildFile::none;
}

bool is_lifecycle_key(std::string_view key) {
  return std::find(k_npm_lifecycle.begin(), k_npm_lifecycle.end(), key) != k_npm_lifecycle.end() ||
         std::find(k_composer_lifecycle.begin(), k_composer_lifecycle.end(), key) !=
             k_composer_lifecycle.end();
}

// The positional after `set`/`--add` of a `git config` call: {key, value} when it writes.
struct GitConfigWrite {
  std::string key, value;
  bool global = false;
  bool one_shot = false;  // `git -c k=v`: applies to this command only
};
std::vector<GitConfigWrite> git_config_writes(const Subject& s) {
  std::vector<GitConfigWrite> out;
  const auto& a = s.args;
  // `git -c key=value cmd`: one-shot configuration for this command.
  for (size_t i = 0; i + 1 < a.size(); ++i) {
    if (a[i] == "-c") {
      auto eq = a[i + 1].find('=');
      if (eq != std::string::npos)
        out.push_back({a[i + 1].substr(0, eq), a[i + 1].substr(eq + 1), false, true});
    }
    if (!a[i].empty() && a[i][0] != '-') break;  // the subcommand
  }
  const auto& pos = s.positionals;
  if (pos.empty() || pos[0] != "config") return out;
  bool global = false, reading = false;
  for (const auto& x : a) {
    if (x == "--global" || x == "--system" || starts_with(x, "--file") || x == "-f")
      global = global || x == "--global" || x == "--system";
    if (x == "--get" || x == "--get-all" || x == "--get-regexp" || x == "-l" || x == "--list" ||
        x == "--unset" || x == "--unset-all" || x == "--show-origin" || x == "--get-urlmatch" ||
        x == "--remove-section" || x == "--rename-section")
      reading = true;
  }
  if (reading) return out;
  // New style: git config set KEY VALUE / git config get KEY.
  size_t k = 1;
  if (pos.size() > 1 && (pos[1] == "get" || pos[1] == "list" || pos[1] == "unset")) return out;
  if (pos.size() > 1 && pos[1] == "set") k = 2;
  if (pos.size() < k + 2) return out;  // `git config KEY` reads
  out.push_back({pos[k], pos[k + 1], global});
  return out;
}

// A pager/editor/monitor value that runs nothing but a well-known program (or turns it off).
bool harmless_command_value(std::string_view v) {
  static constexpr std::string_view k_programs[] = {
      "cat",  "less", "more",      "most", "delta", "diff-so-fancy", "vim",   "vi",
      "nvim", "nano", "emacs",     "code", "subl",  "true",          "false", "0",
      "1",    "",     "/dev/null", "bat",  "ssh",   "git-lfs"};
  if (v.find_first_of("|;&$`<>()\\'\"") != std::string_view::npos) return false;
  auto first = v.substr(0, v.find(' '));
  auto base = first.substr(first.rfind('/') == std::string_view::npos ? 0 : first.rfind('/') + 1);
  for (auto p : k_programs)
    if (base == p) return true;
  return false;
}

// git configuration keys whose value runs as a command, or that change trust.
const char* git_key_fact(const std::string& key_mixed, const std::string& value) {
  const std::string key = lower(key_mixed);
  if ((key == "core.pager" || key == "core.editor" || key == "sequence.editor" ||
       key == "core.fsmonitor" || key == "core.sshcommand" || key.rfind("pager.", 0) == 0) &&
      harmless_command_value(value))
    return nullptr;
  if (key == "core.hookspath" && value == "/dev/null") return nullptr;
  auto sect = [&](std::string_view p) { return starts_with(key, p); };
  auto tail = [&](std::string_view t) { return ends_with(key, t); };
  if (key == "core.hookspath" || key == "core.pager" || key == "core.sshcommand" ||
      key == "core.fsmonitor" || key == "core.editor" || key == "sequence.editor" ||
      key == "core.askpass" || key == "core.gitproxy" || key == "diff.external" ||
      key == "gpg.program" || key == "uploadpack.packobjectshook" || sect("pager.") ||
      (sect("alias.") && !value.empty() && value[0] == '!') ||
      (sect("diff.") && (tail(".textconv") || tail(".command"))) ||
      (sect("merge.") && tail(".driver")) ||
      (sect("filter.") && (tail(".clean") || tail(".smudge") || tail(".process"))) ||
      (sect("gpg.") && tail(".program")) ||
      (sect("credential") && tail(".helper") && !value.empty() && value[0] == '!'))
    return "installs_code";
  if (key == "include.path" || (sect("includeif.") && tail(".path")) ||
      (sect("credential") && tail("helper")) || (sect("url.") && tail("insteadof")) ||
      key == "http.sslverify" || key == "http.proxy" || key == "https.proxy" ||
      key == "safe.directory" || key == "protocol.allow" || (sect("protocol.") && tail(".allow")))
    return "trust_change";
  return nullptr;
}

bool has_arg(const Subject& s, std::string_view a) {
  return std::find(s.args.begin(), s.args.end(), a) != s.args.end();
}

}  // namespace

void trust_target_facts(Subject& s, const Target& t, const ActionContext& ctx) {
  if (!t.write || t.resolved.empty() || t.dynamic) return;
  // Temp and tool caches are throw-away: a hook in /tmp/x/.git/hooks is not the user's hook.
  if (t.cls == PathClass::temp) return;
  const auto loc = location_of(t.resolved, ctx);
  if (loc.fact) s.facts.set(loc.fact, "writes " + loc.why);
  // Metadata-only commands (chmod 600 ~/.ssh/id_ed25519) change no content.
  // chmod that only takes permissions away (600, 700, go-rwx) is tidying, not a change of trust.
  const std::string_view n = s.name;
  if (n == "touch") return;
  if (n == "chmod" && !s.positionals.empty()) {
    std::string_view mode = s.positionals[0];
    const bool numeric_private = mode.size() >= 3 &&
                                 mode.find_first_not_of("01234567") == std::string_view::npos &&
                                 mode.substr(mode.size() - 2) == "00";
    const bool symbolic_private =
        (mode.rfind("go-", 0) == 0 || mode.rfind("og-", 0) == 0 || mode.rfind("a-", 0) == 0 ||
         mode.rfind("o-", 0) == 0 || mode.rfind("g-", 0) == 0 || mode.rfind("u+", 0) == 0) &&
        mode.find(',') == std::string_view::npos;
    if (numeric_private || symbolic_private) return;
  }
  if (t.cls == PathClass::outside_project || t.cls == PathClass::system ||
      (t.cls == PathClass::home_secret && !ctx.project_root.empty() &&
       !under(t.resolved, ctx.project_root))) {
    if (!starts_with(t.resolved, "/dev/") && !starts_with(t.resolved, "/proc/"))
      s.facts.set("outside_project_write",
                  "writes " + t.resolved + " outside the project" +
                      (ctx.project_root.empty() ? std::string() : " " + ctx.project_root));
  }
}

void trust_content_facts(Subject& s, std::string_view p, std::string_view content,
                         std::string_view old_content) {
  const auto kind = build_file_kind(p);
  const std::string path(p);
  if (kind == BuildFile::npm || kind == BuildFile::composer) {
    auto entry = kind == BuildFile::npm
                     ? new_lifecycle_script(content, old_content, k_npm_lifecycle.data(),
                                            k_npm_lifecycle.size())
                     : new_lifecycle_script(content, old_content, k_composer_lifecycle.data(),
                                            k_composer_lifecycle.size());
    if (!entry.empty())
      s.facts.set("installs_code",
                  "adds or changes a package lifecycle script in " + path + ": " + entry);
  }
  if (base_of(p) == "devcontainer.json" || base_of(p) == ".devcontainer.json") {
    static constexpr std::string_view k_dev_hooks[] = {"initializeCommand",    "onCreateCommand",
                                                       "updateContentCommand", "postCreateCommand",
                                                       "postStartCommand",     "postAttachCommand"};
    auto entry = new_lifecycle_script(content, old_content, k_dev_hooks, std::size(k_dev_hooks));
    if (!entry.empty())
      s.facts.set("installs_code", "dev container command runs on create/start: " + entry);
    return;
  }
  if (kind == BuildFile::none) {
    // A VS Code task that runs when the folder opens is autostart by another name.
    if (ends_with(p, "/.vscode/tasks.json") && content.find("folderOpen") != std::string_view::npos)
      s.facts.set("installs_code", "VS Code task that runs on folder open: " + path);
    return;
  }
  const re2::StringPiece text(content.data(), content.size());
  if (RE2::PartialMatch(text, fetch_run_re()) &&
      !RE2::PartialMatch(re2::StringPiece(old_content.data(), old_content.size()), fetch_run_re()))
    s.facts.set("installs_code", "build file " + path + " downloads and runs code");
  if (kind == BuildFile::python_setup || kind == BuildFile::ruby || kind == BuildFile::rust_build ||
      kind == BuildFile::jvm_build) {
    if (RE2::PartialMatch(text, spawn_re()) &&
        !RE2::PartialMatch(re2::StringPiece(old_content.data(), old_content.size()), spawn_re()))
      s.facts.set("installs_code", "build file " + path + " runs a process when it is built");
  }
}

std::vector<std::string> trust_command_facts(Subject& s, const ActionContext& ctx) {
  std::vector<std::string> scripts;
  static constexpr std::string_view k_relevant[] = {
      "bun", "bundle", "cargo", "cmake",  "composer",  "crontab", "gem",   "gh",
      "git", "glab",   "gmake", "go",     "launchctl", "make",    "ninja", "npm",
      "pip", "pip3",   "pnpm",  "poetry", "systemctl", "yarn"};
  static_assert(std::is_sorted(std::begin(k_relevant), std::end(k_relevant)));
  if (!std::binary_search(std::begin(k_relevant), std::end(k_relevant), s.name)) return scripts;
  const std::string_view n = s.name;
  const auto& pos = s.positionals;
  auto at = [&](size_t i) -> std::string_view {
    return i < pos.size() ? std::string_view(pos[i]) : std::string_view();
  };
  if (n == "git") {
    for (const auto& w : git_config_writes(s)) {
      const char* fact = git_key_fact(w.key, w.value);
      if (!fact) continue;
      s.facts.set(fact, std::string(w.one_shot ? "git -c " : "git config ") + w.key + " = " +
                            w.value + (w.one_shot ? " (runs as a command now)" : ""));
      const std::string key = lower(w.key);
      if (starts_with(key, "alias.") && w.value.size() > 1)
        scripts.push_back(w.value.substr(1));
      else if (key == "core.sshcommand" || key == "core.pager" || key == "core.editor" ||
               key == "core.fsmonitor" || starts_with(key, "pager."))
        scripts.push_back(w.value);
    }
    return scripts;
  }
  const bool js_pm = n == "npm" || n == "pnpm" || n == "yarn" || n == "bun";
  if (js_pm && at(0) == "config" && (at(1) == "set" || at(1) == "edit")) {
    std::string key = lower(at(2));
    if (key.empty() || key.find("registry") != std::string::npos ||
        key.find("auth") != std::string::npos || key.find("token") != std::string::npos ||
        key.find("proxy") != std::string::npos || key.find("ssl") != std::string::npos ||
        key.find("cafile") != std::string::npos || key == "ca" || key == "script-shell" ||
        key == "ignore-scripts" || key == "prefix" || key == "globalconfig" ||
        key.find("scopes") != std::string::npos || starts_with(key, "//") || starts_with(key, "@"))
      s.facts.set("trust_change", std::string(n) + " config set " + std::string(at(2)) +
                                      " changes the registry or its credentials");
  }
  if (js_pm && at(0) == "pkg" && at(1) == "set") {
    for (size_t i = 2; i < pos.size(); ++i) {
      std::string_view kv = pos[i];
      if (!starts_with(kv, "scripts.")) continue;
      auto key = kv.substr(8, kv.find('=') == std::string_view::npos ? kv.npos : kv.find('=') - 8);
      if (is_lifecycle_key(key))
        s.facts.set("installs_code",
                    "npm pkg set adds a lifecycle script: " + std::string(kv.substr(0, 200)));
    }
  }
  if (n == "composer" && at(0) == "config") {
    std::string_view key = has_arg(s, "--global") || has_arg(s, "-g") ? at(1) : at(1);
    if (starts_with(key, "scripts.") && is_lifecycle_key(key.substr(8)))
      s.facts.set("installs_code", "composer config adds a lifecycle script " + std::string(key));
    else if (has_arg(s, "--global") || has_arg(s, "-g") || starts_with(key, "repos") ||
             starts_with(key, "repositories") || key.find("oauth") != std::string_view::npos ||
             starts_with(key, "http-basic") || key.find("token") != std::string_view::npos ||
             key == "secure-http")
      if (!key.empty())
        s.facts.set("trust_change",
                    "composer config " + std::string(key) + " changes repositories or credentials");
  }
  if ((n == "pip" || n == "pip3") && at(0) == "config" && (at(1) == "set" || at(1) == "edit"))
    s.facts.set("trust_change", "pip config " + std::string(at(1)) + " " + std::string(at(2)) +
                                    " changes the package index configuration");
  if (n == "poetry" && at(0) == "config") {
    std::string_view key = at(1);
    if (starts_with(key, "pypi-token") || starts_with(key, "http-basic") ||
        starts_with(key, "repositories") || starts_with(key, "certificates"))
      s.facts.set("trust_change",
                  "poetry config " + std::string(key) + " stores a registry or its credentials");
  }
  if (n == "go" && at(0) == "env" && (has_arg(s, "-w") || has_arg(s, "-u"))) {
    for (const auto& a : s.args) {
      for (auto v : {"GOPROXY", "GONOSUMDB", "GONOSUMCHECK", "GOSUMDB", "GOFLAGS", "GOINSECURE",
                     "GOPRIVATE", "GONOPROXY", "GONOSUMCHECK", "GOTOOLCHAIN"}) {
        if (starts_with(a, v) && a.size() > std::string_view(v).size() &&
            a[std::string_view(v).size()] == '=')
          s.facts.set("trust_change", "go env -w " + a + " changes module download trust");
      }
    }
  }
  if (n == "bundle" && at(0) == "config" && (has_arg(s, "--global") || at(1) == "set")) {
    std::string_view key = at(1) == "set" ? at(2) : at(1);
    if (key.find('.') != std::string_view::npos || starts_with(key, "mirror") ||
        starts_with(key, "BUNDLE_"))
      s.facts.set("trust_change",
                  "bundle config " + std::string(key) + " stores a gem source or its credentials");
  }
  if ((n == "cargo" && at(0) == "login") || (n == "gem" && at(0) == "signin") ||
      ((n == "npm" || n == "pnpm") && (at(0) == "token") && at(1) == "create"))
    s.facts.set("trust_change", std::string(n) + " " + std::string(at(0)) +
                                    " stores or mints a registry publish token");
  if (n == "gh" && (at(0) == "ssh-key" || at(0) == "gpg-key") && at(1) == "add")
    s.facts.set("trust_change",
                "gh " + std::string(at(0)) + " add grants a key access to the account");
  if ((n == "gh" || n == "glab") && (at(0) == "secret" || at(0) == "variable") &&
      (at(1) == "set" || at(1) == "delete" || at(1) == "remove"))
    s.facts.set("trust_change", std::string(n) + " " + std::string(at(0)) + " " +
                                    std::string(at(1)) + " changes what CI jobs run with");
  if (n == "gem" && at(0) == "sources" && (has_arg(s, "--add") || has_arg(s, "-a")))
    s.facts.set("trust_change", "gem sources --add adds a gem source for every project");
  // Installing into the system as root: whatever the build installs runs for every user.
  const bool root = std::find(s.wrappers.begin(), s.wrappers.end(), "sudo") != s.wrappers.end() ||
                    std::any_of(s.wrappers.begin(), s.wrappers.end(),
                                [](const std::string& w) { return w.rfind("sudo ", 0) == 0; });
  if (root && (((n == "make" || n == "gmake" || n == "ninja") &&
                std::find(pos.begin(), pos.end(), "install") != pos.end()) ||
               (n == "cmake" && has_arg(s, "--install")) ||
               ((n == "npm" || n == "pnpm" || n == "yarn") &&
                (at(0) == "install" || at(0) == "i" || at(0) == "add" || at(0) == "link") &&
                (has_arg(s, "-g") || has_arg(s, "--global"))) ||
               ((n == "pip" || n == "pip3") && at(0) == "install" && !has_arg(s, "--user"))))
    s.facts.set("installs_code",
                "sudo " + std::string(n) + " installs into the system for every user");
  if (n == "crontab") {
    bool lists = has_arg(s, "-l");
    if (!lists)
      s.facts.set("installs_code", has_arg(s, "-r") ? "crontab -r removes every cron job"
                                                    : "crontab installs a cron table");
  }
  if (n == "systemctl") {
    for (auto sub : {"enable", "link", "reenable", "preset", "edit", "set-property"}) {
      if (at(0) == sub)
        s.facts.set("installs_code", "systemctl " + std::string(sub) +
                                         " makes a service start automatically" +
                                         (has_arg(s, "--user") ? " (user session)" : ""));
    }
  }
  if (n == "launchctl") {
    for (auto sub : {"load", "bootstrap", "enable", "submit"}) {
      if (at(0) == sub)
        s.facts.set("installs_code", "launchctl " + std::string(sub) + " registers a launchd job");
    }
  }
  (void)ctx;
  return scripts;
}

}  // namespace blastwall::scope
