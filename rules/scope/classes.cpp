// Classes of harm by what an action touches (see classes.hpp). Every analyser here starts with a
// cheap test of the command name or the target's last component, so the cost on a routine
// command is a few comparisons.
#include "rules/scope/classes.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "rules/scope/command_table.hpp"
#include "rules/scope/extra_facts.hpp"
#include "rules/scope/facts_ext.hpp"

namespace blastwall::scope {
namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool one_of(std::string_view v, std::initializer_list<std::string_view> list) {
  return std::find(list.begin(), list.end(), v) != list.end();
}
std::string lower(std::string_view v) {
  std::string out(v);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}
std::string_view base_of(std::string_view p) {
  auto slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}
bool has_arg(const Subject& s, std::initializer_list<std::string_view> names) {
  for (const std::string_view a : s.args) {
    if (a == "--") break;
    auto eq = a.find('=');
    std::string_view key = a.substr(0, a.size() > 2 && a[1] == '-' ? eq : std::string_view::npos);
    if (one_of(key, names)) return true;
  }
  return false;
}
std::string sub(const Subject& s, size_t i) {
  return i < s.positionals.size() ? s.positionals[i] : std::string();
}
// Positionals of a tool whose global options take values blastwall's option table does not know
// (restic -r REPO forget, borg --rsh X delete): the words that are no option's value.
std::vector<std::string> words_after(const Subject& s,
                                     std::initializer_list<std::string_view> valued) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.args.size(); ++i) {
    const std::string_view a = s.args[i];
    if (a.size() > 1 && a[0] == '-') {
      if (a.find('=') == std::string_view::npos && one_of(a, valued)) ++i;
      continue;
    }
    out.emplace_back(a);
  }
  return out;
}
// A short flag given alone or bundled (-l, -lf).
bool has_short(const Subject& s, std::string_view letters) {
  for (const std::string_view a : s.args) {
    if (a.size() < 2 || a[0] != '-' || a[1] == '-') continue;
    if (a.find_first_of(letters, 1) != std::string_view::npos) return true;
  }
  return false;
}
bool has_wrapper(const Subject& s, std::string_view w) {
  return std::any_of(s.wrappers.begin(), s.wrappers.end(), [&](const std::string& x) {
    return x == w || starts_with(x, std::string(w) + " ");
  });
}

// ---------------------------------------------------------------- re-creatable deletes (junk_only)

// Directories every build of some stack re-creates: deleting them costs a rebuild, not work.
bool rebuildable_name(std::string_view n) {
  static constexpr std::string_view k_names[] = {"_build",
                                                 "dist-newstyle",
                                                 ".stack-work",
                                                 "DerivedDataCache",
                                                 "Intermediate",
                                                 "DerivedData",
                                                 "buck-out",
                                                 ".pants.d",
                                                 "zig-cache",
                                                 ".zig-cache",
                                                 "zig-out",
                                                 "_opam",
                                                 "_esy",
                                                 "elm-stuff",
                                                 ".elixir_ls",
                                                 ".dart_tool",
                                                 ".expo",
                                                 ".cxx",
                                                 ".externalNativeBuild",
                                                 "CMakeFiles",
                                                 ".build",
                                                 ".swiftpm",
                                                 ".cabal-sandbox",
                                                 ".spago",
                                                 ".shadow-cljs",
                                                 ".cpcache",
                                                 "cdk.out",
                                                 ".svelte-kit",
                                                 ".docusaurus",
                                                 ".astro",
                                                 ".output",
                                                 ".wrangler",
                                                 "storybook-static",
                                                 ".eslintcache",
                                                 ".sass-cache",
                                                 ".jekyll-cache",
                                                 "_site",
                                                 ".pio",
                                                 ".angular",
                                                 ".nx",
                                                 ".hypothesis",
                                                 "htmlcov",
                                                 ".gradle",
                                                 ".kotlin",
                                                 ".nuxt",
                                                 ".vite",
                                                 ".nyc_output",
                                                 "node_modules",
                                                 "__pycache__",
                                                 ".pytest_cache",
                                                 ".mypy_cache",
                                                 ".ruff_cache",
                                                 ".tox",
                                                 ".nox",
                                                 ".venv",
                                                 "venv",
                                                 ".eggs",
                                                 ".terraform",
                                                 ".terragrunt-cache",
                                                 ".serverless",
                                                 ".aws-sam",
                                                 ".next",
                                                 ".turbo",
                                                 ".cache",
                                                 ".parcel-cache",
                                                 "build",
                                                 "dist",
                                                 "target",
                                                 "out",
                                                 "bin",
                                                 "obj",
                                                 "coverage",
                                                 ".ipynb_checkpoints",
                                                 "tmp",
                                                 ".tmp",
                                                 "temp",
                                                 ".temp",
                                                 ".bazel-cache",
                                                 ".ccache",
                                                 ".sccache",
                                                 ".metals",
                                                 ".bloop",
                                                 ".lake",
                                                 "lake-packages",
                                                 "Pods",
                                                 ".vercel",
                                                 ".netlify",
                                                 ".stack",
                                                 "bower_components",
                                                 "jspm_packages",
                                                 ".yarn-cache",
                                                 ".pnpm-store",
                                                 ".fleet-cache",
                                                 ".cargo-target",
                                                 "__snapshots_tmp__",
                                                 ".mvn-cache"};
  if (std::find(std::begin(k_names), std::end(k_names), n) != std::end(k_names)) return true;
  // bazel-bin, bazel-out, bazel-testlogs, bazel-<workspace>; cmake-build-debug; *.egg-info.
  return starts_with(n, "bazel-") || starts_with(n, "cmake-build-") || ends_with(n, ".egg-info");
}

// Names that are build output in one stack and could be source in another (Elixir deps, Unity
// Library/Temp/Logs, Unreal Binaries/Saved, Visual Studio Debug/Release): re-creatable only when
// the same command also deletes an unambiguous build directory of a stack.
bool rebuildable_in_company(std::string_view n) {
  return one_of(
      n, {"deps", "Library", "Temp", "Logs", "logs", "log", "Saved", "Binaries", "Debug", "Release",
          "x64", "x86", "Build", "Builds", "output", "MemoryCaptures", "packages"});
}

// A run-time path that is temp or a tool's cache by construction: $TMPDIR/..., $(bazel info
// output_base), $(go env GOCACHE), $(mktemp -d).
bool runtime_temp_path(std::string_view raw) {
  if (raw.find("..") != std::string_view::npos) return false;
  static constexpr std::string_view k_vars[] = {
      "TMPDIR", "TMP", "TEMP", "RUNNER_TEMP", "XDG_CACHE_HOME", "GOCACHE", "AGENT_TEMPDIRECTORY"};
  for (auto v : k_vars) {
    for (const std::string& form : {"$" + std::string(v), "${" + std::string(v)}) {
      if (!starts_with(raw, form)) continue;
      const std::string_view rest = raw.substr(form.size());
      if (rest.empty() || rest[0] == '/' || rest[0] == '}' || rest[0] == ':') return true;
    }
  }
  static constexpr std::string_view k_queries[] = {"bazel info output_base",
                                                   "bazel info output_path",
                                                   "bazel info bazel-bin",
                                                   "bazel info bazel-testlogs",
                                                   "bazel info bazel-genfiles",
                                                   "bazel info repository_cache",
                                                   "bazel info execution_root",
                                                   "bazelisk info output_base",
                                                   "go env GOCACHE",
                                                   "go env GOMODCACHE",
                                                   "npm config get cache",
                                                   "yarn cache dir",
                                                   "pnpm store path",
                                                   "pip cache dir",
                                                   "brew --cache",
                                                   "mktemp -d",
                                                   "mktemp",
                                                   "ccache -k cache_dir",
                                                   "getconf DARWIN_USER_CACHE_DIR",
                                                   "getconf DARWIN_USER_TEMP_DIR"};
  for (auto open : {std::string_view("$("), std::string_view("`")}) {
    if (!starts_with(raw, open)) continue;
    const char close = open == "`" ? '`' : ')';
    auto end = raw.find(close, open.size());
    if (end == std::string_view::npos) return false;
    std::string_view inner = raw.substr(open.size(), end - open.size());
    while (!inner.empty() && inner.front() == ' ') inner.remove_prefix(1);
    while (!inner.empty() && inner.back() == ' ') inner.remove_suffix(1);
    for (auto q : k_queries) {
      if (inner == q) return true;
    }
  }
  return false;
}

// The verdict on one written target of a delete: 2 = re-creatable, 1 = re-creatable in company,
// 0 = not known to be re-creatable.
int rebuildable_target(const Target& t, const ActionContext& ctx) {
  if (t.dynamic) return runtime_temp_path(t.raw) ? 2 : 0;
  if (t.cls == PathClass::temp) return 2;
  if (t.cls != PathClass::inside_project || ctx.project_root.empty() ||
      t.resolved.size() <= ctx.project_root.size() + 1)
    return 0;
  std::string_view rel = std::string_view(t.resolved).substr(ctx.project_root.size() + 1);
  int best = 0;
  while (!rel.empty()) {
    auto slash = rel.find('/');
    std::string_view comp = rel.substr(0, slash);
    if (rebuildable_name(comp)) return 2;
    if (rebuildable_in_company(comp)) best = 1;
    if (slash == std::string_view::npos) break;
    rel.remove_prefix(slash + 1);
  }
  return best;
}

