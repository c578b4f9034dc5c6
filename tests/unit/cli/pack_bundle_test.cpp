// The installed-pack bundle (cli/pack_store.hpp load_installed_all): used only for exactly the
// inputs it was built from, MAC-checked, and never a way around verification.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli/pack_store.hpp"
#include "rules/pack/serialize.hpp"

namespace blastwall::cli::packs {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void spit(const fs::path& p, const std::string& data) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << data;
}

class Bundle : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dir = fs::temp_directory_path() /
            ("bw-bundle-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(m_dir);
    fs::create_directories(m_dir);
    ::setenv("XDG_STATE_HOME", (m_dir / "state").c_str(), 1);
    m_keys = rules::generate_key_pair();
    m_trust.require_signed = true;
    m_trust.today = "2026-12-03";
    m_trust.keys.push_back(rules::TrustedKey{"acme", "com.acme", m_keys.public_key, "", false});
    for (const char* id : {"com.acme.one", "com.acme.two"}) install(id, "ask");
  }
  void TearDown() override { fs::remove_all(m_dir); }

  void install(const std::string& id, const std::string& decision) {
    Candidate c;
    c.origin = id + ".yaml";
    c.source = c.origin;
    c.yaml = "format: 1\npack: {id: " + id + ", version: 1.0.0, title: t}\nrules:\n  - id: " + id +
             ".r\n    title: r\n    when: {cmd: [shipit]}\n    decision: " + decision +
             "\n    message: m\n    tests: {match: [shipit], no_match: [ls]}\n";
    c.sig = rules::sign_data(c.yaml, m_keys.secret_key, "file:" + id, "test");
    auto v = verify_candidate(c, m_trust);
    ASSERT_TRUE(v.has_value()) << v.error().format();
    auto e = store_in_cache(c, *v);
    ASSERT_TRUE(e.has_value());
    m_lock.packs.push_back(*e);
  }

  static std::string json_of(const std::vector<VerifiedPack>& v) {
    std::string out;
    for (const auto& p : v) out += rules::pack_to_json(p.spec).dump() + p.signer + p.sha256;
    return out;
  }

  fs::path bundle() const { return fs::path(cache_dir()) / "bundle.bin"; }
  // The per-pack records only the full path writes.
  void drop_records() {
    for (const auto& e : m_lock.packs) {
      fs::remove(cache_dir() + "/" + e.sha256 + ".yaml.verified");
      fs::remove(cache_dir() + "/" + e.sha256 + ".yaml.cbor");
    }
  }
  bool records_back() const {
    return fs::exists(cache_dir() + "/" + m_lock.packs[0].sha256 + ".yaml.verified");
  }

  fs::path m_dir;
  rules::KeyPair m_keys;
  TrustContext m_trust;
  Lockfile m_lock;
};

