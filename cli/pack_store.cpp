#include "cli/pack_store.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <tuple>

#include "cli/https_fetch.hpp"
#include "cli/path_watch.hpp"
#include "cli/resident.hpp"
#include "rules/pack/binary.hpp"
#include "rules/pack/loader.hpp"
#include "rules/pack/serialize.hpp"

namespace blastwall::cli::packs {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_max_pack_bytes = 4u << 20;  // the pack loader's own limit
constexpr std::size_t k_max_lock_bytes = 1u << 20;

std::string home() {
  if (const char* h = std::getenv("HOME"); h && *h) return h;
  if (auto* pw = getpwuid(getuid())) return pw->pw_dir;
  return "/tmp";
}

std::string xdg(const char* var, const char* fallback) {
  if (const char* v = std::getenv(var); v && v[0] == '/') return v;
  return home() + fallback;
}

Result<std::string> read_bounded(const std::string& path, std::size_t limit) {
  // Sized by fstat, read in chunks: a buffer of the limit (MiBs, zeroed) per pack would cost more
  // than everything else a first call does with installed packs.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error("cannot read " + path);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error("cannot read " + path + " (not a regular file)");
  }
  std::string out;
  out.reserve(std::min<std::size_t>(static_cast<std::size_t>(st.st_size), limit) + 1);
  char buf[16384];
  for (;;) {
    auto n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      ::close(fd);
      return make_error("cannot read " + path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    if (out.size() > limit) {
      ::close(fd);
      return make_error(path + " is larger than " + std::to_string(limit >> 10) + " KiB");
    }
  }
  ::close(fd);
  return out;
}

// Writes through a temporary file and rename, so a reader sees the old or the new file.
Result<bool> write_atomic(const fs::path& path, const std::string& data, mode_t mode) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return make_error("cannot write " + tmp.string());
  std::size_t off = 0;
  while (off < data.size()) {
    auto n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      return make_error("cannot write " + tmp.string());
    }
    off += static_cast<std::size_t>(n);
  }
  bool ok = ::fsync(fd) == 0;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return make_error("cannot write " + path.string());
  }
  return true;
}

std::string stat_key(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return path + ":missing";
  // ctime cannot be set by a user: a rewritten file with a restored mtime still shows.
  return path + ":" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
         std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + ":" + std::to_string(st.st_ctim.tv_sec) + "." +
         std::to_string(st.st_ctim.tv_nsec);
}

std::string cache_path(const std::string& sha) { return cache_dir() + "/" + sha + ".yaml"; }

// A verified cache entry's record: the identity of the pack file, its signature and its compiled
// form (device, inode, size, mtime, ctime — a user cannot set ctime) when they were verified, the
// sha256 and the public key that signed it. While all of that still holds, a first call decodes
// the compiled form and re-decides trust (namespace, expiry) without re-hashing, re-verifying or
// parsing YAML. Anything else takes the full path.
std::string files_key(const std::string& path) {
  return stat_key(path) + "|" + stat_key(path + ".minisig");
}

std::string record_prefix(const std::string& files, const std::string& path,
                          const std::string& sha) {
  return "v1|" + files + "|" + stat_key(path + ".cbor") + "|" + sha + "|";
}

void write_record(const std::string& path, const std::string& prefix, const VerifiedPack& v,
                  const std::vector<rules::TrustedKey>& keys) {
  std::string pub = "-";
  for (const auto& k : keys) {
    if (!v.key_id.empty() && rules::key_id_hex(k.key.key_id) == v.key_id) {
      pub = rules::public_key_base64(k.key);
    }
  }
  if (!v.key_id.empty() && pub == "-") return;
  (void)write_atomic(path + ".verified", prefix + pub + "\n", 0600);
}

Result<bool> write_compiled(const std::string& path, const rules::PackSpec& spec) {
  auto bytes = nlohmann::json::to_cbor(rules::pack_to_json(spec));
  return write_atomic(path + ".cbor", std::string(bytes.begin(), bytes.end()), 0600);
}

bool is_url(const std::string& s) { return s.find("://") != std::string::npos; }

