// `blastwall packs keygen|sign|verify|add|update|sync|list|remove`: signed rule packs that a
// security team writes once and every developer's blastwall enforces (docs/RULES.md
// "Distributing packs"). A pack is installed only after it verified; a failed fetch or
// verification leaves the previously installed pack in force.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli.hpp"
#include "cli/engine_setup.hpp"
#include "cli/pack_store.hpp"
#include "rules/pack/loader.hpp"
#include "rules/pack/signature.hpp"

namespace blastwall::cli {
namespace fs = std::filesystem;

namespace {

struct PacksArgs {
  std::vector<std::string> sources;  // add: sources; update/remove: names
  std::string key, pub, out, password_file, trusted_comment, ca_file, lockfile;
  bool force = false, json = false, allow_downgrade = false;
  int timeout_ms = 15000;
};

int fail(const std::string& msg, int code = 1) {
  std::fprintf(stderr, "blastwall packs: %s\n", msg.c_str());
  return code;
}

Result<std::string> slurp(const std::string& path, std::size_t limit = 4u << 20) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return make_error("cannot read " + path);
  std::ostringstream ss;
  ss << f.rdbuf();
  if (ss.str().size() > limit) return make_error(path + " is too large");
  return ss.str();
}

Result<bool> write_new(const std::string& path, const std::string& data, mode_t mode, bool force) {
  std::error_code ec;
  if (!force && fs::exists(path, ec)) {
    return make_error(path + " exists (use --force to overwrite)");
  }
  ::unlink(path.c_str());
  FILE* f = std::fopen(path.c_str(), "wx");
  if (!f) return make_error("cannot write " + path);
  ::fchmod(::fileno(f), mode);
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  ok = std::fclose(f) == 0 && ok;
  if (!ok) return make_error("cannot write " + path);
  return true;
}

std::string lockfile_of(const PacksArgs& a) {
  return a.lockfile.empty() ? packs::default_lockfile() : a.lockfile;
}

EngineSetup setup_for(const GlobalOptions& g, const PacksArgs& a) {
  EngineSetup s;
  s.policy_file = g.policy_file;
  s.lockfile = lockfile_of(a);
  return s;
}

std::string ca_file_of(const PacksArgs& a) {
  if (!a.ca_file.empty()) return a.ca_file;
  const char* env = std::getenv("BLASTWALL_CA_FILE");
  return env ? env : "";
}

packs::FetchOptions fetch_options(const PacksArgs& a) {
  return packs::FetchOptions{ca_file_of(a), a.timeout_ms};
}

// ---- keys and signatures ----

int keygen_cmd(const PacksArgs& a) {
  if (a.out.empty()) return fail("give --out PREFIX (writes PREFIX.pub and PREFIX.key)", 3);
  auto kp = rules::generate_key_pair();
  if (auto r = write_new(a.out + ".key", rules::secret_key_text(kp.secret_key), 0600, a.force); !r)
    return fail(r.error().message);
  if (auto r = write_new(a.out + ".pub", rules::public_key_text(kp.public_key), 0644, a.force); !r)
    return fail(r.error().message);
  std::printf(
      "key id %s\n  public key  %s.pub  (give it to every developer's policy)\n"
      "  secret key  %s.key  (unencrypted, 0600: keep it offline)\n"
      "policy entry:\n  packs:\n    trusted_keys:\n      - {name: NAME, namespace: "
      "com.example, key: %s}\n",
      rules::key_id_hex(kp.public_key.key_id).c_str(), a.out.c_str(), a.out.c_str(),
      rules::public_key_base64(kp.public_key).c_str());
  return 0;
}

Result<std::string> key_password(const PacksArgs& a) {
  if (!a.password_file.empty()) {
    auto p = slurp(a.password_file, 4096);
    if (!p) return p.error();
    std::string pw = *p;
    while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r')) pw.pop_back();
    return pw;
  }
  const char* env = std::getenv("BLASTWALL_KEY_PASSWORD");
  return std::string(env ? env : "");
}

int sign_cmd(const PacksArgs& a) {
  if (a.sources.size() != 1) return fail("give one pack file to sign", 3);
  if (a.key.empty()) return fail("give --key SECRET_KEY_FILE", 3);
  const std::string& path = a.sources[0];
  auto yaml = slurp(path);
  if (!yaml) return fail(yaml.error().message, 3);
  // Never sign a pack that would not load: the signature would vouch for a broken file.
  auto spec = rules::load_pack_text(*yaml, path);
  if (!spec) return fail(spec.error().format(), 3);
  auto key_text = slurp(a.key, 64 * 1024);
  if (!key_text) return fail(key_text.error().message, 3);
  auto pw = key_password(a);
  if (!pw) return fail(pw.error().message, 3);
  auto sk = rules::parse_secret_key(*key_text, *pw);
  if (!sk) return fail(a.key + ": " + sk.error().message, 3);
  std::string trusted = a.trusted_comment;
  if (trusted.empty()) {
    trusted = "timestamp:" + std::to_string(std::time(nullptr)) +
              "\tfile:" + fs::path(path).filename().string() + "\tpack:" + spec->id + "@" +
              spec->version;
  }
  if (trusted.find('\n') != std::string::npos) return fail("the trusted comment is one line", 3);
  std::string out = a.out.empty() ? path + ".minisig" : a.out;
  auto sig = rules::sign_data(*yaml, *sk, trusted, "signature from blastwall secret key");
  if (auto r = write_new(out, sig, 0644, true); !r) return fail(r.error().message);
  std::printf("signed %s@%s with key %s -> %s\n", spec->id.c_str(), spec->version.c_str(),
              rules::key_id_hex(sk->key_id).c_str(), out.c_str());
  return 0;
}

int verify_cmd(const GlobalOptions& g, const PacksArgs& a) {
  if (a.sources.size() != 1) return fail("give one pack file to verify", 3);
  const std::string& path = a.sources[0];
  packs::Candidate c;
  c.origin = path;
  auto yaml = slurp(path);
  if (!yaml) return fail(yaml.error().message, 3);
  c.yaml = std::move(*yaml);
  auto sig = slurp(a.out.empty() ? path + ".minisig" : a.out, 64 * 1024);
  if (!sig) return fail("no signature: " + sig.error().message);
  c.sig = std::move(*sig);
  packs::TrustContext trust;
  if (!a.pub.empty()) {
    // An explicit key: trusted for any namespace, for an author checking their own signature.
    auto text = slurp(a.pub, 64 * 1024);
    if (!text) return fail(text.error().message, 3);
    auto pk = rules::parse_public_key(*text);
    if (!pk) return fail(a.pub + ": " + pk.error().message, 3);
    trust.keys.push_back(rules::TrustedKey{a.pub, "*", *pk, "", false});
    trust.today = packs::today_utc();
  } else {
    auto policy = load_policy(setup_for(g, a));
    if (!policy) return fail(policy.error().format(), 3);
    auto t = packs::trust_context(*policy);
    if (!t) return fail(t.error().message, 3);
    trust = std::move(*t);
  }
  auto v = packs::verify_candidate(c, trust);
  if (!v) return fail(v.error().format());
  std::printf("ok %s@%s signed by %s (key %s), sha256 %s\n", v->spec.id.c_str(),
              v->spec.version.c_str(), v->signer.c_str(), v->key_id.c_str(), v->sha256.c_str());
  return 0;
}

// What every installing command reads first: the merged policy, its trusted keys, the lockfile.
struct InstallContext {
  Policy policy;
  packs::TrustContext trust;
  packs::Lockfile lock;
};

Result<InstallContext> load_context(const GlobalOptions& g, const PacksArgs& a) {
  auto policy = load_policy(setup_for(g, a));
  if (!policy) return policy.error();
  auto trust = packs::trust_context(*policy);
  if (!trust) return trust.error();
  auto lock = packs::read_lockfile(lockfile_of(a));
  if (!lock) return lock.error();
  return InstallContext{std::move(*policy), std::move(*trust), std::move(*lock)};
}

// ---- installing ----

// Installs candidates into a copy of the lockfile, then proves that an engine builds from it
// (required pins, locked packs, every signature) before the new lockfile replaces the old one.
// On any failure nothing changes: the previously verified packs stay in force.
int commit_lock(const GlobalOptions& g, const PacksArgs& a, const packs::Lockfile& lock) {
  std::string path = lockfile_of(a);
  std::string trial = path + ".trial." + std::to_string(::getpid());
  if (auto r = packs::write_lockfile(trial, lock); !r) return fail(r.error().message);
  EngineSetup s = setup_for(g, a);
  s.lockfile = trial;
  auto engine = build_engine(s);
  ::unlink(trial.c_str());
  if (!engine) {
    return fail("not installed, the previous packs stay in force: " + engine.error().format());
  }
  if (auto r = packs::write_lockfile(path, lock); !r) return fail(r.error().message);
  return 0;
}

void upsert(packs::Lockfile& lock, const packs::LockEntry& e) {
  auto it = std::find_if(lock.packs.begin(), lock.packs.end(),
                         [&](const auto& x) { return x.name == e.name; });
  if (it != lock.packs.end()) {
    *it = e;
  } else {
    lock.packs.push_back(e);
  }
}

int add_cmd(const GlobalOptions& g, const PacksArgs& a) {
  if (a.sources.empty()) return fail("give a directory, file, file:// or https:// URL", 3);
  auto ctx = load_context(g, a);
  if (!ctx) return fail(ctx.error().format(), 3);
  const packs::TrustContext* trust = &ctx->trust;
  const packs::Lockfile* lock = &ctx->lock;
  packs::Lockfile next = *lock;
  std::vector<std::string> added;
  for (const auto& src : a.sources) {
    auto found = packs::fetch_source(src, fetch_options(a));
    if (!found) return fail(found.error().message);
    if (found->empty()) return fail("no *.yaml packs in " + src);
    for (const auto& c : *found) {
      auto v = packs::verify_candidate(c, *trust);
      if (!v) return fail("not installed: " + v.error().format());
      auto old = std::find_if(next.packs.begin(), next.packs.end(),
                              [&](const auto& x) { return x.name == v->spec.id; });
      if (old != next.packs.end() && !a.allow_downgrade &&
          packs::compare_versions(v->spec.version, old->version) < 0) {
        return fail("not installed: " + v->spec.id + "@" + v->spec.version +
                    " is older than the installed " + old->version + " (--allow-downgrade)");
      }
      auto e = packs::store_in_cache(c, *v);
      if (!e) return fail(e.error().message);
      upsert(next, *e);
      added.push_back(e->name + "@" + e->version +
                      (e->signer.empty() ? " (unsigned)" : " signed by " + e->signer));
    }
  }
  if (int rc = commit_lock(g, a, next); rc != 0) return rc;
  for (const auto& s : added) std::printf("installed %s\n", s.c_str());
  return 0;
}

// Re-fetches each entry's source. A pack that cannot be fetched or does not verify keeps its
// installed copy; the exit status says something failed.
int update_cmd(const GlobalOptions& g, const PacksArgs& a) {
  auto ctx = load_context(g, a);
  if (!ctx) return fail(ctx.error().format(), 3);
  const packs::TrustContext* trust = &ctx->trust;
  const packs::Lockfile* lock = &ctx->lock;
  packs::Lockfile next = *lock;
  int failures = 0;
  bool changed = false;
  for (const auto& name : a.sources) {
    if (std::none_of(lock->packs.begin(), lock->packs.end(),
                     [&](const auto& e) { return e.name == name; })) {
      return fail("no installed pack " + name, 3);
    }
  }
  for (const auto& e : lock->packs) {
    if (!a.sources.empty() &&
        std::find(a.sources.begin(), a.sources.end(), e.name) == a.sources.end()) {
      continue;
    }
    auto keep = [&](const std::string& why) {
      ++failures;
      std::printf("kept %s@%s: %s\n", e.name.c_str(), e.version.c_str(), why.c_str());
    };
    auto found = packs::fetch_source(e.source, fetch_options(a));
    if (!found) {
      keep(found.error().message);
      continue;
    }
    bool seen = false;
    for (const auto& c : *found) {
      auto v = packs::verify_candidate(c, *trust);
      if (!v) {
        // A directory source may hold other packs; only this pack's failure counts.
        if (found->size() == 1) keep(v.error().format());
        continue;
      }
      if (v->spec.id != e.name) continue;
      seen = true;
      if (v->sha256 == e.sha256) {
        std::printf("up to date %s@%s\n", e.name.c_str(), e.version.c_str());
        break;
      }
      if (!a.allow_downgrade && packs::compare_versions(v->spec.version, e.version) < 0) {
        keep("the source now has the older " + v->spec.version + " (--allow-downgrade)");
        break;
      }
      auto stored = packs::store_in_cache(c, *v);
      if (!stored) {
        keep(stored.error().message);
        break;
      }
      upsert(next, *stored);
      changed = true;
      std::printf("updated %s %s -> %s\n", e.name.c_str(), e.version.c_str(),
                  v->spec.version.c_str());
      break;
    }
    if (!seen && found->size() != 1) keep("the source no longer holds a verified " + e.name);
  }
  if (changed) {
    if (int rc = commit_lock(g, a, next); rc != 0) return rc;
  }
  return failures == 0 ? 0 : 1;
}

// Makes the cache hold exactly what the lockfile pins (a new machine, a cleared cache), then
// installs required packs that name a source and are not installed yet.
int sync_cmd(const GlobalOptions& g, const PacksArgs& a) {
  auto ctx = load_context(g, a);
  if (!ctx) return fail(ctx.error().format(), 3);
  const Policy* policy = &ctx->policy;
  const packs::TrustContext* trust = &ctx->trust;
  const packs::Lockfile* lock = &ctx->lock;
  int failures = 0;
  for (const auto& e : lock->packs) {
    if (packs::load_installed(e, *trust)) {
      std::printf("ok %s@%s\n", e.name.c_str(), e.version.c_str());
      continue;
    }
    auto found = packs::fetch_source(e.source, fetch_options(a));
    if (!found) {
      ++failures;
      std::printf("FAILED %s: %s\n", e.name.c_str(), found.error().message.c_str());
      continue;
    }
    bool done = false;
    std::string why = "the source holds no pack " + e.name;
    for (const auto& c : *found) {
      std::string sha = rules::sha256_hex(c.yaml);
      if (sha != e.sha256) {
        why = "lockfile mismatch: " + c.origin + " has sha256 " + sha + ", packs.lock pins " +
              e.sha256;
        continue;
      }
      auto v = packs::verify_candidate(c, *trust);
      if (!v) {
        why = v.error().format();
        break;
      }
      if (auto s = packs::store_in_cache(c, *v); !s) {
        why = s.error().message;
        break;
      }
      done = true;
      std::printf("restored %s@%s\n", e.name.c_str(), e.version.c_str());
      break;
    }
    if (!done) {
      ++failures;
      std::printf("FAILED %s: %s\n", e.name.c_str(), why.c_str());
    }
  }
  packs::Lockfile next = *lock;
  bool changed = false;
  for (const auto& req : policy->packs.required) {
    if (req.source.empty() || std::any_of(next.packs.begin(), next.packs.end(),
                                          [&](const auto& e) { return e.name == req.id; })) {
      continue;
    }
    auto found = packs::fetch_source(req.source, fetch_options(a));
    if (!found) {
      ++failures;
      std::printf("FAILED required %s: %s\n", req.id.c_str(), found.error().message.c_str());
      continue;
    }
    bool done = false;
    for (const auto& c : *found) {
      auto v = packs::verify_candidate(c, *trust);
      if (!v || v->spec.id != req.id) continue;
      if (!req.sha256.empty() && v->sha256 != req.sha256) continue;
      auto s = packs::store_in_cache(c, *v);
      if (!s) break;
      upsert(next, *s);
      changed = done = true;
      std::printf("installed required %s@%s\n", req.id.c_str(), v->spec.version.c_str());
      break;
    }
    if (!done) {
      ++failures;
      std::printf("FAILED required %s: no verified pack of that id at %s\n", req.id.c_str(),
                  req.source.c_str());
    }
  }
  if (changed) {
    if (int rc = commit_lock(g, a, next); rc != 0) return rc;
  }
  return failures == 0 ? 0 : 1;
}

int remove_cmd(const GlobalOptions& g, const PacksArgs& a) {
  if (a.sources.empty()) return fail("give the pack ids to remove", 3);
  auto policy = load_policy(setup_for(g, a));
  if (!policy) return fail(policy.error().format(), 3);
  auto lock = packs::read_lockfile(lockfile_of(a));
  if (!lock) return fail(lock.error().message, 3);
  packs::Lockfile next = *lock;
  for (const auto& name : a.sources) {
    for (const auto& r : policy->packs.required) {
      if (r.id == name) {
        return fail(name + " is required by " + r.declared_in + "; it cannot be removed", 3);
      }
    }
    auto it = std::find_if(next.packs.begin(), next.packs.end(),
                           [&](const auto& e) { return e.name == name; });
    if (it == next.packs.end()) return fail("no installed pack " + name, 3);
    next.packs.erase(it);
  }
  if (auto r = packs::write_lockfile(lockfile_of(a), next); !r) return fail(r.error().message);
  for (const auto& name : a.sources) std::printf("removed %s\n", name.c_str());
  return 0;
}

int list_cmd(const GlobalOptions& g, const PacksArgs& a) {
  auto lock = packs::read_lockfile(lockfile_of(a));
  if (!lock) return fail(lock.error().message, 3);
  auto policy = load_policy(setup_for(g, a));
  if (!policy) return fail(policy.error().format(), 3);
  auto trust = packs::trust_context(*policy);
  if (!trust) return fail(trust.error().message, 3);
  int bad = 0;
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : lock->packs) {
    auto v = packs::load_installed(e, *trust);
    bool required = std::any_of(policy->packs.required.begin(), policy->packs.required.end(),
                                [&](const auto& r) { return r.id == e.name; });
    if (!v) ++bad;
    if (a.json) {
      out.push_back({{"name", e.name},
                     {"version", e.version},
                     {"sha256", e.sha256},
                     {"signer", e.signer},
                     {"key_id", e.key_id},
                     {"source", e.source},
                     {"required", required},
                     {"verified", static_cast<bool>(v)},
                     {"error", v ? "" : v.error().message}});
      continue;
    }
    std::printf(
        "%s@%s  %s%s\n  source %s\n  sha256 %s\n", e.name.c_str(), e.version.c_str(),
        e.signer.empty() ? "unsigned" : ("signed by " + e.signer + " (" + e.key_id + ")").c_str(),
        required ? ", required" : "", e.source.c_str(), e.sha256.c_str());
    if (v) {
      std::printf("  verified\n");
    } else {
      std::printf("  FAILED: %s\n", v.error().message.c_str());
    }
  }
  if (a.json) {
    std::printf("%s\n", out.dump().c_str());
  } else if (lock->packs.empty()) {
    std::printf("no packs installed (%s)\n", lockfile_of(a).c_str());
  }
  return bad == 0 ? 0 : 1;
}

}  // namespace