bool bucket_is_scratch(std::string_view url, const ScopeConfig& config) {
  auto pos = url.find("://");
  std::string_view bucket = url.substr(pos + 3);
  bucket = bucket.substr(0, bucket.find('/'));
  if (bucket.empty() || matches_prod(bucket, config.prod_patterns)) return false;
  std::string word;
  const std::string b = lower(bucket);
  for (size_t i = 0; i <= b.size(); ++i) {
    if (i < b.size() && std::isalnum(static_cast<unsigned char>(b[i]))) {
      word += b[i];
      continue;
    }
    if (one_of(word, {"scratch", "tmp", "temp", "ci", "sandbox", "ephemeral", "e2e", "preview",
                      "dev", "test", "testing", "playground", "throwaway"}))
      return true;
    word.clear();
  }
  return false;
}

void rebuildable_facts(Subject& s, const ActionContext& ctx, const ScopeConfig& config) {
  const std::string_view n = s.name;
  const bool deleter = one_of(n, {"rm", "rimraf", "del-cli", "trash", "trash-put", "rmdir"}) ||
                       (one_of(n, {"npx", "pnpx", "bunx", "pnpm", "yarn"}) &&
                        std::find(s.args.begin(), s.args.end(), "rimraf") != s.args.end());
  const bool mirror =
      n == "rsync" && s.facts.has("mirror_delete") &&
      std::find(s.args.begin(), s.args.end(), "--remove-source-files") == s.args.end();
  if (deleter || mirror) {
    size_t writes = 0;
    bool company_needed = false, anchor = false;
    for (const auto& t : s.facts.targets) {
      if (!t.write) continue;
      ++writes;
      const int r = rebuildable_target(t, ctx);
      if (r == 0) return;
      if (r == 1) company_needed = true;
      if (r == 2 && !t.dynamic && t.cls == PathClass::inside_project) anchor = true;
    }
    if (writes == 0 || (company_needed && !anchor)) return;
    s.facts.set("junk_only",
                std::string(mirror ? "rsync --delete into " : "deletes only ") +
                    "build outputs, caches and temp files: " + s.facts.targets.front().raw);
    return;
  }
  // Object-store deletes confined to scratch, CI, dev or test buckets.
  const bool s3 = n == "aws" && sub(s, 0) == "s3" && one_of(sub(s, 1), {"rm", "rb", "sync"});
  const bool gs = (n == "gsutil" && one_of(sub(s, 0), {"rm", "rb", "rsync"})) ||
                  (n == "gcloud" && sub(s, 0) == "storage" && one_of(sub(s, 1), {"rm", "rsync"}));
  if (!s3 && !gs) return;
  if (s.facts.has("prod")) return;
  size_t buckets = 0;
  for (const auto& a : s.args) {
    if (!starts_with(a, "s3://") && !starts_with(a, "gs://")) continue;
    ++buckets;
    if (!bucket_is_scratch(a, config)) return;
  }
  if (buckets > 0)
    s.facts.set("junk_only", "deletes only in a scratch, CI, dev or test bucket: " + s.display);
}

// ------------------------------------------------------------------------------ credential stores

void credential_facts(Subject& s, const ActionContext& ctx) {
  const std::string_view n = s.name;
  auto store = [&](const std::string& why) {
    s.facts.set("credential_store", why);
    s.facts.set("secrets_read", why);
  };
  auto destroy = [&](const std::string& why) { s.facts.set("credential_destroy", why); };
  if (n == "gpg" || n == "gpg2") {
    if (has_arg(s, {"--export-secret-keys", "--export-secret-subkeys", "--export-secret-key"}))
      store("gpg exports private keys");
    else if (has_arg(s, {"-d", "--decrypt", "--decrypt-files"}))
      store("gpg decrypts secret material");
    if (has_arg(s, {"--delete-secret-keys", "--delete-secret-and-public-keys",
                    "--delete-secret-and-public-key", "--delete-secret-key"}))
      destroy("gpg deletes private keys");
    return;
  }
  if (n == "ssh-keygen") {
    // Generation only: -l/-y/-R/-F/-H/-L/-Y/-e/-i/-p/-K read or edit other things.
    if (has_short(s, "lyRFHLYeipKksDQr")) return;
    auto files = option_values(s.args, "-f");
    std::string f = files.empty() ? std::string() : files.back();
    if (!f.empty() && f[0] == '~') f = ctx.home + f.substr(1);
    const bool in_ssh = f.empty() || (!ctx.home.empty() && starts_with(f, ctx.home + "/.ssh/"));
    if (!in_ssh) return;
    const std::string_view b = f.empty() ? std::string_view("id_*") : base_of(f);
    const bool standard = one_of(
        b, {"id_*", "id_rsa", "id_ed25519", "id_ecdsa", "id_dsa", "id_ecdsa_sk", "id_ed25519_sk"});
    if (s.stdin_from == "yes" || standard)
      destroy("ssh-keygen overwrites the SSH key " + (f.empty() ? std::string("~/.ssh/id_*") : f));
    else
      store("ssh-keygen writes a key into ~/.ssh: " + f);
    return;
  }
  if (n == "vault" || n == "bao") {
    const std::string a = sub(s, 0), b = sub(s, 1);
    if ((a == "kv" && one_of(b, {"delete", "destroy", "metadata"}) &&
         (b != "metadata" || sub(s, 2) == "delete")) ||
        a == "delete" || (a == "secrets" && one_of(b, {"disable", "move"})) ||
        (a == "auth" && b == "disable") || (a == "audit" && b == "disable") ||
        (a == "policy" && one_of(b, {"write", "delete"})) ||
        (a == "operator" && one_of(b, {"seal", "step-down", "rekey", "generate-root"})) ||
        (a == "lease" && b == "revoke") ||
        (a == "token" && b == "revoke" && !has_arg(s, {"-self"})))
      destroy("changes or destroys what the secrets service holds: " + s.display);
    return;
  }
  // Password managers and keychains: entries or whole vaults removed.
  if ((one_of(n, {"pass", "gopass"}) && one_of(sub(s, 0), {"rm", "delete", "remove"})) ||
      (n == "bw" && sub(s, 0) == "delete") || (n == "lpass" && sub(s, 0) == "rm") ||
      (n == "op" && one_of(sub(s, 0), {"item", "document", "vault"}) && sub(s, 1) == "delete") ||
      (n == "security" &&
       one_of(sub(s, 0), {"delete-keychain", "delete-generic-password", "delete-internet-password",
                          "delete-identity", "delete-certificate"})) ||
      (n == "keyring" && sub(s, 0) == "del") || (n == "secret-tool" && sub(s, 0) == "clear")) {
    destroy(std::string(n) + " deletes stored credentials: " + s.display);
    return;
  }
  struct Printer {
    std::string_view cmd, a, b;
  };
  static constexpr Printer k_printers[] = {{"security", "dump-keychain", ""},
                                           {"security", "export", ""},
                                           {"security", "find-generic-password", "-w"},
                                           {"security", "find-internet-password", "-w"},
                                           {"keyring", "get", ""},
                                           {"heroku", "auth:token", ""},
                                           {"dotnet", "user-secrets", "list"},
                                           {"airflow", "connections", "get"},
                                           {"airflow", "connections", "export"},
                                           {"airflow", "variables", "export"},
                                           {"git-crypt", "export-key", ""},
                                           {"borg", "key", "export"},
                                           {"rclone", "config", "show"},
                                           {"gh", "auth", "token"},
                                           {"glab", "auth", "status"},
                                           {"az", "account", "get-access-token"},
                                           {"gcloud", "auth", "print-access-token"},
                                           {"gcloud", "auth", "print-identity-token"},
                                           {"aws", "configure", "export-credentials"},
                                           {"aws", "configure", "get"},
                                           {"firebase", "login:ci", ""},
                                           {"chamber", "read", ""},
                                           {"chamber", "export", ""},
                                           {"infisical", "export", ""},
                                           {"infisical", "secrets", ""},
                                           {"berglas", "access", ""},
                                           {"age", "-d", ""},
                                           {"rage", "-d", ""},
                                           {"git", "credential", "fill"},
                                           {"kubeseal", "--recovery-unseal", ""}};
  for (const auto& p : k_printers) {
    if (n != p.cmd) continue;
    const bool first = p.a[0] == '-' ? has_arg(s, {p.a}) : sub(s, 0) == p.a;
    if (!first) continue;
    if (!p.b.empty()) {
      const bool second = p.b[0] == '-' ? (has_arg(s, {p.b}) || (n == "glab" && has_arg(s, {"-t"})))
                                        : sub(s, 1) == p.b;
      if (!second) continue;
    }
    if (n == "aws" && p.a == "configure" && p.b == "get" &&
        sub(s, 2).find("secret") == std::string::npos &&
        sub(s, 2).find("token") == std::string::npos)
      continue;
    store(std::string(n) + " prints credentials from its store: " + s.display);
    return;
  }
  if (starts_with(n, "docker-credential-") && sub(s, 0) == "get") {
    store("docker credential helper prints a registry password");
    return;
  }
  // Secret hunts: find/fd/locate from HOME or / for key, keystore and credential file names.
  if (one_of(n, {"find", "fd", "locate", "mlocate", "plocate"})) {
    bool broad = n != "find" && n != "fd";
    for (const auto& t : s.facts.targets) {
      if (t.cls == PathClass::home_root || t.cls == PathClass::root) broad = true;
    }
    if (!broad) return;
    for (const auto& a : s.args) {
      const std::string l = lower(a);
      for (auto pat : {".pem", "id_rsa", "id_ed25519", "id_*", ".key", ".p12", ".pfx", ".kdbx",
                       ".jks", ".keystore", "credentials", ".env", "secret", ".ovpn", ".ppk",
                       "wallet.dat", ".tfstate", ".pgpass", ".netrc"}) {
        if (l.find(pat) != std::string::npos && l != "-type" && l != "-name") {
          store("searches the whole home or file system for credential files: " + s.display);
          return;
        }
      }
    }
  }
}

