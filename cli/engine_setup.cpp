#include "cli/engine_setup.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/resident.hpp"
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

// This user's passwd entry (name, home), read once per process: the resident engine would
// otherwise re-read /etc/passwd for every request.
const std::pair<std::string, std::string>& passwd_entry() {
  static const std::pair<std::string, std::string> entry = [] {
    std::pair<std::string, std::string> e;
    if (auto* pw = getpwuid(getuid())) e = {pw->pw_name, pw->pw_dir};
    return e;
  }();
  return entry;
}

std::string home_dir() {
  if (const char* h = std::getenv("HOME"); h && *h) return h;
  return passwd_entry().second;
}

// Nearest ancestor holding .git (a directory, or a file for worktrees).
std::string scan_project_root(const std::string& cwd) {
  std::error_code ec;
  for (fs::path p = cwd; !p.empty(); p = p.parent_path()) {
    if (fs::exists(p / ".git", ec)) return p.string();
    if (p == p.parent_path()) break;
  }
  return {};
}

// The same, remembered for the rest of a resident-engine request (several steps ask for it).
std::string find_project_root(const std::string& cwd) {
  if (!resident::active()) return scan_project_root(cwd);
  auto& memo = resident::scratch();
  if (!memo.project_cwd_known || memo.project_cwd != cwd) {
    memo.project_cwd = cwd;
    memo.project_cwd_known = true;
    memo.project_root = scan_project_root(cwd);
  }
  return memo.project_root;
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

// What an extra pack path holds, for the resident engine's cache key: every file's size, mtime and
// inode (a directory is walked, as the loader walks it).
std::string fingerprint(const std::string& path) {
  std::string out = path;
  auto add = [&out](const fs::path& p) {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) {
      out += "|" + p.string() + ":missing";
      return;
    }
    out += "|" + p.string() + ":" + std::to_string(st.st_size) + ":" +
           std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec) + ":" +
           std::to_string(st.st_ino);
  };
  std::error_code ec;
  add(path);
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) add(f);
  }
  return out;
}

}  // namespace

void fill_context_from_os(ActionContext& ctx) {
  if (ctx.cwd.empty()) {
    std::error_code ec;
    ctx.cwd = fs::current_path(ec).string();
  }
  if (ctx.home.empty()) ctx.home = home_dir();
  if (ctx.user.empty()) ctx.user = passwd_entry().first;
  std::string git_root;
  bool looked = false;
  if (ctx.project_root.empty()) {
    git_root = find_project_root(ctx.cwd);
    looked = true;
    ctx.project_root = git_root.empty() ? ctx.cwd : git_root;
  }
  if (ctx.vcs_branch.empty()) {
    ctx.vcs_branch = read_branch(looked ? git_root : find_project_root(ctx.cwd));
  }
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
  // The resident engine keeps built engines; the key is everything this one is built from.
  std::string key;
  if (resident::active()) {
    key = setup.builtin_packs ? "builtin\n" : "none\n";
    for (const auto& l : layers) {
      key += std::to_string(static_cast<int>(l.tier)) + "\n" + l.path + "\n" +
             std::to_string(l.text.size()) + "\n" + l.text + "\n";
    }
  }
  auto policy = parse_policy_layers(layers);
  if (!policy) return policy.error();
  std::vector<std::string> extra = setup.extra_packs;
  extra.insert(extra.end(), policy->extra_pack_paths.begin(), policy->extra_pack_paths.end());
  for (auto& p : extra) {
    if (!p.empty() && p[0] == '~') p = home_dir() + p.substr(1);
  }
  if (resident::active()) {
    for (const auto& p : extra) key += fingerprint(p) + "\n";
    if (auto hit = resident::cached_engine(key)) return hit;
  }

  std::vector<rules::PackSpec> packs;
  if (setup.builtin_packs) {
    auto builtin = rules::load_builtin_packs();
    if (!builtin) return builtin.error();
    packs = std::move(*builtin);
  }
  for (const auto& p : extra) {
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
  auto engine = Engine::create(std::move(packs), std::move(*policy));
  if (engine && resident::active()) resident::store_engine(key, *engine);
  return engine;
}

}  // namespace blastwall::cli
