// Command facts that generalise (issue #9): what a command does, decided from its shape rather than
// from a verb list per rule.
//   dry_run        the tool was told to only show what it would do (per tool: `rsync -n` is a dry
//                  run, `head -n` is not). The engine lets it neutralise destructive and
//                  production rules on that subject.
//   runner_prod    a project task runner (make, just, task, npm run, ./scripts/x.sh, cap, fab, gh
//                  workflow run, ...) whose target or arguments name production and a change
//                  (deploy, migrate, reset, ...). Builds, tests and servers in prod mode are local.
//   publish        a release/publish target of a task runner; an image pushed to Docker Hub or
//                  under a production / latest tag.
//   container_*    container escapes (--privileged, host namespaces), host / home mounts,
//                  production docker contexts and compose files, every container at once.
//   system_install software installed system-wide (sudo make install, sudo pip, pip
//                  --break-system-packages, sudo npm -g, GOBIN=/usr/local/bin).
#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "rules/scope/commands.hpp"
#include "rules/scope/facts_ext.hpp"

namespace blastwall::scope {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view x) {
  return s.size() >= x.size() && s.substr(s.size() - x.size()) == x;
}

template <size_t N>
bool in(const std::array<std::string_view, N>& a, std::string_view v) {
  return std::find(a.begin(), a.end(), v) != a.end();
}

// `--x`, `--x=v` or a short flag letter inside a bundle (-rn) before `--`.
bool has_long(const std::vector<std::string>& args, std::string_view f) {
  for (const std::string_view a : args) {
    if (a == "--") return false;
    if (a == f || (starts_with(a, f) && a.size() > f.size() && a[f.size()] == '=')) return true;
  }
  return false;
}
bool has_short(const std::vector<std::string>& args, char c) {
  for (const std::string_view a : args) {
    if (a == "--") return false;
    if (a.size() < 2 || a[0] != '-' || a[1] == '-') continue;
    bool letters = std::all_of(a.begin() + 1, a.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
    });
    if (letters && a.find(c) != std::string_view::npos) return true;
  }
  return false;
}
// Values of `--opt v` / `--opt=v` (and `-o v` for one-letter options).
std::vector<std::string_view> values_of(const std::vector<std::string>& args, std::string_view o) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--") break;
    if (a == o && i + 1 < args.size())
      out.push_back(args[i + 1]);
    else if (starts_with(a, o) && a.size() > o.size() && a[o.size()] == '=')
      out.push_back(a.substr(o.size() + 1));
  }
  return out;
}

bool sub_is(const Subject& s, std::initializer_list<std::string_view> words) {
  size_t i = 0;
  for (auto w : words) {
    if (i >= s.positionals.size() || s.positionals[i] != w) return false;
    ++i;
  }
  return true;
}

// ---- dry runs ----------------------------------------------------------------------------------

