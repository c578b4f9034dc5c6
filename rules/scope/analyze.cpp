// Scope analysis proper: subjects and their facts.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/scope/classes.hpp"
#include "rules/scope/cloud.hpp"
#include "rules/scope/command_table.hpp"
#include "rules/scope/commands.hpp"
#include "rules/scope/data.hpp"
#include "rules/scope/extra_facts.hpp"
#include "rules/scope/facts_ext.hpp"
#include "rules/scope/mcp_code.hpp"
#include "rules/scope/scope.hpp"
#include "rules/shell/unwrap_internal.hpp"

namespace blastwall::scope {
namespace {

using shell::SimpleCommand;
using shell::Word;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// `w` holds "://" (a colon search first: most words have no colon at all).
bool has_scheme_separator(std::string_view w) {
  for (size_t c = w.find(':'); c != std::string_view::npos; c = w.find(':', c + 1))
    if (w.substr(c, 3) == "://") return true;
  return false;
}

bool looks_like_path(std::string_view w) {
  if (w.empty() || w[0] == '-') return false;
  if (has_scheme_separator(w)) return false;
  if (w[0] == '/' || w[0] == '~' || w == "." || w == ".." || starts_with(w, "./") ||
      starts_with(w, "../"))
    return true;
  auto slash = w.find('/');
  if (slash != std::string_view::npos && slash > 0 && w.find('=') == std::string_view::npos &&
      w.find(':') == std::string_view::npos && w[0] != '@')
    return true;
  auto base = w.substr(w.rfind('/') == std::string_view::npos ? 0 : w.rfind('/') + 1);
  return base == ".env" || starts_with(base, ".env.");
}

// Flags as the command sees them: short flags unbundled, long flags without "=value".
struct FlagSet {
  std::vector<std::string_view> longs;  // "--force", and literal single-dash words ("-delete"),
                                        // views into the subject's args
  bool shorts[128] = {};
  [[nodiscard]] bool has(std::string_view f) const {
    if (f.size() == 2 && f[0] == '-' && f[1] != '-') {
      auto c = static_cast<unsigned char>(f[1]);
      if (c < 128 && shorts[c]) return true;
    }
    return std::find(longs.begin(), longs.end(), f) != longs.end();
  }
};

FlagSet flags_of(const std::vector<std::string>& args) {
  FlagSet fs;
  for (const std::string_view a : args) {
    if (a == "--") break;
    if (a.size() < 2 || a[0] != '-') continue;
    if (a[1] == '-') {
      auto eq = a.find('=');
      fs.longs.push_back(eq == std::string_view::npos ? a : a.substr(0, eq));
      continue;
    }
    fs.longs.push_back(a);  // literal single-dash word (-delete, -rf, -auto-approve)
    bool letters = true;
    for (size_t i = 1; i < a.size(); ++i) {
      char c = a[i];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
        letters = false;
        break;
      }
    }
    if (!letters) continue;
    for (size_t i = 1; i < a.size(); ++i) fs.shorts[static_cast<unsigned char>(a[i])] = true;
  }
  return fs;
}

}  // namespace

// Calls f(value) for each value of an option in args (`--opt v`, `--opt=v`, `-ov` for one-letter
// options), in order, without copying them.
template <class F>
void each_option_value(const std::vector<std::string>& args, std::string_view opt, F&& f) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (a == "--") break;
    if (a == opt) {
      if (i + 1 < args.size()) f(std::string_view(args[i + 1]));
    } else if (starts_with(a, opt) && a.size() > opt.size() && a[opt.size()] == '=') {
      f(a.substr(opt.size() + 1));
    } else if (opt.size() == 2 && opt[0] == '-' && opt[1] != '-' && a.size() > 2 &&
               starts_with(a, opt) && a[1] != '-') {
      f(a.substr(2));
    }
  }
}

std::vector<std::string> option_values(const std::vector<std::string>& args, std::string_view opt) {
  std::vector<std::string> out;
  each_option_value(args, opt, [&](std::string_view v) { out.emplace_back(v); });
  return out;
}

namespace {

std::vector<std::string> positionals_of(std::string_view cmd,
                                        const std::vector<std::string>& args) {
  std::vector<std::string> out;
  bool after_dashdash = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    if (after_dashdash) {
      out.emplace_back(a);
      continue;
    }
    if (a == "--") {
      after_dashdash = true;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      if (a.find('=') == std::string_view::npos && option_takes_value(cmd, a)) ++i;
      continue;
    }
    out.emplace_back(a);
  }
  return out;
}

struct Ctx {
  const Action& action;
  const ScopeConfig& config;
  std::vector<std::string>* trace;
};

// `bounded`: the command narrows what it touches under this path (find -name ...), so a broad
// starting point does not make it global.
void add_target(Subject& s, const Ctx& c, std::string_view raw, const std::string& cwd, bool write,
                bool dynamic, bool glob, bool bounded = false) {
  Target t;
  t.raw = std::string(raw);
  t.write = write;
  t.glob = glob;
  t.dynamic = dynamic;
  const auto& ctx = c.action.ctx;
  if (!dynamic) {
    std::string_view dir_part = raw;
    if (glob) {
      auto g = raw.find_first_of("*?[");
      auto slash = raw.rfind('/', g);
      dir_part = slash == std::string_view::npos ? std::string_view(".") : raw.substr(0, slash + 1);
      if (dir_part.empty()) dir_part = "/";
    }
    std::string resolved_dir = resolve_path(dir_part, cwd, ctx.home);
    t.resolved = glob ? (resolved_dir.empty() ? std::string() : resolve_path(raw, cwd, ctx.home))
                      : resolved_dir;
    t.cls = classify_path(resolved_dir, ctx, c.config);
    t.self = is_self_path(t.resolved, ctx.home);
    if (glob && !resolved_dir.empty()) {
      s.facts.set("glob", t.raw);
      // `*/target` names one entry per directory; only a glob in the last component (`*`, `*.c`,
      // `/*`) covers everything there is.
      auto last = raw.substr(raw.rfind('/') == std::string_view::npos ? 0 : raw.rfind('/') + 1);
      bool broad = (last.find_first_of("*?[") != std::string_view::npos || last.empty()) &&
                   (t.cls == PathClass::root || t.cls == PathClass::home_root ||
                    resolved_dir == ctx.project_root ||
                    (t.cls == PathClass::system && resolved_dir.find('/', 1) == std::string::npos));
      if (broad && !bounded)
        s.facts.set("global", "glob " + t.raw + " covers all of " + resolved_dir);
    }
  } else {
    t.cls = PathClass::unknown;
    s.facts.set("dynamic_target", t.raw);
    // The fixed part after the last expansion can still say what the file is: `$p/environ` in a
    // loop over /proc, `$h/.aws/credentials` over home directories, `"$DIR/.env"`.
    const auto dollar = raw.rfind('$');
    const auto slash = dollar == std::string_view::npos ? dollar : raw.find('/', dollar);
    if (slash != std::string_view::npos && slash + 1 < raw.size()) {
      const std::string tail(raw.substr(slash));
      for (const std::string& base : {ctx.home, std::string("/proc/1")}) {
        const std::string probe = base + tail;
        const char* why = credential_reason(probe, ctx.home, ctx.project_root);
        const std::string_view name = std::string_view(tail).substr(tail.rfind('/') + 1);
        const bool public_part = tail.ends_with("/.ssh/config") || tail.ends_with("/.aws/config") ||
                                 name == "known_hosts" || name == "authorized_keys" ||
                                 name.ends_with(".pub");
        if (why ||
            (!public_part && classify_path(probe, ctx, c.config) == PathClass::home_secret)) {
          s.facts.set(
              write ? "secrets_write" : "secrets_read",
              std::string(why ? why : "credential file") + " named by the run-time path " + t.raw);
          break;
        }
      }
    }
  }
  if (!t.resolved.empty() && !glob && !bounded) {
    if (t.cls == PathClass::root) s.facts.set("global", "targets / (the whole filesystem)");
    if (t.cls == PathClass::home_root)
      s.facts.set("global", "targets the home directory " + t.resolved);
    if (t.cls == PathClass::system && t.resolved.find('/', 1) == std::string::npos)
      s.facts.set("global", "targets the system directory " + t.resolved);
    if (!ctx.project_root.empty() && t.resolved == ctx.project_root)
      s.facts.set("global", "targets the whole project " + t.resolved);
  }
  // Asked once per target: class_target_facts gets the answer.
  const char* cred = nullptr;
  if (t.cls == PathClass::home_secret) {
    s.facts.set(write ? "secrets_write" : "secrets_read", t.raw);
  } else if (!t.resolved.empty()) {
    if ((cred = credential_reason(t.resolved, ctx.home, ctx.project_root)))
      s.facts.set(write ? "secrets_write" : "secrets_read", std::string(cred) + ": " + t.raw);
  }
  if (t.self) s.facts.set(write ? "self" : "self_read", t.raw);
  if (!t.resolved.empty()) {
    // The dashboard token lets its holder approve for the human: no read of it, of a glob in its
    // directory, or of the whole directory (copy, archive, recursive grep) passes. Listing names
    // and metadata (ls, stat, test -f) reads no content and is fine.
    const std::string_view dir_of_glob =
        glob ? std::string_view(t.resolved).substr(0, t.resolved.rfind('/')) : std::string_view();
    bool lists_only = false;
    for (auto n : {"ls", "stat", "du", "tree", "file", "realpath", "readlink", "test", "[", "cd",
                   "mkdir", "exa", "eza"})
      lists_only = lists_only || s.name == n;
    if (!lists_only &&
        (is_ui_token_path(t.resolved) || (glob && is_state_dir(dir_of_glob, ctx.home)) ||
         (!glob && is_state_dir(t.resolved, ctx.home))))
      s.facts.set("self_secret", t.raw);
  }
  if (write) s.facts.set("write", t.raw);
  trust_target_facts(s, t, ctx);
  class_target_facts(s, t, cred);
  for (const auto& e : s.facts.targets) {
    if (e.raw == t.raw && e.write == t.write) return;
  }
  s.facts.targets.push_back(std::move(t));
}

const std::string* lookup_env(const Subject& s, std::string_view name) { return s.env_value(name); }

void prod_check(Subject& s, const Ctx& c, std::string_view what, std::string_view value) {
  if (!value.empty() && matches_prod(value, c.config.prod_patterns))
    s.facts.set("prod", std::string(what) + " " + std::string(value));
}

constexpr std::string_view k_kube[] = {
    "argo",   "argocd",   "cilium",  "devspace", "flux",   "helm",      "istioctl", "k9s",
    "kapp",   "kn",       "kubectl", "kubectx",  "kubens", "kustomize", "linkerd",  "oc",
    "okteto", "skaffold", "tilt",    "tkn",      "vela",   "velero"};
constexpr std::string_view k_db_clients[] = {
    "psql",      "mysql",      "mariadb",  "pg_dump",      "pg_restore", "dropdb",
    "createdb",  "mongosh",    "mongo",    "redis-cli",    "sqlcmd",     "clickhouse-client",
    "cockroach", "prisma",     "supabase", "rails",        "rake",       "bin/rails",
    "manage.py", "mysqladmin", "pg_ctl",   "dbmate",       "flyway",     "liquibase",
    "knex",      "sequelize",  "alembic",  "django-admin", "osql",       "mssql-cli",
    "snowsql",   "cqlsh",      "trino",    "beeline",      "spark-sql",  "vsql",
    "usql"};
bool is_kube_family(std::string_view n) { return command_is(n, cmd_kube, k_kube); }
bool is_db_client(std::string_view n) { return command_is(n, cmd_db_client, k_db_clients); }

void git_facts(Subject& s, const Ctx& c, const FlagSet& flags) {
  const auto& pos = s.positionals;
  if (pos.empty()) return;
  const std::string& sub = pos[0];
  auto protected_branch = [&](std::string_view b) {
    return matches_branch(b, c.config.protected_branches);
  };
  if (sub == "push") {
    if (flags.has("--all") || flags.has("--mirror"))
      s.facts.set("global", flags.has("--mirror") ? "git push --mirror rewrites every ref"
                                                  : "git push --all pushes every branch");
    bool deleting = flags.has("--delete") || flags.has("-d");
    std::vector<std::string> branches;
    for (size_t i = 2; i < pos.size(); ++i) {  // pos[1] is the remote
      std::string ref = pos[i];
      if (!ref.empty() && ref[0] == '+') {
        ref.erase(0, 1);
        s.facts.set("force_refspec", pos[i]);
      }
      auto colon = ref.find(':');
      if (colon != std::string::npos) {
        if (colon == 0) deleting = true;
        ref = ref.substr(colon + 1);
      }
      if (ref == "HEAD" && !c.action.ctx.vcs_branch.empty()) ref = c.action.ctx.vcs_branch;
      branches.push_back(ref);
    }
    if (branches.empty() && !c.action.ctx.vcs_branch.empty())
      branches.push_back(c.action.ctx.vcs_branch);
    for (const auto& b : branches) {
      if (protected_branch(b))
        s.facts.set("prod",
                    std::string(deleting ? "deletes" : "pushes to") + " protected branch " + b);
    }
    if (deleting) s.facts.set("branch_delete", "git push --delete");
    if (pos.size() >= 2) prod_check(s, c, "git remote", pos[1]);
  } else if (sub == "branch" && (flags.has("-D") || flags.has("-d") || flags.has("--delete"))) {
    for (size_t i = 1; i < pos.size(); ++i) {
      if (protected_branch(pos[i])) s.facts.set("prod", "deletes protected branch " + pos[i]);
    }
  }
}

