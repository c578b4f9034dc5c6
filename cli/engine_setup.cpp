#include "cli/engine_setup.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/pack_store.hpp"
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

static Result<std::vector<PolicyLayer>> collect_layers(const EngineSetup& setup) {
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
    if (auto r = add_layer(PolicyLayer::Tier::managed,
                           fs::path(packs::managed_dir()) / "policy.yaml", false);
        !r)
      return r.error();
    if (auto r = add_layer(PolicyLayer::Tier::user, fs::path(packs::config_dir()) / "policy.yaml",
                           false);
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
  return layers;
}

Result<Policy> load_policy(const EngineSetup& setup) {
  auto layers = collect_layers(setup);
  if (!layers) return layers.error();
  return parse_policy_layers(*layers);
}

Result<std::shared_ptr<const Engine>> build_engine(const EngineSetup& setup) {
  auto collected = collect_layers(setup);
  if (!collected) return collected.error();
  const std::vector<PolicyLayer>& layers = *collected;
  auto policy = parse_policy_layers(layers);
  if (!policy) return policy.error();
  std::string lock_path = setup.lockfile;
  if (lock_path.empty() && setup.user_layers) lock_path = packs::default_lockfile();
  std::shared_ptr<const packs::InstalledView> installed_packs;
  if (!lock_path.empty()) {
    auto v = packs::installed_view(lock_path);
    if (!v) return v.error();
    installed_packs = std::move(*v);
  } else {
    auto none = std::make_shared<packs::InstalledView>();
    none->lock = std::make_shared<const packs::Lockfile>();
    installed_packs = std::move(none);
  }
  const packs::Lockfile& lock = *installed_packs->lock;
  std::vector<std::string> extra = policy->extra_pack_paths;
  for (auto& p : extra) {
    if (!p.empty() && p[0] == '~') p = home_dir() + p.substr(1);
  }
  std::vector<std::string> cli_extra = setup.extra_packs;
  for (auto& p : cli_extra) {
    if (!p.empty() && p[0] == '~') p = home_dir() + p.substr(1);
  }
  const bool cacheable = resident::active() && setup.report == nullptr;
  // The resident engine keeps built engines; the key is everything this one is built from,
  // including the date (a trusted key may expire overnight).
  std::string key;
  if (cacheable) {
    key = setup.builtin_packs ? "builtin\n" : "none\n";
    for (const auto& l : layers) {
      key += std::to_string(static_cast<int>(l.tier)) + "\n" + l.path + "\n" +
             std::to_string(l.text.size()) + "\n" + l.text + "\n";
    }
    key += packs::today_utc() + "\n";
    key += installed_packs->key + "\n";
    for (const auto* list : {&extra, &cli_extra}) {
      for (const auto& p : *list) key += fingerprint(p) + "|" + fingerprint(p + ".minisig") + "\n";
      key += "--\n";
    }
    if (auto hit = resident::cached_engine(key)) return hit;
  }

  auto trust = packs::trust_context(*policy);
  if (!trust) return trust.error();
  std::vector<rules::PackSpec> pack_list;
  std::vector<LoadedPackInfo> infos;
  if (setup.builtin_packs) {
    auto builtin = rules::load_builtin_packs();
    if (!builtin) return builtin.error();
    pack_list = std::move(*builtin);
    for (const auto& p : pack_list) {
      infos.push_back(
          LoadedPackInfo{p.id, p.version, "builtin", p.source, "", "", "", false, false});
    }
  }
  // A pack with the id of an already loaded one replaces it (a new version of a shipped pack),
  // except from a project layer: a repository may add packs, never swap one out.
  auto add_pack = [&](rules::PackSpec pack, LoadedPackInfo info, bool may_replace) -> Result<bool> {
    auto it = std::find_if(pack_list.begin(), pack_list.end(),
                           [&](const auto& q) { return q.id == pack.id; });
    if (it == pack_list.end()) {
      pack_list.push_back(std::move(pack));
      infos.push_back(std::move(info));
      return true;
    }
    if (!may_replace) {
      return make_error(info.location + ": a project policy may only tighten: pack " + pack.id +
                        " would replace the loaded pack of the same id (" +
                        infos[static_cast<size_t>(it - pack_list.begin())].location + ")");
    }
    infos[static_cast<size_t>(it - pack_list.begin())] = std::move(info);
    *it = std::move(pack);
    return true;
  };
  auto installed = packs::load_installed_all(lock, *trust);
  if (!installed) return make_error(installed.error().format() + " (see `blastwall doctor`)");
  for (size_t i = 0; i < installed->size(); ++i) {
    auto& v = (*installed)[i];
    LoadedPackInfo info{v.spec.id, v.spec.version, "installed", lock.packs[i].source,
                        v.signer,  v.key_id,       v.sha256,    false,
                        false};
    if (auto r = add_pack(std::move(v.spec), std::move(info), true); !r) return r.error();
  }
  auto load_local = [&](const std::string& path, bool from_cli) -> Result<bool> {
    auto found = packs::fetch_source(path, packs::FetchOptions{});
    if (!found) return found.error();
    bool project = std::find(policy->project_pack_paths.begin(), policy->project_pack_paths.end(),
                             path) != policy->project_pack_paths.end();
    // Packs named on the command line (replay --rules, rules test) are an author's trial, not
    // enforcement: a present signature must verify, but none is required.
    packs::TrustContext t = *trust;
    if (from_cli) t.require_signed = false;
    for (const auto& c : *found) {
      if (project) {
        // Refuse a swap before anything else, so the error says what the repository tried.
        auto spec = rules::load_pack_text(c.yaml, c.origin);
        if (!spec) return spec.error();
        if (std::any_of(pack_list.begin(), pack_list.end(),
                        [&](const auto& q) { return q.id == spec->id; })) {
          return make_error(c.origin + ": a project policy may only tighten: pack " + spec->id +
                            " would replace the loaded pack of the same id");
        }
      }
      auto v = packs::verify_candidate(c, t);
      if (!v) return v.error();
      LoadedPackInfo info{v->spec.id, v->spec.version, from_cli ? "command line" : "policy",
                          c.origin,   v->signer,       v->key_id,
                          v->sha256,  false,           false};
      if (auto r = add_pack(std::move(v->spec), std::move(info), !project); !r) return r.error();
    }
    return true;
  };
  for (const auto& p : extra) {
    if (auto r = load_local(p, false); !r) return r.error();
  }
  for (const auto& p : cli_extra) {
    if (auto r = load_local(p, true); !r) return r.error();
  }
  // Required packs must be loaded, at the pinned version or content; a missing one fails closed.
  for (const auto& req : policy->packs.required) {
    auto it = std::find_if(infos.begin(), infos.end(),
                           [&](const LoadedPackInfo& i) { return i.id == req.id; });
    std::string where = req.declared_in.empty() ? "policy" : req.declared_in;
    if (it == infos.end()) {
      return make_error(where + " requires pack " + req.id +
                        ", which is not installed (run `blastwall packs sync`)");
    }
    if (!req.min_version.empty() && packs::compare_versions(it->version, req.min_version) < 0) {
      return make_error(where + " requires pack " + req.id + " >= " + req.min_version + ", but " +
                        it->version + " is installed (run `blastwall packs update`)");
    }
    if (!req.sha256.empty() && it->sha256 != req.sha256) {
      return make_error(where + " pins pack " + req.id + " to sha256 " + req.sha256 +
                        ", but the loaded copy (" + it->location + ") is " +
                        (it->sha256.empty() ? "the shipped one" : it->sha256));
    }
    it->required = true;
    it->locked = it->locked || req.locked;
  }
  std::map<std::string, LockedRuleInfo> rule_info;
  for (const auto& p : pack_list) {
    for (const auto& r : p.rules) rule_info[r.id] = LockedRuleInfo{p.id, r.decision, r.tags};
  }
  if (auto r = check_locked_packs(*policy, rule_info); !r) return r.error();
  if (setup.report) {
    setup.report->packs = infos;
    setup.report->lockfile = lock_path;
  }
  auto engine = Engine::create(std::move(pack_list), std::move(*policy));
  if (engine && cacheable) resident::store_engine(key, *engine);
  return engine;
}

}  // namespace blastwall::cli