Result<Candidate> read_candidate(const fs::path& file, const std::string& source) {
  auto yaml = read_bounded(file.string(), k_max_pack_bytes);
  if (!yaml) return yaml.error();
  Candidate c;
  c.origin = file.string();
  c.source = source;
  c.yaml = std::move(*yaml);
  fs::path sig = file;
  sig += ".minisig";
  std::error_code ec;
  if (fs::exists(sig, ec)) {
    auto s = read_bounded(sig.string(), 64 * 1024);
    if (!s) return s.error();
    c.sig = std::move(*s);
  }
  return c;
}

}  // namespace

std::string config_dir() { return xdg("XDG_CONFIG_HOME", "/.config") + "/blastwall"; }
std::string state_dir() { return xdg("XDG_STATE_HOME", "/.local/state") + "/blastwall"; }
std::string default_lockfile() { return config_dir() + "/packs.lock"; }
std::string cache_dir() { return state_dir() + "/packs"; }

std::string managed_dir() {
  std::error_code ec;
  if (fs::exists("/etc/blastwall/policy.yaml", ec)) return "/etc/blastwall";
  if (const char* d = std::getenv("BLASTWALL_MANAGED_DIR"); d && d[0] == '/') return d;
  return "/etc/blastwall";
}

std::string today_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

int compare_versions(const std::string& a, const std::string& b) {
  auto split = [](const std::string& v) {
    std::vector<long> nums;
    std::size_t i = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) {
      long n = 0;
      while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) {
        n = n * 10 + (v[i] - '0');
        if (n > 1'000'000'000) n = 1'000'000'000;
        ++i;
      }
      nums.push_back(n);
      if (i < v.size() && v[i] == '.') ++i;
    }
    while (nums.size() < 3) nums.push_back(0);
    return std::make_pair(nums, v.substr(std::min(i, v.size())));
  };
  auto [na, ra] = split(a);
  auto [nb, rb] = split(b);
  if (na != nb) return na < nb ? -1 : 1;
  // SemVer: a pre-release ("-rc.1") sorts before the release.
  if (ra == rb) return 0;
  if (ra.empty()) return 1;
  if (rb.empty()) return -1;
  return ra < rb ? -1 : 1;
}

Result<Lockfile> parse_lockfile(const std::string& text, const std::string& path) {
  Lockfile lock;
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return lock;
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object() || j.value("format", 0) != 1 || !j.contains("packs") ||
        !j["packs"].is_array()) {
      return make_error(path + ": not a blastwall packs.lock (format 1 with a packs list)");
    }
    for (const auto& p : j["packs"]) {
      LockEntry e;
      e.name = p.at("name").get<std::string>();
      e.version = p.at("version").get<std::string>();
      e.sha256 = p.at("sha256").get<std::string>();
      e.signer = p.value("signer", "");
      e.key_id = p.value("key_id", "");
      e.source = p.value("source", "");
      if (e.sha256.size() != 64 ||
          e.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
        return make_error(path + ": pack " + e.name + " has a malformed sha256");
      }
      lock.packs.push_back(std::move(e));
    }
  } catch (const nlohmann::json::exception& e) {
    return make_error(path + ": malformed lockfile: " + e.what());
  }
  return lock;
}

Result<Lockfile> read_lockfile(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Lockfile{};
  auto text = read_bounded(path, k_max_lock_bytes);
  if (!text) return text.error();
  return parse_lockfile(*text, path);
}

Result<bool> write_lockfile(const std::string& path, const Lockfile& lock) {
  nlohmann::json j;
  j["format"] = 1;
  j["packs"] = nlohmann::json::array();
  auto sorted = lock.packs;
  std::sort(sorted.begin(), sorted.end(),
            [](const LockEntry& a, const LockEntry& b) { return a.name < b.name; });
  for (const auto& e : sorted) {
    nlohmann::json p{{"name", e.name},     {"version", e.version}, {"sha256", e.sha256},
                     {"signer", e.signer}, {"key_id", e.key_id},   {"source", e.source}};
    j["packs"].push_back(std::move(p));
  }
  return write_atomic(path, j.dump(2) + "\n", 0600);
}