// A command that changes the system it runs on: it writes or deletes files, controls services or
// processes, installs or removes packages, or changes ownership and permissions. Reads, database
// clients and application runners (judged by their own SQL and data facts) are not.
bool changes_running_system(const Subject& s) {
  if (s.facts.has("write")) return true;
  const std::string_view n = s.name;
  const auto& p = s.positionals;
  auto names_verb = [&](std::initializer_list<std::string_view> verbs) {
    for (const auto& w : p)
      for (auto v : verbs)
        if (w == v) return true;
    return false;
  };
  static constexpr std::string_view k_changers[] = {
      "chattr",   "chgrp",    "chmod",    "chown",   "cp",      "crontab", "dd",    "halt",
      "install",  "iptables", "kill",     "killall", "ln",      "mkfs",    "mount", "mv",
      "nft",      "pkill",    "poweroff", "reboot",  "rm",      "rmdir",   "shred", "shutdown",
      "truncate", "umount",   "unlink",   "useradd", "userdel", "usermod"};
  if (std::find(std::begin(k_changers), std::end(k_changers), n) != std::end(k_changers))
    return true;
  // A shell given a script (a file, or `-s` reading one from stdin) runs text nobody has seen:
  // `ssh web-prod-1 bash -s < maintenance.sh`, `ssh db-prod sh ./fix.sh`.
  if (n == "sh" || n == "bash" || n == "dash" || n == "zsh" || n == "ksh")
    return std::find(s.args.begin(), s.args.end(), "-s") != s.args.end() || !p.empty();
  if (n == "systemctl" || n == "service" || n == "supervisorctl" || n == "rc-service")
    return names_verb({"start", "stop", "restart", "reload", "try-restart", "reload-or-restart",
                       "enable", "disable", "mask", "kill", "isolate", "daemon-reload"});
  if (n == "nginx" || n == "apachectl" || n == "apache2ctl")
    return std::find(s.args.begin(), s.args.end(), "-s") != s.args.end() ||
           names_verb({"restart", "graceful", "stop"});
  if (n == "apt" || n == "apt-get" || n == "yum" || n == "dnf" || n == "apk" || n == "zypper" ||
      n == "pip" || n == "pip3" || n == "gem")
    return !p.empty() && (p[0] == "install" || p[0] == "remove" || p[0] == "purge" ||
                          p[0] == "upgrade" || p[0] == "uninstall" || p[0] == "add" ||
                          p[0] == "del" || p[0] == "autoremove" || p[0] == "dist-upgrade");
  return false;
}

// A script file run as root (through sudo, doas or su): `sudo ./install.sh`, `sudo bash
// scripts/setup.sh`, `su -c 'python3 tools/fix.py'`. Nobody has seen what it does, and it can do
// anything to the machine. System programs (`sudo /usr/sbin/nginx -t`) are not scripts.
void root_script_facts(Subject& s) {
  const bool root = std::any_of(s.wrappers.begin(), s.wrappers.end(), [](const std::string& w) {
    return w == "sudo" || w == "doas" || w == "su" || starts_with(w, "su ");
  });
  if (!root || s.informational) return;
  auto script_path = [](std::string_view p) {
    if (p.find('/') == std::string_view::npos) return false;
    for (auto sys : {"/usr/", "/bin/", "/sbin/", "/lib", "/opt/", "/snap/", "/nix/", "/etc/"})
      if (starts_with(p, sys)) return false;
    return true;
  };
  std::string script;
  if (script_path(s.argv0)) {
    script = s.argv0;
  } else {
    static constexpr std::string_view k_interpreters[] = {"bash",    "dash", "fish", "ksh",
                                                          "node",    "perl", "php",  "python",
                                                          "python3", "ruby", "sh",   "zsh"};
    if (std::find(std::begin(k_interpreters), std::end(k_interpreters), s.name) ==
        std::end(k_interpreters))
      return;
    for (const std::string& a : s.args) {
      if (a == "-c" || a == "-m" || a == "-e" || a == "-")
        return;  // code or a module, judged apart
      if (!a.empty() && a[0] == '-') continue;
      script = a;
      break;
    }
    const std::string_view ext = std::string_view(script).substr(std::min(
        script.size(), script.rfind('.') == std::string::npos ? script.size() : script.rfind('.')));
    if (script.empty() || (!script_path(script) && ext.empty())) return;
  }
  s.facts.set("root_script", "runs the script " + script + " as root; its content is not seen");
}

// The tool a package runner or `java -jar` starts, and where its arguments begin: `npx cdk deploy`,
// `pnpm dlx wrangler deploy`, `bunx sst remove`, `java -jar jenkins-cli.jar -s URL build job`.
std::string runner_started_tool(const Subject& s, size_t& next) {
  const std::string_view n = s.name;
  const auto& a = s.args;
  size_t i = 0;
  if (n == "java") {
    for (; i + 1 < a.size(); ++i) {
      if (a[i] != "-jar") continue;
      std::string jar = a[i + 1].substr(a[i + 1].rfind('/') + 1);
      if (jar.size() <= 4 || jar.substr(jar.size() - 4) != ".jar") return {};
      next = i + 2;
      return jar.substr(0, jar.size() - 4);
    }
    return {};
  }
  const bool js_runner = n == "npx" || n == "pnpx" || n == "bunx";
  const bool sub_runner =
      (n == "pnpm" || n == "yarn" || n == "npm" || n == "bun") && !s.positionals.empty() &&
      (s.positionals[0] == "dlx" || s.positionals[0] == "exec" || s.positionals[0] == "x");
  if (!js_runner && !sub_runner) return {};
  bool skipped_sub = js_runner;
  for (; i < a.size(); ++i) {
    const std::string& w = a[i];
    if (w == "--") continue;
    if (!w.empty() && w[0] == '-') {
      if (w == "-p" || w == "--package" || w == "-c" || w == "--call") ++i;
      continue;
    }
    if (!skipped_sub) {
      skipped_sub = true;
      continue;
    }
    std::string t = w;
    if (t.size() > 1 && t[0] == '@') {
      const auto sl = t.find('/');
      if (sl != std::string::npos) t = t.substr(sl + 1);
    }
    if (const auto at = t.find('@', 1); at != std::string::npos) t = t.substr(0, at);
    next = i + 1;
    return t;
  }
  return {};
}

void cloud_facts(Subject& s, const Ctx& c);
void cloud_command_facts(Subject& s, const Ctx& c);

// `scp f root@web-prod-1:/etc/nginx/`, `rsync -a ~/ backup@host:/b/`, `rsync --delete b/ /tmp/x/`:
// where the copy lands decides what it risks.
void copy_to_host_facts(Subject& s, const Ctx& c) {
  auto host_of = [](std::string_view w) -> std::string_view {
    if (w.empty() || w[0] == '/' || w[0] == '.' || w[0] == '~') return {};
    if (starts_with(w, "rsync://")) w.remove_prefix(8);
    const auto colon = w.find(':');
    if (colon == std::string_view::npos || colon == 0) return {};
    std::string_view h = w.substr(0, colon);
    if (const auto at = h.rfind('@'); at != std::string_view::npos) h = h.substr(at + 1);
    return h.find('/') == std::string_view::npos ? h : std::string_view();
  };
  const auto& p = s.positionals;
  const std::string_view dest_host = host_of(p.back());
  bool local_source = false;
  for (size_t i = 0; i + 1 < p.size(); ++i) local_source = local_source || host_of(p[i]).empty();
  if (!dest_host.empty() && local_source) {
    if (matches_prod(dest_host, c.config.prod_patterns))
      s.facts.set("prod_change",
                  s.name + " copies files onto production host " + std::string(dest_host));
    for (size_t i = 0; i + 1 < p.size(); ++i) {
      if (!host_of(p[i]).empty()) continue;
      const auto r =
          resolve_path(p[i], s.cwd.empty() ? c.action.ctx.cwd : s.cwd, c.action.ctx.home);
      const auto cls = classify_path(r, c.action.ctx, c.config);
      if (cls == PathClass::home_root || cls == PathClass::root)
        s.facts.set("secrets_send", s.name + " sends " + r +
                                        " (with every credential store in it) to " +
                                        std::string(dest_host));
    }
  }
  if (dest_host.empty()) {
    const auto r =
        resolve_path(p.back(), s.cwd.empty() ? c.action.ctx.cwd : s.cwd, c.action.ctx.home);
    if (classify_path(r, c.action.ctx, c.config) == PathClass::temp)
      s.facts.set("temp_destination", s.name + " writes into temp " + r);
  }
}

// Cloud facts of the tool a runner starts, added to the runner's subject.
void runner_cloud_facts(Subject& s, const Ctx& c) {
  size_t next = 0;
  const std::string tool = runner_started_tool(s, next);
  if (tool.empty() || !is_cloud_tool(tool)) return;
  Subject inner = s;
  inner.name = tool;
  inner.args.assign(s.args.begin() + static_cast<std::ptrdiff_t>(std::min(next, s.args.size())),
                    s.args.end());
  inner.positionals = positionals_of(inner.name, inner.args);
  inner.facts = Facts{};
  cloud_facts(inner, c);
  if (inner.informational) return;
  for (const auto& [k, whys] : inner.facts.flags)
    for (const auto& w : whys) s.facts.set(k, w);
}

// Every name cloud_facts and runner_started_tool test with `n == "..."` (the cloud, cluster and
// database lists have bits of their own): for a command in none of these lists cloud_facts runs
// only its parts that read no command name (wrappers, breadth flags). A new `n == "..."` test in
// cloud_facts needs its name here (the CommandTable test compares with the table off).
constexpr std::string_view k_cloud_fact_cmds[] = {
    "aws",    "sam",        "cdk",    "eksctl",    "copilot",  "sst",    "serverless",
    "sls",    "gcloud",     "gsutil", "bq",        "firebase", "az",     "terraform",
    "tofu",   "terragrunt", "pulumi", "helm",      "helmfile", "rails",  "rake",
    "python", "python3",    "bundle", "npx",       "npm",      "mix",    "django-admin",
    "yarn",   "pnpm",       "vercel", "netlify",   "fly",      "flyctl", "heroku",
    "ssh",    "scp",        "rsync",  "redis-cli", "kubectx",  "doctl",  "kubectl",
    "oc",     "java",       "pnpx",   "bunx",      "bun"};

void cloud_facts(Subject& s, const Ctx& c) {
  const std::string_view n = s.name;
  const bool named =
      !command_table_on() || s.origin == "mcp-sql" ||
      (command_bits(n) & (cmd_cloud | cmd_kube | cmd_db_client | cmd_cloud_facts)) != 0;
  if (named) cloud_command_facts(s, c);
  std::string prod_place;  // the production host, container or pod the command runs in
  for (const auto& w : s.wrappers) {
    const bool had_prod = s.facts.has("prod");
    if (starts_with(w, "ssh ")) prod_check(s, c, "ssh host", w.substr(4));
    if (starts_with(w, "on hosts ")) prod_check(s, c, "hosts", w.substr(9));
    // The container or pod a command is executed in ("docker exec prod-db", "kubectl exec api
    // --context prod"): its name and context are the command's environment.
    if (w.find(" exec ") != std::string::npos) prod_check(s, c, "runs inside", w);
    if (!had_prod && s.facts.has("prod")) prod_place = w;
    if (w == "at" || w == "batch" || w == "crontab" || w == "systemd-run --on-timer")
      s.facts.set("scheduled", w);
  }
  if (!prod_place.empty() && changes_running_system(s))
    s.facts.set("prod_change", s.display + " changes what runs in production (" + prod_place + ")");
  if (s.facts.has("remote_unseen") && s.facts.has("prod"))
    s.facts.set("prod_change", s.display + ": a script nobody can see runs on a production host (" +
                                   s.facts.flags["prod"].front() + ")");
  if (named) {
    identifier_prod_facts(s, c.config);
    if (auto why = throwaway_reason(s); !why.empty()) {
      s.informational = true;
      if (c.trace)
        c.trace->push_back("scope: '" + s.display + "' changes nothing that matters: " + why);
    }
    prod_change_facts(s);
    cloud_control_facts(s);
  }
  // Breadth flags.
  for (const std::string_view a : s.args) {
    if (a == "--") break;
    if (a == "--all" || a == "--all-namespaces" || (a == "-A" && is_kube_family(n)))
      s.facts.set("global", s.name + " " + std::string(a));
  }
  if (named && n == "redis-cli") {
    for (const auto& a : s.args) {
      std::string u;
      for (char ch : a) u += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (u == "FLUSHALL" || u == "FLUSHDB")
        s.facts.set("global", "Redis " + u + " deletes every key");
    }
  }
}