const char* dry_run_reason(const Subject& s) {
  const std::string_view n = s.name;
  const auto& a = s.args;
  auto dry_value_ok = [&](std::string_view flag) {
    for (auto v : values_of(a, flag))
      if (v == "none" || v == "false") return false;
    return true;
  };
  if (n == "kubectl" || n == "oc" || n == "helm" || n == "helmfile" || n == "argocd" ||
      n == "eksctl" || n == "wrangler" || n == "supabase" || n == "semantic-release") {
    if (has_long(a, "--dry-run") && dry_value_ok("--dry-run")) return "--dry-run";
  }
  if (n == "aws") {
    if (has_long(a, "--dry-run")) return "aws --dry-run (EC2 checks permissions only)";
    if (has_long(a, "--dryrun")) return "aws s3 --dryrun";
  }
  if ((n == "rsync" || n == "rclone" || n == "s3cmd") &&
      (has_long(a, "--dry-run") || has_short(a, 'n')))
    return "rsync-style -n / --dry-run";
  if (n == "gsutil" && std::find(a.begin(), a.end(), "rsync") != a.end() && has_short(a, 'n'))
    return "gsutil rsync -n";
  if ((n == "make" || n == "gmake") && (has_short(a, 'n') || has_long(a, "--dry-run") ||
                                        has_long(a, "--just-print") || has_long(a, "--recon")))
    return "make -n prints the recipe without running it";
  if ((n == "npm" || n == "pnpm" || n == "yarn" || n == "bun" || n == "cargo" || n == "poetry" ||
       n == "uv" || n == "pip" || n == "pip3") &&
      has_long(a, "--dry-run"))
    return "--dry-run";
  if (n == "git" && !s.positionals.empty() &&
      (s.positionals[0] == "push" || s.positionals[0] == "clean" || s.positionals[0] == "rm" ||
       s.positionals[0] == "add" || s.positionals[0] == "mv") &&
      (has_long(a, "--dry-run") || has_short(a, 'n')))
    return "git -n / --dry-run";
  if ((n == "terraform" || n == "tofu" || n == "terragrunt") && sub_is(s, {"plan"}))
    return "terraform plan only previews";
  if (n == "pulumi" && sub_is(s, {"preview"})) return "pulumi preview";
  if ((n == "ansible-playbook" || n == "ansible") && (has_long(a, "--check") || has_short(a, 'C')))
    return "ansible --check";
  if (n == "az" &&
      (has_long(a, "--what-if") || std::find(a.begin(), a.end(), "what-if") != a.end()))
    return "az what-if";
  if ((n == "docker" || n == "podman") && sub_is(s, {"compose"}) && has_long(a, "--dry-run"))
    return "docker compose --dry-run";
  if ((n == "apt-get" || n == "apt") &&
      (has_long(a, "--dry-run") || has_long(a, "--simulate") || has_short(a, 's')))
    return "apt simulate";
  if (n == "sam" && has_long(a, "--no-execute-changeset")) return "sam --no-execute-changeset";
  // The project's own scripts and recipe runners: only the spelled-out flag, never a bare -n.
  if ((s.argv0.find('/') != std::string::npos || n == "just" || n == "task" || n == "mage" ||
       n == "cap" || n == "fab") &&
      (has_long(a, "--dry-run") || has_long(a, "--dryrun")))
    return "--dry-run passed to the project's script";
  return nullptr;
}

// ---- containers --------------------------------------------------------------------------------

bool is_engine(std::string_view n) {
  return n == "docker" || n == "podman" || n == "nerdctl" || n == "finch";
}

// Verbs (after global options, and after `compose`) that only read from a daemon.
constexpr std::array<std::string_view, 24> k_docker_reads{
    "ps",      "logs",     "inspect", "images", "image",   "stats", "top",    "port",
    "version", "info",     "events",  "diff",   "history", "ls",    "config", "search",
    "context", "manifest", "df",      "volume", "network", "pull",  "login",  "system"};
// Inner commands of `exec` that only read.
constexpr std::array<std::string_view, 22> k_read_only_inner{
    "cat",      "ls",       "head",   "tail",     "grep", "ps",   "df",   "du",
    "stat",     "whoami",   "id",     "uname",    "env",  "date", "find", "wc",
    "nslookup", "hostname", "uptime", "printenv", "pwd",  "which"};

std::string_view image_registry(std::string_view image) {
  auto slash = image.find('/');
  if (slash == std::string_view::npos) return {};
  auto first = image.substr(0, slash);
  if (first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
      first == "localhost")
    return first;
  return {};
}