Result<TrustContext> trust_context(const Policy& policy) {
  TrustContext t;
  t.require_signed = policy.packs.require_signed;
  t.today = today_utc();
  for (const auto& k : policy.packs.trusted_keys) {
    auto pk = rules::parse_public_key(k.key);
    if (!pk) return make_error(k.source + ": trusted key " + k.name + ": " + pk.error().message);
    t.keys.push_back(rules::TrustedKey{k.name, k.space, *pk, k.not_after, k.managed});
  }
  return t;
}

Result<std::vector<Candidate>> fetch_source(const std::string& source,
                                            const FetchOptions& options) {
  std::vector<Candidate> out;
  if (source.rfind("https://", 0) == 0) {
    HttpsOptions ho;
    ho.ca_file = options.ca_file;
    ho.timeout_ms = options.timeout_ms;
    auto res = https_get(source, ho);
    if (!res) return res.error();
    if (res->status != 200) {
      return make_error("cannot fetch " + source + ": HTTP " + std::to_string(res->status));
    }
    Candidate c;
    c.origin = source;
    c.source = source;
    c.yaml = std::move(res->body);
    ho.max_bytes = 64 * 1024;
    auto sig = https_get(source + ".minisig", ho);
    if (!sig) return sig.error();
    if (sig->status == 200) {
      c.sig = std::move(sig->body);
    } else if (sig->status != 404) {
      return make_error("cannot fetch " + source + ".minisig: HTTP " + std::to_string(sig->status));
    }
    out.push_back(std::move(c));
    return out;
  }
  std::string path = source;
  if (path.rfind("file://", 0) == 0) {
    path = path.substr(7);
  } else if (is_url(path)) {
    return make_error(
        "only https:// URLs (or a directory, a file, file://) are pack sources, not " + source);
  }
  if (!path.empty() && path[0] == '~') path = home() + path.substr(1);
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec).lexically_normal();
  if (fs::is_directory(abs, ec)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(abs, ec)) {
      auto ext = e.path().extension();
      if (e.is_regular_file(ec) && (ext == ".yaml" || ext == ".yml")) files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      auto c = read_candidate(f, f.string());
      if (!c) return c.error();
      out.push_back(std::move(*c));
    }
    return out;
  }
  if (!fs::exists(abs, ec)) return make_error("pack source not found: " + source);
  auto c = read_candidate(abs, abs.string());
  if (!c) return c.error();
  out.push_back(std::move(*c));
  return out;
}

Result<VerifiedPack> verify_candidate(const Candidate& c, const TrustContext& trust) {
  auto spec = rules::load_pack_text(c.yaml, c.origin);
  if (!spec) return spec.error();
  VerifiedPack v;
  v.sha256 = rules::sha256_hex(c.yaml);
  if (c.sig.empty()) {
    if (trust.require_signed) {
      return make_error(c.origin + ": pack " + spec->id +
                        " is not signed (no .minisig), and the policy requires signed packs");
    }
  } else {
    auto signer = rules::trusted_signer(c.yaml, c.sig, spec->id, trust.keys, trust.today);
    if (!signer) {
      return make_error(c.origin + ": pack " + spec->id + ": " + signer.error().message);
    }
    v.signer = signer->name;
    v.key_id = rules::key_id_hex(signer->key.key_id);
  }
  v.spec = std::move(*spec);
  return v;
}

Result<LockEntry> store_in_cache(const Candidate& c, const VerifiedPack& v) {
  std::string path = cache_path(v.sha256);
  if (auto r = write_atomic(path, c.yaml, 0600); !r) return r.error();
  std::string sig_path = path + ".minisig";
  if (!c.sig.empty()) {
    if (auto r = write_atomic(sig_path, c.sig, 0600); !r) return r.error();
  } else {
    ::unlink(sig_path.c_str());
  }
  // The record is written by the first load that verifies the stored files (load_installed).
  ::unlink((path + ".verified").c_str());
  return LockEntry{v.spec.id, v.spec.version, v.sha256, v.signer, v.key_id, c.source};
}

