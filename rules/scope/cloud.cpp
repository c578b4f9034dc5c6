// Cloud and cluster blast radius: production from resource identifiers, and each command's
// lifecycle step keyed by the resource it acts on (see cloud.hpp).
#include "rules/scope/cloud.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "rules/scope/command_table.hpp"

namespace blastwall::scope {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
template <size_t N>
bool in(const std::array<std::string_view, N>& a, std::string_view v) {
  return std::find(a.begin(), a.end(), v) != a.end();
}

// Sorted: looked up for every subject (binary search).
constexpr std::array<std::string_view, 85> k_cloud_tools{
    "aliyun",      "amplify",    "ansible",     "ansible-playbook",
    "argo",        "argocd",     "aws",         "az",
    "bq",          "caprover",   "cdk",         "cdktf",
    "cf",          "cilium",     "coolify",     "copilot",
    "crossplane",  "devspace",   "doctl",       "dokku",
    "eb",          "ecs-cli",    "eksctl",      "firebase",
    "flux",        "fly",        "flyctl",      "garden",
    "gcloud",      "gsutil",     "hcloud",      "helm",
    "helmfile",    "heroku",     "ibmcloud",    "istioctl",
    "jenkins-cli", "juju",       "jx",          "kamal",
    "kapp",        "kn",         "knife",       "kops",
    "koyeb",       "kubecolor",  "kubectl",     "kubevela",
    "linkerd",     "linode-cli", "neonctl",     "netlify",
    "nomad",       "northflank", "oc",          "oci",
    "okteto",      "packer",     "planetscale", "porter",
    "pulumi",      "railway",    "rancher",     "render",
    "sam",         "scw",        "serverless",  "skaffold",
    "sls",         "spin",       "sst",         "supabase",
    "terraform",   "terragrunt", "tilt",        "tkn",
    "tofu",        "turso",      "upsun",       "vela",
    "velero",      "vercel",     "waypoint",    "wrangler",
    "zeabur"};
static_assert(std::is_sorted(k_cloud_tools.begin(), k_cloud_tools.end()));

// Verbs that only read, and the prefixes of AWS-style operations that only read.
constexpr std::array<std::string_view, 40> k_read_verbs{
    "get",           "describe",     "list",     "ls",      "show",     "logs",      "log",
    "top",           "status",       "view",     "explain", "diff",     "plan",      "preview",
    "output",        "history",      "version",  "info",    "inspect",  "tail",      "watch",
    "cat",           "search",       "template", "lint",    "validate", "whoami",    "events",
    "wait",          "print",        "scan",     "query",   "graph",    "providers", "fmt",
    "api-resources", "cluster-info", "can-i",    "synth",   "doctor"};
constexpr std::array<std::string_view, 10> k_read_prefixes{
    "get-",    "describe-",  "list-",     "head-",     "lookup-",
    "search-", "batch-get-", "estimate-", "validate-", "simulate-"};
constexpr std::array<std::string_view, 89> k_mutate_verbs{
    "delete",   "destroy",  "rm",          "remove",    "uninstall", "terminate", "purge",
    "apply",    "create",   "deploy",      "up",        "update",    "set",       "scale",
    "patch",    "replace",  "rollout",     "restart",   "stop",      "start",     "install",
    "upgrade",  "rollback", "drain",       "cordon",    "taint",     "import",    "push",
    "put",      "run",      "edit",        "label",     "annotate",  "expose",    "autoscale",
    "down",     "reset",    "drop",        "sync",      "promote",   "release",   "resize",
    "rb",       "mv",       "cp",          "del",       "un",        "launch",    "submit",
    "suspend",  "resume",   "refresh",     "bootstrap", "trigger",   "invoke",    "execute",
    "retry",    "cancel",   "abort",       "kill",      "approve",   "enable",    "disable",
    "flush",    "rotate",   "revoke",      "grant",     "move",      "rename",    "restore",
    "failover", "publish",  "unpublish",   "wipe",      "nuke",      "evict",     "rerun",
    "redeploy", "recreate", "reboot",      "rebuild",   "shutdown",  "detach",    "attach",
    "unset",    "add",      "reconfigure", "migrate",   "upload"};
constexpr std::array<std::string_view, 24> k_mutate_prefixes{
    "delete-", "create-",     "put-",      "update-", "modify-",    "terminate-",
    "stop-",   "start-",      "reboot-",   "detach-", "attach-",    "disable-",
    "enable-", "deregister-", "register-", "revoke-", "authorize-", "restore-",
    "remove-", "purge-",      "reset-",    "rotate-", "failover-",  "destroy-"};

// Options whose values are free text or formatting, never resource names.
constexpr std::array<std::string_view, 16> k_free_text_opts{
    "--description", "--message", "-m",       "--comment", "--query",     "--output", "-o",
    "--filter",      "--title",   "--reason", "--note",    "--log-level", "--format", "--region",
    "--profile",     "--tags"};

// Contexts and cluster names of throw-away local clusters.
bool is_dev_cluster(std::string_view v) {
  for (auto p : {"kind-", "k3d-", "minikube", "docker-desktop", "rancher-desktop", "colima",
                 "orbstack", "microk8s", "kind"}) {
    if (starts_with(v, p)) return true;
  }
  return v == "dev" || v == "local" || starts_with(v, "dev-") || starts_with(v, "local-");
}

enum class Verb { unknown, read, mutate };

// The first verb-like positional decides: `aws cloudformation delete-stack` mutates,
// `kubectl get deploy prod-api` reads. `heroku apps:destroy` is read after its colon.
// `at` receives the index of the deciding positional.
Verb verb_of(const Subject& s, size_t* at = nullptr) {
  const size_t n = std::min<size_t>(s.positionals.size(), 5);
  for (size_t i = 0; i < n; ++i) {
    std::string_view p = s.positionals[i];
    if (auto colon = p.rfind(':'); colon != std::string_view::npos && colon + 1 < p.size() &&
                                   p.find("://") == std::string_view::npos)
      p = p.substr(colon + 1);
    if (at) *at = i;
    if (in(k_read_verbs, p)) return Verb::read;
    for (auto pre : k_read_prefixes)
      if (starts_with(p, pre)) return Verb::read;
    // `kubectl rollout status|history` only watch; a CI server's `build` starts a job.
    if (p == "rollout" && i + 1 < s.positionals.size() &&
        (s.positionals[i + 1] == "status" || s.positionals[i + 1] == "history"))
      return Verb::read;
    if (p == "build" && s.name == "jenkins-cli") return Verb::mutate;
    // gcloud's Cloud Run and Cloud Deploy groups are named like verbs: `gcloud run services
    // list` reads, `gcloud run deploy` deploys (its verb comes next).
    if (i == 0 && s.name == "gcloud" && (p == "run" || p == "deploy") && s.positionals.size() > 1)
      continue;
    if (in(k_mutate_verbs, p)) return Verb::mutate;
    for (auto pre : k_mutate_prefixes)
      if (starts_with(p, pre)) return Verb::mutate;
  }
  return Verb::unknown;
}

// Pointing this machine's CLI somewhere or signing in: what changes is local configuration, not a
// resource (`gcloud config set project acme-prod`, `aws eks update-kubeconfig --name prod-eu`,
// `az account set`, `aws ssm start-session`). Stack configuration (`pulumi config set -s prod`)
// is what the next deploy reads, so pulumi's `config` is not local.
bool local_cli_setup(const Subject& s) {
  const auto& p = s.positionals;
  if (p.empty()) return false;
  static constexpr std::array<std::string_view, 13> k_local_groups{
      "config",   "configure",  "auth",   "login",      "logout", "account", "context",
      "contexts", "completion", "plugin", "components", "repo",   "sso"};
  if (s.name != "pulumi" && in(k_local_groups, p[0])) return true;
  for (const std::string_view x : p) {
    if (x == "update-kubeconfig" || x == "get-credentials" || x == "start-session" ||
        x == "start-query" || x == "start-live-tail" || x == "get-token" || x == "use-context")
      return true;
  }
  return false;
}

// A copy whose destination is this machine only reads the remote side: `aws s3 cp s3://prod/x -`,
// `gsutil cp gs://prod/x .`, `kubectl cp pod:/tmp/heap ./heap`.
bool copies_down(const Subject& s, size_t verb_at) {
  const auto& p = s.positionals;
  if (verb_at >= p.size()) return false;
  const std::string_view v = p[verb_at];
  if (v != "cp" && v != "sync" && v != "rsync" && v != "download") return false;
  if (p.size() < verb_at + 3) return v == "download";
  auto remote = [](std::string_view w) {
    if (w.find("://") != std::string_view::npos) return true;
    const auto colon = w.find(':');
    return colon != std::string_view::npos && colon > 0 && w[0] != '.' && w[0] != '/' &&
           w[0] != '~';
  };
  return !remote(p.back()) && remote(p[verb_at + 1]);
}

bool has_arg(const Subject& s, std::string_view a) {
  return std::find(s.args.begin(), s.args.end(), a) != s.args.end();
}

bool dry_run(const Subject& s) {
  for (const std::string_view a : s.args) {
    if (a == "--dry-run" || a == "--dryrun" || a == "--what-if" || a == "--no-execute-changeset" ||
        a == "--preview-only" || a == "--noop" || a == "--check" ||
        (starts_with(a, "--dry-run=") && a != "--dry-run=none"))
      return true;
  }
  return false;
}

// First value of any of the options (`--o v`, `--o=v`).
std::string opt_value(const Subject& s, std::initializer_list<std::string_view> opts) {
  for (size_t i = 0; i < s.args.size(); ++i) {
    const std::string_view a = s.args[i];
    if (a == "--") break;
    for (auto o : opts) {
      if (a == o && i + 1 < s.args.size()) return s.args[i + 1];
      if (a.size() > o.size() && starts_with(a, o) && a[o.size()] == '=')
        return std::string(a.substr(o.size() + 1));
    }
  }
  return {};
}

// The first value of an option that names the resource (`--stack-name`, `--cluster-name`,
// `--db-instance-identifier`, `--function-name`, `--name`, `--bucket`, ...).
std::string resource_option(const Subject& s) {
  for (size_t i = 0; i < s.args.size(); ++i) {
    std::string_view a = s.args[i];
    if (a.size() < 3 || !starts_with(a, "--")) continue;
    std::string_view value;
    auto eq = a.find('=');
    if (eq != std::string_view::npos) {
      value = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else if (i + 1 < s.args.size()) {
      value = s.args[i + 1];
    }
    if (ends_with(a, "-name") || ends_with(a, "-identifier") || a == "--name" || a == "--bucket" ||
        a == "--cluster" || a == "--service" || a == "--stack" || a == "--app") {
      if (a == "--profile-name") continue;
      return std::string(value);
    }
  }
  return {};
}

std::string join(const std::vector<std::string>& v, size_t from, size_t to, char sep = ' ') {
  std::string out;
  for (size_t i = from; i < to && i < v.size(); ++i) {
    if (!out.empty()) out += sep;
    out += v[i];
  }
  return out;
}

size_t index_of(const std::vector<std::string>& v, std::initializer_list<std::string_view> words,
                size_t from = 0) {
  for (size_t i = from; i < v.size(); ++i) {
    for (auto w : words)
      if (v[i] == w) return i;
  }
  return v.size();
}

std::string kube_context(const Subject& s) {
  std::string ctx = opt_value(s, {"--context", "--kube-context", "--kubecontext"});
  if (ctx.empty())
    if (const auto* k = s.env_value("KUBECONFIG")) ctx = *k;
  return ctx;
}

using Kind = LifecycleStep::Kind;

LifecycleStep step(Kind k, std::string resource, std::string what) {
  return LifecycleStep{k, std::move(resource), std::move(what)};
}

LifecycleStep terraform_step(const Subject& s) {
  const auto& p = s.positionals;
  size_t v = !p.empty() && p[0] == "run-all" ? 1 : 0;
  if (v >= p.size()) return {};
  std::string dir = opt_value(s, {"-chdir", "--chdir"});
  std::string key = "terraform:" + (dir.empty() ? s.cwd : dir);
  if (const auto* ws = s.env_value("TF_WORKSPACE")) key += "#" + *ws;
  const std::string& verb = p[v];
  const bool destroy_flag = has_arg(s, "-destroy") || has_arg(s, "--destroy");
  bool replace = false;
  for (const std::string_view a : s.args)
    if (starts_with(a, "-replace") || starts_with(a, "--replace")) replace = true;
  if (verb == "destroy" || (verb == "apply" && destroy_flag))
    return step(Kind::teardown, key, s.name + " destroy");
  if (verb == "taint") return step(Kind::teardown, key, s.name + " taint");
  if (verb == "apply" && replace) return step(Kind::replace, key, s.name + " apply -replace");
  if (verb == "apply") return step(Kind::buildup, key, s.name + " apply");
  return {};
}

LifecycleStep pulumi_step(const Subject& s) {
  const auto& p = s.positionals;
  if (p.empty()) return {};
  std::string stack = opt_value(s, {"--stack", "-s"});
  if (stack.empty())
    if (const auto* v = s.env_value("PULUMI_STACK")) stack = *v;
  std::string key = "pulumi:" + s.cwd + "#" + stack;
  bool replace = false;
  for (const std::string_view a : s.args)
    if (starts_with(a, "--replace") || starts_with(a, "--target-replace")) replace = true;
  if (p[0] == "destroy" || p[0] == "down") return step(Kind::teardown, key, "pulumi destroy");
  if ((p[0] == "up" || p[0] == "update") && replace)
    return step(Kind::replace, key, "pulumi up --replace");
  if (p[0] == "up" || p[0] == "update") return step(Kind::buildup, key, "pulumi up");
  return {};
}

LifecycleStep aws_step(const Subject& s) {
  const auto& p = s.positionals;
  if (p.size() < 2) return {};
  const std::string& svc = p[0];
  const std::string& op = p[1];
  if (svc == "cloudformation") {
    std::string name = opt_value(s, {"--stack-name"});
    if (name.empty()) return {};
    if (op == "delete-stack") return step(Kind::teardown, "cfn:" + name, "delete-stack " + name);
    if (op == "create-stack" || op == "deploy")
      return step(Kind::buildup, "cfn:" + name, op + " " + name);
    return {};
  }
  std::string ident = resource_option(s);
  if (ident.empty() && p.size() >= 3) ident = p[2];
  if (ident.empty()) return {};
  if (starts_with(op, "delete-"))
    return step(Kind::teardown, "aws:" + svc + ":" + op.substr(7) + ":" + ident,
                "aws " + svc + " " + op);
  if (starts_with(op, "create-"))
    return step(Kind::buildup, "aws:" + svc + ":" + op.substr(7) + ":" + ident,
                "aws " + svc + " " + op);
  return {};
}

// `gcloud container clusters delete NAME`, `doctl kubernetes cluster create NAME`: the words before
// the verb are the resource type, the first word after it the name.
LifecycleStep grouped_step(const Subject& s, std::string_view tool) {
  const auto& p = s.positionals;
  size_t v = index_of(p, {"delete", "create", "destroy", "rm", "remove"});
  if (v == 0 || v >= p.size()) return {};
  std::string name = v + 1 < p.size() ? p[v + 1] : opt_value(s, {"--name", "-n"});
  if (name.empty()) return {};
  if (tool == "az") name += "@" + opt_value(s, {"--resource-group", "-g"});
  std::string key = std::string(tool) + ":" + join(p, 0, v) + ":" + name;
  const bool create = p[v] == "create";
  return step(create ? Kind::buildup : Kind::teardown, key,
              std::string(tool) + " " + join(p, 0, v + 1));
}

LifecycleStep az_step(const Subject& s) {
  const auto& p = s.positionals;
  size_t v = index_of(p, {"delete", "create"});
  if (v == 0 || v >= p.size()) return {};
  std::string name = opt_value(s, {"--name", "-n"});
  if (name.empty()) return {};
  std::string key =
      "az:" + join(p, 0, v) + ":" + name + "@" + opt_value(s, {"--resource-group", "-g"});
  return step(p[v] == "create" ? Kind::buildup : Kind::teardown, key, "az " + join(p, 0, v + 1));
}

LifecycleStep eks_step(const Subject& s) {
  const auto& p = s.positionals;
  if (p.size() < 2 || (p[0] != "delete" && p[0] != "create")) return {};
  std::string name = opt_value(s, {"--name", "-n", "--cluster"});
  if (name.empty() && p.size() >= 3) name = p[2];
  if (name.empty()) return {};
  std::string key = s.name + ":" + p[1] + ":" + name;
  return step(p[0] == "create" ? Kind::buildup : Kind::teardown, key,
              s.name + " " + p[0] + " " + p[1]);
}

LifecycleStep kube_step(const Subject& s) {
  const auto& p = s.positionals;
  if (p.empty()) return {};
  const std::string ctx = kube_context(s);
  if (!ctx.empty() && is_dev_cluster(ctx.substr(ctx.rfind('/') + 1))) return {};
  std::string ns = opt_value(s, {"--namespace", "-n"});
  std::string what = opt_value(s, {"-f", "--filename", "-k", "--kustomize"});
  if (what.empty() && p.size() >= 3) what = p[1] + "/" + p[2];
  if (what.empty() && p.size() == 2) what = p[1];
  if (what.empty()) return {};
  std::string key = "kube:" + ctx + ":" + ns + ":" + what;
  if (p[0] == "delete") return step(Kind::teardown, key, s.name + " delete " + what);
  if (p[0] == "replace" && (has_arg(s, "--force")))
    return step(Kind::replace, key, s.name + " replace --force");
  if (p[0] == "apply" || p[0] == "create" || p[0] == "replace")
    return step(Kind::buildup, key, s.name + " " + p[0] + " " + what);
  return {};
}

LifecycleStep helm_step(const Subject& s) {
  const auto& p = s.positionals;
  if (p.size() < 2) return {};
  const std::string ctx = kube_context(s);
  if (!ctx.empty() && is_dev_cluster(ctx)) return {};
  std::string key = "helm:" + ctx + ":" + opt_value(s, {"--namespace", "-n"}) + ":" + p[1];
  if (p[0] == "uninstall" || p[0] == "delete" || p[0] == "del" || p[0] == "un")
    return step(Kind::teardown, key, "helm uninstall " + p[1]);
  if (p[0] == "install" || (p[0] == "upgrade" && (has_arg(s, "--install") || has_arg(s, "-i"))))
    return step(Kind::buildup, key, "helm " + p[0] + " " + p[1]);
  return {};
}

LifecycleStep compose_step(const Subject& s) {
  const auto& p = s.positionals;
  size_t v = 0;
  if (s.name == "docker" || s.name == "podman") {
    if (p.empty() || p[0] != "compose") return {};
    v = 1;
  }
  if (v >= p.size()) return {};
  std::string key = "compose:" + s.cwd + ":" + opt_value(s, {"-p", "--project-name"}) + ":" +
                    opt_value(s, {"-f", "--file"});
  if (p[v] == "down" && (has_arg(s, "-v") || has_arg(s, "--volumes")))
    return step(Kind::teardown, key, "compose down -v");
  if (p[v] == "up") return step(Kind::buildup, key, "compose up");
  return {};
}

LifecycleStep simple_app_step(const Subject& s) {
  const auto& p = s.positionals;
  if (s.name == "cdk" || s.name == "cdktf") {
    if (p.empty()) return {};
    if (p[0] == "destroy") return step(Kind::teardown, "cdk:" + s.cwd, s.name + " destroy");
    if (p[0] == "deploy") return step(Kind::buildup, "cdk:" + s.cwd, s.name + " deploy");
    return {};
  }
  if (s.name == "sam" || s.name == "serverless" || s.name == "sls") {
    if (p.empty()) return {};
    std::string name = opt_value(s, {"--stack-name"});
    std::string key =
        name.empty() ? "app:" + s.cwd + "#" + opt_value(s, {"--stage", "-s"}) : "cfn:" + name;
    if (p[0] == "delete" || p[0] == "remove") return step(Kind::teardown, key, s.name + " " + p[0]);
    if (p[0] == "deploy") return step(Kind::buildup, key, s.name + " deploy");
    return {};
  }
  if (s.name == "flyctl" || s.name == "fly") {
    std::string app = opt_value(s, {"-a", "--app"});
    if (p.size() >= 3 && p[0] == "apps") app = p[2];
    if (app.empty()) return {};
    if (p.size() >= 2 && p[0] == "apps" && (p[1] == "destroy" || p[1] == "delete"))
      return step(Kind::teardown, "fly:" + app, "fly apps destroy " + app);
    if ((p.size() >= 2 && p[0] == "apps" && p[1] == "create") || (!p.empty() && p[0] == "launch"))
      return step(Kind::buildup, "fly:" + app, "fly apps create " + app);
    return {};
  }
  if (s.name == "heroku" && !p.empty()) {
    std::string app = opt_value(s, {"-a", "--app"});
    if (app.empty() && p.size() >= 2) app = p[1];
    if (app.empty()) return {};
    if (p[0] == "apps:destroy" || p[0] == "destroy")
      return step(Kind::teardown, "heroku:" + app, "heroku apps:destroy " + app);
    if (p[0] == "apps:create" || p[0] == "create")
      return step(Kind::buildup, "heroku:" + app, "heroku apps:create " + app);
  }
  return {};
}

}  // namespace

// Every command lifecycle_of and its steps name: for the others it returns at once.
constexpr std::string_view k_lifecycle_cmds[] = {"terraform",
                                                 "tofu",
                                                 "terragrunt",
                                                 "pulumi",
                                                 "aws",
                                                 "gcloud",
                                                 "doctl",
                                                 "az",
                                                 "eksctl",
                                                 "kops",
                                                 "kubectl",
                                                 "oc",
                                                 "kubecolor",
                                                 "helm",
                                                 "docker",
                                                 "podman",
                                                 "docker-compose",
                                                 "podman-compose",
                                                 "cdk",
                                                 "cdktf",
                                                 "sam",
                                                 "serverless",
                                                 "sls",
                                                 "flyctl",
                                                 "fly",
                                                 "heroku"};

// Asked several times for every subject (cloud, lifecycle, throw-away and session facts): one
// lookup in the command table (command_table.hpp), which registers k_cloud_tools.
bool is_cloud_tool(std::string_view cmd) { return command_is(cmd, cmd_cloud, k_cloud_tools); }

std::span<const CommandNames> cloud_command_names() {
  static const CommandNames k_lists[] = {{cmd_cloud, k_cloud_tools},
                                         {cmd_lifecycle, k_lifecycle_cmds}};
  return k_lists;
}

std::string throwaway_reason(const Subject& s) {
  if (!is_cloud_tool(s.name) && s.name != "gsutil") return {};
  if (dry_run(s)) return "dry run";
  if (s.name == "gsutil" && !s.positionals.empty() && s.positionals[0] == "rsync") {
    for (const std::string_view a : s.args)
      if (a.size() > 1 && a[0] == '-' && a[1] != '-' && a.find('n') != std::string_view::npos)
        return "dry run (gsutil rsync -n)";
  }
  const std::string endpoint = opt_value(s, {"--endpoint-url", "--endpoint"});
  for (auto local : {"http://localhost", "http://127.0.0.1", "https://localhost",
                     "https://127.0.0.1", "http://localstack", "http://[::1]"}) {
    if (starts_with(endpoint, local)) return "local emulator at " + endpoint;
  }
  const bool kube =
      s.name == "kubectl" || s.name == "oc" || s.name == "kubecolor" || s.name == "helm";
  if (kube) {
    std::string ctx = kube_context(s);
    if (!ctx.empty()) {
      std::string_view base = ctx;
      if (auto slash = base.rfind('/'); slash != std::string_view::npos)
        base = base.substr(slash + 1);
      if (is_dev_cluster(base) && base != "dev" && base != "local" && base.substr(0, 4) != "dev-" &&
          base.substr(0, 6) != "local-")
        return "throw-away local cluster " + ctx;
    }
  }
  return {};
}

void identifier_prod_facts(Subject& s, const ScopeConfig& config) {
  if (!is_cloud_tool(s.name) || s.facts.has("prod")) return;
  if (verb_of(s) == Verb::read || dry_run(s)) return;
  auto check = [&](std::string_view v) {
    if (v.empty() || v.find(' ') != std::string_view::npos) return false;  // free text
    if (!matches_prod_camel(v, config.prod_patterns)) return false;
    s.facts.set("prod", "resource " + std::string(v));
    return true;
  };
  bool after_dashdash = false;
  for (size_t i = 0; i < s.args.size(); ++i) {
    const std::string_view a = s.args[i];
    if (after_dashdash) {
      if (check(a)) return;
      continue;
    }
    if (a == "--") {
      after_dashdash = true;
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      auto eq = a.find('=');
      std::string_view name = eq == std::string_view::npos ? a : a.substr(0, eq);
      if (in(k_free_text_opts, name)) {
        if (eq == std::string_view::npos) ++i;
        continue;
      }
      if (eq != std::string_view::npos && check(a.substr(eq + 1))) return;
      continue;
    }
    if (check(a)) return;
  }
}

void prod_change_facts(Subject& s) {
  if (s.informational) return;
  const auto prod = s.facts.flags.find("prod");
  if (prod == s.facts.flags.end() || !is_cloud_tool(s.name) || dry_run(s) || local_cli_setup(s))
    return;
  size_t at = 0;
  if (verb_of(s, &at) != Verb::mutate || copies_down(s, at)) return;
  const std::string& verb = s.positionals[at];
  const std::string* marker = prod->second.empty() ? nullptr : &prod->second.front();
  std::string why;
  why.reserve(s.name.size() + verb.size() + 24 + (marker ? marker->size() + 3 : 0));
  why.append(s.name).append(" ").append(verb).append(" changes production");
  if (marker) why.append(" (").append(*marker).append(")");
  s.facts.set("prod_change", std::move(why));
}

void cloud_control_facts(Subject& s) {
  const std::string_view n = s.name;
  if ((n != "aws" && n != "gcloud" && n != "az" && n != "doctl" && n != "kubectl" && n != "oc") ||
      s.informational || dry_run(s))
    return;
  const auto& p = s.positionals;
  auto has_pos = [&](std::string_view w) { return std::find(p.begin(), p.end(), w) != p.end(); };
  auto grant = [&](const std::string& what) {
    s.facts.set("privilege_grant", what + " gives an identity more access");
  };
  auto dns = [&](const std::string& what) {
    s.facts.set("dns_change", what + " changes live DNS records");
  };
  if (n == "aws" && p.size() >= 2) {
    const std::string_view svc = p[0];
    const std::string_view op = p[1];
    if (svc == "iam" &&
        ((starts_with(op, "attach-") && ends_with(op, "-policy")) ||
         (starts_with(op, "put-") && ends_with(op, "-policy")) ||
         op == "update-assume-role-policy" || op == "create-access-key" ||
         op == "create-login-profile" || op == "update-login-profile" ||
         op == "add-user-to-group" || op == "create-policy-version" ||
         op == "set-default-policy-version" || op == "add-role-to-instance-profile"))
      grant("aws iam " + std::string(op));
    if ((svc == "kms" && (op == "put-key-policy" || op == "create-grant")) ||
        ((svc == "ecr" || svc == "sqs" || svc == "sns" || svc == "lambda") &&
         (op == "set-repository-policy" || op == "add-permission" || op == "set-queue-attributes" ||
          op == "set-topic-attributes")) ||
        (svc == "sso-admin" && op == "create-account-assignment"))
      grant("aws " + std::string(svc) + " " + std::string(op));
    if (svc == "route53" && (op == "change-resource-record-sets" || op == "delete-hosted-zone"))
      dns("aws route53 " + std::string(op));
  }
  if (n == "gcloud") {
    if (has_pos("add-iam-policy-binding") || has_pos("set-iam-policy"))
      grant("gcloud " + join(p, 0, std::min<size_t>(p.size(), 3)));
    if (has_pos("service-accounts") && has_pos("keys") && has_pos("create"))
      grant("gcloud iam service-accounts keys create");
    if (has_pos("dns") && (has_pos("record-sets") || has_pos("managed-zones")) &&
        (has_pos("delete") || has_pos("update") || has_pos("create") || has_pos("import") ||
         has_pos("execute")))
      dns("gcloud dns " + join(p, 1, std::min<size_t>(p.size(), 4)));
  }
  if (n == "az") {
    const std::string head = join(p, 0, std::min<size_t>(p.size(), 3));
    if (starts_with(head, "role assignment create") ||
        starts_with(head, "role definition create") ||
        starts_with(head, "role definition update") || starts_with(head, "ad sp create-for-rbac") ||
        starts_with(head, "ad app credential") || starts_with(head, "ad sp credential") ||
        starts_with(head, "keyvault set-policy"))
      grant("az " + head);
    if (p.size() >= 3 && p[0] == "network" && p[1] == "dns" &&
        (has_pos("delete") || has_pos("remove-record") || has_pos("add-record") ||
         has_pos("update") || has_pos("create") || has_pos("set-record")))
      dns("az " + join(p, 0, std::min<size_t>(p.size(), 4)));
  }
  if (n == "doctl" && has_pos("domain") &&
      (has_pos("delete") || has_pos("update") || has_pos("create")))
    dns("doctl " + join(p, 0, std::min<size_t>(p.size(), 4)));
  if ((n == "kubectl" || n == "oc") && p.size() >= 2 &&
      ((p[0] == "create" && (p[1] == "clusterrolebinding" || p[1] == "rolebinding")) ||
       (p[0] == "adm" && p[1] == "policy" && p.size() >= 3 && starts_with(p[2], "add-"))))
    grant(std::string(n) + " " + join(p, 0, std::min<size_t>(p.size(), 3)));
}

namespace {
// A line of configuration without spaces, tabs and quotes, lower case: `deletion_protection=false`.
std::string squeeze(std::string_view line) {
  std::string out;
  for (char ch : line) {
    if (ch == ' ' || ch == '\t' || ch == '"' || ch == '\'' || ch == ',') continue;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return out;
}

// The protection a squeezed line switches off, or "".
std::string_view protection_switched_off(std::string_view l) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 18> k_off{{
      {"deletion_protection=false", "deletion protection"},
      {"deletion_protection:false", "deletion protection"},
      {"deletionprotection:false", "deletion protection"},
      {"deletionprotection=false", "deletion protection"},
      {"enable_deletion_protection=false", "deletion protection"},
      {"deletion_protection_enabled=false", "deletion protection"},
      {"deletionprotectionenabled:false", "deletion protection"},
      {"prevent_destroy=false", "prevent_destroy"},
      {"termination_protection=false", "termination protection"},
      {"enableterminationprotection:false", "termination protection"},
      {"disable_api_termination=false", "API termination protection"},
      {"skip_final_snapshot=true", "the final snapshot"},
      {"skipfinalsnapshot:true", "the final snapshot"},
      {"force_destroy=true", "the non-empty-bucket guard (force_destroy)"},
      {"forcedestroy:true", "the non-empty-bucket guard (force_destroy)"},
      {"deletionpolicy:delete", "the retain-on-delete policy"},
      {"retain_on_delete=false", "retain on delete"},
      {"point_in_time_recovery_enabled=false", "point-in-time recovery"},
  }};
  for (const auto& [pat, what] : k_off)
    if (l.find(pat) != std::string_view::npos) return what;
  return {};
}
}  // namespace

void protection_off_facts(Subject& s, std::string_view resolved_path, std::string_view project_root,
                          std::string_view content, std::string_view old_content,
                          const ScopeConfig& config) {
  if (content.empty()) return;
  std::string_view where = resolved_path;
  if (!project_root.empty() && starts_with(where, project_root))
    where.remove_prefix(project_root.size());
  if (!matches_prod(where, config.prod_patterns)) return;
  const std::string old = squeeze(old_content);
  size_t pos = 0;
  while (pos <= content.size()) {
    size_t eol = content.find('\n', pos);
    if (eol == std::string_view::npos) eol = content.size();
    const std::string line = squeeze(content.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty() || line[0] == '#' || starts_with(line, "//")) continue;
    const std::string_view what = protection_switched_off(line);
    if (what.empty() || (!old.empty() && old.find(line) != std::string::npos)) continue;
    s.facts.set("protection_off", "turns off " + std::string(what) +
                                      " in production configuration " + std::string(resolved_path));
    return;
  }
}

LifecycleStep lifecycle_of(const Subject& s) {
  const std::string_view n = s.name;
  if (s.informational) return {};
  if (command_table_on() && (command_bits(n) & cmd_lifecycle) == 0) return {};
  if (n == "terraform" || n == "tofu" || n == "terragrunt") return terraform_step(s);
  if (n == "pulumi") return pulumi_step(s);
  if (n == "aws") return aws_step(s);
  if (n == "gcloud" || n == "doctl") return grouped_step(s, n);
  if (n == "az") return az_step(s);
  if (n == "eksctl" || n == "kops") return eks_step(s);
  if (n == "kubectl" || n == "oc" || n == "kubecolor") return kube_step(s);
  if (n == "helm") return helm_step(s);
  if (n == "docker" || n == "podman" || n == "docker-compose" || n == "podman-compose")
    return compose_step(s);
  return simple_app_step(s);
}

}  // namespace blastwall::scope