int print_pack_doctor(const GlobalOptions& g) {
  PacksArgs a;
  int problems = 0;
  std::printf("Rule packs\n");
  auto lock = packs::read_lockfile(lockfile_of(a));
  auto policy = load_policy(setup_for(g, a));
  if (!lock || !policy) {
    std::printf("  PROBLEM  %s\n",
                (!lock ? lock.error().message : policy.error().format()).c_str());
    return 1;
  }
  auto trust = packs::trust_context(*policy);
  if (!trust) {
    std::printf("  PROBLEM  %s\n", trust.error().message.c_str());
    return 1;
  }
  std::printf("  ok       lockfile %s (%zu packs), cache %s\n", lockfile_of(a).c_str(),
              lock->packs.size(), packs::cache_dir().c_str());
  if (policy->packs.require_signed) std::printf("  ok       the policy requires signed packs\n");
  for (const auto& e : lock->packs) {
    auto v = packs::load_installed(e, *trust);
    if (v) {
      std::printf("  ok       %s@%s %s\n", e.name.c_str(), e.version.c_str(),
                  e.signer.empty() ? "(unsigned)" : ("signed by " + e.signer).c_str());
    } else {
      ++problems;
      std::printf("  PROBLEM  %s: %s\n    fix:   blastwall packs sync (or packs add SOURCE)\n",
                  e.name.c_str(), v.error().message.c_str());
    }
  }
  if (problems == 0) {
    EngineSetup s = setup_for(g, a);
    auto engine = build_engine(s);
    if (!engine) {
      ++problems;
      std::printf("  PROBLEM  the rule engine does not load (every call fails closed): %s\n",
                  engine.error().format().c_str());
    }
  }
  if (problems > 0) {
    std::printf("  note     while a pack fails, hooks answer fail-closed; nothing loosens\n");
  }
  return problems;
}