// --------------------------------------------------------------- storage and backup destruction

void storage_facts(Subject& s, const ActionContext& ctx, const ScopeConfig& config) {
  const std::string_view n = s.name;
  const std::string a = sub(s, 0), b = sub(s, 1);
  // A preview deletes nothing (restic/borg/rclone -n, --dry-run).
  if (s.facts.has("dry_run") || has_arg(s, {"--dry-run", "--dryrun", "-n"})) return;
  auto destroy = [&](const std::string& why, bool whole) {
    s.facts.set("storage_destroy", why);
    if (whole) s.facts.set("global", why);
  };
  // Disk layout tools (zfs, zpool, LVM, cryptsetup, mdadm, parted) are core.system.disk-layout's;
  // here only the breadth: the whole pool, volume group, disk or array goes, so the default table
  // denies.
  auto whole = [&](const std::string& why) { s.facts.set("global", why); };
  if (n == "zfs" && a == "destroy") {
    const std::string ds = s.positionals.size() > 1 ? s.positionals.back() : std::string();
    if (!ds.empty() && ds.find('/') == std::string::npos && ds.find('@') == std::string::npos)
      whole("zfs destroy of the pool's root dataset " + ds + " removes every dataset in it");
    return;
  }
  if (n == "zpool") {
    if (one_of(a, {"destroy", "labelclear"})) whole("zpool " + a + " destroys the whole pool");
    if (a == "create" && has_arg(s, {"-f"}))
      destroy("zpool create -f overwrites the disks it is given", true);
    return;
  }
  if (n == "vgremove") {
    whole("vgremove removes every logical volume of the group");
    return;
  }
  if ((n == "cryptsetup" && one_of(a, {"luksErase", "erase", "luksFormat"})) ||
      (n == "mdadm" && has_arg(s, {"--zero-superblock"}))) {
    whole(std::string(n) + " " + (a.empty() ? std::string("--zero-superblock") : a) +
          " makes the whole device unreadable");
    return;
  }
  if (one_of(n, {"parted", "fdisk", "sfdisk", "gdisk"})) {
    for (const auto& p : s.positionals) {
      if (p == "mklabel" || p == "mktable") {
        whole("parted " + p + " replaces the disk's partition table");
        return;
      }
    }
    return;
  }
  const auto snapper_words = n == "snapper" ? words_after(s, {"-c", "--config", "--root", "-r"})
                                            : std::vector<std::string>();
  if ((n == "snapper" && !snapper_words.empty() &&
       one_of(snapper_words[0], {"delete", "rm", "remove"})) ||
      (n == "tmutil" && one_of(a, {"delete", "deletelocalsnapshots", "thinlocalsnapshots"}))) {
    destroy(std::string(n) + " deletes snapshots", false);
    return;
  }
  if (n == "rclone") {
    if (s.facts.has("dry_run") || has_arg(s, {"-n", "--dry-run", "-i", "--interactive"})) return;
    const std::string dest = s.positionals.empty() ? std::string() : s.positionals.back();
    const bool remote = dest.find(':') != std::string::npos;
    for (const auto& p : s.positionals) {
      if (p.find(':') != std::string::npos && matches_prod(p, config.prod_patterns))
        s.facts.set("prod", "rclone remote " + p);
    }
    if (one_of(a, {"purge", "delete", "deletefile", "rmdir", "rmdirs", "cleanup", "dedupe"})) {
      // purge of a remote's root or a whole bucket is everything there is.
      const auto colon = dest.find(':');
      const std::string path = colon == std::string::npos ? dest : dest.substr(colon + 1);
      const bool whole = a == "purge" && path.find('/') == std::string::npos;
      destroy("rclone " + a + " deletes " + dest, whole);
    } else if (one_of(a, {"sync", "bisync", "move"}) && (remote || a == "move")) {
      destroy("rclone " + a + " deletes files at " + (a == "move" ? "the source" : dest) +
                  " that the other side lacks",
              false);
    }
    return;
  }
  if (n == "restic") {
    const auto w = words_after(
        s, {"-r", "--repo", "--password-file", "-p", "--repository-file", "--cache-dir", "-o",
            "--option", "--tag", "--host", "--path", "--keep-last", "--keep-daily", "--keep-weekly",
            "--keep-monthly", "--keep-yearly", "--keep-within", "--keep-tag", "--group-by"});
    const std::string v = w.empty() ? std::string() : w[0];
    if (one_of(v, {"forget", "prune"}) || (v == "key" && w.size() > 1 && w[1] == "remove"))
      destroy("restic " + v + " removes snapshots from the backup repository", false);
    return;
  }
  if (n == "borg" || n == "borgmatic") {
    if (one_of(a, {"delete", "prune", "recreate", "rdelete", "rcompress"})) {
      bool whole = false;
      if (a == "delete" && s.positionals.size() >= 2)
        whole = s.positionals[1].find("::") == std::string::npos;
      destroy("borg " + a + " removes archives from the backup repository", whole);
    }
    return;
  }
  if ((n == "kopia" && a == "snapshot" && one_of(b, {"delete", "expire"})) ||
      (n == "duplicity" &&
       one_of(a, {"remove-older-than", "remove-all-but-n-full", "remove-all-inc-of-but-n-full"})) ||
      (n == "tarsnap" && has_arg(s, {"-d", "--nuke"}))) {
    destroy(std::string(n) + " deletes backups", n == "tarsnap" && has_arg(s, {"--nuke"}));
    return;
  }
  if (n == "journalctl") {
    for (const std::string_view x : s.args) {
      if (starts_with(x, "--vacuum-")) {
        destroy("journalctl " + std::string(x) + " deletes the system journal", false);
        return;
      }
    }
    return;
  }
  if (n == "s3cmd" && (one_of(a, {"del", "rm", "rb", "delete"}) ||
                       (a == "sync" && has_arg(s, {"--delete-removed"})))) {
    destroy("s3cmd " + a + " deletes objects", a == "rb");
    return;
  }
  if (n == "b2" && one_of(a, {"delete-bucket", "rm", "delete-file-version", "hide-file"})) {
    destroy("b2 " + a + " deletes objects", a == "delete-bucket");
    return;
  }
  if (n == "mc" && one_of(a, {"rm", "rb"}) && b.find('/') != std::string::npos) {
    destroy("mc " + a + " deletes objects in " + b, a == "rb");
    return;
  }
  (void)ctx;
}

// ---------------------------------------------------------------- system configuration and trust

void system_facts(Subject& s, const ActionContext& ctx) {
  const std::string_view n = s.name;
  const std::string a = sub(s, 0), b = sub(s, 1);
  auto change = [&](const std::string& why) { s.facts.set("system_change", why); };
  const bool root = has_wrapper(s, "sudo") || has_wrapper(s, "doas") || ctx.user == "root";
  if (n == "nixos-rebuild" || n == "darwin-rebuild") {
    if (one_of(a, {"switch", "boot", "test", "activate"}))
      change(std::string(n) + " " + a + " activates a new system configuration");
    return;
  }
  if (n == "home-manager") {
    if (a == "switch" || a == "activate")
      change("home-manager " + a + " replaces the user's environment and dotfiles");
    return;
  }
  // ansible-pull is core.iac's (configuration applied to this machine); as root it runs code
  // fetched from the network with every privilege, which is remote code.
  if (n == "ansible-pull") {
    if (root && (!option_values(s.args, "-U").empty() || !option_values(s.args, "--url").empty()))
      s.facts.set("remote_exec", "ansible-pull runs a playbook fetched from the network as root");
    return;
  }
  if (n == "sysctl") {
    bool writes = has_arg(s, {"-w", "--write", "-p", "--load", "--system"});
    for (const auto& p : s.positionals) writes = writes || p.find('=') != std::string::npos;
    if (writes) change("sysctl changes kernel parameters: " + s.display);
    return;
  }
  if (n == "ufw") {
    if (one_of(a, {"allow", "deny", "reject", "limit", "delete", "insert", "prepend", "route",
                   "default", "disable", "reset"}))
      change("ufw " + a + " changes the firewall: " + s.display);
    return;
  }
  if (n == "firewall-cmd") {
    for (const std::string_view x : s.args) {
      for (auto f : {"--add-", "--remove-", "--set-", "--panic-on", "--new-zone", "--delete-zone",
                     "--change-interface", "--change-zone"}) {
        if (starts_with(x, f)) {
          change("firewall-cmd changes the firewall: " + std::string(x));
          return;
        }
      }
    }
    return;
  }
  if (one_of(n, {"iptables", "ip6tables", "iptables-nft", "iptables-legacy"})) {
    if (has_arg(s, {"-A", "-I", "-D", "-R", "-P", "-X", "--append", "--insert", "--delete",
                    "--replace", "--policy", "--delete-chain"}))
      change(std::string(n) + " changes the firewall: " + s.display);
    return;
  }
  if (n == "nft" && one_of(a, {"add", "delete", "insert", "replace", "destroy"})) {
    change("nft " + a + " changes the firewall: " + s.display);
    return;
  }
  if (n == "argocd" && a == "app" && b == "set") {
    for (size_t i = 0; i < s.args.size(); ++i) {
      const std::string_view x = s.args[i];
      const std::string v = x == "--sync-policy" && i + 1 < s.args.size() ? s.args[i + 1]
                            : starts_with(x, "--sync-policy=") ? std::string(x.substr(14))
                                                               : std::string();
      if (one_of(v, {"none", "manual"}) || x == "--self-heal=false" || x == "--auto-prune=false")
        change("argocd turns automatic sync off for " + sub(s, 2));
    }
    return;
  }
  if ((n == "setenforce" && one_of(a, {"0", "Permissive", "permissive"})) ||
      (n == "csrutil" && a == "disable") || (n == "spctl" && has_arg(s, {"--master-disable"}))) {
    change(std::string(n) + " turns off a system security control");
    return;
  }
  // Certificates added to a trust store: every TLS connection then trusts whoever holds the key.
  if ((n == "dotnet" && a == "dev-certs" && b == "https" && has_arg(s, {"--trust", "-t"})) ||
      (n == "mkcert" && has_arg(s, {"-install"})) ||
      (n == "security" && one_of(a, {"add-trusted-cert", "add-certificates"})) ||
      (n == "trust" && a == "anchor") || n == "update-ca-certificates" || n == "update-ca-trust" ||
      (n == "certutil" && has_arg(s, {"-A", "-addstore"}))) {
    s.facts.set("trust_change", std::string(n) + " adds a certificate to a trust store");
    return;
  }
  if (n == "direnv" && a == "allow") {
    s.facts.set("trust_change", "direnv allow lets .envrc run on every cd into the directory");
    return;
  }
  // Coding agents' MCP registrations: a new server is code that runs with the agent's rights.
  if (one_of(n, {"claude", "codex", "gemini", "cursor-agent", "amp", "goose", "qwen"}) &&
      a == "mcp" && one_of(b, {"add", "add-json", "add-from-claude-desktop", "install"})) {
    s.facts.set("installs_code", std::string(n) + " mcp " + b + " registers an MCP server");
    return;
  }
  if (n == "code" || n == "cursor" || n == "code-insiders") {
    if (has_arg(s, {"--add-mcp"})) s.facts.set("installs_code", "registers an MCP server");
  }
}