void image_push_facts(Subject& s, std::string_view image, const ScopeConfig& config) {
  if (image.empty() || image[0] == '-') return;
  const auto reg = image_registry(image);
  if (starts_with(reg, "localhost") || starts_with(reg, "127.0.0.1") || starts_with(reg, "kind-"))
    return;
  if (reg.empty() || reg == "docker.io" || reg == "index.docker.io")
    s.facts.set("publish", "pushes " + std::string(image) + " to Docker Hub (public by default)");
  const auto last =
      image.substr(image.rfind('/') == std::string_view::npos ? 0 : image.rfind('/') + 1);
  auto colon = last.find(':');
  std::string_view tag = colon == std::string_view::npos ? "latest" : last.substr(colon + 1);
  if (tag == "latest" || tag == "stable" || matches_prod(tag, config.prod_patterns))
    s.facts.set("publish", "moves the shared image tag " + std::string(image) +
                               " (what every deploy and pull gets)");
}

void container_facts(Subject& s, const shell::SimpleCommand& cmd, const ActionContext& ctx,
                     const ScopeConfig& config) {
  const std::string_view n = s.name;
  const auto& a = s.args;
  if (n == "nsenter") {
    for (auto v : values_of(a, "-t"))
      if (v == "1") s.facts.set("container_escape", "nsenter into PID 1's namespaces (the host)");
    for (auto v : values_of(a, "--target"))
      if (v == "1") s.facts.set("container_escape", "nsenter into PID 1's namespaces (the host)");
    return;
  }
  if (!is_engine(n)) return;
  const auto& pos = s.positionals;
  if (pos.empty()) return;
  // Which daemon and which stack: a production context/host or compose file.
  auto prod = [&](std::string_view what, std::string_view v) {
    if (!v.empty() && matches_prod(v, config.prod_patterns))
      s.facts.set("prod", std::string(what) + " " + std::string(v));
  };
  for (auto o : {"--context", "-c", "-H", "--host"})
    for (auto v : values_of(a, o)) prod("docker context", v);
  for (const auto& [k, v] : cmd.env)
    if (k == "DOCKER_CONTEXT" || k == "DOCKER_HOST" || k == "COMPOSE_FILE") prod(k, v);
  if (auto it = ctx.env.find("DOCKER_CONTEXT"); it != ctx.env.end())
    prod("DOCKER_CONTEXT", it->second);
  if (auto it = ctx.env.find("DOCKER_HOST"); it != ctx.env.end()) prod("DOCKER_HOST", it->second);
  const bool compose = pos[0] == "compose";
  if (compose) {
    for (auto o : {"-f", "--file", "-p", "--project-name"})
      for (auto v : values_of(a, o)) prod("compose file/project", v);
  }
  const size_t vi = compose ? 1 : 0;
  const std::string_view verb = vi < pos.size() ? std::string_view(pos[vi]) : std::string_view();
  const std::string_view verb2 =
      vi + 1 < pos.size() ? std::string_view(pos[vi + 1]) : std::string_view();
  // Throw-away compose stacks: a test/CI compose file or project name.
  if (compose) {
    for (auto o : {"-f", "--file", "-p", "--project-name"}) {
      for (auto v : values_of(a, o)) {
        for (auto t : {"test", "tests", "ci", "e2e", "tmp", "scratch", "ephemeral", "throwaway"}) {
          std::vector<std::string> pat{t};
          if (matches_prod(v, pat)) s.facts.set("throwaway", "compose stack " + std::string(v));
        }
      }
    }
  }
  const bool runs = verb == "run" || verb == "create" || (verb == "container" && verb2 == "run");
  if (runs && !compose) {
    if (has_long(a, "--privileged")) s.facts.set("container_escape", "--privileged container");
    for (auto o : {"--pid", "--userns", "--ipc", "--uts"})
      for (auto v : values_of(a, o))
        if (v == "host") s.facts.set("container_escape", std::string(o) + "=host");
    for (auto v : values_of(a, "--cap-add"))
      if (v == "ALL" || v == "SYS_ADMIN" || v == "SYS_PTRACE" || v == "SYS_MODULE")
        s.facts.set("container_escape", "--cap-add " + std::string(v));
    for (auto v : values_of(a, "--security-opt"))
      if (v.find("unconfined") != std::string_view::npos)
        s.facts.set("container_escape", "--security-opt " + std::string(v));
  }
  if (runs) {
    // Bind mounts: -v SRC:DST, --volume SRC:DST, --mount type=bind,source=SRC.
    std::vector<std::string_view> sources;
    for (auto o : {"-v", "--volume"})
      for (auto v : values_of(a, o)) sources.push_back(v.substr(0, v.find(':')));
    for (size_t i = 0; i < a.size(); ++i)
      if (a[i].size() > 2 && starts_with(a[i], "-v") && a[i][2] != '=')
        sources.push_back(std::string_view(a[i]).substr(2, a[i].find(':') - 2));
    for (auto v : values_of(a, "--mount")) {
      for (auto key : {"source=", "src="}) {
        auto p = v.find(key);
        if (p != std::string_view::npos) {
          auto rest = v.substr(p + std::string_view(key).size());
          sources.push_back(rest.substr(0, rest.find(',')));
        }
      }
    }
    bool secret_mount = false;
    for (auto src : sources) {
      if (src.empty() || (src[0] != '/' && src[0] != '~' && src[0] != '.')) continue;  // volume
      const std::string r = resolve_path(src, cmd.cwd, ctx.home);
      const auto cls = classify_path(r, ctx, config);
      if (cls == PathClass::home_root)
        s.facts.set("host_mount", "mounts the whole home directory " + r + " into a container");
      const std::string_view base = std::string_view(r).substr(r.rfind('/') + 1);
      const bool public_file = base == "known_hosts" || ends_with(base, ".pub") ||
                               (base == "config" && r.find("/.ssh/") != std::string::npos);
      if (!public_file &&
          (cls == PathClass::home_secret || credential_reason(r, ctx.home, ctx.project_root))) {
        s.facts.set("secret_mount", "mounts credentials " + r + " into a container");
        s.facts.set("secrets_read", "mounts credentials " + r + " into a container");
        secret_mount = true;
      }
    }
    // Credentials mounted into a container whose own command talks to the network.
    if (secret_mount) {
      for (size_t i = 1; i < a.size(); ++i) {
        const std::string_view w = a[i];
        for (auto net : {"nc ", "curl ", "wget ", "scp ", "ncat ", "socat ", "| nc", "rsync "}) {
          if (w.find(net) != std::string_view::npos || w == std::string_view(net).substr(0, 2))
            s.facts.set("secrets_send",
                        "mounted credentials sent from inside the container: " + std::string(w));
        }
      }
    }
  }
  // docker cp: into a container (write) or out of it (read).
  if (verb == "cp" || (verb == "container" && verb2 == "cp")) {
    const size_t src = verb == "cp" ? vi + 1 : vi + 2;
    if (src + 1 < pos.size() && pos[src].find(':') == std::string::npos)
      s.facts.set("container_write", "copies " + pos[src] + " into container " + pos[src + 1]);
  }
  // Pushing images.
  if (verb == "push" || (verb == "image" && verb2 == "push")) {
    const size_t img = verb == "push" ? vi + 1 : vi + 2;
    if (img < pos.size()) image_push_facts(s, pos[img], config);
  }
  if ((verb == "buildx" || verb == "build" || verb == "image") && !compose) {
    const bool pushes = has_long(a, "--push") ||
                        (verb2 == "imagetools" && pos.size() > vi + 2 && pos[vi + 2] == "create");
    if (pushes) {
      for (auto o : {"-t", "--tag"})
        for (auto v : values_of(a, o)) image_push_facts(s, v, config);
    }
  }
  if (verb == "login" && (!values_of(a, "-p").empty() || !values_of(a, "--password").empty()))
    s.facts.set("secret_in_argv", "registry password given on the command line");
  // Every container at once: an argument computed from `docker ps`.
  if ((verb == "kill" || verb == "stop" || verb == "rm" || verb == "restart" || verb == "pause") &&
      (s.argv_joined.find("$(" + std::string(n) + " ps") != std::string::npos ||
       s.argv_joined.find("`" + std::string(n) + " ps") != std::string::npos) &&
      s.argv_joined.find("--filter") == std::string::npos &&
      s.argv_joined.find(" -f ") == std::string::npos)
    s.facts.set("docker_all", "every container listed by " + std::string(n) + " ps");
  // Changes to a daemon or cluster that other people use. Group commands (service, stack, node,
  // container, image, ...) are judged by their own verb.
  static constexpr std::array<std::string_view, 16> k_groups{
      "service", "stack",  "node",    "secret", "config", "container", "image",  "volume",
      "network", "system", "context", "swarm",  "plugin", "builder",   "buildx", "manifest"};
  const bool group = in(k_groups, verb) && !compose;
  const std::string_view act = group ? verb2 : verb;
  const bool read_verb =
      in(k_docker_reads, act) || act == "list" || act == "ls" || (group && act.empty());
  if (!read_verb && !act.empty()) {
    bool change = true;
    if (act == "exec" && !group) {
      // exec of a read-only inner command (no shell, no redirection) only reads.
      size_t i = vi + 1;
      while (i < pos.size() && (i == vi + 1)) ++i;  // skip the container name
      if (i < pos.size()) {
        std::string_view inner = pos[i];
        if (auto sl = inner.rfind('/'); sl != std::string_view::npos) inner = inner.substr(sl + 1);
        if (in(k_read_only_inner, inner) && !s.facts.has("secrets_read")) change = false;
        if (inner == "redis-cli" || inner == "psql" || inner == "mysql")
          change = false;  // SQL facts
      }
    }
    if (act == "cp" && !s.facts.has("container_write")) change = false;
    if (compose &&
        (verb == "ps" || verb == "logs" || verb == "config" || verb == "ls" || verb == "images" ||
         verb == "top" || verb == "version" || verb == "build" || verb == "pull"))
      change = false;
    if (change) s.facts.set("container_change", std::string(n) + " " + std::string(verb));
  }
  if ((verb == "swarm" && verb2 == "leave") ||
      ((verb == "service" || verb == "stack" || verb == "node" || verb == "secret") &&
       (verb2 == "rm" || verb2 == "remove"))) {
    s.facts.set("container_teardown",
                std::string(n) + " " + std::string(verb) + " " + std::string(verb2));
    for (size_t i = vi + 2; i < pos.size(); ++i) prod("stack/service", pos[i]);
  }
}