TEST_F(Bundle, a_second_load_reads_the_bundle_and_gives_the_same_packs) {
  auto first = load_installed_all(m_lock, m_trust);
  ASSERT_TRUE(first.has_value()) << first.error().format();
  ASSERT_TRUE(fs::exists(bundle()));
  struct stat st {};
  ASSERT_EQ(::stat(bundle().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  drop_records();
  auto second = load_installed_all(m_lock, m_trust);
  ASSERT_TRUE(second.has_value());
  EXPECT_FALSE(records_back()) << "the full path ran: the bundle was not used";
  EXPECT_EQ(json_of(*first), json_of(*second));
  EXPECT_EQ((*second)[0].signer, "acme");
  EXPECT_EQ((*second)[0].spec.source, "installed:com.acme.one@1.0.0");
}

TEST_F(Bundle, a_corrupt_or_forged_bundle_is_ignored_and_rebuilt) {
  auto good = load_installed_all(m_lock, m_trust);
  ASSERT_TRUE(good.has_value());
  const std::string bytes = slurp(bundle());
  // A byte of the payload changed (say `ask` to something weaker): the MAC no longer holds.
  for (size_t at : {bytes.size() - 1, bytes.size() / 2, size_t{12}}) {
    std::string bad = bytes;
    bad[at] = static_cast<char>(bad[at] ^ 0x01);
    spit(bundle(), bad);
    drop_records();
    auto again = load_installed_all(m_lock, m_trust);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(json_of(*again), json_of(*good));
    EXPECT_TRUE(records_back()) << "verified again from the signed files";
    EXPECT_EQ(slurp(bundle()), bytes) << "and rebuilt";
  }
  spit(bundle(), "garbage");
  EXPECT_EQ(json_of(*load_installed_all(m_lock, m_trust)), json_of(*good));
  spit(bundle(), bytes.substr(0, bytes.size() / 3));
  EXPECT_EQ(json_of(*load_installed_all(m_lock, m_trust)), json_of(*good));
  // Readable or writable by others: not read.
  ::chmod(bundle().c_str(), 0644);
  drop_records();
  EXPECT_EQ(json_of(*load_installed_all(m_lock, m_trust)), json_of(*good));
  EXPECT_TRUE(records_back());
}

TEST_F(Bundle, a_bundle_without_the_installation_key_is_not_trusted) {
  ASSERT_TRUE(load_installed_all(m_lock, m_trust).has_value());
  // Another MAC key (a copied state directory, a key replaced): every byte else is right.
  spit(fs::path(cache_dir()) / "bundle.key", std::string(32, 'k'));
  drop_records();
  ASSERT_TRUE(load_installed_all(m_lock, m_trust).has_value());
  EXPECT_TRUE(records_back());
  // A malformed key file is never overwritten or used: every load verifies.
  spit(fs::path(cache_dir()) / "bundle.key", "short");
  fs::remove(bundle());
  ASSERT_TRUE(load_installed_all(m_lock, m_trust).has_value());
  EXPECT_FALSE(fs::exists(bundle()));
  EXPECT_EQ(slurp(fs::path(cache_dir()) / "bundle.key"), "short");
}

TEST_F(Bundle, changed_trust_is_decided_again_never_from_the_bundle) {
  ASSERT_TRUE(load_installed_all(m_lock, m_trust).has_value());
  // The signing key is no longer trusted: the packs are refused, bundle or not.
  TrustContext other = m_trust;
  other.keys[0].key = rules::generate_key_pair().public_key;
  EXPECT_FALSE(load_installed_all(m_lock, other).has_value());
  // Trusted for another namespace only.
  other = m_trust;
  other.keys[0].space = "com.other";
  EXPECT_FALSE(load_installed_all(m_lock, other).has_value());
  // Expired since the bundle was written.
  other = m_trust;
  other.keys[0].not_after = "2026-12-02";
  EXPECT_FALSE(load_installed_all(m_lock, other).has_value());
  // And back: the same inputs as the bundle's are served from it again (after a rebuild).
  EXPECT_TRUE(load_installed_all(m_lock, m_trust).has_value());
}

TEST_F(Bundle, a_changed_cache_file_or_lockfile_is_verified_again) {
  ASSERT_TRUE(load_installed_all(m_lock, m_trust).has_value());
  const auto yaml = fs::path(cache_dir()) / (m_lock.packs[0].sha256 + ".yaml");
  const std::string original = slurp(yaml);
  spit(yaml, original + "# edited\n");
  auto r = load_installed_all(m_lock, m_trust);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("does not match the sha256"), std::string::npos);
  spit(yaml, original);  // same bytes, new ctime: verified again, then fine
  drop_records();
  ASSERT_TRUE(load_installed_all(m_lock, m_trust).has_value());
  EXPECT_TRUE(records_back());
  // A third pack installed (the lockfile changed): all three are loaded.
  install("com.acme.three", "deny");
  auto three = load_installed_all(m_lock, m_trust);
  ASSERT_TRUE(three.has_value());
  ASSERT_EQ(three->size(), 3u);
  EXPECT_EQ((*three)[2].spec.rules[0].decision, Decision::deny);
  // A signature that no longer verifies: refused, though the pack bytes are unchanged.
  const auto sig = fs::path(cache_dir()) / (m_lock.packs[1].sha256 + ".yaml.minisig");
  spit(sig, rules::sign_data("other bytes", m_keys.secret_key, "x", "y"));
  EXPECT_FALSE(load_installed_all(m_lock, m_trust).has_value());
}

}  // namespace
}  // namespace blastwall::cli::packs