// ------------------------------------------------------------------------ distribution channels

bool has_prod_arg(const Subject& s, const ScopeConfig& config) {
  return std::any_of(s.args.begin(), s.args.end(),
                     [&](const std::string& a) { return matches_prod(a, config.prod_patterns); });
}

void channel_facts(Subject& s, const ScopeConfig& config);

// npx eas-cli submit, pnpm dlx chrome-webstore-upload-cli upload: judge the package's CLI.
bool channel_through_runner(Subject& s, const ScopeConfig& config) {
  const std::string_view n = s.name;
  size_t skip = 0;
  if (one_of(n, {"npx", "pnpx", "bunx"}))
    skip = 0;
  else if ((n == "pnpm" || n == "yarn") && one_of(sub(s, 0), {"dlx", "exec"}))
    skip = 1;
  else
    return false;
  if (s.positionals.size() <= skip) return true;
  Subject t;
  std::string pkg = s.positionals[skip];
  if (auto at = pkg.find('@', 1); at != std::string::npos) pkg.resize(at);
  if (ends_with(pkg, "-cli")) pkg.resize(pkg.size() - 4);
  t.name = pkg;
  t.display = s.display;
  t.positionals.assign(s.positionals.begin() + static_cast<std::ptrdiff_t>(skip) + 1,
                       s.positionals.end());
  bool seen = false;
  for (const auto& a : s.args) {
    if (seen) t.args.push_back(a);
    if (a == s.positionals[skip]) seen = true;
  }
  t.facts = s.facts;
  channel_facts(t, config);
  for (auto f : {"publishes", "remote_destroy"}) {
    if (auto it = t.facts.flags.find(f); it != t.facts.flags.end() && !s.facts.has(f))
      s.facts.set(f, it->second.empty() ? std::string() : it->second.front());
  }
  return true;
}

void channel_facts(Subject& s, const ScopeConfig& config) {
  if (channel_through_runner(s, config)) return;
  const std::string_view n = s.name;
  if (s.facts.has("publishes") || s.facts.has("dry_run") ||
      has_arg(s, {"--dry-run", "--dryrun", "--dry_run"}))
    return;
  const std::string a = sub(s, 0), b = sub(s, 1);
  auto pub = [&](const std::string& why) { s.facts.set("publishes", why); };
  auto gone = [&](const std::string& why) { s.facts.set("remote_destroy", why); };
  if (n == "steamcmd") {
    for (const std::string_view x : s.args) {
      if (starts_with(x, "+run_app_build") || starts_with(x, "+workshop_build_item") ||
          starts_with(x, "+set_app_build_live")) {
        pub("steamcmd uploads a build to Steam: " + std::string(x));
        return;
      }
    }
    return;
  }
  if (n.find("BuildPatchTool") != std::string_view::npos ||
      n.find("buildpatchtool") != std::string_view::npos) {
    for (const auto& x : s.args) {
      const std::string l = lower(x);
      if (l.find("-mode=uploadbinary") != std::string::npos ||
          l.find("-mode=labelbinary") != std::string::npos) {
        pub("BuildPatchTool uploads or labels a build on the Epic store");
        return;
      }
    }
    return;
  }
  struct Channel {
    std::string_view cmd, a, b;  // b empty: any; "*": a prefix match of a
  };
  static constexpr Channel k_channels[] = {{"butler", "push", ""},
                                           {"eas", "submit", ""},
                                           {"eas", "update", ""},
                                           {"expo", "publish", ""},
                                           {"appcenter", "codepush", "release"},
                                           {"appcenter", "codepush", "release-react"},
                                           {"appcenter", "codepush", "release-cordova"},
                                           {"appcenter", "codepush", "promote"},
                                           {"appcenter", "codepush", "patch"},
                                           {"appcenter", "distribute", "release"},
                                           {"code-push", "release", ""},
                                           {"code-push", "release-react", ""},
                                           {"code-push", "promote", ""},
                                           {"firebase", "appdistribution:distribute", ""},
                                           {"cabal", "upload", ""},
                                           {"stack", "upload", ""},
                                           {"pod", "trunk", "push"},
                                           {"pod", "repo", "push"},
                                           {"crane", "push", ""},
                                           {"crane", "tag", ""},
                                           {"crane", "append", ""},
                                           {"crane", "mutate", ""},
                                           {"oras", "push", ""},
                                           {"oras", "attach", ""},
                                           {"oras", "tag", ""},
                                           {"oras", "copy", ""},
                                           {"oras", "cp", ""},
                                           {"jf", "rt", "upload"},
                                           {"jf", "rt", "u"},
                                           {"jf", "rt", "copy"},
                                           {"jf", "rt", "cp"},
                                           {"jf", "rt", "build-promote"},
                                           {"jf", "rt", "bpr"},
                                           {"jf", "rt", "docker-push"},
                                           {"jf", "rt", "dp"},
                                           {"jf", "rt", "promote"},
                                           {"jfrog", "rt", "upload"},
                                           {"jfrog", "rt", "u"},
                                           {"jfrog", "rt", "copy"},
                                           {"jfrog", "rt", "build-promote"},
                                           {"swift", "package-registry", "publish"},
                                           {"luarocks", "upload", ""},
                                           {"chrome-webstore-upload", "", ""},
                                           {"webstore", "upload", ""},
                                           {"crossplane", "xpkg", "push"},
                                           {"up", "xpkg", "push"},
                                           {"cachix", "push", ""},
                                           {"attic", "push", ""},
                                           {"cloudsmith", "push", ""},
                                           {"fury", "push", ""},
                                           {"nuget", "push", ""},
                                           {"choco", "push", ""},
                                           {"snapcraft", "upload", ""},
                                           {"snapcraft", "push", ""},
                                           {"snapcraft", "release", ""},
                                           {"wingetcreate", "submit", ""},
                                           {"conan", "upload", ""},
                                           {"ko", "publish", ""},
                                           {"ko", "build", ""},
                                           {"ko", "resolve", ""},
                                           {"gh", "release", "upload"},
                                           {"glab", "release", "upload"},
                                           {"ghr", "", ""},
                                           {"github-release", "upload", ""},
                                           {"helm", "cm-push", ""}};
  for (const auto& c : k_channels) {
    if (n != c.cmd || (!c.a.empty() && a != c.a) || (!c.b.empty() && b != c.b)) continue;
    if (n == "ko" && (has_arg(s, {"--local", "-L", "--push=false"}) ||
                      (s.env_value("KO_DOCKER_REPO") &&
                       starts_with(*s.env_value("KO_DOCKER_REPO"), "ko.local"))))
      return;
    pub(std::string(n) + " publishes to a distribution channel: " + s.display);
    return;
  }
  if ((n == "crane" && one_of(a, {"delete", "untag"})) ||
      (n == "oras" && one_of(a, {"manifest", "blob"}) && b == "delete") ||
      ((n == "jf" || n == "jfrog") && a == "rt" && one_of(b, {"delete", "del", "move", "mv"})) ||
      (n == "pod" && a == "trunk" && one_of(b, {"delete", "deprecate"})) ||
      (n == "snapcraft" && one_of(a, {"close", "unregister"}))) {
    gone(std::string(n) + " removes a published artifact: " + s.display);
    return;
  }
  if (n == "gh" && a == "release" && b == "edit") {
    for (const std::string_view x : s.args) {
      if (x == "--draft" || x == "--draft=true" || x == "--prerelease") {
        gone("gh release edit " + std::string(x) + " takes a published release back");
        return;
      }
    }
    return;
  }
  // Jib builds and pushes an image in one task (jibDockerBuild and jibBuildTar stay local).
  if (one_of(n, {"gradle", "gradlew", "./gradlew", "mvn", "mvnw", "./mvnw"})) {
    for (const auto& p : s.positionals) {
      const std::string_view t = base_of(p);
      if (t == "jib" || ends_with(t, ":jib") || t == "jib:build" || ends_with(p, ":jib:build")) {
        pub(std::string(n) + " " + p + " builds and pushes an image to a registry");
        return;
      }
    }
  }
  // bazel run //:push, //release:publish: the target's name says it ships an artifact.
  if ((n == "bazel" || n == "bazelisk") && a == "run" && !b.empty()) {
    const std::string t = lower(b);
    const auto colon = t.rfind(':');
    const std::string name =
        colon == std::string::npos ? t.substr(t.rfind('/') + 1) : t.substr(colon + 1);
    for (auto w : {"push", "publish", "release", "upload", "deliver"}) {
      if (name.find(w) != std::string::npos) {
        pub("bazel run " + b + " ships an artifact");
        return;
      }
    }
    // //deploy:prod, //k8s:apply-production: a deploy target aimed at production.
    bool deploys = false;
    for (auto w : {"deploy", "apply", "rollout", "migrate"})
      deploys = deploys || t.find(w) != std::string::npos;
    if (deploys && (matches_prod(b, config.prod_patterns) || has_prod_arg(s, config))) {
      s.facts.set("prod", "bazel target " + b);
      s.facts.set("prod_fallback", "bazel run " + b + " deploys to production");
    }
    return;
  }
  // Any other tool whose first word is publish or upload sends an artifact to a registry or store.
  static constexpr std::string_view k_local_upload[] = {
      "codecov", "sentry-cli", "adb", "esptool", "platformio", "pio", "arduino-cli", "avrdude",
      "git", "docker", "podman", "npm", "pnpm", "yarn", "bun", "gsutil", "aws", "az", "gcloud",
      "kubectl", "helm", "mc", "rclone", "scp", "rsync", "curl", "wget", "dvc", "particle", "ampy",
      "mpremote", "st-flash", "openocd", "dfu-util", "make", "just", "task",
      // publish.cpp judges these (local registries, TestPyPI and dry runs included)
      "anaconda", "conda", "cargo", "dart", "deno", "dotnet", "fastlane", "flit", "flutter", "gem",
      "gh", "glab", "goreleaser", "hatch", "jsr", "maturin", "mix", "nuget", "ovsx", "pdm",
      "poetry", "twine", "uv", "vsce", "xcrun"};
  if ((a == "publish" || a == "upload") &&
      std::find(std::begin(k_local_upload), std::end(k_local_upload), n) ==
          std::end(k_local_upload))
    pub(std::string(n) + " " + a + " sends an artifact to a shared registry or store");
}