// ---- project task runners ----------------------------------------------------------------------

constexpr std::array<std::string_view, 34> k_change_tokens{
    "deploy",    "deployment", "release",  "publish", "rollout",   "rollback", "migrate",
    "migration", "migrations", "seed",     "reset",   "drop",      "destroy",  "teardown",
    "delete",    "purge",      "wipe",     "restore", "apply",     "up",       "push",
    "upload",    "sync",       "promote",  "ship",    "provision", "scale",    "restart",
    "stop",      "down",       "truncate", "flush",   "nuke",      "cutover"};
constexpr std::array<std::string_view, 12> k_publish_tokens{
    "release", "publish", "ship", "upload", "distribute", "deploy",
    "promote", "tag",     "bump", "cut",    "submit",     "rollout"};
constexpr std::array<std::string_view, 38> k_local_tokens{
    "build",     "compile",   "bundle", "test",     "tests",     "lint",    "check",  "fmt",
    "format",    "typecheck", "tsc",    "dist",     "package",   "pack",    "assets", "css",
    "docs",      "doc",       "clean",  "start",    "serve",     "preview", "dev",    "watch",
    "storybook", "e2e",       "spec",   "coverage", "bench",     "analyze", "plan",   "diff",
    "validate",  "show",      "status", "notes",    "changelog", "dryrun"};

