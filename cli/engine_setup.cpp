#include "cli/engine_setup.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "rules/pack/loader.hpp"

namespace blastwall::cli {
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p, bool& ok) {
  std::ifstream f(p, std::ios::binary);
  ok = static_cast<bool>(f);
  if (!ok) return {};
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return (v && *v) ? std::string(v) : fallback;
}

std::string home_dir() {
  if (const char* h = std::getenv("HOME"); h && *h) return h;
  if (auto* pw = getpwuid(getuid())) return pw->pw_dir;
  return {};
}

// Nearest ancestor holding .git (a directory, or a file for worktrees).
std::string find_project_root(const std::string& cwd) {
  std::error_code ec;
  for (fs::path p = cwd; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / ".git", ec)) return p.string();
    if (p == p.parent_path()) break;
  }
  return {};
}

std::string read_branch(const std::string& root) {
  if (root.empty()) return {};
  std::error_code ec;
  fs::path git = fs::path(root) / ".git";
  fs::path head = git / "HEAD";
  bool ok = false;
  if (fs::is_regular_file(git, ec)) {
    auto text = read_file(git, ok);
    auto pos = text.find("gitdir:");
    if (!ok || pos == std::string::npos) return {};
    auto dir = text.substr(pos + 7);
    dir.erase(0, dir.find_first_not_of(" \t"));
    dir.erase(dir.find_last_not_of(" \t\r\n") + 1);
    fs::path d(dir);
    if (d.is_relative()) d = fs::path(root) / d;
    head = d / "HEAD";
  }
  auto text = read_file(head, ok);
  if (!ok) return {};
  const std::string prefix = "ref: refs/heads/";
  if (text.rfind(prefix, 0) != 0) return {};
  auto b = text.substr(prefix.size());
  b.erase(b.find_last_not_of(" \t\r\n") + 1);
  return b;
}

}  // namespace

void fill_context_from_os(ActionContext& ctx) {
  if (ctx.cwd.empty()) {
    std::error_code ec;
    ctx.cwd = fs::current_path(ec).string();
  }
  if (ctx.home.empty()) ctx.home = home_dir();
  if (ctx.user.empty()) {
    if (auto* pw = getpwuid(getuid())) ctx.user = pw->pw_name;
  }
  if (ctx.project_root.empty()) {
    ctx.project_root = find_project_root(ctx.cwd);
    if (ctx.project_root.empty()) ctx.project_root = ctx.cwd;
  }
  if (ctx.vcs_branch.empty()) ctx.vcs_branch = read_branch(find_project_root(ctx.cwd));
  // Only the variables scope analysis reads; the rest of the environment is none of our business
  // (and may hold secrets).
  static const char* const k_vars[] = {"AWS_PROFILE",
                                       "AWS_DEFAULT_PROFILE",
                                       "KUBECONFIG",
                                       "CLOUDSDK_CORE_PROJECT",
                                       "GOOGLE_CLOUD_PROJECT",
                                       "AZURE_SUBSCRIPTION_ID",
                                       "TF_WORKSPACE",
                                       "PULUMI_STACK",
                                       "PGHOST",
                                       "PGDATABASE",
                                       "DATABASE_URL",
                                       "MYSQL_HOST",
                                       "REDIS_URL",
                                       "MONGO_URL",
                                       "MONGODB_URI",
                                       "TMPDIR",
                                       "RAILS_ENV",
                                       "NODE_ENV",
                                       "DJANGO_SETTINGS_MODULE"};
  for (const char* name : k_vars) {
    if (ctx.env.count(name)) continue;
    if (const char* v = std::getenv(name); v && *v) ctx.env[name] = v;
  }
}

Result<std::shared_ptr<const Engine>> build_engine(const EngineSetup& setup) {
  std::vector<PolicyLayer> layers;
  auto add_layer = [&](PolicyLayer::Tier tier, const fs::path& p, bool required) -> Result<bool> {
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      if (required) return make_error("policy file not found: " + p.string());
      return false;
    }
    bool ok = false;
    auto text = read_file(p, ok);
    if (!ok) return make_error("cannot read policy file " + p.string());
    layers.push_back(PolicyLayer{tier, p.string(), std::move(text)});
    return true;
  };
  std::string cwd = setup.cwd;
  if (cwd.empty()) {
    std::error_code ec;
    cwd = fs::current_path(ec).string();
  }
  if (setup.user_layers) {
    if (auto r = add_layer(PolicyLayer::Tier::managed, "/etc/blastwall/policy.yaml", false); !r)
      return r.error();
    std::string config = env_or("XDG_CONFIG_HOME", home_dir() + "/.config");
    if (auto r =
            add_layer(PolicyLayer::Tier::user, fs::path(config) / "blastwall/policy.yaml", false);
        !r)
      return r.error();
    auto root = find_project_root(cwd);
    if (root.empty()) root = cwd;
    if (auto r =
            add_layer(PolicyLayer::Tier::project, fs::path(root) / ".blastwall/policy.yaml", false);
        !r)
      return r.error();
  }
  if (!setup.policy_file.empty()) {
    if (auto r = add_layer(PolicyLayer::Tier::explicit_file, setup.policy_file, true); !r)
      return r.error();
  }
  auto policy = parse_policy_layers(layers);
  if (!policy) return policy.error();

  std::vector<rules::PackSpec> packs;
  if (setup.builtin_packs) {
    auto builtin = rules::load_builtin_packs();
    if (!builtin) return builtin.error();
    packs = std::move(*builtin);
  }
  std::vector<std::string> extra = setup.extra_packs;
  extra.insert(extra.end(), policy->extra_pack_paths.begin(), policy->extra_pack_paths.end());
  for (const auto& path : extra) {
    std::string p = path;
    if (!p.empty() && p[0] == '~') p = home_dir() + p.substr(1);
    auto loaded = rules::load_pack_path(p);
    if (!loaded) return loaded.error();
    for (auto& pack : *loaded) {
      // A pack with the id of an already loaded one replaces it (a new version of a shipped pack).
      auto it =
          std::find_if(packs.begin(), packs.end(), [&](const auto& q) { return q.id == pack.id; });
      if (it != packs.end()) {
        *it = std::move(pack);
      } else {
        packs.push_back(std::move(pack));
      }
    }
  }
  return Engine::create(std::move(packs), std::move(*policy));
}

}  // namespace blastwall::cli