// The parts of cloud_facts that depend on the command's name: production markers in its options,
// environment and arguments.
void cloud_command_facts(Subject& s, const Ctx& c) {
  runner_cloud_facts(s, c);
  const std::string_view n = s.name;
  const auto& args = s.args;
  auto opt = [&](std::string_view o) { return option_values(args, o); };
  auto each_opt = [&](std::string_view o, auto&& f) { each_option_value(args, o, f); };
  auto env = [&](std::string_view name) { return lookup_env(s, name); };
  if (is_kube_family(n)) {
    for (auto o : {"--context", "--kube-context", "--kubecontext", "--cluster", "-n", "--namespace",
                   "--kubeconfig"})
      each_opt(o, [&](std::string_view v) { prod_check(s, c, std::string("kube ") + o, v); });
    if (auto* v = env("KUBECONFIG")) prod_check(s, c, "KUBECONFIG", *v);
    if (s.positionals.size() >= 3 && s.positionals[0] == "config" &&
        s.positionals[1] == "use-context")
      prod_check(s, c, "kube context", s.positionals[2]);
    if (n == "kubectx" && !s.positionals.empty())
      prod_check(s, c, "kube context", s.positionals[0]);
  }
  if (n == "aws" || n == "sam" || n == "cdk" || n == "eksctl" || n == "copilot" || n == "sst" ||
      n == "serverless" || n == "sls") {
    each_opt("--profile", [&](std::string_view v) { prod_check(s, c, "AWS profile", v); });
    for (auto e : {"AWS_PROFILE", "AWS_DEFAULT_PROFILE"})
      if (auto* v = env(e)) prod_check(s, c, e, *v);
    for (const std::string_view a : args) {
      if (starts_with(a, "arn:")) prod_check(s, c, "AWS ARN", a);
      if (starts_with(a, "s3://")) prod_check(s, c, "S3 bucket", a);
    }
    each_opt("--stage", [&](std::string_view v) { prod_check(s, c, "stage", v); });
    each_opt("--context", [&](std::string_view v) { prod_check(s, c, "context", v); });
  }
  if (n == "gcloud" || n == "gsutil" || n == "bq" || n == "firebase") {
    each_opt("--project", [&](std::string_view v) { prod_check(s, c, "gcloud project", v); });
    for (auto e : {"CLOUDSDK_CORE_PROJECT", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT"})
      if (auto* v = env(e)) prod_check(s, c, e, *v);
    for (const auto& a : args)
      if (starts_with(a, "gs://")) prod_check(s, c, "GCS bucket", a);
    if (s.positionals.size() >= 3 && s.positionals[0] == "projects")
      prod_check(s, c, "gcloud project", s.positionals.back());
    each_opt("-P", [&](std::string_view v) { prod_check(s, c, "firebase project", v); });
  }
  if (n == "az") {
    each_opt("--subscription",
             [&](std::string_view v) { prod_check(s, c, "Azure subscription", v); });
    for (auto o : {"-g", "--resource-group", "-n", "--name"})
      each_opt(o, [&](std::string_view v) { prod_check(s, c, "Azure resource", v); });
    if (auto* v = env("AZURE_SUBSCRIPTION_ID")) prod_check(s, c, "AZURE_SUBSCRIPTION_ID", *v);
  }
  if (n == "terraform" || n == "tofu" || n == "terragrunt") {
    if (auto* v = env("TF_WORKSPACE")) prod_check(s, c, "TF_WORKSPACE", *v);
    each_opt("-var-file", [&](std::string_view v) { prod_check(s, c, "terraform var file", v); });
    each_opt("-chdir", [&](std::string_view v) { prod_check(s, c, "terraform dir", v); });
    if (s.positionals.size() >= 3 && s.positionals[0] == "workspace" &&
        (s.positionals[1] == "select" || s.positionals[1] == "new" || s.positionals[1] == "delete"))
      prod_check(s, c, "terraform workspace", s.positionals[2]);
    // The command's own directory (it follows `cd infra/prod &&`), below the project root.
    const std::string& wd = s.cwd.empty() ? c.action.ctx.cwd : s.cwd;
    const std::string& root = c.action.ctx.project_root;
    std::vector<std::string> dirs = opt("-chdir");
    if (!wd.empty() && !root.empty() && wd.size() > root.size() && starts_with(wd, root)) {
      dirs.push_back(wd.substr(root.size()));
      prod_check(s, c, "terraform working dir", dirs.back());
    }
    // A module kept as a local example or sandbox (examples/local-docker, sandbox/localstack):
    // applying or destroying it touches nothing anyone else uses.
    static const std::vector<std::string> k_throwaway{
        "local",    "localstack", "sandbox", "scratch",  "playground", "example",
        "examples", "demo",       "kind",    "minikube", "k3d"};
    for (const auto& d : dirs)
      if (!s.facts.has("prod") && matches_prod(d, k_throwaway))
        s.facts.set("throwaway_env",
                    "terraform working dir " + d + " is a local example or sandbox");
  }
  if (n == "pulumi") {
    for (auto o : {"--stack", "-s"})
      each_opt(o, [&](std::string_view v) { prod_check(s, c, "pulumi stack", v); });
    if (auto* v = env("PULUMI_STACK")) prod_check(s, c, "PULUMI_STACK", *v);
    if (s.positionals.size() >= 3 && s.positionals[0] == "stack" && s.positionals[1] == "select")
      prod_check(s, c, "pulumi stack", s.positionals[2]);
  }
  if (n == "helm" || n == "helmfile") {
    for (auto o : {"-e", "--environment"})
      each_opt(o, [&](std::string_view v) { prod_check(s, c, "helmfile environment", v); });
  }
  if (is_db_client(n) || s.origin == "mcp-sql") {
    for (auto o :
         {"-h", "--host", "--url", "-d", "--dbname", "--uri", "--db-url", "--database-url"})
      each_opt(o, [&](std::string_view v) { prod_check(s, c, std::string("database ") + o, v); });
    if (n == "sqlcmd" || n == "osql" || n == "mssql-cli")  // SQL Server: -S names the server
      each_opt("-S", [&](std::string_view v) { prod_check(s, c, "database -S", v); });
    for (const auto& a : s.positionals) {
      if (a.find("://") != std::string::npos || a.find('$') != std::string::npos)
        prod_check(s, c, "database URL", a);
    }
    for (auto e : {"PGHOST", "PGDATABASE", "DATABASE_URL", "MYSQL_HOST", "REDIS_URL", "MONGO_URL",
                   "MONGODB_URI", "REDIS_HOST", "DB_HOST"})
      if (auto* v = env(e)) prod_check(s, c, e, *v);
  }
  // Framework environments apply to any command that reads them (rails, rake, manage.py, npm run).
  for (auto e : {"RAILS_ENV", "RACK_ENV", "NODE_ENV", "APP_ENV", "MIX_ENV",
                 "DJANGO_SETTINGS_MODULE", "ENVIRONMENT", "STAGE", "DEPLOY_ENV"}) {
    // Only variables set for this command (in the line), not the agent's whole environment, to
    // avoid marking every `ls` in a shell that exports NODE_ENV=production.
    for (const auto& [k, v] : s.env) {
      if (std::string_view(k) == e &&
          (is_db_client(n) || n == "rails" || n == "rake" || n == "python" || n == "python3" ||
           n == "bundle" || n == "npx" || n == "npm" || n == "mix" || n == "django-admin" ||
           n == "yarn" || n == "pnpm"))
        prod_check(s, c, k, v);
    }
  }
  if (n == "rails" || n == "python" || n == "python3" || n == "django-admin" || n == "rake" ||
      n == "bundle" || n == "sst" || n == "serverless" || n == "sls" || n == "vercel" ||
      n == "netlify" || n == "fly" || n == "flyctl" || n == "heroku") {
    for (auto o : {"--settings", "--env", "--environment", "-e"}) {
      if (!(std::string_view(o) == "-e" && (n == "python" || n == "python3")))
        each_opt(o, [&](std::string_view v) { prod_check(s, c, o, v); });
    }
  }
  if (n == "heroku" || n == "fly" || n == "flyctl")
    for (auto o : {"-a", "--app"})
      each_opt(o, [&](std::string_view v) { prod_check(s, c, "app", v); });
  // `vercel --prod`, `vercel --target=production`, `netlify deploy --prod|--prod-if-unlocked`: the
  // flag is the production marker (also through `npx`, `pnpm dlx`, `bunx`).
  if (n == "vercel" || n == "netlify") {
    for (size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      const bool target_prod =
          a == "--target=production" ||
          (a == "--target" && i + 1 < args.size() && args[i + 1] == "production");
      if (a == "--prod" || a == "--production" || a == "--prod-if-unlocked" || target_prod) {
        s.facts.set("prod", std::string(n) + " " + a);
        break;
      }
    }
  }
  if (n == "ssh" && !s.positionals.empty()) prod_check(s, c, "ssh host", s.positionals[0]);
  if ((n == "scp" || n == "rsync") && s.positionals.size() >= 2) copy_to_host_facts(s, c);
}

// `eval "$(ssh-agent -s)"` and friends: well-known tools whose output only sets environment
// variables. Anything else computed at run time stays dynamic (ask).
bool is_env_setup_eval(const SimpleCommand& cmd) {
  if (cmd.name != "eval" || cmd.argv.size() != 2) return false;
  std::string_view t = cmd.argv[1].text;
  if (t.substr(0, 2) != "$(" || t.back() != ')') return false;
  t = t.substr(2, t.size() - 3);
  static const char* const k_generators[] = {"ssh-agent -s",
                                             "ssh-agent",
                                             "direnv export bash",
                                             "direnv export zsh",
                                             "pyenv init -",
                                             "pyenv init --path",
                                             "pyenv virtualenv-init -",
                                             "rbenv init -",
                                             "nodenv init -",
                                             "brew shellenv",
                                             "/opt/homebrew/bin/brew shellenv",
                                             "/home/linuxbrew/.linuxbrew/bin/brew shellenv",
                                             "opam env",
                                             "conda shell.bash hook",
                                             "starship init bash",
                                             "starship init zsh",
                                             "zoxide init bash",
                                             "zoxide init zsh",
                                             "fnm env",
                                             "keychain --eval",
                                             "gpg-agent --daemon",
                                             "dircolors",
                                             "dircolors -b",
                                             "luarocks path",
                                             "thefuck --alias",
                                             "mise activate bash",
                                             "rtx activate bash",
                                             "goenv init -",
                                             "jenv init -",
                                             "minikube docker-env"};
  for (const char* g : k_generators) {
    if (t == g) return true;
  }
  return false;
}

std::string join_cmd_name(const SimpleCommand& cmd) {
  return cmd.name.empty() ? (cmd.argv.empty() ? std::string("(assignment)") : cmd.argv[0].text)
                          : cmd.name;
}

// find limited by name to build junk (__pycache__, *.pyc, *.orig, swap files, node_modules, ...)
// from starting points inside the project or temp: what it deletes is re-creatable by definition.
void find_junk_facts(Subject& s) {
  size_t names = 0;
  for (size_t i = 0; i < s.args.size(); ++i) {
    const auto& a = s.args[i];
    // Negation or an alternative without a name predicate widens the match beyond the names.
    if (a == "!" || a == "-not") return;
    if ((a == "-o" || a == "-or") &&
        (i + 1 >= s.args.size() || (s.args[i + 1] != "-name" && s.args[i + 1] != "-iname")))
      return;
    if (i + 1 >= s.args.size()) break;
    if (a == "-path" || a == "-ipath" || a == "-regex" || a == "-iregex" || a == "-wholename" ||
        a == "-lname")
      return;  // a path pattern can reach anything: not provably junk
    if (a != "-name" && a != "-iname") continue;
    if (!is_junk_name(s.args[i + 1])) return;
    ++names;
  }
  if (names == 0 || s.facts.targets.empty()) return;
  for (const auto& t : s.facts.targets) {
    if (t.dynamic || t.glob || !(t.cls == PathClass::inside_project || t.cls == PathClass::temp))
      return;
  }
  s.facts.set("junk_only", "find limited by name to build junk under " + s.facts.targets[0].raw);
}

void subject_for_command(Subject& s, const SimpleCommand& cmd, const Ctx& c) {
  s.kind = ActionKind::shell_exec;
  s.name = cmd.name;
  const std::string_view name = s.name;
  s.begin = cmd.begin;
  s.end = cmd.end;
  s.tool = c.action.ctx.tool;
  s.cwd = cmd.cwd;
  if (!cmd.argv.empty()) s.argv0 = cmd.argv[0].text;
  s.args.reserve(cmd.argv.size());
  for (size_t i = 1; i < cmd.argv.size(); ++i) s.args.push_back(cmd.argv[i].text);
  s.argv_joined = cmd.joined();
  s.display = s.argv_joined.empty() ? join_cmd_name(cmd) : s.argv_joined;
  s.stdin_from = cmd.stdin_from;
  s.wrappers = cmd.wrappers;
  s.origin = cmd.origin;
  for (const auto& [k, v] : cmd.env) s.env.emplace_back(k, v);
  for (const auto& a : cmd.assignments) s.env.emplace_back(a.name, a.value.text);
  for (const auto& [k, v] : c.action.ctx.env) s.env.emplace_back(k, v);
  s.positionals = positionals_of(s.name, s.args);
  {
    // Help requests run nothing, but only trust them where the tool is known to print help and
    // exit: `--help` as the very first argument, or anywhere for tools that handle it that way.
    // A tool that ignores an unknown --help must not turn a destructive line into an allow.
    static constexpr std::string_view k_help_anywhere[] = {
        "rm",     "git", "kubectl", "helm", "docker", "podman", "terraform", "tofu",
        "pulumi", "dd",  "curl",    "psql", "mysql",  "npm",    "cargo"};
    const bool known = std::find(std::begin(k_help_anywhere), std::end(k_help_anywhere), name) !=
                       std::end(k_help_anywhere);
    for (size_t i = 0; i < s.args.size(); ++i) {
      const std::string_view a = s.args[i];
      if (a == "--") break;
      const bool first = i == 0;
      if ((a == "--help" && (first || known)) || (a == "-h" && (name == "rm" || name == "git")))
        s.informational = true;
    }
  }
  if (cmd.dynamic_verb && !is_env_setup_eval(cmd))
    s.facts.set("dynamic", "command name computed at run time: " + s.display);
  for (const auto& [fact, why] : cmd.facts) s.facts.set(fact, why);  // homoglyph, fork_bomb, ...

  const std::string& cwd = cmd.cwd;
  auto flags = flags_of(s.args);
  const bool writer = is_writer_command(s.name) || ((name == "sed" || name == "perl") &&
                                                    (flags.has("-i") || flags.has("--in-place")));
  // Redirections.
  for (const auto& r : cmd.redirects) {
    using shell::RedirectOp;
    bool write = r.op == RedirectOp::write || r.op == RedirectOp::clobber ||
                 r.op == RedirectOp::append || r.op == RedirectOp::read_write ||
                 r.op == RedirectOp::dup_out;
    bool read = r.op == RedirectOp::read;
    if (!write && !read) continue;
    const auto& t = r.target.text;
    if (t.empty() || (r.op == RedirectOp::dup_out && std::all_of(t.begin(), t.end(), ::isdigit)))
      continue;
    if (t == "/dev/null" || t == "/dev/stdout" || t == "/dev/stderr" || t == "/dev/tty" ||
        starts_with(t, "/dev/fd/") || t == "-")
      continue;
    add_target(s, c, t, cwd, write, r.target.dynamic, false);
    if (write) {
      s.redirects.push_back(resolve_path(t, cwd, c.action.ctx.home));
      if (r.op != RedirectOp::append) s.facts.set("truncates", t);
    }
  }
  // Path arguments.
  const bool file_cmd = is_file_command(s.name);
  bool skipped_code = !first_positional_is_code(s.name) || flags.has("-e") || flags.has("-f") ||
                      flags.has("--regexp");
  // find: starting points are the positionals before the first expression word. Name, path,
  // time or size predicates bound what it touches.
  const bool is_find = name == "find" || name == "fd";
  bool find_bounded = false;
  if (is_find) {
    for (const auto& a : s.args) {
      for (const char* p : {"-name", "-iname", "-path", "-ipath", "-regex", "-iregex", "-newer",
                            "-mtime", "-mmin", "-size", "-user", "-empty", "-wholename", "-links",
                            "-perm", "-inum", "-samefile", "-lname"}) {
        if (a == p) find_bounded = true;
      }
    }
    if (name == "fd") find_bounded = true;  // fd always takes a pattern
  }
  s.bounded = find_bounded;
  // Options whose value is a file written: cp -t DIR, curl -o FILE, wget -O FILE, tar -C DIR.
  bool target_dir_opt = false;
  auto write_opt = [&](std::initializer_list<const char*> opts) {
    for (const char* o : opts) {
      for (const auto& v : option_values(s.args, o)) {
        if (v.empty() || v == "-") continue;
        add_target(s, c, v, cwd, true, false, false);
        target_dir_opt = true;
      }
    }
  };
  if (name == "cp" || name == "mv" || name == "ln" || name == "install")
    write_opt({"-t", "--target-directory"});
  if (name == "curl") {
    write_opt({"-o", "--output"});
    // Bundled short flags ending in o take the next word: curl -sSLo FILE URL.
    for (size_t i = 0; i + 1 < s.args.size(); ++i) {
      const std::string_view a = s.args[i];
      if (a.size() > 2 && a[0] == '-' && a[1] != '-' && a.back() == 'o' &&
          a.find('=') == std::string_view::npos && s.args[i + 1] != "-") {
        add_target(s, c, s.args[i + 1], cwd, true, false, false);
        target_dir_opt = true;
      }
    }
  }
  if (name == "wget") write_opt({"-O", "--output-document"});
  if (name == "tar" && (flags.has("-x") || flags.has("--extract")))
    write_opt({"-C", "--directory"});
  bool find_expr = false;
  bool after_dd = false;
  const size_t n_args = cmd.argv.size();
  std::vector<size_t> positional_idx;
  for (size_t i = 1; i < n_args; ++i) {
    const Word& w = cmd.argv[i];
    const std::string_view a = w.text;
    if (a == "--") {
      after_dd = true;
      continue;
    }
    if (!after_dd && a.size() > 1 && a[0] == '-') {
      if (is_find) find_expr = true;
      if (a.find('=') == std::string_view::npos && option_takes_value(name, a)) ++i;
      continue;
    }
    if (is_find && (find_expr || a == "!" || a == "(")) continue;
    if (name == "dd") {
      if (starts_with(a, "of=")) add_target(s, c, a.substr(3), cwd, true, w.dynamic, false);
      if (starts_with(a, "if=")) add_target(s, c, a.substr(3), cwd, false, w.dynamic, false);
      continue;
    }
    if (!skipped_code) {
      skipped_code = true;
      continue;
    }
    positional_idx.push_back(i);
  }
  // rimraf (directly or through npx/pnpm dlx/bunx) deletes every path after its name.
  bool after_rimraf = name == "rimraf" || name == "del-cli";
  for (size_t k = 0; k < positional_idx.size(); ++k) {
    const Word& w = cmd.argv[positional_idx[k]];
    const std::string_view a = w.text;
    if ((name == "npx" || name == "pnpx" || name == "bunx" || name == "pnpm" || name == "yarn") &&
        (a == "rimraf" || a == "del-cli")) {
      after_rimraf = true;
      continue;
    }
    if (after_rimraf) {
      add_target(s, c, a, cwd, true, w.dynamic, w.glob);
      continue;
    }
    bool path_like = file_cmd || is_find || looks_like_path(a) || (w.glob && !w.quoted) ||
                     (w.dynamic && writer) || ((name == "sed" || name == "perl") && writer);
    if (name == "git" || name == "kubectl" || name == "helm" || name == "docker") {
      path_like = looks_like_path(a) && (a[0] == '/' || a[0] == '~' || a[0] == '.');
    }
    if (!path_like) continue;
    if (name == "chmod" || name == "chown" || name == "chgrp") {
      if (k == 0) continue;  // mode / owner
    }
    bool write = writer;
    if ((name == "cp" || name == "ln" || name == "install" || name == "rsync" || name == "mv") &&
        target_dir_opt)
      write = name == "mv";  // with -t DIR every positional is a source (mv removes it)
    else if ((name == "cp" || name == "ln" || name == "install" || name == "rsync") &&
             k + 1 < positional_idx.size())
      write = false;  // sources are read
    if (is_find && flags.has("-delete")) write = true;
    add_target(s, c, a, cwd, write, w.dynamic, w.glob, is_find && find_bounded);
  }
  // rsync/scp remote destinations are network sends.
  if (cmd.dynamic_args && writer) {
    Target t;
    t.raw = "{dynamic}";
    t.dynamic = true;
    t.write = true;
    s.facts.targets.push_back(t);
    s.facts.set("dynamic_target",
                "arguments supplied at run time by " +
                    (cmd.wrappers.empty() ? std::string("a wrapper") : cmd.wrappers.back()));
  }
  // curl -d @file / -T file / -F x=@file read local files to send them.
  if (name == "curl" || name == "http" || name == "xh" || name == "wget") {
    for (size_t i = 0; i < s.args.size(); ++i) {
      std::string_view a = s.args[i];
      std::string_view v;
      // Bundled short flags end with the one that takes the value: -sF f=@x, -sd @x.
      const bool bundled_value =
          a.size() > 2 && a[0] == '-' && a[1] != '-' && (a.back() == 'F' || a.back() == 'd');
      if ((a == "-d" || a == "--data" || a == "--data-binary" || a == "--data-raw" ||
           a == "--data-urlencode" || a == "-F" || a == "--form" || a == "--json" ||
           bundled_value) &&
          i + 1 < s.args.size())
        v = s.args[i + 1];
      else if ((a == "-T" || a == "--upload-file" || a == "--post-file" || a == "--body-file") &&
               i + 1 < s.args.size()) {
        add_target(s, c, s.args[i + 1], cwd, false, false, false);
        continue;
      } else if (starts_with(a, "--post-file=") || starts_with(a, "--body-file=")) {
        add_target(s, c, a.substr(a.find('=') + 1), cwd, false, false, false);
        continue;
      }
      auto at = v.find('@');
      if (at != std::string_view::npos && at + 1 < v.size())
        add_target(s, c, v.substr(at + 1), cwd, false, false, false);
    }
  }

  // Facts from flags.
  if (flags.has("-r") || flags.has("-R") || flags.has("--recursive") ||
      ((name == "cp" || name == "rsync") && flags.has("-a")))
    s.facts.set("recursive", s.name);
  if (name == "rsync" &&
      (flags.has("--delete") || flags.has("--delete-before") || flags.has("--delete-after") ||
       flags.has("--delete-during") || flags.has("--delete-excluded") || flags.has("--mirror")))
    s.facts.set("mirror_delete",
                "rsync --delete removes destination files missing from the source");
  if (is_network_command(s.name)) s.facts.set("network", s.name);
  if (name == "git") git_facts(s, c, flags);
  cloud_facts(s, c);
  data_command_facts(s, c.config);
  // Self-protection: the local approval API.
  if (name == "curl" || name == "wget" || name == "http" || name == "xh") {
    bool mutating = flags.has("-d") || flags.has("--data") || flags.has("--json") ||
                    flags.has("-F") || flags.has("--post-data") || flags.has("--form") ||
                    flags.has("--data-binary") || flags.has("--data-raw") ||
                    flags.has("--data-urlencode") || flags.has("--form-string") ||
                    flags.has("-T") || flags.has("--upload-file") || flags.has("--post-file") ||
                    flags.has("--method") || flags.has("--body-data") || flags.has("--body-file");
    for (const auto& m : option_values(s.args, "-X"))
      mutating = mutating || (m != "GET" && m != "HEAD");
    for (const auto& m : option_values(s.args, "--request"))
      mutating = mutating || (m != "GET" && m != "HEAD");
    for (const auto& a : s.args) {
      if ((a.find("127.0.0.1:8765/api") != std::string::npos ||
           a.find("localhost:8765/api") != std::string::npos) &&
          (mutating || name == "http" || name == "xh"))
        s.facts.set("self", "writes to blastwall's local approval API: " + a);
    }
  }
  if (is_find) find_junk_facts(s);
  // Formatters and fixers rewrite the files and directories they are given; make -C and
  // --manifest-path run a build elsewhere. Their paths are written, not read.
  // Formatters and fixers rewrite the files and directories they are given; make -C and
  // --manifest-path run a build elsewhere. Their paths are written, not read.
  static constexpr std::string_view k_rewriters[] = {
      "autopep8", "black",      "bundle",    "cargo",   "clang-format", "composer",
      "eslint",   "gofmt",      "goimports", "isort",   "npm",          "pipenv",
      "pnpm",     "poetry",     "prettier",  "rubocop", "ruff",         "rustfmt",
      "shfmt",    "standardrb", "uv",        "yapf",    "yarn"};
  static_assert(std::is_sorted(std::begin(k_rewriters), std::end(k_rewriters)));
  if (std::binary_search(std::begin(k_rewriters), std::end(k_rewriters), name)) {
    // `bundle exec rubocop -A`, `poetry run black .`: judge the tool the runner starts.
    std::string_view tool = name;
    if ((name == "bundle" || name == "poetry" || name == "uv" || name == "pipenv") &&
        s.positionals.size() >= 2 && (s.positionals[0] == "exec" || s.positionals[0] == "run"))
      tool = s.positionals[1];
    const bool rewrites =
        ((tool == "gofmt" || tool == "goimports" || tool == "shfmt") && flags.has("-w")) ||
        (tool == "prettier" && (flags.has("--write") || flags.has("-w"))) ||
        ((tool == "black" || tool == "isort" || tool == "rustfmt" || tool == "autopep8" ||
          tool == "yapf") &&
         !flags.has("--check") && !flags.has("--diff")) ||
        (tool == "ruff" &&
         (flags.has("--fix") || (!s.positionals.empty() && s.positionals[0] == "format"))) ||
        ((tool == "rubocop" || tool == "standardrb") &&
         (flags.has("-a") || flags.has("-A") || flags.has("--autocorrect") ||
          flags.has("--autocorrect-all") || flags.has("--fix"))) ||
        (tool == "eslint" && flags.has("--fix")) || (tool == "clang-format" && flags.has("-i"));
    if (rewrites) {
      std::vector<std::string> raws;
      for (const auto& t : s.facts.targets)
        if (!t.write && !t.dynamic) raws.push_back(t.raw);
      for (const auto& r : raws) add_target(s, c, r, cwd, true, false, false);
      // No path given: the tool rewrites the directory it runs in.
      if (raws.empty() && s.facts.targets.empty()) add_target(s, c, ".", cwd, true, false, false);
    }
    for (auto o : {"--manifest-path", "--project-dir", "--prefix"}) {
      for (const auto& v : option_values(s.args, o)) add_target(s, c, v, cwd, true, false, false);
    }
  }
  if (name == "make" || name == "gmake") {
    for (const auto& v : option_values(s.args, "-C")) add_target(s, c, v, cwd, true, false, false);
  }
  // Interpreter one-liners: the paths their delete calls name are targets like rm's.
  if (is_interpreter(name)) {
    for (size_t i = 0; i + 1 < s.args.size(); ++i) {
      const auto& o = s.args[i];
      if (o != "-c" && o != "-e" && o != "-E" && o != "-r" && o != "--eval" && o != "-p") continue;
      const std::string code = s.args[i + 1];
      // The code itself is not a path, even when it contains a '/'.
      std::erase_if(s.facts.targets, [&](const Target& t) { return t.raw == code && !t.write; });
      for (const auto& [path, dyn] : interpreter_delete_paths(code))
        add_target(s, c, dyn ? std::string_view("{code}") : std::string_view(path), cwd, true, dyn,
                   false);
      if (interpreter_deletes_only_junk(code))
        s.facts.set("junk_only", "one-liner deletes only files globbed by a build-junk name");
    }
  }
  root_script_facts(s);
  publish_command_facts(s);
  extension_facts(s, cmd, c.action.ctx, c.config);
  class_facts(s, cmd, c.action.ctx, c.config);
}

bool spans_contain(const SimpleCommand& outer, const SimpleCommand& inner) {
  return inner.depth > outer.depth && inner.begin >= outer.begin && inner.end <= outer.end &&
         outer.end > outer.begin;
}

// Facts that need more than one command: pipes, command substitutions.
// What a whole-tree archiver packs: `tar c[z] [-C DIR] SRC..` / `zip -r - SRC..` /
// `git archive TREE` (without pathspecs: the whole repository). Returns "home" when the home
// directory itself is packed, "project" for the project root or repository, "" otherwise.
std::string archived_tree(const SimpleCommand& c, const ActionContext& ctx) {
  const auto& a = c.argv;
  const std::string& n = c.name;
  auto strip = [](std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
  };
  const std::string home = strip(ctx.home);
  const std::string root = strip(ctx.project_root.empty() ? ctx.cwd : ctx.project_root);
  auto classify = [&](const std::string& dir, const std::string& src) -> std::string {
    std::string p = src == "." || src == "./" || src == "*" || src == "./*" || src == ".*"
                        ? dir
                        : (!src.empty() && src[0] == '/' ? src : dir + "/" + src);
    p = strip(p);
    if (!home.empty() && p == home) return "home";
    if (!root.empty() && p == root) return "project";
    return {};
  };
  if (n == "git" && a.size() >= 3 && a[1].text == "archive") {
    size_t positionals = 0;
    for (size_t i = 2; i < a.size(); ++i) {
      const std::string& t = a[i].text;
      if (t == "-o" || t == "--output" || t == "--prefix" || t == "--format" || t == "--remote") {
        ++i;
        continue;
      }
      if (!t.empty() && t[0] == '-') continue;
      ++positionals;
    }
    return positionals == 1 ? "project" : "";  // the tree-ish alone
  }
  std::string dir = c.cwd;
  std::vector<std::string> srcs;
  bool create = false;
  if (n == "tar" || n == "bsdtar" || n == "gtar") {
    for (size_t i = 1; i < a.size(); ++i) {
      const std::string& t = a[i].text;
      if (i == 1 && !t.empty() && t[0] != '-' && t.find('c') != std::string::npos) {
        create = true;
        if (t.find('f') != std::string::npos) ++i;  // the archive name follows
        continue;
      }
      if (t == "-C" || t == "--directory") {
        if (i + 1 < a.size()) dir = a[++i].text;
        continue;
      }
      if (t.rfind("--directory=", 0) == 0) {
        dir = t.substr(12);
        continue;
      }
      if (t == "--create") create = true;
      if (t.size() > 1 && t[0] == '-' && t[1] != '-') {
        if (t.find('c') != std::string::npos) create = true;
        if (t.back() == 'f' && i + 1 < a.size()) ++i;
        continue;
      }
      if (!t.empty() && t[0] == '-') continue;
      srcs.push_back(t);
    }
  } else if (n == "zip") {
    create = true;
    bool archive_named = false;
    for (size_t i = 1; i < a.size(); ++i) {
      const std::string& t = a[i].text;
      if (!t.empty() && t[0] == '-' && t != "-") continue;
      if (!archive_named) {
        archive_named = true;
        continue;
      }
      srcs.push_back(t);
    }
  }
  if (!create) return {};
  std::string found;
  for (const auto& src : srcs) {
    const auto k = classify(dir, src);
    if (k == "home") return k;
    if (!k.empty()) found = k;
  }
  return found;
}

void cross_command_facts(const shell::ShellParse& parse, std::vector<Subject>& subjects,
                         const ActionContext& ctx) {
  const auto& cmds = parse.commands;
  auto is_fetcher = [](std::string_view n) {
    return n == "curl" || n == "wget" || n == "fetch" || n == "http" || n == "xh" || n == "aria2c";
  };
  auto reads_secret = [&](size_t i) {
    return subjects[i].facts.has("secrets_read") ||
           (is_env_dumper(cmds[i].name) && cmds[i].argv.size() == 1) ||
           (cmds[i].name == "export" && cmds[i].argv.size() == 2 && cmds[i].argv[1].text == "-p");
  };
  for (size_t i = 0; i < cmds.size(); ++i) {
    const auto& ci = cmds[i];
    Subject& si = subjects[i];
    const bool runs_code = is_shell(ci.name) || is_interpreter(ci.name) || ci.name == "source" ||
                           ci.name == "." || ci.name == "eval" || ci.dynamic_verb;
    // Pipelines: upstream stages of the same pipeline.
    for (size_t j = 0; j < cmds.size(); ++j) {
      if (j == i) continue;
      const auto& cj = cmds[j];
      bool upstream = ci.pipeline >= 0 && cj.pipeline == ci.pipeline &&
                      cj.pipeline_pos < ci.pipeline_pos && cj.depth == ci.depth;
      bool inside = spans_contain(ci, cj);  // $(...), <(...) inside ci's words
      if (!upstream && !inside) continue;
      if (runs_code && is_fetcher(cj.name))
        si.facts.set("remote_exec", cj.joined() + " -> " + ci.joined());
      if (is_network_command(ci.name) && reads_secret(j))
        si.facts.set("secrets_send", cj.joined() + " -> " + ci.joined());
      // The whole home directory (its keys and tokens with it) or the whole project streamed to
      // the network.
      if (upstream && is_network_command(ci.name)) {
        const std::string tree = archived_tree(cj, ctx);
        if (tree == "home") {
          si.facts.set("secrets_send",
                       "an archive of the home directory (keys, tokens, "
                       "credential files) goes to " +
                           ci.joined());
        } else if (tree == "project") {
          si.facts.set("bulk_send", "an archive of the whole project goes to " + ci.joined());
        }
      }
    }
    if (runs_code && !ci.stdin_from.empty() && is_fetcher(ci.stdin_from))
      si.facts.set("remote_exec", ci.stdin_from + " | " + ci.name);
    // `… | ssh host CMD`: what the local pipeline feeds in is read on the other machine.
    if (!ci.stdin_from.empty() && ci.depth > 0 &&
        std::any_of(ci.wrappers.begin(), ci.wrappers.end(),
                    [](const std::string& w) { return w.rfind("ssh ", 0) == 0; })) {
      for (size_t j = 0; j < cmds.size(); ++j) {
        const auto& cj = cmds[j];
        if (j != i && cj.depth < ci.depth && cj.pipeline >= 0 && cj.name == ci.stdin_from &&
            cj.end <= ci.begin && reads_secret(j))
          si.facts.set("secrets_send", cj.joined() + " -> " + ci.wrappers.back());
      }
    }
    // A secret-looking variable expanded into a network command's arguments.
    if (is_network_command(ci.name)) {
      for (size_t k = 1; k < ci.argv.size(); ++k) {
        const auto& w = ci.argv[k];
        if (!w.dynamic) continue;
        // A credential in an Authorization header is how APIs are meant to be called; exfiltration
        // puts secrets in bodies, URLs and uploads.
        bool auth_header =
            k > 1 && (ci.argv[k - 1].text == "-H" || ci.argv[k - 1].text == "--header") &&
            (w.text.rfind("Authorization:", 0) == 0 || w.text.rfind("authorization:", 0) == 0 ||
             w.text.rfind("PRIVATE-TOKEN:", 0) == 0 || w.text.rfind("X-API-Key:", 0) == 0 ||
             w.text.rfind("x-api-key:", 0) == 0);
        if (auth_header) continue;
        std::string up;
        for (char ch : w.text)
          up += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        for (auto key : {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "ACCESS_KEY",
                         "PRIVATE_KEY", "CREDENTIAL"}) {
          if (up.find(key) != std::string::npos) {
            si.facts.set("secrets_send", "sends " + w.text + " over the network");
            break;
          }
        }
      }
      if (si.facts.has("secrets_read")) si.facts.set("secrets_send", ci.joined());
    }
  }
  // Production data exported to a file (a redirect or an output option) and that file sent off
  // the machine later in the line, or the export streamed into a network command.
  for (size_t j = 0; j < cmds.size(); ++j) {
    if (!subjects[j].facts.has("data_export") || !subjects[j].facts.has("prod")) continue;
    const auto& cj = cmds[j];
    std::vector<std::string> files;
    for (const auto& r : cj.redirects) {
      if ((r.op == shell::RedirectOp::write || r.op == shell::RedirectOp::clobber ||
           r.op == shell::RedirectOp::append) &&
          (r.fd == -1 || r.fd == 1) && !r.target.text.empty())
        files.push_back(r.target.text);
    }
    for (size_t k = 1; k < cj.argv.size(); ++k) {
      const std::string& t = cj.argv[k].text;
      if ((t == "-o" || t == "--output" || t == "-f" || t == "--file" || t == "--out") &&
          k + 1 < cj.argv.size())
        files.push_back(cj.argv[k + 1].text);
      for (std::string_view pre : {"--output=", "--file=", "--out=", "--result-file="})
        if (t.rfind(pre, 0) == 0 && t.size() > pre.size()) files.push_back(t.substr(pre.size()));
    }
    for (size_t i = 0; i < cmds.size(); ++i) {
      const auto& ci = cmds[i];
      const bool remote = std::any_of(ci.wrappers.begin(), ci.wrappers.end(), [](const auto& w) {
        return w.rfind("ssh ", 0) == 0;
      });  // `ssh HOST 'cat > x' < FILE`: the unwrapped command reads FILE on the other machine
      if (i == j || (!is_network_command(ci.name) && !remote)) continue;
      const bool streamed = ci.pipeline >= 0 && cj.pipeline == ci.pipeline &&
                            cj.pipeline_pos < ci.pipeline_pos && cj.depth == ci.depth;
      std::string sent;
      if (streamed) sent = "its output";
      if (sent.empty() && ci.begin >= cj.end) {
        auto names = [&](const std::string& w) {
          const auto cut = w.find_last_of("@<=");
          const std::string_view v =
              cut == std::string::npos ? std::string_view(w) : std::string_view(w).substr(cut + 1);
          return std::find(files.begin(), files.end(), v) != files.end();
        };
        for (size_t k = 1; k < ci.argv.size() && sent.empty(); ++k)
          if (names(ci.argv[k].text)) sent = ci.argv[k].text;
        for (const auto& r : ci.redirects) {
          if (sent.empty() && r.op == shell::RedirectOp::read && names(r.target.text))
            sent = r.target.text;
          // `sftp HOST <<< 'put FILE'`: the client's own commands name the file
          for (const auto& f : files)
            if (sent.empty() && !r.body.empty() && r.body.find(f) != std::string::npos) sent = f;
        }
      }
      if (!sent.empty())
        subjects[i].facts.set("prod_data_send", "production data exported by " + cj.joined() +
                                                    " (" + sent + ") goes to " + ci.joined());
    }
  }
}

bool has_wrapper(const SimpleCommand& cmd, std::string_view w) {
  for (const auto& x : cmd.wrappers) {
    if (x == w || x.rfind(std::string(w) + " ", 0) == 0) return true;
  }
  return false;
}

// Commands that receive their arguments at run time (find -exec CMD {}, ... | xargs CMD) get the
// targets the feeding command makes knowable: find's starting points, the literal words of an
// upstream echo/printf, or "everything in DIR" for an upstream ls.
void inherit_runtime_targets(const shell::ShellParse& parse, std::vector<Subject>& subjects,
                             const Ctx& c) {
  const auto& cmds = parse.commands;
  for (size_t i = 0; i < cmds.size(); ++i) {
    const auto& ci = cmds[i];
    if (!ci.dynamic_args) continue;
    Subject& si = subjects[i];
    const bool writer = is_writer_command(ci.name);
    auto inherit_find = [&](size_t j) {
      for (const auto& t : subjects[j].facts.targets) {
        add_target(si, c, t.raw, cmds[j].cwd, writer, t.dynamic, t.glob, subjects[j].bounded);
      }
      if (auto it = subjects[j].facts.flags.find("junk_only"); it != subjects[j].facts.flags.end())
        si.facts.set("junk_only", it->second.empty() ? std::string() : it->second.front());
    };
    if (has_wrapper(ci, "find")) {
      for (size_t j = i; j-- > 0;) {
        if (cmds[j].name == "find" && cmds[j].begin <= ci.begin && cmds[j].end >= ci.end) {
          inherit_find(j);
          break;
        }
      }
      continue;
    }
    if (!has_wrapper(ci, "xargs") || ci.pipeline < 0 || ci.pipeline_pos == 0) continue;
    for (size_t j = 0; j < cmds.size(); ++j) {
      const auto& cj = cmds[j];
      if (cj.pipeline != ci.pipeline || cj.pipeline_pos + 1 != ci.pipeline_pos ||
          cj.depth != ci.depth)
        continue;
      if (cj.name == "echo" || cj.name == "printf") {
        for (size_t k = 1; k < cj.argv.size(); ++k) {
          const auto& w = cj.argv[k];
          if (!w.text.empty() && w.text[0] == '-' && k == 1) continue;
          add_target(si, c, w.text, cj.cwd, writer, w.dynamic, w.glob);
        }
      } else if (cj.name == "ls") {
        bool any = false;
        for (size_t k = 1; k < cj.argv.size(); ++k) {
          const auto& w = cj.argv[k];
          if (!w.text.empty() && w.text[0] == '-') continue;
          std::string dir = w.text;
          if (!dir.empty() && dir.back() != '/') dir += '/';
          add_target(si, c, dir + "*", cj.cwd, writer, w.dynamic, true);
          any = true;
        }
        if (!any) add_target(si, c, "./*", cj.cwd, writer, false, true);
      } else if (cj.name == "find") {
        inherit_find(j);
      }
      break;
    }
  }
}

void attach_sql(const shell::ShellParse& parse, std::vector<Subject>& subjects) {
  for (const auto& sn : parse.snippets) {
    if (sn.command_index < 0 || static_cast<size_t>(sn.command_index) >= subjects.size()) continue;
    if (sn.language != "sql" && sn.language != "mongo" && sn.language != "redis") continue;
    Subject& s = subjects[static_cast<size_t>(sn.command_index)];
    std::string norm;
    bool space = false;
    for (char ch : sn.text) {
      if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
        space = !norm.empty();
        continue;
      }
      if (space) norm += ' ';
      space = false;
      norm += ch;
    }
    analyze_sql(norm, s.facts);
    s.sql.push_back(std::move(norm));
  }
}

void analyze_shell(const std::string& line, const Ctx& c, const shell::Limits& limits,
                   const std::string& origin, Analysis& out) {
  shell::ShellEnv env;
  env.cwd = c.action.ctx.cwd;
  env.home = c.action.ctx.home;
  env.user = c.action.ctx.user;
  env.vars = c.action.ctx.env;
  auto parse = shell::parse_shell(line, env, limits);
  if (parse.fail_closed) {
    out.fail_closed = true;
    if (out.fail_reason.empty()) out.fail_reason = parse.fail_reason;
  }
  for (auto& t : parse.trace) out.trace.push_back(std::move(t));
  std::vector<Subject> subjects;
  subjects.reserve(parse.commands.size());
  std::vector<std::string> embedded;  // shell text that configuration written here will run
  for (const auto& cmd : parse.commands) {
    Subject& s = subjects.emplace_back();
    subject_for_command(s, cmd, c);
    s.line = line;
    if (!origin.empty()) s.origin = origin;
    for (auto& script : trust_command_facts(s, c.action.ctx)) embedded.push_back(std::move(script));
    // What a shell write puts into a manifest or build script: the line is the best view of it
    // (echo/printf arguments, here-document bodies).
    for (const auto& t : s.facts.targets) {
      if (t.write && !t.resolved.empty()) trust_content_facts(s, t.resolved, line, {});
    }
  }
  attach_sql(parse, subjects);
  inherit_runtime_targets(parse, subjects, c);
  cross_command_facts(parse, subjects, c.action.ctx);
  push_to_new_remote_facts(subjects, 0);
  // Commands unwrapped from a one-liner that only deletes build junk share that bound.
  for (size_t j = 0; j < subjects.size(); ++j) {
    auto it = subjects[j].facts.flags.find("junk_only");
    if (it == subjects[j].facts.flags.end() || !is_interpreter(parse.commands[j].name)) continue;
    const std::string why = it->second.empty() ? std::string() : it->second.front();
    for (size_t i = 0; i < subjects.size(); ++i) {
      if (i != j && spans_contain(parse.commands[j], parse.commands[i]))
        subjects[i].facts.set("junk_only", why);
    }
  }
  extension_cross_facts(subjects);
  if (out.subjects.empty()) {
    out.subjects = std::move(subjects);
  } else {
    for (auto& s : subjects) out.subjects.push_back(std::move(s));
  }
  // Aliases, pagers and sshCommand values are shell text git will run: judge it like any other.
  if (origin != "git config") {
    for (const auto& script : embedded) analyze_shell(script, c, limits, "git config", out);
  }
}

Subject file_subject(const Action& a, const Ctx& c) {
  Subject s;
  s.kind = a.kind;
  s.tool = a.ctx.tool;
  s.path = resolve_path(a.path, a.ctx.cwd, a.ctx.home);
  s.display = a.path;
  s.content = a.content;
  for (const auto& [k, v] : a.ctx.env) s.env.emplace_back(k, v);
  bool write = a.kind != ActionKind::file_read;
  add_target(s, c, a.path, a.ctx.cwd, write, false, false);
  if (write && a.kind != ActionKind::file_delete) {
    trust_content_facts(s, s.path, a.content, a.old_content);
    protection_off_facts(s, s.path, a.ctx.project_root, a.content, a.old_content, c.config);
  }
  if (a.kind == ActionKind::file_delete) s.facts.set("deletes", a.path);
  if (a.kind == ActionKind::file_write) s.facts.set("truncates", a.path);
  return s;
}

void url_facts(Subject& s, const Ctx& c) {
  const std::string& u = s.url;
  auto scheme_end = u.find("://");
  std::string rest = scheme_end == std::string::npos ? u : u.substr(scheme_end + 3);
  std::string host = rest.substr(0, rest.find_first_of("/?#"));
  if (auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  std::string path = rest.size() > host.size() ? rest.substr(rest.find_first_of("/?#")) : "";
  s.facts.set("network", host);
  if ((starts_with(host, "127.0.0.1:8765") || starts_with(host, "localhost:8765") ||
       starts_with(host, "[::1]:8765")) &&
      starts_with(path, "/api") && s.method != "GET" && s.method != "HEAD" && !s.method.empty())
    s.facts.set("self", "writes to blastwall's local approval API: " + u);
  prod_check(s, c, "URL host", host);
  if (auto why = metadata_credentials(host, path); !why.empty()) s.facts.set("secrets_read", why);
  data_http_facts(s, c.config, s.method, u, c.action.content);
  http_request_facts(s, s.method, u);
}

// Recognises what an MCP argument carries, by key name first and content second.
enum class ArgKind { none, shell, sql, path, url };

// Tools that type into a running process (a shell, a REPL, a terminal multiplexer): what they are
// given is run, whatever the argument is called. desktop-commander interact_with_process {input},
// terminal send_keys {keys}, tmux/screen tools {text}.
// Whole words of the tool's name (`slack_reply_to_thread` has no "repl", `puppeteer_screenshot`
// no "screen").
bool tool_feeds_process(std::string_view tool) {
  const auto words = tool_words(tool);
  auto has = [&](std::string_view w) {
    return std::find(words.begin(), words.end(), w) != words.end();
  };
  for (auto w : {"process", "terminal", "shell", "repl", "tmux", "screen", "sendkeys", "pty",
                 "console", "session"}) {
    if (has(w)) return true;
  }
  return has("send") && has("keys");
}

bool is_command_key(std::string_view key) {
  std::string k;
  for (char ch : key) k += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return k == "command" || k == "cmd" || k == "shell" || k == "script" || k == "bash" ||
         k == "commandline" || k == "command_line" || k == "shell_command" || k == "run" ||
         k == "exec" || k == "cmdline";
}

// Process input that a shell could not read but a REPL could: `print(x)`, `import os`,
// `const a = 1`. Shell-looking text (`rm -rf ~`) stays a shell line.
bool looks_like_repl_code(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  const auto sp = v.find_first_of(" \t\n");
  const std::string_view first = v.substr(0, sp);
  if (first.find('(') != std::string_view::npos) return true;
  for (auto kw : {"import", "from", "def", "class", "const", "let", "var", "await", ">>>"}) {
    if (first == kw) return true;
  }
  return starts_with(v, "console.") || starts_with(v, "require(");
}

std::string shell_quote(std::string_view w) {
  std::string q = "'";
  for (char ch : w) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

// A database tool (by server or tool name): its unnamed string arguments may be SQL. Prose
// arguments of an issue tracker or chat tool that mention "DROP TABLE" are not.
bool is_database_tool(std::string_view server, std::string_view tool) {
  auto has = [](std::string_view name) {
    std::string t;
    for (char ch : name) t += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    for (auto w : {"sql",       "postgres",   "pg",        "mysql",    "maria",     "mongo",
                   "redis",     "db",         "database",  "supabase", "neon",      "snowflake",
                   "bigquery",  "clickhouse", "cockroach", "dynamo",   "cassandra", "oracle",
                   "warehouse", "query",      "trino",     "presto",   "athena"}) {
      if (t.find(w) != std::string::npos) return true;
    }
    return false;
  };
  return has(server) || has(tool);
}

// Keys whose value is prose for people (an issue title, a comment, a commit message): never SQL,
// whatever words it starts with.
bool is_prose_key(std::string_view k) {
  for (auto w : {"title",   "body",     "text",   "description", "message",    "comment",
                 "content", "summary",  "note",   "notes",       "subject",    "caption",
                 "reason",  "details",  "name",   "label",       "markdown",   "html",
                 "prompt",  "question", "answer", "reply",       "status_text"}) {
    if (k == w) return true;
  }
  return false;
}

ArgKind classify_arg(std::string_view key, std::string_view value, std::string_view tool = {},
                     std::string_view server = {}) {
  std::string k;
  for (char ch : key) k += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto key_is = [&](std::initializer_list<std::string_view> names) {
    return std::find(names.begin(), names.end(), k) != names.end();
  };
  if (key_is({"command", "cmd", "shell", "script", "bash", "commandline", "command_line",
              "shell_command", "run", "exec", "code_shell", "cmdline", "shellcommand", "argv"}))
    return ArgKind::shell;
  // `cli_command`, `terminalCommand`, `bash_cmd`: any key that ends in "command" or "_cmd" holds a
  // command line (not `subcommand`, which names one word of a tool's own CLI).
  if (k.size() > 7 && (k.ends_with("command") || k.ends_with("_cmd")) && !k.ends_with("subcommand"))
    return ArgKind::shell;
  // Text typed into a process is a command line (or SQL, when the process is a database client);
  // for other tools `text`/`input` is content.
  if (key_is({"input", "keys", "text", "stdin", "line", "chars", "data", "send", "keystrokes"}) &&
      !tool.empty() && tool_feeds_process(tool)) {
    std::string head;
    std::string_view v = value;
    while (!v.empty() && (v[0] == ' ' || v[0] == '\n')) v.remove_prefix(1);
    for (char ch : v.substr(0, 12))
      head += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    for (auto kw : {"DROP ", "TRUNCATE ", "DELETE FROM", "UPDATE ", "ALTER ", "GRANT ", "COPY "}) {
      if (starts_with(head, kw)) return ArgKind::sql;
    }
    return ArgKind::shell;
  }
  if (key_is({"sql", "statement", "sql_query", "stmt", "sql_statement", "sqlquery"}))
    return ArgKind::sql;
  // `query` is SQL for a database tool (or one that runs queries); for a search tool
  // (search_issues, web_search) it is search text.
  if (key_is({"query"}) && (tool.empty() || is_database_tool(server, tool) ||
                            std::string_view(tool).find("execute") != std::string_view::npos))
    return ArgKind::sql;
  if (key_is({"path", "file", "filename", "file_path", "filepath", "source", "destination",
              "target", "dir", "directory", "paths", "src", "dest", "old_path", "new_path",
              "notebook_path"}))
    return ArgKind::path;
  if (key_is({"url", "uri", "endpoint", "href"})) return ArgKind::url;
  // Content sniffing for unnamed keys.
  std::string_view v = value;
  while (!v.empty() && (v[0] == ' ' || v[0] == '\n')) v.remove_prefix(1);
  std::string head;
  for (char ch : v.substr(0, 10))
    head += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  // SQL by content only where SQL is plausible: a database tool's argument that is not prose.
  if (!is_prose_key(k) && (tool.empty() || is_database_tool(server, tool))) {
    for (auto kw : {"DROP ", "TRUNCATE ", "DELETE FROM", "UPDATE ", "ALTER TABLE"}) {
      if (starts_with(head, kw)) return ArgKind::sql;
    }
  }
  if (starts_with(v, "http://") || starts_with(v, "https://")) return ArgKind::url;
  return ArgKind::none;
}

bool tool_name_writes(std::string_view tool) {
  std::string t;
  for (char ch : tool) t += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (auto w :
       {"write", "edit", "create", "move", "rename", "delete", "remove", "put", "upload", "save",
        "append", "patch", "replace", "update", "mkdir", "copy", "push", "commit"}) {
    if (t.find(w) != std::string::npos) return true;
  }
  return false;
}
bool tool_name_deletes(std::string_view tool) {
  std::string t;
  for (char ch : tool) t += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return t.find("delete") != std::string::npos || t.find("remove") != std::string::npos;
}

// Paths the engine refuses to classify: a path that is not UTF-8 or absurdly long cannot be shown
// to a human faithfully, and no real tool call needs one.
const char* bad_path(std::string_view p) {
  if (p.size() > 4096) return "is longer than 4096 bytes";
  for (size_t i = 0; i < p.size();) {
    const auto b = static_cast<unsigned char>(p[i]);
    size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > p.size() || (n == 2 && b < 0xC2)) return "is not valid UTF-8";
    for (size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(p[i + k]) >> 6) != 0x2) return "is not valid UTF-8";
    }
    i += n;
  }
  if (p.find('\0') != std::string_view::npos) return "contains a NUL byte";
  return nullptr;
}