void tokens_of(std::string_view w, std::vector<std::string>& out) {
  std::string cur;
  for (char ch : w) {
    if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
      cur += ch;
    } else if (ch >= 'A' && ch <= 'Z') {
      cur += static_cast<char>(ch - 'A' + 'a');
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
}

bool script_path(std::string_view w, const ActionContext& ctx) {
  if (w.empty() || w.find('/') == std::string_view::npos) return false;
  if (w[0] == '/') return !ctx.project_root.empty() && starts_with(w, ctx.project_root + "/");
  return w[0] != '-' && w.find("://") == std::string_view::npos;
}

constexpr std::array<std::string_view, 14> k_runners{"make", "gmake", "just",   "task", "go-task",
                                                     "mage", "rake",  "invoke", "inv",  "cap",
                                                     "mina", "fab",   "act",    "nx"};
constexpr std::array<std::string_view, 30> k_pm_builtins{
    "install",   "i",          "ci",     "add",  "remove",  "rm",     "uninstall", "update",
    "upgrade",   "up",         "why",    "init", "publish", "npm",    "dlx",       "exec",
    "workspace", "workspaces", "info",   "list", "ls",      "config", "cache",     "set",
    "plugin",    "node",       "dedupe", "pack", "link",    "audit"};

void runner_facts(Subject& s, const shell::SimpleCommand& cmd, const ActionContext& ctx,
                  const ScopeConfig& config) {
  std::string_view n = s.name;
  const auto& pos = s.positionals;
  if (pos.empty() && s.argv0.find('/') == std::string::npos) return;
  std::vector<std::string_view> words;  // target names and arguments
  std::string_view what;
  size_t first = 0;
  // Step through package-runner launchers: bundle exec cap, npx just, poetry run invoke.
  if (!pos.empty() &&
      (((n == "bundle" || n == "pnpm") && pos[0] == "exec") ||
       ((n == "poetry" || n == "pipenv" || n == "uv") && pos[0] == "run")) &&
      pos.size() > 1) {
    n = pos[1];
    first = 2;
  } else if ((n == "npx" || n == "bunx") && !pos.empty()) {
    n = pos[0];
    first = 1;
  }
  if (in(k_runners, n)) {
    what = n;
    for (size_t i = first; i < pos.size(); ++i) words.push_back(pos[i]);
    for (auto o : {"-H", "--hosts", "-R", "--roles", "-j", "--job", "-e", "--env"})
      for (auto v : values_of(s.args, o)) words.push_back(v);
  } else if (n == "npm" || n == "pnpm" || n == "yarn" || n == "bun") {
    size_t i = first;
    if (i < pos.size() && (pos[i] == "run" || pos[i] == "run-script" || pos[i] == "rum")) {
      ++i;
    } else if (n == "npm" || (i < pos.size() && in(k_pm_builtins, pos[i]))) {
      return;  // npm runs scripts only through `run`; yarn/pnpm builtins are not scripts
    }
    what = "package script";
    for (; i < pos.size(); ++i) words.push_back(pos[i]);
    for (const auto& arg : s.args)
      if (starts_with(arg, "--") && arg.find('=') != std::string::npos) words.push_back(arg);
    for (auto o : {"--env", "--stage", "--environment", "--mode"})
      for (auto v : values_of(s.args, o)) words.push_back(v);
  } else if (n == "gh" && pos.size() >= 2 &&
             ((pos[0] == "workflow" && pos[1] == "run") ||
              (pos[0] == "run" && pos[1] == "rerun"))) {
    what = "GitHub workflow";
    words.push_back("deploy");  // running a remote workflow with a production input changes it
    for (const auto& arg : s.args) words.push_back(arg);
  } else if (script_path(s.argv0, ctx) && !is_shell(n) && !is_interpreter(n)) {
    what = "project script";
    words.push_back(std::string_view(s.argv0).substr(s.argv0.rfind('/') + 1));
    for (const auto& arg : s.args) words.push_back(arg);
  } else if ((is_shell(n) || is_interpreter(n)) && !pos.empty() && script_path(pos[0], ctx) &&
             !has_short(s.args, 'c') && !has_short(s.args, 'e')) {
    what = "project script";
    words.push_back(std::string_view(pos[0]).substr(pos[0].rfind('/') + 1));
    for (const auto& arg : pos) words.push_back(arg);
    for (const auto& arg : s.args) words.push_back(arg);
  } else {
    return;
  }
  bool change = false, local = false, publish = false;
  std::string prod_word;
  std::vector<std::string> toks;
  for (auto w : words) {
    toks.clear();
    tokens_of(w, toks);
    for (const auto& t : toks) {
      if (in(k_change_tokens, t)) change = true;
      if (in(k_local_tokens, t)) local = true;
      if (in(k_publish_tokens, t)) publish = true;
    }
    if (prod_word.empty() && matches_prod(w, config.prod_patterns)) prod_word = std::string(w);
  }
  // Line assignments (ENV=production make deploy), not the agent's own environment.
  for (const auto& asg : cmd.assignments)
    if (prod_word.empty() && matches_prod(asg.value.text, config.prod_patterns))
      prod_word = asg.name + "=" + asg.value.text;
  if (!prod_word.empty() && change && !(local && !publish)) {
    s.facts.set("runner_prod", std::string(what) + " aimed at production (" + prod_word + ")");
    s.facts.set("prod", std::string(what) + " names " + prod_word);
  }
  if (prod_word.empty() && what != "GitHub workflow" && !local && !words.empty()) {
    // A release target of the project's own runner publishes (just release 1.4.0, yarn release).
    toks.clear();
    tokens_of(words[0], toks);
    if (!toks.empty() && (toks[0] == "release" || toks[0] == "publish"))
      s.facts.set("publish", std::string(what) + " target " + std::string(words[0]) + " publishes");
  }
}

// ---- system-wide installs ----------------------------------------------------------------------

bool has_wrapper(const Subject& s, std::string_view w) {
  for (const auto& x : s.wrappers)
    if (x == w || starts_with(x, std::string(w) + " ")) return true;
  return false;
}

void install_facts(Subject& s, const ActionContext& ctx, const ScopeConfig& config) {
  const std::string_view n = s.name;
  const auto& pos = s.positionals;
  const auto& a = s.args;
  const bool root = has_wrapper(s, "sudo") || has_wrapper(s, "doas") || ctx.user == "root";
  auto set = [&](std::string why) { s.facts.set("system_install", std::move(why)); };
  if (root && (n == "make" || n == "gmake" || n == "ninja" || n == "samu") &&
      std::find(pos.begin(), pos.end(), "install") != pos.end())
    set("installs into system directories as root: " + s.argv_joined);
  if (root && (n == "cmake" || n == "meson") &&
      (has_long(a, "--install") || (!pos.empty() && pos[0] == "install")))
    set("installs into system directories as root: " + s.argv_joined);
  const bool pip = n == "pip" || n == "pip3" ||
                   ((n == "python" || n == "python3") && a.size() >= 2 && a[0] == "-m" &&
                    (a[1] == "pip" || a[1] == "pip3"));
  if (pip && (std::find(a.begin(), a.end(), "install") != a.end() ||
              std::find(a.begin(), a.end(), "uninstall") != a.end())) {
    if (has_long(a, "--break-system-packages"))
      set("pip --break-system-packages changes the system Python");
    else if (root && !has_long(a, "--user") && !has_long(a, "--target") && !has_long(a, "-t") &&
             !has_long(a, "--prefix"))
      set("pip as root changes the system Python");
  }
  const bool pm_install =
      !pos.empty() && (pos[0] == "install" || pos[0] == "i" || pos[0] == "add" ||
                       (pos[0] == "global" && pos.size() > 1 && pos[1] == "add"));
  if (root && (n == "npm" || n == "pnpm" || n == "yarn") && pm_install &&
      (has_long(a, "--global") || has_short(a, 'g') || pos[0] == "global"))
    set("global package install as root (lifecycle scripts run as root)");
  if (root && (n == "gem" || n == "cargo" || n == "go") && !pos.empty() && pos[0] == "install")
    set(std::string(n) + " install as root");
  if (n == "go" && !pos.empty() && pos[0] == "install") {
    if (const auto* v = s.env_value("GOBIN")) {
      ActionContext c = ctx;
      if (classify_path(*v, c, config) == PathClass::system) set("go install into " + *v);
    }
  }
  if (root && (n == "python" || n == "python3") && !pos.empty() && ends_with(pos[0], "setup.py") &&
      std::find(pos.begin(), pos.end(), "install") != pos.end())
    set("setup.py install as root");
}

}  // namespace

