// Installed rule packs (docs/RULES.md "Distributing packs"): the lockfile, the content-addressed
// cache of verified packs, fetching from a directory, a file or an HTTPS URL, and verification
// against the policy's trusted keys. I/O and the clock live here (the CLI room), never in rules/.
//
// Where things are:
//   lockfile  $XDG_CONFIG_HOME/blastwall/packs.lock (default ~/.config/blastwall/packs.lock)
//   cache     $XDG_STATE_HOME/blastwall/packs/<sha256>.yaml (+ .minisig); default
//             ~/.local/state/blastwall/packs/
//   managed   /etc/blastwall/ (BLASTWALL_MANAGED_DIR only where /etc/blastwall/policy.yaml does
//             not exist, so the override can supply a managed tier, never replace one)
// Loading for an engine reads only the cache: offline use works, and nothing is fetched on a call.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "blastwall/policy.hpp"
#include "blastwall/result.hpp"
#include "rules/pack/signature.hpp"
#include "rules/pack/spec.hpp"

namespace blastwall::cli::packs {

[[nodiscard]] std::string config_dir();  // ~/.config/blastwall
[[nodiscard]] std::string state_dir();   // ~/.local/state/blastwall
[[nodiscard]] std::string default_lockfile();
[[nodiscard]] std::string cache_dir();
// The directory of the managed policy tier (see above).
[[nodiscard]] std::string managed_dir();
// Today's date in UTC, YYYY-MM-DD (key expiry).
[[nodiscard]] std::string today_utc();

struct LockEntry {
  std::string name;     // pack id
  std::string version;  // the pack's SemVer
  std::string sha256;   // of the pack file's bytes; names the cache file
  std::string signer;   // trusted key name, or empty when unsigned
  std::string key_id;   // minisign key id (16 hex digits), or empty
  std::string source;   // where `packs update` fetches it again
};

struct Lockfile {
  std::vector<LockEntry> packs;
};

// A missing file is an empty lockfile; anything unreadable or malformed is an error.
[[nodiscard]] Result<Lockfile> read_lockfile(const std::string& path);
[[nodiscard]] Result<Lockfile> parse_lockfile(const std::string& text, const std::string& path);
// Atomic (temporary file + rename), 0600.
[[nodiscard]] Result<bool> write_lockfile(const std::string& path, const Lockfile& lock);

// What a pack is checked against.
struct TrustContext {
  std::vector<rules::TrustedKey> keys;
  bool require_signed = false;
  std::string today;  // YYYY-MM-DD
};
[[nodiscard]] Result<TrustContext> trust_context(const Policy& policy);

// A pack file and its signature (empty when none was found).
struct Candidate {
  std::string origin;  // path or URL, for messages
  std::string source;  // what to record in the lockfile
  std::string yaml;
  std::string sig;
};

struct FetchOptions {
  std::string ca_file;  // extra CA bundle for HTTPS (--ca-file / BLASTWALL_CA_FILE)
  int timeout_ms = 15000;
};

// Every pack at a source: a directory (each *.yaml / *.yml with an optional .minisig beside it),
// a file, a file:// URL, or an https:// URL (and URL.minisig). Nothing is cached here.
[[nodiscard]] Result<std::vector<Candidate>> fetch_source(const std::string& source,
                                                          const FetchOptions& options);

struct VerifiedPack {
  rules::PackSpec spec;
  std::string sha256;
  std::string signer;  // empty when unsigned
  std::string key_id;
};

// Parses the pack and checks its signature: a signature that is present must verify with a key
// trusted for the pack's namespace; none at all is an error when signatures are required.
[[nodiscard]] Result<VerifiedPack> verify_candidate(const Candidate& c, const TrustContext& trust);

// Stores a verified pack's bytes in the cache (content-addressed) and returns its entry.
[[nodiscard]] Result<LockEntry> store_in_cache(const Candidate& c, const VerifiedPack& v);

// What a call needs of the installed packs before it knows whether its engine is already built.
struct InstalledView {
  std::shared_ptr<const Lockfile> lock;  // never null
  // For the resident engine's cache key (empty outside `serve` and without packs): BLAKE2b-256 of
  // every lockfile entry (name, version, sha256, key id) with the device, inode, size, mtime and
  // ctime of its cached pack and signature.
  std::string key;
};
// The lockfile at `lock_path` (missing = no packs; unreadable or malformed = an error). In the
// resident engine the view is remembered per path under a PathWatch (cli/path_watch.hpp) of the
// lockfile, the pack cache directory and every cached pack and signature, and reused while the
// watch's generation is unchanged: a later call reads, stats and hashes nothing for its packs,
// and any change there (an edit in place with the mtime restored, a replacement by rename, a
// moved directory, a lost or overflowing watch) is seen by the very next call. Where the watch
// cannot vouch for a path (symlink, network file system, no inotify) every call reads again.
[[nodiscard]] Result<std::shared_ptr<const InstalledView>> installed_view(
    const std::string& lock_path);

// One installed pack for an engine: the cached copy must have the lockfile's sha256, name and
// version, and its signature must still verify (trusted key, namespace, expiry). Resident engines
// key their engine cache by installed_view's key and today's date, so later calls verify nothing.
[[nodiscard]] Result<VerifiedPack> load_installed(const LockEntry& e, const TrustContext& trust);

// Every pack of the lockfile, in its order, each as load_installed returns it. A first call whose
// inputs are unchanged reads them from one bundle (cache_dir()/bundle.bin, 0600), used only when
// the inputs it records are byte for byte this call's: the bundle format, today's date, the trust
// context (require_signed, every trusted key with its namespace, expiry and tier) and every
// lockfile entry with the device/inode/size/mtime/ctime of its cached pack and signature. It
// carries a BLAKE2b MAC under a random
// per-installation key (state_dir()/packs/bundle.key, 0600). A missing, foreign, corrupt or
// mismatched bundle is ignored: every pack goes through load_installed (sha256, signature, trust)
// and a new bundle is written. docs/THREAT_MODEL.md "Distributed rule packs" has the argument.
[[nodiscard]] Result<std::vector<VerifiedPack>> load_installed_all(const Lockfile& lock,
                                                                   const TrustContext& trust);

// SemVer-ish comparison of dotted numeric versions ("1.10.0" > "1.9.2"); pre-release suffixes
// compare as text after the numbers.
[[nodiscard]] int compare_versions(const std::string& a, const std::string& b);

}  // namespace blastwall::cli::packs