// The new and replaced text of an MCP write or edit: `content`, or `edits: [{newText, oldText}]`
// (filesystem server), or `new_string`/`old_string` (desktop-commander edit_block).
void mcp_edit_content(const nlohmann::json& args, Action& fa) {
  auto str = [&](const nlohmann::json& o, const char* k) -> std::string {
    auto it = o.find(k);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (!args.is_object()) return;
  fa.content = str(args, "content");
  for (const char* k : {"new_string", "newText", "new_text", "text"}) fa.content += str(args, k);
  for (const char* k : {"old_string", "oldText", "old_text"}) fa.old_content += str(args, k);
  if (auto it = args.find("edits"); it != args.end() && it->is_array()) {
    for (const auto& e : *it) {
      if (!e.is_object()) continue;
      fa.content += str(e, "newText") + str(e, "new_string") + "\n";
      fa.old_content += str(e, "oldText") + str(e, "old_string") + "\n";
    }
  }
}

// Credential material in an argument a tool sends on (a chat message, an issue comment, a mail
// body) is a secret leaving the machine. Local file writes are not sending: what they write is
// judged by where it goes.
void mcp_credential_facts(const std::string& v, const std::string& key, const Ctx& c,
                          Analysis& out) {
  if (v.size() < 16 || out.subjects.empty() || out.subjects[0].kind != ActionKind::mcp_call) return;
  const auto& args = c.action.mcp.arguments;
  if (tool_name_writes(c.action.mcp.tool) && args.is_object()) {
    for (const char* k : {"path", "file_path", "filepath", "filename", "destination"}) {
      auto it = args.find(k);
      if (it != args.end() && it->is_string()) return;
    }
  }
  if (auto why = credential_in_text(v); !why.empty())
    out.subjects[0].facts.set("secrets_send",
                              why + " (argument '" + key + "' of " + c.action.mcp.tool + ")");
}

// Code a tool runs, in its language. Shell is parsed as shell; interpreter languages as the
// one-liner of their interpreter (`python3 -c CODE`), so every call table of the unwrapper applies;
// Jupyter shell escapes (`!rm -rf x`) as shell. Browser code is also checked for sending the page's
// credentials away. Without a language: shell when a shell can read it, else Python and Node.
void analyze_mcp_code(const std::string& lang, const std::string& code, const Ctx& c,
                      const shell::Limits& limits, Analysis& out) {
  static const std::pair<const char*, const char*> k_carriers[] = {
      {"node", "node -e "},
      {"ruby", "ruby -e "},
      {"perl", "perl -e "},
      {"php", "php -r "},
      {"lua", "lua -e "},
      {"groovy", "groovy -e "},
      {"kotlin", "kotlinc -e "},
      {"scala", "scala -e "},
      {"rust", "rust-script -e "},
      {"java", "jshell -e "},
      {"go", "gorun -e "},
      {"c", "tcc -run -e "},
      {"csharp", "dotnet-script eval "},
      {"swift", "swift -e "}};
  if (lang == "shell") return analyze_shell(code, c, limits, "mcp", out);
  if (lang == "python") {
    const auto parts = split_ipython_cell(code);
    for (const auto& sh : parts.shell) analyze_shell(sh, c, limits, "mcp", out);
    if (parts.python.find_first_not_of(" \t\n") != std::string::npos)
      analyze_shell("python3 -c " + shell_quote(parts.python), c, limits, "mcp", out);
    return;
  }
  if (lang == "browser") {
    analyze_shell("node -e " + shell_quote(code), c, limits, "mcp", out);
    if (auto why = browser_credential_send(code); !why.empty() && !out.subjects.empty())
      out.subjects[0].facts.set("secrets_send", why);
    return;
  }
  for (const auto& [l, carrier] : k_carriers) {
    if (lang == l) return analyze_shell(carrier + shell_quote(code), c, limits, "mcp", out);
  }
  Analysis as_shell;
  analyze_shell(code, c, limits, "mcp", as_shell);
  if (as_shell.fail_closed) {
    for (const char* interp : {"python3 -c ", "node -e "})
      analyze_shell(interp + shell_quote(code), c, limits, "mcp", out);
    return;
  }
  for (auto& t : as_shell.trace) out.trace.push_back(std::move(t));
  for (auto& sub : as_shell.subjects) out.subjects.push_back(std::move(sub));
}

// A container-run tool (`run_container {image, command, volumes, privileged}`, docker SDK and
// Docker/Podman MCP servers' shapes) is `docker run` with those options: the same host-mount,
// privilege and command facts as the shell line. Empty when the object is not such a call.
std::string container_run_line(const nlohmann::json& j, std::string_view tool,
                               std::string_view server) {
  auto img = j.find("image");
  if (img == j.end() || !img->is_string() || img->get_ref<const std::string&>().empty()) return {};
  std::string t(tool);
  for (auto& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const bool runs = t.find("run") != std::string::npos || t.find("create") != std::string::npos ||
                    t.find("start") != std::string::npos;
  const bool container =
      t.find("container") != std::string::npos || t.find("docker") != std::string::npos ||
      t.find("podman") != std::string::npos || server.find("docker") != std::string_view::npos ||
      server.find("podman") != std::string_view::npos;
  if (!runs || !container) return {};
  std::string line = "docker run";
  auto truthy = [&](const char* k) {
    auto it = j.find(k);
    return it != j.end() && it->is_boolean() && it->get<bool>();
  };
  if (truthy("privileged")) line += " --privileged";
  for (const char* k : {"network_mode", "network", "pid_mode", "pid", "ipc_mode", "userns_mode"}) {
    auto it = j.find(k);
    if (it != j.end() && it->is_string() && it->get_ref<const std::string&>() == "host") {
      const std::string_view flag = k[0] == 'n'   ? "--network"
                                    : k[0] == 'p' ? "--pid"
                                    : k[0] == 'i' ? "--ipc"
                                                  : "--userns";
      line += " " + std::string(flag) + " host";
    }
  }
  auto bind = [&](const std::string& host, const std::string& target, const std::string& mode) {
    line += " -v " + shell_quote(host + ":" + target + (mode.empty() ? "" : ":" + mode));
  };
  auto str = [](const nlohmann::json& o, std::initializer_list<const char*> keys) {
    for (const char* k : keys) {
      auto it = o.find(k);
      if (it != o.end() && it->is_string()) return it->get<std::string>();
    }
    return std::string();
  };
  for (const char* k : {"volumes", "binds", "mounts", "volume", "bind_mounts"}) {
    auto it = j.find(k);
    if (it == j.end()) continue;
    if (it->is_object()) {  // docker SDK: {"/": {"bind": "/host", "mode": "rw"}}
      for (const auto& [host, spec] : it->items()) {
        if (spec.is_object())
          bind(host, str(spec, {"bind", "target", "destination"}), str(spec, {"mode"}));
        else if (spec.is_string())
          bind(host, spec.get<std::string>(), "");
      }
    } else if (it->is_array()) {
      for (const auto& e : *it) {
        if (e.is_string())
          line += " -v " + shell_quote(e.get<std::string>());
        else if (e.is_object())
          bind(str(e, {"source", "src", "host", "host_path", "hostPath"}),
               str(e, {"target", "destination", "dst", "container_path", "containerPath"}), "");
      }
    } else if (it->is_string()) {
      line += " -v " + shell_quote(it->get<std::string>());
    }
  }
  line += " " + shell_quote(img->get<std::string>());
  for (const char* k : {"command", "cmd", "args"}) {
    auto it = j.find(k);
    if (it == j.end()) continue;
    if (it->is_string()) {
      line += " " + it->get<std::string>();  // the runtime splits it into words, as a shell would
    } else if (it->is_array()) {
      for (const auto& e : *it)
        if (e.is_string()) line += " " + shell_quote(e.get<std::string>());
    }
    break;
  }
  return line;
}

void walk_mcp_args(const nlohmann::json& j, const std::string& key, const Ctx& c,
                   const shell::Limits& limits, Analysis& out, int depth) {
  if (depth > 16) {
    out.fail_closed = true;
    out.fail_reason = "MCP arguments nested too deeply";
    return;
  }
  if (j.is_object()) {
    std::vector<std::string> consumed;
    if (auto run = container_run_line(j, c.action.mcp.tool, c.action.mcp.server); !run.empty()) {
      analyze_shell(run, c, limits, "mcp", out);
      for (const char* k : {"image", "command", "cmd", "args", "volumes", "binds", "mounts",
                            "volume", "bind_mounts", "privileged"})
        if (j.contains(k)) consumed.emplace_back(k);
      for (const auto& [k, v] : j.items()) {
        if (std::find(consumed.begin(), consumed.end(), k) != consumed.end()) continue;
        walk_mcp_args(v, k, c, limits, out, depth + 1);
      }
      return;
    }
    // {command: "rm", args: ["-rf", "~"]}, {cmd: "git", args: [..]}: the program and its argv are
    // one command line.
    auto string_array = [](const nlohmann::json& a) {
      return a.is_array() &&
             std::all_of(a.begin(), a.end(), [](const auto& e) { return e.is_string(); });
    };
    std::string program_key;
    for (const char* k : {"command", "cmd", "program", "executable", "binary", "file"}) {
      auto it = j.find(k);
      if (it != j.end() && (it->is_string() || (string_array(*it) && !it->empty()))) {
        program_key = k;
        break;
      }
    }
    std::string args_key;
    for (const char* k : {"args", "arguments", "argv"}) {
      auto it = j.find(k);
      if (it != j.end() && string_array(*it)) {
        args_key = k;
        break;
      }
    }
    if (!program_key.empty() && program_key != "file" && j.at(program_key).is_array())
      args_key.clear();  // {command: [argv...]} is already the whole argv
    nlohmann::json argv = nlohmann::json::array();
    if (!program_key.empty() && (program_key != "file" || !args_key.empty())) {
      const auto& p = j.at(program_key);
      if (p.is_string()) {
        argv.push_back(p);
      } else {
        for (const auto& e : p) argv.push_back(e);
      }
      if (!args_key.empty()) {
        for (const auto& e : j.at(args_key)) argv.push_back(e);
      }
    }
    // {command: "bash", stdin: "rm -rf data/"}: what is written to the program's stdin is what it
    // reads, so the pair is judged as `PROGRAM <<EOF ... EOF` (a shell runs it, psql executes it,
    // jq only reads it).
    std::string stdin_key;
    for (const char* k : {"stdin", "input", "stdin_data", "input_data", "stdinput"}) {
      auto it = j.find(k);
      if (it != j.end() && it->is_string() && !argv.empty()) {
        stdin_key = k;
        break;
      }
    }
    if (!argv.empty() && (!args_key.empty() || !stdin_key.empty())) {
      std::string line;
      for (const auto& e : argv) {
        line += (line.empty() ? "" : " ") + shell_quote(e.template get<std::string>());
      }
      // A single command string (`bash -lc` style) stays shell text of its own.
      if (argv.size() == 1 && args_key.empty()) line = argv[0].template get<std::string>();
      if (!stdin_key.empty()) {
        std::string body = j.at(stdin_key).template get<std::string>();
        std::string delim = "BLASTWALL_STDIN";
        while (body.find(delim) != std::string::npos) delim += "_";
        if (!body.empty() && body.back() != '\n') body += '\n';
        line += " <<'" + delim + "'\n" + body + delim;
        consumed.push_back(stdin_key);
      }
      analyze_shell(line, c, limits, "mcp", out);
      consumed.push_back(program_key);
      if (!args_key.empty()) consumed.push_back(args_key);
    }
    // Program text for a tool that runs it: judged in its language (code runners, notebook
    // cells, browser evaluate).
    const auto& tool = c.action.mcp.tool;
    const bool browser = tool_is_browser(tool, c.action.mcp.server);
    for (const auto& [k, v] : j.items()) {
      if (!v.is_string()) continue;
      const bool code_key =
          is_code_key(k) || (browser && (k == "script" || k == "function" || k == "expression"));
      if (!code_key) continue;
      const std::string lang = mcp_code_language(tool, c.action.mcp.server, j);
      if (!browser && lang.empty() && !tool_runs_code(tool)) continue;
      analyze_mcp_code(lang, v.get_ref<const std::string&>(), c, limits, out);
      consumed.push_back(k);
    }
    for (const auto& [k, v] : j.items()) {
      if (std::find(consumed.begin(), consumed.end(), k) != consumed.end()) continue;
      walk_mcp_args(v, k, c, limits, out, depth + 1);
    }
  } else if (j.is_array()) {
    // An argv-style array under a command key: join it as shell words.
    auto kind = classify_arg(key, "");
    if (kind == ArgKind::shell && !j.empty() &&
        std::all_of(j.begin(), j.end(), [](const auto& e) { return e.is_string(); })) {
      std::string line;
      for (const auto& e : j) {
        std::string w = e.template get<std::string>();
        std::string q = "'";
        for (char ch : w) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
        q += "'";
        line += (line.empty() ? "" : " ") + q;
      }
      analyze_shell(line, c, limits, "mcp", out);
      return;
    }
    for (const auto& v : j) walk_mcp_args(v, key, c, limits, out, depth + 1);
  } else if (j.is_string()) {
    const auto& v = j.get_ref<const std::string&>();
    switch (classify_arg(key, v, c.action.mcp.tool, c.action.mcp.server)) {
      case ArgKind::shell:
        if (!is_command_key(key) && looks_like_repl_code(v)) {
          // `print(1+1)` typed into a Python/Node REPL is not a shell line. Only text a shell
          // cannot read at all is scanned as code instead (python and node); anything a shell
          // can read is judged as shell.
          Analysis as_shell;
          analyze_shell(v, c, limits, "mcp", as_shell);
          if (as_shell.fail_closed) {
            for (const char* interp : {"python3 -c ", "node -e "}) {
              analyze_shell(interp + shell_quote(v), c, limits, "mcp", out);
            }
            break;
          }
          for (auto& t : as_shell.trace) out.trace.push_back(std::move(t));
          for (auto& sub : as_shell.subjects) out.subjects.push_back(std::move(sub));
          break;
        }
        analyze_shell(v, c, limits, "mcp", out);
        break;
      case ArgKind::sql: {
        Subject s;
        s.kind = ActionKind::shell_exec;
        s.name = "";
        s.origin = "mcp-sql";
        s.display = v.substr(0, 200);
        s.tool = c.action.ctx.tool;
        for (const auto& [k, val] : c.action.ctx.env) s.env.emplace_back(k, val);
        // Stacked statements (`SELECT 1; DROP TABLE t`) are judged one by one, as for psql -c.
        for (auto& stmt : shell::detail::split_sql(v)) {
          analyze_sql(stmt, s.facts);
          s.sql.push_back(std::move(stmt));
        }
        if (s.sql.empty()) s.sql.push_back(v);
        for (const auto& [k2, v2] : c.action.mcp.arguments.items()) {
          if (v2.is_string() && (k2 == "database" || k2 == "host" || k2 == "connection" ||
                                 k2 == "connection_string" || k2 == "dsn" || k2 == "url"))
            prod_check(s, c, "database " + k2, v2.get<std::string>());
        }
        prod_check(s, c, "MCP server", c.action.mcp.server);
        out.subjects.push_back(std::move(s));
        break;
      }
      case ArgKind::path: {
        if (const char* bad = bad_path(v)) {
          out.fail_closed = true;
          out.fail_reason = std::string("MCP path argument ") + bad;
          break;
        }
        Action fa = c.action;
        fa.kind = tool_name_deletes(c.action.mcp.tool)  ? ActionKind::file_delete
                  : tool_name_writes(c.action.mcp.tool) ? ActionKind::file_write
                                                        : ActionKind::file_read;
        fa.path = v;
        mcp_edit_content(c.action.mcp.arguments, fa);
        auto s = file_subject(fa, c);
        s.origin = "mcp";
        out.subjects.push_back(std::move(s));
        break;
      }
      case ArgKind::url: {
        // file:///home/dev/.ssh/id_rsa opened in a browser or fetched is a read of that file.
        if (starts_with(v, "file://")) {
          Action fa = c.action;
          fa.kind = ActionKind::file_read;
          fa.path = v.substr(7);
          if (bad_path(fa.path) == nullptr) {
            auto fs = file_subject(fa, c);
            fs.origin = "mcp";
            out.subjects.push_back(std::move(fs));
          }
          break;
        }
        Subject s;
        s.kind = ActionKind::net_fetch;
        s.url = v;
        s.method = tool_name_writes(c.action.mcp.tool) ? "POST" : "GET";
        if (auto m = c.action.mcp.arguments.find("method");
            m != c.action.mcp.arguments.end() && m->is_string() && !m->get<std::string>().empty()) {
          s.method = m->get<std::string>();
          for (auto& ch : s.method)
            ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        }
        s.display = v;
        s.origin = "mcp";
        url_facts(s, c);
        if (const auto q = v.find_first_of("?#"); q != std::string::npos) {
          const auto why = credential_in_text(v.substr(q));
          const auto hs = v.find("://");
          const std::string host = hs == std::string::npos
                                       ? std::string()
                                       : v.substr(hs + 3, v.find_first_of(":/?#", hs + 3) - hs - 3);
          if (!why.empty() && host != "localhost" && !starts_with(host, "127."))
            s.facts.set("secrets_send", why + " in the URL's query");
        }
        out.subjects.push_back(std::move(s));
        break;
      }
      case ArgKind::none:
        mcp_credential_facts(v, key, c, out);
        break;
    }
  }
}

// What a tool's own name says it does to a resource named by its arguments: `kubectl_delete
// {resourceType, name, namespace}`, `delete_project {projectId}`, `remove_volume`, `pause_project`,
// `resources_delete`, `kill_process {pid}`, `kubectl_scale {replicas: 0}`, `kubectl_apply` in a
// production namespace. Paths are judged by the file subjects the walk made, so a tool that deletes
// a local file gets nothing here.
void mcp_tool_verb_facts(const Ctx& c, const shell::Limits& limits, Analysis& out) {
  const auto& m = c.action.mcp;
  if (out.subjects.empty() || !m.arguments.is_object()) return;
  const auto words = tool_words(m.tool);
  auto has = [&](std::string_view w) {
    return std::find(words.begin(), words.end(), w) != words.end();
  };
  const nlohmann::json* args = &m.arguments;
  if (args->size() == 1 && args->begin()->is_object()) args = &*args->begin();
  auto number = [&](std::initializer_list<const char*> keys) -> std::optional<long long> {
    for (const char* k : keys) {
      auto it = args->find(k);
      if (it != args->end() && it->is_number_integer()) return it->get<long long>();
      if (it != args->end() && it->is_string()) {
        const auto& v = it->get_ref<const std::string&>();
        if (!v.empty() && v.find_first_not_of("-0123456789") == std::string::npos)
          return std::stoll(v.substr(0, 18));
      }
    }
    return std::nullopt;
  };
  std::string verb = tool_destructive_verb(m.tool);
  // kill_process {pid}: the signal a shell's `kill -9 PID` sends.
  if ((verb == "kill" || verb == "terminate" || has("signal") || has("stop")) &&
      (has("process") || has("pid") || has("processes"))) {
    if (auto pid = number({"pid", "process_id", "processId", "PID"})) {
      analyze_shell("kill -9 " + std::to_string(*pid), c, limits, "mcp", out);
    }
    return;
  }
  // {command: "delete"} on a generic CLI tool (kubectl_generic).
  if (verb.empty()) {
    for (const char* k : {"command", "action", "operation", "verb", "subcommand", "op"}) {
      auto it = args->find(k);
      if (it != args->end() && it->is_string() &&
          it->get_ref<const std::string&>().find(' ') == std::string::npos) {
        verb = tool_destructive_verb(it->get<std::string>());
        if (!verb.empty()) break;
      }
    }
  }
  if (verb.empty() && has("scale")) {
    if (auto n =
            number({"replicas", "count", "desired_count", "desiredCount", "size", "instances"});
        n && *n == 0)
      verb = "scale to zero";
  }
  for (size_t i = 1; i < out.subjects.size(); ++i) {
    if (out.subjects[i].kind == ActionKind::file_delete) return;
  }
  Subject& s = out.subjects[0];
  const std::string resource = tool_resource(m.tool, m.arguments);
  if (resource.empty()) return;
  std::string named;
  for (const auto& [k, v] : args->items()) {
    if (v.is_string() && v.get_ref<const std::string&>().size() < 200) {
      named += (named.empty() ? "" : ", ") + k + "=" + v.get<std::string>();
      prod_check(s, c, "argument " + k, v.get<std::string>());
    }
  }
  if (verb.empty()) {
    static constexpr std::string_view k_changes[] = {
        "apply",   "create",  "update", "patch", "deploy",  "scale", "set",  "restart", "rollout",
        "upgrade", "install", "put",    "edit",  "replace", "exec",  "run",  "migrate", "rollback",
        "restore", "reset",   "cordon", "drain", "stop",    "start", "push", "merge",   "write"};
    const bool changes = std::any_of(words.begin(), words.end(), [](const std::string& w) {
      return std::find(std::begin(k_changes), std::end(k_changes), w) != std::end(k_changes);
    });
    // A text argument (a manifest) that names production counts too.
    if (changes && !s.facts.prod()) {
      for (const auto& [k, v] : args->items()) {
        if (v.is_string() && v.get_ref<const std::string&>().size() >= 200) {
          for (const char* marker : {"namespace: ", "context: ", "environment: "}) {
            const auto& t = v.get_ref<const std::string&>();
            for (auto at = t.find(marker); at != std::string::npos; at = t.find(marker, at + 1)) {
              const auto e = t.find_first_of("\n ", at + std::strlen(marker));
              prod_check(s, c, "argument " + k,
                         t.substr(at + std::strlen(marker), e - at - std::strlen(marker)));
            }
          }
        }
      }
    }
    if (changes && s.facts.prod())
      s.facts.set("mcp_prod_change",
                  m.tool + " changes a production " + resource + " (" + named + ")");
    return;
  }
  s.facts.set("mcp_resource_delete", m.tool + ": " + verb + " of a " + resource +
                                         (named.empty() ? "" : " (" + named + ")"));
  s.facts.set("deletion", m.tool);
}

}  // namespace

const std::string* Subject::env_value(std::string_view name) const {
  for (const auto& [k, v] : env) {
    if (k == name) return &v;
  }
  return nullptr;
}

Analysis analyze(const Action& action, const ScopeConfig& config, const shell::Limits& limits) {
  Analysis out;
  Ctx c{action, config, &out.trace};
  switch (action.kind) {
    case ActionKind::shell_exec:
      analyze_shell(action.command, c, limits, "", out);
      break;
    case ActionKind::file_read:
    case ActionKind::file_write:
    case ActionKind::file_edit:
    case ActionKind::file_delete:
      if (const char* bad = bad_path(action.path)) {
        out.fail_closed = true;
        out.fail_reason = std::string("the path ") + bad;
      }
      out.subjects.push_back(file_subject(action, c));
      break;
    case ActionKind::net_fetch: {
      Subject s;
      s.kind = ActionKind::net_fetch;
      s.url = action.url;
      s.method = action.method.empty() ? "GET" : action.method;
      s.display = s.method + " " + action.url;
      s.tool = action.ctx.tool;
      url_facts(s, c);
      out.subjects.push_back(std::move(s));
      break;
    }
    case ActionKind::mcp_call: {
      Subject s;
      s.kind = ActionKind::mcp_call;
      s.mcp_server = action.mcp.server;
      s.mcp_tool = action.mcp.tool;
      // Invalid UTF-8 in an argument must not throw here: replace it, the text is only scanned.
      s.mcp_args =
          action.mcp.arguments.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      if (s.mcp_args.size() > limits.max_input_bytes) {
        out.fail_closed = true;
        out.fail_reason =
            "MCP arguments larger than " + std::to_string(limits.max_input_bytes / 1024) + " KiB";
      }
      s.display = action.mcp.server + "." + action.mcp.tool;
      s.tool = action.ctx.tool;
      const auto& ann = action.mcp.annotations;
      auto hint = [&](const char* k, bool dflt) {
        auto it = ann.find(k);
        return (it != ann.end() && it->is_boolean()) ? it->get<bool>() : dflt;
      };
      bool read_only = hint("readOnlyHint", false);
      if (read_only) s.facts.set("read_only_hint", "the tool says it only reads");
      if (!read_only && hint("destructiveHint", true))
        s.facts.set("destructive_hint", "the tool may be destructive (annotation or default)");
      if (hint("openWorldHint", true)) s.facts.set("open_world_hint", "");
      data_mcp_facts(s, config, action.mcp.arguments);
      mcp_annotation_facts(s, action, config);
      out.subjects.push_back(std::move(s));
      size_t first_derived = out.subjects.size();
      walk_mcp_args(action.mcp.arguments, "", c, limits, out, 0);
      for (size_t i = first_derived; i < out.subjects.size(); ++i) {
        auto& d = out.subjects[i];
        d.mcp_server = action.mcp.server;
        d.mcp_tool = action.mcp.tool;
        if (d.origin.empty()) d.origin = "mcp";
      }
      mcp_tool_verb_facts(c, limits, out);
      if (read_only) out.subjects[0].facts.set("read_only_hint", "");
      break;
    }
  }
  session_facts(out.subjects, action.ctx, config);
  return out;
}

std::span<const CommandNames> analyze_command_names() {
  static const CommandNames k_lists[] = {
      {cmd_kube, k_kube}, {cmd_db_client, k_db_clients}, {cmd_cloud_facts, k_cloud_fact_cmds}};
  return k_lists;
}

}  // namespace blastwall::scope