// ------------------------------------------- long-tail clouds, data platforms, Nix profiles

// A destructive word, alone or as a part of a compound (cluster-delete, records-delete,
// delete-instance, permanent-delete, instance_terminate).
bool destroy_word(std::string_view w) {
  auto is = [](std::string_view p) {
    return one_of(p, {"delete", "destroy", "terminate", "rm", "remove", "purge", "rebuild",
                      "reinstall", "wipe", "erase", "nuke"});
  };
  if (is(w)) return true;
  // CamelCase API operations (DeleteInstance, TerminateInstances).
  for (const std::string_view c : {"Delete", "Terminate", "Destroy", "Remove", "Purge", "Rebuild"})
    if (starts_with(w, c)) return true;
  size_t from = 0;
  while (from < w.size()) {
    size_t to = w.find_first_of("-_", from);
    if (to == std::string_view::npos) to = w.size();
    if (is(w.substr(from, to - from))) return true;
    from = to + 1;
  }
  return false;
}

// Smaller IaaS/VPS providers' CLIs (Oracle, Linode/Akamai, Hetzner, Scaleway, Vultr, Civo,
// Exoscale, UpCloud, IBM, OpenStack, Alibaba, Tencent, OVH, Yandex, IONOS, STACKIT, Contabo,
// Equinix Metal): their verbs are words like everyone else's, so the verb and the resource decide.
// With the resource go its disks when a cluster or database is deleted with its volumes.
void cloud_destroy_facts(Subject& s) {
  if (s.facts.has("dry_run") || has_arg(s, {"--dry-run", "--dryrun", "--help", "-h"})) return;
  const size_t n = std::min<size_t>(s.positionals.size(), 5);
  for (size_t i = 0; i < n; ++i) {
    const std::string& w = s.positionals[i];
    if (!destroy_word(w)) continue;
    std::string what;
    for (size_t k = 0; k <= i; ++k) what += (k ? " " : "") + s.positionals[k];
    const bool rebuild =
        w.find("rebuild") != std::string::npos || w.find("reinstall") != std::string::npos;
    s.facts.set("cloud_destroy",
                s.name + " " + what +
                    (rebuild ? " reinstalls the server's disk" : " deletes the resource for good"));
    s.facts.set("deletion", s.name + " " + what);
    bool cluster = false;
    for (size_t k = 0; k <= i; ++k) {
      const std::string l = lower(s.positionals[k]);
      if (l.find("cluster") != std::string::npos || l.find("k8s") != std::string::npos ||
          l.find("kubernetes") != std::string::npos || l == "lke" || l == "oke" ||
          l.find("database") != std::string::npos || l == "rdb" || l == "db" || l == "dbaas")
        cluster = true;
    }
    bool storage = false;
    for (size_t k = 0; k < s.args.size(); ++k) {
      const std::string l = lower(s.args[k]);
      if (starts_with(l, "with-additional-resources=true") || starts_with(l, "with-volumes=all") ||
          starts_with(l, "with-volumes=block") || l == "--delete-volumes" ||
          l == "--delete-all-volumes" || l == "--volumes" || l == "--delete-data" ||
          (l == "--preserve-boot-volume" && k + 1 < s.args.size() && s.args[k + 1] == "false") ||
          l == "--preserve-boot-volume=false")
        storage = true;
    }
    if (cluster && storage)
      s.facts.set("global", s.name + " " + what + " deletes the cluster together with its storage");
    return;
  }
}

// Workflow orchestrators and lakehouse workspaces: the metadata database, pipelines with their
// run history, workspace trees and clusters are the team's shared state.
void data_platform_facts(Subject& s) {
  if (s.facts.has("dry_run") || has_arg(s, {"--dry-run", "--dryrun", "--help"})) return;
  const std::string a = sub(s, 0), b = sub(s, 1);
  const std::string n = s.name;
  auto wipe = [&](const std::string& why) { s.facts.set("data_wipe", why); };
  auto del = [&](const std::string& why, bool whole) {
    s.facts.set("data_delete", why);
    s.facts.set("deletion", why);
    if (whole) s.facts.set("global", why);
  };
  if (n == "airflow") {
    if (a == "db" && one_of(b, {"reset", "downgrade"}))
      return wipe("airflow db " + b + " rewrites the orchestrator's metadata database");
    if ((a == "db" && b == "clean") || (a == "dags" && b == "delete") ||
        (one_of(a, {"connections", "variables", "pools"}) && b == "delete"))
      return del("airflow " + a + " " + b + " deletes shared orchestrator state", false);
    if ((a == "dags" && b == "backfill") || a == "backfill") {
      if (has_arg(s, {"--reset-dagruns", "--reset_dagruns"}))
        return del("airflow backfill --reset-dagruns resets the state of past runs", false);
    }
    return;
  }
  if (n == "astro") {
    if (one_of(a, {"deployment", "workspace"}) && one_of(b, {"delete", "rm"}))
      return del("astro " + a + " delete removes a deployment and its history", false);
    return;
  }
  if (n == "dagster") {
    if (one_of(a, {"run", "asset"}) && one_of(b, {"wipe", "delete"}))
      return del("dagster " + a + " " + b + " deletes run history", b == "wipe");
    return;
  }
  if (n == "prefect") {
    if (a == "server" && b == "database" && sub(s, 2) == "reset")
      return wipe("prefect server database reset drops the orchestration database");
    if (b == "delete" || b == "rm")
      return del("prefect " + a + " delete removes shared orchestration state", false);
    return;
  }
  if (n == "mlflow") {
    if (a == "gc" || (b == "delete" && one_of(a, {"experiments", "runs", "models"})))
      return del("mlflow " + a + " deletes tracked runs or models", false);
    return;
  }
  if (n == "databricks") {
    const bool recursive = has_arg(s, {"-r", "--recursive", "--recursive=true"});
    if (one_of(a, {"workspace", "fs"}) && one_of(b, {"delete", "rm"})) {
      if (recursive) return del("databricks " + a + " " + b + " -r deletes a whole tree", false);
      return;
    }
    if (a == "clusters" && one_of(b, {"permanent-delete", "permanent_delete"}))
      return del("databricks clusters permanent-delete removes the cluster for good", false);
    if (one_of(a, {"jobs", "pipelines", "catalogs", "schemas", "tables", "volumes", "warehouses",
                   "repos", "metastores", "registered-models", "experiments", "instance-pools"}) &&
        one_of(b, {"delete", "delete-run", "delete-runs"}))
      return del("databricks " + a + " " + b + " deletes shared workspace state", false);
    if (a == "bundle" && b == "destroy")
      return del("databricks bundle destroy deletes every resource of the bundle", false);
    return;
  }
}