namespace {

std::string installed_key(const Lockfile& lock) {
  if (lock.packs.empty()) return {};
  std::string text;
  for (const auto& e : lock.packs) {
    text += e.name + "@" + e.version + ":" + e.sha256 + ":" + e.key_id + ":" +
            files_key(cache_path(e.sha256)) + "\n";
  }
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                     nullptr, 0);
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out = "installed:";
  for (unsigned char c : h) {
    out += k_hex[c >> 4];
    out += k_hex[c & 15];
  }
  return out;
}

}  // namespace

Result<std::shared_ptr<const InstalledView>> installed_view(const std::string& lock_path) {
  auto* memo = resident::installed_memo();
  auto* watch = resident::path_watch();
  if (!memo || !watch) {
    auto lock = read_lockfile(lock_path);
    if (!lock) return lock.error();
    auto view = std::make_shared<InstalledView>();
    view->lock = std::make_shared<const Lockfile>(std::move(*lock));
    return std::shared_ptr<const InstalledView>(std::move(view));
  }
  const std::optional<uint64_t> generation = watch->generation();
  const std::string cache = cache_dir();
  auto it = memo->find(lock_path);
  if (generation && it != memo->end() && it->second.generation == *generation &&
      it->second.cache_dir == cache && it->second.view) {
    return it->second.view;
  }
  // Watched before anything is read: a change from here on is an event the next call sees.
  bool tracked = generation && watch->watch(lock_path) && watch->watch(cache, true);
  std::error_code ec;
  const bool present = fs::exists(lock_path, ec);
  std::string text;
  if (present) {
    auto t = read_bounded(lock_path, k_max_lock_bytes);
    if (!t) return t.error();
    text = std::move(*t);
  }
  std::shared_ptr<const Lockfile> lock;
  if (it != memo->end() && it->second.view && it->second.present == present &&
      it->second.text == text) {
    lock = it->second.view->lock;  // the same bytes: the same parse
  } else {
    auto parsed = present ? parse_lockfile(text, lock_path) : Result<Lockfile>(Lockfile{});
    if (!parsed) return parsed.error();
    lock = std::make_shared<const Lockfile>(std::move(*parsed));
  }
  for (const auto& e : lock->packs) {
    const std::string path = cache_path(e.sha256);
    tracked = tracked && watch->watch_file_in_watched_dir(path) &&
              watch->watch_file_in_watched_dir(path + ".minisig");
  }
  auto view = std::make_shared<InstalledView>();
  view->lock = std::move(lock);
  view->key = installed_key(*view->lock);
  std::shared_ptr<const InstalledView> out = std::move(view);
  if (tracked) {
    (*memo)[lock_path] = resident::InstalledMemo{*generation, cache, std::move(text), present, out};
  } else {
    memo->erase(lock_path);
  }
  return out;
}

namespace {

// The fast path of load_installed; nullopt = take the full path.
std::optional<VerifiedPack> load_recorded(const LockEntry& e, const TrustContext& trust,
                                          const std::string& path, const std::string& prefix) {
  auto rec = read_bounded(path + ".verified", 4096);
  if (!rec || rec->rfind(prefix, 0) != 0) return std::nullopt;
  std::string pub = rec->substr(prefix.size());
  while (!pub.empty() && pub.back() == '\n') pub.pop_back();
  VerifiedPack v;
  if (pub == "-") {
    if (trust.require_signed || !e.signer.empty()) return std::nullopt;
  } else {
    auto pk = rules::parse_public_key(pub);
    if (!pk) return std::nullopt;
    auto key = rules::trusted_key_for(pk->key_id, e.name, trust.keys, trust.today);
    // A key no longer trusted (or swapped under the same id) is decided by the full path.
    if (!key || key->key.key != pk->key) return std::nullopt;
    v.signer = key->name;
    v.key_id = rules::key_id_hex(pk->key_id);
  }
  auto cbor = read_bounded(path + ".cbor", k_max_pack_bytes * 2);
  if (!cbor) return std::nullopt;
  auto j = nlohmann::json::from_cbor(*cbor, true, false);
  if (j.is_discarded()) return std::nullopt;
  auto spec = rules::pack_from_json(j);
  if (!spec || spec->id != e.name || spec->version != e.version) return std::nullopt;
  v.spec = std::move(*spec);
  v.sha256 = e.sha256;
  return v;
}

}  // namespace