void extension_facts(Subject& s, const shell::SimpleCommand& cmd, const ActionContext& ctx,
                     const ScopeConfig& config) {
  if (const char* why = dry_run_reason(s)) s.facts.set("dry_run", why);
  container_facts(s, cmd, ctx, config);
  runner_facts(s, cmd, ctx, config);
  install_facts(s, ctx, config);
}

void extension_cross_facts(std::vector<Subject>& subjects) {
  // `docker stop X && docker rm -f X`: the force kills nothing.
  auto names_after = [](const Subject& s, std::string_view verb) {
    std::vector<std::string_view> out;
    bool seen = false;
    for (const std::string_view a : s.args) {
      if (!seen) {
        seen = a == verb;
        continue;
      }
      if (!a.empty() && a[0] != '-') out.push_back(a);
    }
    return out;
  };
  for (size_t i = 0; i < subjects.size(); ++i) {
    Subject& rm = subjects[i];
    if (!is_engine(rm.name) || rm.positionals.empty() || rm.positionals[0] != "rm") continue;
    const auto removed = names_after(rm, "rm");
    bool all_stopped = !removed.empty();
    for (auto name : removed) {
      bool stopped = false;
      for (size_t j = 0; j < i && !stopped; ++j) {
        const Subject& st = subjects[j];
        if (st.name != rm.name || st.positionals.empty()) continue;
        for (auto verb : {"stop", "kill"}) {
          if (st.positionals[0] != verb) continue;
          const auto halted = names_after(st, verb);
          stopped = stopped || std::find(halted.begin(), halted.end(), name) != halted.end();
        }
      }
      all_stopped = all_stopped && stopped;
    }
    if (all_stopped)
      rm.facts.set("stopped_first", "the containers were stopped earlier in the line");
  }
  // A file written from secrets or the environment, then uploaded: `tar czf /tmp/c.tgz ~/.aws &&
  // curl -T /tmp/c.tgz`, `env > /tmp/e && curl -T /tmp/e`.
  for (size_t i = 0; i < subjects.size(); ++i) {
    const Subject& w = subjects[i];
    const bool secret_source = w.facts.has("secrets_read") || w.facts.has("host_mount") ||
                               (is_env_dumper(w.name) && w.positionals.empty());
    if (!secret_source) continue;
    const bool archiver = w.name == "tar" || w.name == "zip" || w.name == "7z" || w.name == "gpg";
    for (const auto& t : w.facts.targets) {
      if (t.resolved.empty() || t.cls == PathClass::home_secret || (!t.write && !archiver))
        continue;
      for (size_t j = i + 1; j < subjects.size(); ++j) {
        Subject& up = subjects[j];
        if (!is_network_command(up.name)) continue;
        for (const auto& r : up.facts.targets) {
          if (!r.write && r.resolved == t.resolved)
            up.facts.set("secrets_send",
                         "uploads " + t.resolved + ", written from secrets by " + w.display);
        }
      }
    }
  }
}

}  // namespace blastwall::scope