// Nix: every old generation garbage-collected as root leaves no rollback; a match-all profile
// remove uninstalls everything.
void nix_facts(Subject& s, const ActionContext& ctx) {
  const bool root = has_wrapper(s, "sudo") || has_wrapper(s, "doas") || ctx.user == "root";
  const std::string a = sub(s, 0), b = sub(s, 1);
  if (s.name == "nix-collect-garbage" && root && has_arg(s, {"-d", "--delete-old"}))
    return s.facts.set("system_change",
                       "nix-collect-garbage -d as root deletes every old system generation");
  if (s.name == "nix" && a == "profile" && one_of(b, {"remove", "wipe-history"})) {
    for (size_t i = 2; i < s.positionals.size(); ++i)
      if (one_of(s.positionals[i], {".*", "*", "--all"}))
        return s.facts.set("system_change", "nix profile remove of every package");
    if (has_arg(s, {"--all"}))
      return s.facts.set("system_change", "nix profile remove of every package");
    if (b == "wipe-history" && root)
      return s.facts.set("system_change", "nix profile wipe-history as root deletes generations");
    return;
  }
  if (s.name == "nix-env" && (has_arg(s, {"-e", "--uninstall"}))) {
    for (const auto& p : s.positionals)
      if (one_of(p, {".*", "*"}))
        return s.facts.set("system_change", "nix-env -e of every package in the profile");
    if (has_arg(s, {"--all"}))
      return s.facts.set("system_change", "nix-env -e of every package in the profile");
  }
  if (s.name == "nix-env" && root && has_arg(s, {"--delete-generations"}) &&
      has_arg(s, {"/nix/var/nix/profiles/system"}))
    return s.facts.set("system_change", "nix-env --delete-generations of the system profile");
}

// Which of the credential, storage, system and channel analysers know a command (a bit each of the
// command table, command_table.hpp, which registers these lists).
constexpr unsigned k_cred = cmd_class_cred, k_store = cmd_class_store, k_sys = cmd_class_sys,
                   k_chan = cmd_class_chan, k_vps = cmd_class_vps, k_dataplat = cmd_class_dataplat,
                   k_nix = cmd_class_nix;
constexpr std::string_view k_vps_cmds[] = {
    "oci",      "linode-cli", "linode",   "hcloud",    "scw",    "vultr-cli", "vultr",    "civo",
    "exo",      "upctl",      "ibmcloud", "openstack", "aliyun", "tccli",     "ovhcloud", "yc",
    "ionosctl", "stackit",    "cntb",     "metal",     "gcore",  "brightbox", "cherryctl"};
constexpr std::string_view k_dataplat_cmds[] = {"airflow", "astro",  "dagster",
                                                "prefect", "mlflow", "databricks"};
constexpr std::string_view k_nix_cmds[] = {"nix-collect-garbage", "nix", "nix-env"};
constexpr std::string_view k_cred_cmds[] = {
    "pass",    "gopass",     "bw",        "lpass",    "op",       "secret-tool", "gpg",
    "gpg2",    "ssh-keygen", "vault",     "bao",      "security", "keyring",     "heroku",
    "dotnet",  "airflow",    "git-crypt", "borg",     "rclone",   "gh",          "glab",
    "az",      "gcloud",     "aws",       "firebase", "chamber",  "infisical",   "berglas",
    "age",     "rage",       "git",       "kubeseal", "find",     "fd",          "locate",
    "mlocate", "plocate"};
constexpr std::string_view k_store_cmds[] = {
    "zfs",       "zpool",   "vgremove",   "cryptsetup", "mdadm",  "parted", "fdisk",     "sfdisk",
    "gdisk",     "snapper", "tmutil",     "rclone",     "restic", "borg",   "borgmatic", "kopia",
    "duplicity", "tarsnap", "journalctl", "s3cmd",      "b2",     "mc"};
constexpr std::string_view k_sys_cmds[] = {"nixos-rebuild",
                                           "darwin-rebuild",
                                           "home-manager",
                                           "ansible-pull",
                                           "sysctl",
                                           "ufw",
                                           "firewall-cmd",
                                           "iptables",
                                           "ip6tables",
                                           "iptables-nft",
                                           "iptables-legacy",
                                           "nft",
                                           "argocd",
                                           "setenforce",
                                           "csrutil",
                                           "spctl",
                                           "dotnet",
                                           "mkcert",
                                           "security",
                                           "trust",
                                           "update-ca-certificates",
                                           "update-ca-trust",
                                           "certutil",
                                           "direnv",
                                           "claude",
                                           "codex",
                                           "gemini",
                                           "cursor-agent",
                                           "amp",
                                           "goose",
                                           "qwen",
                                           "code",
                                           "cursor",
                                           "code-insiders"};
constexpr std::string_view k_chan_cmds[] = {"steamcmd",
                                            "butler",
                                            "eas",
                                            "expo",
                                            "appcenter",
                                            "code-push",
                                            "firebase",
                                            "cabal",
                                            "stack",
                                            "pod",
                                            "crane",
                                            "oras",
                                            "jf",
                                            "jfrog",
                                            "swift",
                                            "luarocks",
                                            "chrome-webstore-upload",
                                            "webstore",
                                            "crossplane",
                                            "up",
                                            "cachix",
                                            "attic",
                                            "cloudsmith",
                                            "fury",
                                            "nuget",
                                            "choco",
                                            "snapcraft",
                                            "wingetcreate",
                                            "conan",
                                            "ko",
                                            "gh",
                                            "glab",
                                            "ghr",
                                            "github-release",
                                            "helm",
                                            "bazel",
                                            "bazelisk",
                                            "gradle",
                                            "gradlew",
                                            "./gradlew",
                                            "mvn",
                                            "mvnw",
                                            "./mvnw",
                                            "npx",
                                            "pnpx",
                                            "bunx",
                                            "pnpm",
                                            "yarn"};

unsigned class_analysers(const Subject& s) {
  const std::string_view n = s.name;
  // git matters here only as a credential helper (git credential fill).
  if (n == "git") return !s.positionals.empty() && s.positionals[0] == "credential" ? k_cred : 0;
  // One lookup answers for the four lists (off: each list is scanned).
  const unsigned listed =
      command_table_on()
          ? command_bits(n) & (k_cred | k_store | k_sys | k_chan | k_vps | k_dataplat | k_nix)
          : (command_is(n, k_cred, k_cred_cmds) ? k_cred : 0) |
                (command_is(n, k_store, k_store_cmds) ? k_store : 0) |
                (command_is(n, k_sys, k_sys_cmds) ? k_sys : 0) |
                (command_is(n, k_chan, k_chan_cmds) ? k_chan : 0) |
                (command_is(n, k_vps, k_vps_cmds) ? k_vps : 0) |
                (command_is(n, k_dataplat, k_dataplat_cmds) ? k_dataplat : 0) |
                (command_is(n, k_nix, k_nix_cmds) ? k_nix : 0);
  if (listed != 0) return listed;
  if (starts_with(n, "docker-credential-")) return k_cred;
  if (n.find("BuildPatchTool") != std::string_view::npos ||
      n.find("buildpatchtool") != std::string_view::npos)
    return k_chan;
  return 0;
}

// ---------------------------------------------------------------- unknown tool aimed at production