Result<VerifiedPack> load_installed(const LockEntry& e, const TrustContext& trust) {
  const std::string path = cache_path(e.sha256);
  // Taken before the files are read: if they change meanwhile, the record will not match.
  const std::string files = files_key(path);
  const std::string prefix = record_prefix(files, path, e.sha256);
  if (auto fast = load_recorded(e, trust, path, prefix)) {
    if (e.key_id.empty() || fast->key_id == e.key_id) {
      fast->spec.source = "installed:" + e.name + "@" + e.version;
      return std::move(*fast);
    }
  }
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return make_error("installed pack " + e.name + " is missing from the cache (" + path +
                      "); run `blastwall packs sync`");
  }
  auto c = read_candidate(path, e.source);
  if (!c) return c.error();
  c->origin = path;
  // The lockfile pins the bytes: a cache file that changed is not the pack that was verified.
  if (rules::sha256_hex(c->yaml) != e.sha256) {
    return make_error("installed pack " + e.name + ": " + path +
                      " does not match the sha256 in packs.lock (altered?); run `blastwall packs "
                      "sync`");
  }
  if (!e.signer.empty() && c->sig.empty()) {
    return make_error("installed pack " + e.name + " was signed by " + e.signer +
                      " but its signature is missing from the cache");
  }
  auto v = verify_candidate(*c, trust);
  if (!v) return v.error();
  if (v->spec.id != e.name || v->spec.version != e.version) {
    return make_error("installed pack " + e.name + "@" + e.version + ": the cached file is " +
                      v->spec.id + "@" + v->spec.version + " (lockfile mismatch)");
  }
  if (!e.key_id.empty() && v->key_id != e.key_id) {
    return make_error("installed pack " + e.name + ": signed by key " + v->key_id +
                      ", the lockfile says " + e.key_id + " (lockfile mismatch)");
  }
  // Remember the verification for the next first call: the compiled form first, then the record
  // naming all three files (a failed write only means the next call verifies again).
  // Only if the pack and signature are still the files that were read and verified above.
  if (write_compiled(path, v->spec) && files_key(path) == files) {
    write_record(path, record_prefix(files, path, e.sha256), *v, trust.keys);
  }
  v->spec.source = "installed:" + e.name + "@" + e.version;
  return v;
}

// ---------------------------------------------------------------- bundle