void register_packs(CLI::App& app, GlobalOptions& g) {
  auto* packs_cmd =
      app.add_subcommand("packs", "Sign, verify, install and update distributed rule packs");
  packs_cmd->require_subcommand(1);
  auto add_lock = [](CLI::App* c, PacksArgs& a) {
    c->add_option("--lockfile", a.lockfile, "Lockfile (default ~/.config/blastwall/packs.lock)")
        ->type_name("FILE");
  };
  auto add_ca = [](CLI::App* c, PacksArgs& a) {
    c->add_option("--ca-file", a.ca_file,
                  "Extra CA certificates (PEM) for https:// sources (env BLASTWALL_CA_FILE)")
        ->type_name("FILE");
    c->add_option("--timeout-ms", a.timeout_ms, "Give up on a source after this long (15000)");
  };
  {
    auto a = std::make_shared<PacksArgs>();
    auto* c = packs_cmd->add_subcommand("keygen", "Create a minisign-compatible signing key pair");
    c->add_option("--out", a->out, "Write PREFIX.pub and PREFIX.key")
        ->type_name("PREFIX")
        ->required();
    c->add_flag("--force", a->force, "Overwrite existing files");
    c->callback([&g, a] { g.exit_code = keygen_cmd(*a); });
  }
  {
    auto a = std::make_shared<PacksArgs>();
    auto* c = packs_cmd->add_subcommand("sign", "Sign a pack (writes PACK.minisig)");
    c->add_option("pack", a->sources, "The pack file")->type_name("FILE")->required();
    c->add_option("--key", a->key, "Secret key (blastwall's or minisign's)")
        ->type_name("FILE")
        ->required();
    c->add_option("--password-file", a->password_file,
                  "Password of an encrypted minisign key (or env BLASTWALL_KEY_PASSWORD)")
        ->type_name("FILE");
    c->add_option("--trusted-comment", a->trusted_comment, "Signed comment (default: pack id)");
    c->add_option("--out", a->out, "Signature file (default PACK.minisig)")->type_name("FILE");
    c->callback([&g, a] { g.exit_code = sign_cmd(*a); });
  }
  {
    auto a = std::make_shared<PacksArgs>();
    auto* c = packs_cmd->add_subcommand(
        "verify", "Verify a pack's signature (against --pub, or the policy's trusted keys)");
    c->add_option("pack", a->sources, "The pack file")->type_name("FILE")->required();
    c->add_option("--pub", a->pub, "Public key file (default: the policy's trusted keys)")
        ->type_name("FILE");
    c->add_option("--sig", a->out, "Signature file (default PACK.minisig)")->type_name("FILE");
    c->callback([&g, a] { g.exit_code = verify_cmd(g, *a); });
  }
  {
    auto a = std::make_shared<PacksArgs>();
    auto* c = packs_cmd->add_subcommand("add", "Verify and install packs from a source");
    c->add_option("source", a->sources, "Directory, file, file:// or https:// URL")
        ->type_name("PATH")
        ->required();
    c->add_flag("--allow-downgrade", a->allow_downgrade, "Accept an older version");
    add_lock(c, *a);
    add_ca(c, *a);
    c->callback([&g, a] { g.exit_code = add_cmd(g, *a); });
  }
  {
    auto a = std::make_shared<PacksArgs>();
    auto* c = packs_cmd->add_subcommand(
        "update", "Re-fetch and re-verify installed packs (a failure keeps the installed copy)");
    c->add_option("names", a->sources, "Pack ids (default: all)");
    c->add_flag("--allow-downgrade", a->allow_downgrade, "Accept an older version");
    add_lock(c, *a);
    add_ca(c, *a);
    c->callback([&g, a] { g.exit_code = update_cmd(g, *a); });
  }
  {
    auto a = std::make_shared<PacksArgs>();
    auto* c = packs_cmd->add_subcommand(
        "sync", "Restore the cache to exactly what packs.lock pins; install required packs");
    add_lock(c, *a);
    add_ca(c, *a);
    c->callback([&g, a] { g.exit_code = sync_cmd(g, *a); });
  }
  {
    auto a = std::make_shared<PacksArgs>();
    auto* c = packs_cmd->add_subcommand("list", "Installed packs, their signers and status");
    c->add_flag("--json", a->json, "JSON");
    add_lock(c, *a);
    c->callback([&g, a] { g.exit_code = list_cmd(g, *a); });
  }
  {
    auto a = std::make_shared<PacksArgs>();
    auto* c = packs_cmd->add_subcommand("remove", "Uninstall packs (not those a policy requires)");
    c->add_option("names", a->sources, "Pack ids")->required();
    add_lock(c, *a);
    c->callback([&g, a] { g.exit_code = remove_cmd(g, *a); });
  }
}

}  // namespace blastwall::cli