bool mutating_verb(std::string_view w) {
  return one_of(w, {"deploy",     "apply",     "sync",     "delete",    "destroy",
                    "remove",     "rm",        "update",   "upgrade",   "migrate",
                    "rollback",   "restart",   "scale",    "push",      "release",
                    "overwrite",  "drop",      "reset",    "purge",     "promote",
                    "publish",    "uninstall", "put",      "set",       "patch",
                    "replace",    "restore",   "import",   "seed",      "exec",
                    "kill",       "stop",      "down",     "rollout",   "invalidate",
                    "flush",      "truncate",  "wipe",     "failover",  "terminate",
                    "revoke",     "rotate",    "disable",  "redeploy",  "recreate",
                    "cutover",    "switch",    "swap",     "drain",     "cordon",
                    "evict",      "trigger",   "execute",  "invoke",    "undeploy",
                    "teardown",   "rebuild",   "reboot",   "shutdown",  "unlink",
                    "detach",     "erase",     "clear",    "prune",     "run-migrations",
                    "ship",       "create",    "add",      "insert",    "send",
                    "cancel",     "refund",    "refunds",  "charge",    "close",
                    "archive",    "enable",    "suspend",  "resume",    "pause",
                    "transfer",   "grant",     "up",       "post",      "upsert",
                    "expire",     "ban",       "block",    "unpublish", "deprovision",
                    "reindex",    "resync",    "backfill", "reprocess", "requeue",
                    "regenerate", "reload",    "seeds",    "migrations"});
}
bool reading_verb(std::string_view w) {
  return one_of(
      w, {"status", "get",     "list",   "ls",      "describe", "logs",    "log",      "show",
          "plan",   "diff",    "info",   "inspect", "view",     "print",   "check",    "validate",
          "lint",   "test",    "build",  "preview", "whoami",   "version", "help",     "history",
          "tail",   "top",     "cat",    "verify",  "explain",  "render",  "template", "lookup",
          "search", "find",    "query",  "watch",   "ps",       "outputs", "output",   "health",
          "ping",   "doctor",  "config", "env",     "compile",  "package", "bundle",   "fmt",
          "format", "dry-run", "dryrun", "audit",   "read",     "fetch",   "pull",     "download",
          "open",   "login",   "logout", "auth"});
}
// The verb of a compound word (db:migrate, ecto.migrate, deploy-app, app:deploy).
int verb_kind(std::string_view word) {
  // DeleteAccount, purgeUsers: camel case is words too.
  std::string camel;
  for (size_t i = 0; i < word.size(); ++i) {
    const char ch = word[i];
    if (std::isupper(static_cast<unsigned char>(ch)) && i > 0 &&
        std::islower(static_cast<unsigned char>(word[i - 1])))
      camel += '-';
    camel += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  const std::string_view w = camel;
  if (mutating_verb(w)) return 2;
  if (reading_verb(w)) return 1;
  // A compound's last part is its verb when it is one (db:migrate:status reads, app:deploy
  // changes); otherwise any changing part counts (purge-users, reset-cache).
  if (auto cut = w.find_last_of(":-._"); cut != std::string_view::npos) {
    const std::string_view last = w.substr(cut + 1);
    if (mutating_verb(last)) return 2;
    if (reading_verb(last)) return 1;
  }
  size_t start = 0;
  int found = 0;
  for (size_t i = 0; i <= w.size(); ++i) {
    if (i < w.size() && w[i] != ':' && w[i] != '-' && w[i] != '.' && w[i] != '_') continue;
    const std::string_view part = w.substr(start, i - start);
    if (part.size() != w.size()) {
      if (mutating_verb(part)) return 2;
      if (reading_verb(part) && found == 0) found = 1;
    }
    start = i + 1;
  }
  return found;
}

bool non_prod_word(std::string_view v) {
  const std::string l = lower(v);
  return l.find("non-prod") != std::string::npos || l.find("nonprod") != std::string::npos ||
         l.find("not-prod") != std::string::npos || l.find("pre-prod") != std::string::npos ||
         l.find("non_prod") != std::string::npos;
}

// Tools whose own analysers, packs or runners judge production (or that only handle text): the
// fallback never speaks for them.
constexpr std::string_view k_known_tools[] = {"kubectl",
                                              "helm",
                                              "oc",
                                              "kubecolor",
                                              "terraform",
                                              "tofu",
                                              "terragrunt",
                                              "pulumi",
                                              "aws",
                                              "gcloud",
                                              "az",
                                              "gsutil",
                                              "bq",
                                              "firebase",
                                              "doctl",
                                              "eksctl",
                                              "kops",
                                              "sam",
                                              "cdk",
                                              "cdktf",
                                              "serverless",
                                              "sls",
                                              "sst",
                                              "copilot",
                                              "vercel",
                                              "netlify",
                                              "fly",
                                              "flyctl",
                                              "heroku",
                                              "git",
                                              "docker",
                                              "podman",
                                              "docker-compose",
                                              "nerdctl",
                                              "make",
                                              "gmake",
                                              "just",
                                              "task",
                                              "mage",
                                              "npm",
                                              "yarn",
                                              "pnpm",
                                              "bun",
                                              "npx",
                                              "pnpx",
                                              "bunx",
                                              "rake",
                                              "bundle",
                                              "rails",
                                              "bin/rails",
                                              "python",
                                              "python3",
                                              "node",
                                              "deno",
                                              "ruby",
                                              "perl",
                                              "php",
                                              "psql",
                                              "mysql",
                                              "mariadb",
                                              "mongosh",
                                              "mongo",
                                              "redis-cli",
                                              "sqlcmd",
                                              "clickhouse-client",
                                              "cockroach",
                                              "prisma",
                                              "supabase",
                                              "ssh",
                                              "scp",
                                              "sftp",
                                              "rsync",
                                              "curl",
                                              "wget",
                                              "http",
                                              "xh",
                                              "ansible",
                                              "salt",
                                              "salt-call",
                                              "salt-ssh",
                                              "flux",
                                              "velero",
                                              "istioctl",
                                              "skaffold",
                                              "argocd",
                                              "kustomize",
                                              "helmfile",
                                              "cap",
                                              "fab",
                                              "invoke",
                                              "echo",
                                              "printf",
                                              "grep",
                                              "rg",
                                              "ag",
                                              "cat",
                                              "less",
                                              "more",
                                              "head",
                                              "tail",
                                              "sed",
                                              "awk",
                                              "jq",
                                              "yq",
                                              "ls",
                                              "find",
                                              "fd",
                                              "wc",
                                              "sort",
                                              "uniq",
                                              "diff",
                                              "cp",
                                              "mv",
                                              "ln",
                                              "mkdir",
                                              "touch",
                                              "open",
                                              "code",
                                              "vim",
                                              "vi",
                                              "nano",
                                              "emacs",
                                              "tee",
                                              "test",
                                              "[",
                                              "export",
                                              "set",
                                              "cd",
                                              "source",
                                              ".",
                                              "man",
                                              "which",
                                              "type",
                                              "tar",
                                              "zip",
                                              "unzip",
                                              "gzip",
                                              "sleep",
                                              "true",
                                              "false",
                                              "date",
                                              "env",
                                              "read",
                                              "time",
                                              "timeout",
                                              "xargs",
                                              "mix",
                                              "manage.py",
                                              "django-admin",
                                              "alembic",
                                              "flyway",
                                              "liquibase",
                                              "knex",
                                              "sequelize",
                                              "dbmate",
                                              "goose",
                                              "migrate",
                                              "dbt",
                                              "rclone",
                                              "gh",
                                              "glab",
                                              "wrangler",
                                              "railway",
                                              "nomad",
                                              "consul",
                                              "vault",
                                              "bao",
                                              "packer",
                                              "vagrant",
                                              "pssh",
                                              "parallel-ssh",
                                              "mvn",
                                              "gradle",
                                              "./gradlew",
                                              "gradlew",
                                              "sbt",
                                              "cargo",
                                              "go",
                                              "dotnet",
                                              "rm",
                                              "rmdir",
                                              "chmod",
                                              "chown",
                                              "kill",
                                              "pkill",
                                              "killall",
                                              "systemctl",
                                              "service",
                                              "crontab",
                                              "at",
                                              "nohup",
                                              "sudo",
                                              "watch",
                                              "tmux",
                                              "screen",
                                              "bash",
                                              "sh",
                                              "zsh",
                                              "dash",
                                              "fish",
                                              "ksh",
                                              "eval",
                                              "exec",
                                              "command",
                                              "builtin",
                                              "pip",
                                              "pip3",
                                              "uv",
                                              "poetry",
                                              "pipenv",
                                              "conda",
                                              "brew",
                                              "apt",
                                              "apt-get",
                                              "dnf",
                                              "yum",
                                              "snap",
                                              "composer",
                                              "artisan",
                                              "gem",
                                              "bazel",
                                              "bazelisk",
                                              "butler",
                                              "steamcmd",
                                              "eas",
                                              "expo",
                                              "appcenter",
                                              "code-push",
                                              "cabal",
                                              "stack",
                                              "pod",
                                              "crane",
                                              "oras",
                                              "jf",
                                              "jfrog",
                                              "swift",
                                              "luarocks",
                                              "crossplane",
                                              "up",
                                              "zfs",
                                              "zpool",
                                              "restic",
                                              "borg",
                                              "journalctl",
                                              "ufw",
                                              "firewall-cmd",
                                              "iptables",
                                              "sysctl",
                                              "nixos-rebuild",
                                              "darwin-rebuild",
                                              "home-manager",
                                              "ansible-pull",
                                              "gpg",
                                              "ssh-keygen",
                                              "sops",
                                              "age"};
bool known_tool(std::string_view n) { return command_is(n, cmd_known_tool, k_known_tools); }

bool text_tool(std::string_view n) {
  return one_of(
      n, {"echo",  "printf", "grep",   "rg",       "ag",    "cat",    "less",  "more",  "head",
          "tail",  "sed",    "awk",    "jq",       "yq",    "ls",     "find",  "fd",    "wc",
          "sort",  "uniq",   "diff",   "cp",       "mv",    "ln",     "mkdir", "touch", "tee",
          "test",  "[",      "export", "set",      "cd",    "source", ".",     "man",   "which",
          "type",  "sleep",  "true",   "false",    "date",  "env",    "read",  "time",  "timeout",
          "watch", "code",   "vim",    "vi",       "nano",  "emacs",  "open",  "stat",  "file",
          "du",    "df",     "pwd",    "hostname", "uptime"});
}

// Program launchers: the program's own words come after the launcher's (go run ./cmd/admin
// purge-users --env=production, cargo run -- migrate --env prod, node scripts/x.js deploy prod).
// Returns the index of the first program word in the positionals, or 0 when `s` launches nothing.
size_t launched_program(const Subject& s) {
  const std::string_view n = s.name;
  const std::string a = sub(s, 0);
  if ((n == "go" && a == "run") || (n == "deno" && a == "run") || (n == "bun" && a == "run"))
    return 2;
  if ((n == "cargo" || n == "dotnet") && a == "run") return 1;
  if (n == "mix" && a == "run") return 1;
  if (one_of(n, {"python", "python3", "node", "ruby", "bun", "tsx", "ts-node"}) &&
      (ends_with(a, ".py") || ends_with(a, ".js") || ends_with(a, ".mjs") || ends_with(a, ".ts") ||
       ends_with(a, ".rb")))
    return 1;
  if (n == "java" && has_arg(s, {"-jar"})) return 1;
  return 0;
}

void prod_fallback_facts(Subject& s, const shell::SimpleCommand& cmd, const ScopeConfig& config) {
  const std::string_view n = s.name;
  if (n.empty() || s.facts.has("runner_prod") || s.facts.has("dry_run") ||
      s.facts.has("prod_change") || s.facts.has("prod_fallback") || s.facts.has("data_write") ||
      s.facts.has("data_wipe") || s.facts.has("data_delete"))
    return;
  // The data analysers judge what a data command does; a throw-away environment is not prod.
  std::string env_why;
  if (auto it = s.facts.flags.find("environment"); it != s.facts.flags.end()) {
    env_why = it->second.empty() ? std::string() : it->second.front();
    if (!starts_with(env_why, "production")) return;
  }
  // A command run on a production host or container (ssh prod-web CMD, docker exec prod-db CMD)
  // is judged by its verb whatever the tool.
  std::string marker;
  if (auto it = s.facts.flags.find("prod"); it != s.facts.flags.end() && !it->second.empty()) {
    const std::string& why = it->second.front();
    if (starts_with(why, "ssh host") || starts_with(why, "runs inside")) marker = why;
  }
  if (marker.empty() && env_why.empty()) {
    // Most commands name no production at all: look for a marker before anything else.
    bool any = false;
    for (const auto& a : s.args) any = any || matches_prod(a, config.prod_patterns);
    for (const auto& as : cmd.assignments)
      any = any || matches_prod(as.value.text, config.prod_patterns);
    for (const auto& kv : cmd.env) any = any || matches_prod(kv.second, config.prod_patterns);
    if (!any) return;
  }
  if (text_tool(n)) return;
  const size_t first = launched_program(s);
  const bool script = starts_with(n, "./") || starts_with(n, "scripts/") || ends_with(n, ".sh");
  if (marker.empty() && first == 0 && (script || known_tool(n))) return;
  if (marker.empty() && !env_why.empty()) marker = env_why;
  // The production marker: an argument or a variable set for this command.
  for (const auto& a : s.args) {
    if (!marker.empty()) break;
    if (matches_prod(a, config.prod_patterns) && !non_prod_word(a)) marker = a;
  }
  for (const auto& as : cmd.assignments) {
    if (!marker.empty()) break;
    if (matches_prod(as.value.text, config.prod_patterns) && !non_prod_word(as.value.text))
      marker = as.name + "=" + as.value.text;
  }
  for (const auto& [k, v] : cmd.env) {
    if (!marker.empty()) break;
    if (matches_prod(v, config.prod_patterns) && !non_prod_word(v)) marker = k + "=" + v;
  }
  if (marker.empty()) return;
  // The verb: the first of the first three positionals that is a verb (the production word and
  // file paths are not; a gRPC method's last segment is). Playbook and fleet runners change
  // hosts without one.
  std::string verb;
  size_t looked = 0;
  for (size_t i = first; i < s.positionals.size() && looked < 3; ++i) {
    std::string_view p = s.positionals[i];
    // A launched script's own name is its verb (scripts/deploy.py, priv/repo/seeds.exs).
    if (first > 0 && i == first) {
      std::string_view stem = base_of(p);
      stem = stem.substr(0, stem.find('.'));
      if (verb_kind(stem) == 2) {
        verb = std::string(p);
        break;
      }
    }
    if (p == marker || matches_prod(p, config.prod_patterns)) continue;
    if (auto slash = p.rfind('/'); slash != std::string_view::npos) {
      p = p.substr(slash + 1);
      if (p.empty() || p.find('.') != std::string_view::npos) continue;
    }
    ++looked;
    const int k = verb_kind(p);
    if (k == 1) return;
    if (k == 2) {
      verb = std::string(p);
      break;
    }
  }
  if (verb.empty()) {
    const bool runs_everywhere = one_of(n, {"ansible-playbook", "pdsh", "clush", "mussh"});
    if (!runs_everywhere || has_arg(s, {"--check", "-C", "--list-hosts", "--list-tasks",
                                        "--syntax-check", "--list-tags"}))
      return;
    verb = std::string(n);
  }
  if (!s.facts.has("prod")) s.facts.set("prod", std::string(n) + " " + marker);
  s.facts.set("prod_fallback",
              std::string(n) + " runs '" + verb + "' against production (" + marker + ")");
}

bool mcp_value_names_prod(const nlohmann::json& j, const ScopeConfig& config, std::string& out,
                          int depth) {
  if (depth > 8) return false;
  if (j.is_string()) {
    const auto& v = j.get_ref<const std::string&>();
    if (v.size() <= 256 && matches_prod(v, config.prod_patterns) && !non_prod_word(v)) {
      out = v;
      return true;
    }
    return false;
  }
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      // Prose says what people wrote, not where the call goes.
      if (one_of(k, {"title", "body", "text", "description", "message", "comment", "content",
                     "summary", "note", "query"}))
        continue;
      if (mcp_value_names_prod(v, config, out, depth + 1)) return true;
    }
  } else if (j.is_array()) {
    size_t i = 0;
    for (const auto& v : j) {
      if (++i > 64) break;
      if (mcp_value_names_prod(v, config, out, depth + 1)) return true;
    }
  }
  return false;
}