namespace {

constexpr std::string_view k_bundle_magic = "BWBUNDLE1\n";
constexpr std::size_t k_mac_bytes = crypto_generichash_BYTES;  // 32
constexpr std::size_t k_mac_key_bytes = crypto_generichash_KEYBYTES;

// The per-installation MAC key: created once (O_EXCL, 0600), then read. Empty when it cannot be
// had, which only means no bundle is read or written.
std::string bundle_mac_key(bool create) {
  const std::string path = cache_dir() + "/bundle.key";
  auto key = read_bounded(path, 4096);
  if (key && key->size() == k_mac_key_bytes) return *key;
  if (key || !create) return {};  // there but malformed: never overwrite, never use
  std::error_code ec;
  fs::create_directories(cache_dir(), ec);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return {};
  if (sodium_init() < 0) {
    ::close(fd);
    ::unlink(path.c_str());
    return {};
  }
  std::string fresh(k_mac_key_bytes, '\0');
  randombytes_buf(fresh.data(), fresh.size());
  bool ok = ::write(fd, fresh.data(), fresh.size()) == static_cast<ssize_t>(fresh.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    ::unlink(path.c_str());
    return {};
  }
  return fresh;
}

std::string bundle_mac(std::string_view key, std::string_view data) {
  std::string mac(k_mac_bytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(mac.data()), mac.size(),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return mac;
}

// Everything a bundle's contents were decided from (see load_installed_all); the bundle holds it
// and is used only when it is byte for byte what this call computes.
std::string bundle_key(const Lockfile& lock, const TrustContext& trust) {
  rules::BinWriter w;
  w.str("blastwall installed-pack bundle v1");
  w.str(trust.today);
  w.u64(trust.require_signed ? 1 : 0);
  w.u64(trust.keys.size());
  for (const auto& k : trust.keys) {
    w.str(k.name);
    w.str(k.space);
    w.str(rules::public_key_base64(k.key));
    w.str(k.not_after);
    w.u64(k.managed ? 1 : 0);
  }
  w.u64(lock.packs.size());
  for (const auto& e : lock.packs) {
    w.str(e.name);
    w.str(e.version);
    w.str(e.sha256);
    w.str(e.signer);
    w.str(e.key_id);
    w.str(files_key(cache_path(e.sha256)));
  }
  return w.take();
}

std::string bundle_path() { return cache_dir() + "/bundle.bin"; }

// nullopt: no usable bundle (take the full path).
std::optional<std::vector<VerifiedPack>> read_bundle(const std::string& key, std::size_t n) {
  const std::string path = bundle_path();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  // Ours and writable by us alone, or it is not read at all.
  bool own = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid() &&
             (st.st_mode & 077) == 0 && st.st_size > 0 &&
             static_cast<std::size_t>(st.st_size) <= k_max_pack_bytes * 8;
  ::close(fd);
  if (!own) return std::nullopt;
  auto data = read_bounded(path, k_max_pack_bytes * 8);
  if (!data || data->size() < k_bundle_magic.size() + k_mac_bytes ||
      data->compare(0, k_bundle_magic.size(), k_bundle_magic) != 0)
    return std::nullopt;
  const std::string mac_key = bundle_mac_key(false);
  if (mac_key.empty()) return std::nullopt;
  std::string_view body(*data);
  body.remove_prefix(k_bundle_magic.size());
  std::string_view mac = body.substr(0, k_mac_bytes);
  body.remove_prefix(k_mac_bytes);
  if (sodium_memcmp(mac.data(), bundle_mac(mac_key, body).data(), k_mac_bytes) != 0)
    return std::nullopt;
  rules::BinReader r(body);
  std::string stored_key;
  uint64_t count = 0;
  if (!r.str(stored_key) || stored_key != key || !r.u64(count) || count != n) return std::nullopt;
  std::vector<VerifiedPack> out(n);
  for (auto& v : out) {
    if (!r.str(v.signer) || !r.str(v.key_id) || !r.str(v.sha256) || !r.pack(v.spec))
      return std::nullopt;
  }
  if (!r.done()) return std::nullopt;
  return out;
}

void write_bundle(const std::string& key, const std::vector<VerifiedPack>& packs) {
  const std::string mac_key = bundle_mac_key(true);
  if (mac_key.empty()) return;
  rules::BinWriter w;
  w.str(key);
  w.u64(packs.size());
  for (const auto& v : packs) {
    w.str(v.signer);
    w.str(v.key_id);
    w.str(v.sha256);
    w.pack(v.spec);
  }
  std::string out(k_bundle_magic);
  out += bundle_mac(mac_key, w.bytes());
  out += w.bytes();
  (void)write_atomic(bundle_path(), out, 0600);
}

}  // namespace

Result<std::vector<VerifiedPack>> load_installed_all(const Lockfile& lock,
                                                     const TrustContext& trust) {
  if (lock.packs.empty()) return std::vector<VerifiedPack>{};
  // Taken before anything is read: if a file changes meanwhile, the key written below no longer
  // matches it and the next call verifies again.
  const std::string key = bundle_key(lock, trust);
  if (auto hit = read_bundle(key, lock.packs.size())) return std::move(*hit);
  std::vector<VerifiedPack> out;
  out.reserve(lock.packs.size());
  for (const auto& e : lock.packs) {
    auto v = load_installed(e, trust);
    if (!v) return v.error();
    out.push_back(std::move(*v));
  }
  write_bundle(key, out);
  return out;
}

}  // namespace blastwall::cli::packs