const char* agent_config_reason(std::string_view p) {
  const std::string_view b = base_of(p);
  if (b == ".envrc") return "direnv runs .envrc on every cd into the directory";
  if (one_of(b, {".mcp.json", "mcp.json", "mcp_config.json", "mcp_settings.json",
                 "cline_mcp_settings.json", "claude_desktop_config.json", ".claude.json",
                 "mcp-servers.json", "mcp_servers.json"}))
    return "an agent's MCP configuration: each server listed is a program the agent starts";
  if (p.find("/.continue/mcpServers/") != std::string_view::npos)
    return "an agent's MCP configuration: each server listed is a program the agent starts";
  return nullptr;
}

const char* extra_credential_reason(std::string_view p) {
  const std::string_view b = base_of(p);
  if ((b == "keys.txt" && (p.find("/sops/age/") != std::string_view::npos ||
                           p.find("/age/") != std::string_view::npos)) ||
      ends_with(b, ".agekey") || b == "age-key.txt" || b == "age.key")
    return "age/sops private key";
  if (b == "keystore.properties" || b == "key.properties" || b == "signing.properties")
    return "Android signing credentials";
  if (p.find("/.git/git-crypt/keys/") != std::string_view::npos) return "git-crypt key";
  if (p.find("/.microsoft/usersecrets/") != std::string_view::npos ||
      p.find("/Microsoft/UserSecrets/") != std::string_view::npos)
    return ".NET user secrets";
  if (one_of(b, {"kaggle.json", ".dbt-profiles.yml"}) ||
      (b == "profiles.yml" && p.find("/.dbt/") != std::string_view::npos) ||
      p.find("/.snowsql/") != std::string_view::npos)
    return "data tool credentials";
  return nullptr;
}

}  // namespace

std::span<const CommandNames> classes_command_names() {
  static const CommandNames k_lists[] = {
      {cmd_class_cred, k_cred_cmds},         {cmd_class_store, k_store_cmds},
      {cmd_class_sys, k_sys_cmds},           {cmd_class_chan, k_chan_cmds},
      {cmd_known_tool, k_known_tools},       {cmd_class_vps, k_vps_cmds},
      {cmd_class_dataplat, k_dataplat_cmds}, {cmd_class_nix, k_nix_cmds}};
  return k_lists;
}

void class_facts(Subject& s, const shell::SimpleCommand& cmd, const ActionContext& ctx,
                 const ScopeConfig& config) {
  if (s.name.empty()) return;
  rebuildable_facts(s, ctx, config);
  // Every action passes here: one hash lookup decides whether any per-tool analyser applies.
  if (const unsigned which = class_analysers(s); which != 0) {
    if (which & k_cred) credential_facts(s, ctx);
    if (which & k_store) storage_facts(s, ctx, config);
    if (which & k_sys) system_facts(s, ctx);
    if (which & k_chan) channel_facts(s, config);
    if (which & k_vps) cloud_destroy_facts(s);
    if (which & k_dataplat) data_platform_facts(s);
    if (which & k_nix) nix_facts(s, ctx);
  } else if (!s.positionals.empty() &&
             (s.positionals[0] == "publish" || s.positionals[0] == "upload")) {
    channel_facts(s, config);
  }
  prod_fallback_facts(s, cmd, config);
}

void class_target_facts(Subject& s, const Target& t, const char* cred) {
  if (t.resolved.empty()) return;
  // A credential read to be copied or archived (cp, tar, rsync ... of it): public halves and
  // host lists are not secrets.
  if (!t.write && (t.cls == PathClass::home_secret || cred != nullptr)) {
    const std::string_view b = base_of(t.resolved);
    if (!ends_with(b, ".pub") && b != "known_hosts" && b != "config" && b != ".env.example")
      s.facts.set("credential_file", "credential " + t.raw);
  }
  if (t.write) {
    if (const char* why = agent_config_reason(t.resolved))
      s.facts.set("installs_code", std::string(why) + ": " + t.resolved);
  }
  if (const char* why = extra_credential_reason(t.resolved)) {
    s.facts.set(t.write ? "secrets_write" : "secrets_read", std::string(why) + ": " + t.raw);
    if (!t.write) s.facts.set("credential_file", std::string(why) + ": " + t.raw);
  }
}

void mcp_annotation_facts(Subject& s, const Action& action, const ScopeConfig& config) {
  const auto& ann = action.mcp.annotations;
  auto it = ann.find("destructiveHint");
  if (it == ann.end() || !it->is_boolean() || !it->get<bool>()) return;
  if (auto ro = ann.find("readOnlyHint"); ro != ann.end() && ro->is_boolean() && ro->get<bool>())
    return;
  std::string value;
  if (!mcp_value_names_prod(action.mcp.arguments, config, value, 0)) return;
  s.facts.set("prod", "MCP argument " + value);
  s.facts.set("mcp_destructive_prod", action.mcp.server + "." + action.mcp.tool +
                                          " is annotated destructive and an argument names "
                                          "production: " +
                                          value);
}

}  // namespace blastwall::scope
