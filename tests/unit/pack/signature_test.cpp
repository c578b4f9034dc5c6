#include "rules/pack/signature.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace blastwall::rules {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream f(std::string(BLASTWALL_SOURCE_DIR) + "/tests/fixtures/packs/" + name,
                  std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void expect_error(const Result<TrustedKey>& r, const std::string& needle) {
  ASSERT_FALSE(r) << "expected an error containing: " << needle;
  EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
}

TrustedKey trusted(const PublicKey& k, std::string space, std::string not_after = "",
                   bool managed = false) {
  return TrustedKey{"team", std::move(space), k, std::move(not_after), managed};
}

struct Signed {
  KeyPair kp = generate_key_pair();
  std::string data = "format: 1\npack: {id: com.acme.cloud, version: 1.0.0}\nrules: []\n";
  std::string sig = sign_data(data, kp.secret_key, "pack:com.acme.cloud@1.0.0", "test");
};

TEST(PackSignature, blastwall_signature_round_trips) {
  Signed s;
  auto r = trusted_signer(s.data, s.sig, "com.acme.cloud", {trusted(s.kp.public_key, "com.acme")},
                          "2026-12-03");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->name, "team");
  auto parsed = parse_signature(s.sig);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->prehashed);
  EXPECT_EQ(parsed->trusted_comment, "pack:com.acme.cloud@1.0.0");
}

TEST(PackSignature, altered_content_is_refused) {
  Signed s;
  std::string altered = s.data;
  altered.replace(altered.find("rules: []"), 9, "rules: [] ");
  expect_error(trusted_signer(altered, s.sig, "com.acme.cloud",
                              {trusted(s.kp.public_key, "com.acme")}, "2026-12-03"),
               "does not match the content");
}

TEST(PackSignature, truncated_content_is_refused) {
  Signed s;
  expect_error(trusted_signer(s.data.substr(0, s.data.size() - 5), s.sig, "com.acme.cloud",
                              {trusted(s.kp.public_key, "com.acme")}, "2026-12-03"),
               "does not match the content");
}

TEST(PackSignature, truncated_signature_file_is_refused) {
  Signed s;
  std::string cut = s.sig.substr(0, s.sig.find("trusted comment"));
  expect_error(trusted_signer(s.data, cut, "com.acme.cloud", {trusted(s.kp.public_key, "com.acme")},
                              "2026-12-03"),
               "truncated signature");
  std::string short_line = s.sig;
  auto l2 = short_line.find('\n') + 1;
  short_line.erase(l2 + 10, 20);  // the signature line loses bytes
  expect_error(trusted_signer(s.data, short_line, "com.acme.cloud",
                              {trusted(s.kp.public_key, "com.acme")}, "2026-12-03"),
               "malformed signature line");
}

TEST(PackSignature, altered_trusted_comment_is_refused) {
  Signed s;
  std::string sig = s.sig;
  sig.replace(sig.find("pack:com.acme.cloud@1.0.0"), 25, "pack:com.acme.cloud@9.9.9");
  expect_error(trusted_signer(s.data, sig, "com.acme.cloud", {trusted(s.kp.public_key, "com.acme")},
                              "2026-12-03"),
               "trusted comment was altered");
}

TEST(PackSignature, key_nobody_trusts_is_refused) {
  Signed s;
  auto other = generate_key_pair();
  expect_error(trusted_signer(s.data, s.sig, "com.acme.cloud",
                              {trusted(other.public_key, "com.acme")}, "2026-12-03"),
               "which no policy trusts");
}

TEST(PackSignature, key_with_the_same_id_but_other_bytes_is_refused) {
  Signed s;
  auto other = generate_key_pair();
  other.public_key.key_id = s.kp.public_key.key_id;  // a forged id does not make a signature
  expect_error(trusted_signer(s.data, s.sig, "com.acme.cloud",
                              {trusted(other.public_key, "com.acme")}, "2026-12-03"),
               "does not match the content");
}

TEST(PackSignature, key_for_another_namespace_is_refused) {
  Signed s;
  expect_error(trusted_signer(s.data, s.sig, "com.acme.cloud",
                              {trusted(s.kp.public_key, "com.other")}, "2026-12-03"),
               "trusted only for com.other");
  // A namespace is a dotted prefix, not a string prefix: com.acme does not cover com.acmes.x.
  expect_error(trusted_signer(s.data, s.sig, "com.acmes.cloud",
                              {trusted(s.kp.public_key, "com.acme")}, "2026-12-03"),
               "trusted only for com.acme");
}

TEST(PackSignature, namespace_covers_dotted_prefixes) {
  EXPECT_TRUE(namespace_covers("com.acme", "com.acme"));
  EXPECT_TRUE(namespace_covers("com.acme", "com.acme.cloud.x"));
  EXPECT_FALSE(namespace_covers("com.acme", "com.acmex"));
  EXPECT_FALSE(namespace_covers("com.acme", "com"));
  EXPECT_TRUE(namespace_covers("*", "core.git"));
  EXPECT_FALSE(namespace_covers("", "core.git"));
}

TEST(PackSignature, expired_key_is_refused_after_its_last_day) {
  Signed s;
  std::vector<TrustedKey> keys{trusted(s.kp.public_key, "com.acme", "2026-06-30")};
  EXPECT_TRUE(trusted_signer(s.data, s.sig, "com.acme.cloud", keys, "2026-06-30"));
  expect_error(trusted_signer(s.data, s.sig, "com.acme.cloud", keys, "2026-07-01"),
               "expired on 2026-06-30");
  // Without a readable date an expiring key is not trusted (fail closed).
  expect_error(trusted_signer(s.data, s.sig, "com.acme.cloud", keys, ""), "expired");
}

TEST(PackSignature, managed_namespace_is_reserved_for_managed_keys) {
  Signed s;
  auto org = generate_key_pair();
  std::vector<TrustedKey> keys{trusted(org.public_key, "com.acme", "", true),
                               trusted(s.kp.public_key, "com.acme")};
  expect_error(trusted_signer(s.data, s.sig, "com.acme.cloud", keys, "2026-12-03"),
               "reserves the namespace");
  // Outside the managed namespace the user's key still counts.
  keys[1].space = "*";
  std::string data = "other";
  auto sig = sign_data(data, s.kp.secret_key, "x", "test");
  EXPECT_TRUE(trusted_signer(data, sig, "dev.mine", keys, "2026-12-03"));
}

TEST(PackSignature, key_files_round_trip) {
  auto kp = generate_key_pair();
  auto pub = parse_public_key(public_key_text(kp.public_key));
  ASSERT_TRUE(pub);
  EXPECT_EQ(pub->key, kp.public_key.key);
  EXPECT_EQ(pub->key_id, kp.public_key.key_id);
  auto line = parse_public_key(public_key_base64(kp.public_key));
  ASSERT_TRUE(line);
  EXPECT_EQ(line->key, kp.public_key.key);
  auto sk = parse_secret_key(secret_key_text(kp.secret_key), "");
  ASSERT_TRUE(sk) << sk.error().message;
  EXPECT_EQ(sk->key, kp.secret_key.key);
  EXPECT_EQ(public_of(*sk).key, kp.public_key.key);
}

TEST(PackSignature, corrupt_keys_are_refused) {
  EXPECT_FALSE(parse_public_key("untrusted comment: x\nRWQ\n"));
  EXPECT_FALSE(parse_public_key(""));
  auto kp = generate_key_pair();
  std::string sk = secret_key_text(kp.secret_key);
  auto pos = sk.find('\n') + 100;  // inside the secret key bytes
  sk[pos] = sk[pos] == 'A' ? 'B' : 'A';
  auto r = parse_secret_key(sk, "");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("corrupt"), std::string::npos) << r.error().message;
}

// Signatures written by the stock minisign 0.11 (tests/fixtures/packs/README.md).
TEST(PackSignature, stock_minisign_prehashed_signature_verifies) {
  auto data = fixture("com.example.tiny.yaml");
  auto pk = parse_public_key(fixture("minisign-encrypted.pub"));
  ASSERT_TRUE(pk) << pk.error().message;
  EXPECT_EQ(key_id_hex(pk->key_id), "B22CD1D2A302B504");  // as minisign prints it
  auto r = trusted_signer(data, fixture("com.example.tiny.yaml.minisig"), "com.example.tiny",
                          {trusted(*pk, "com.example")}, "2026-12-03");
  ASSERT_TRUE(r) << r.error().message;
  auto sig = parse_signature(fixture("com.example.tiny.yaml.minisig"));
  ASSERT_TRUE(sig);
  EXPECT_TRUE(sig->prehashed);
  EXPECT_EQ(sig->trusted_comment, "pack:com.example.tiny@0.1.0");
}

TEST(PackSignature, stock_minisign_legacy_signature_verifies) {
  auto data = fixture("com.example.tiny.yaml");
  auto pk = parse_public_key(fixture("minisign.pub"));
  ASSERT_TRUE(pk);
  auto sig_text = fixture("com.example.tiny.yaml.legacy.minisig");
  auto sig = parse_signature(sig_text);
  ASSERT_TRUE(sig);
  EXPECT_FALSE(sig->prehashed);
  EXPECT_TRUE(trusted_signer(data, sig_text, "com.example.tiny", {trusted(*pk, "com.example")},
                             "2026-12-03"));
  expect_error(trusted_signer(data + "\n", sig_text, "com.example.tiny",
                              {trusted(*pk, "com.example")}, "2026-12-03"),
               "does not match");
}

TEST(PackSignature, stock_minisign_unencrypted_secret_key_signs) {
  auto plain = parse_secret_key(fixture("minisign.key"), "");
  ASSERT_TRUE(plain) << plain.error().message;
  auto pk = parse_public_key(fixture("minisign.pub"));
  ASSERT_TRUE(pk);
  EXPECT_EQ(public_of(*plain).key, pk->key);
  std::string data = "signed with a minisign key";
  auto sig = sign_data(data, *plain, "t", "u");
  EXPECT_TRUE(trusted_signer(data, sig, "x.y", {trusted(*pk, "*")}, "2026-12-03"));
}

// minisign's encrypted layout with the smallest scrypt parameters libsodium accepts (minisign's
// own take ~1 GiB and many seconds; the parameters are read from the file, so the format is the
// same): "Ed" "Sc" "B2" salt ops mem, then key id | secret key | checksum XORed with the stream.
std::string encrypted_key_text(const SecretKey& k, const std::string& password) {
  std::vector<unsigned char> raw(2 + 2 + 2 + 32 + 8 + 8 + 104, 0);
  raw[0] = 'E', raw[1] = 'd', raw[2] = 'S', raw[3] = 'c', raw[4] = 'B', raw[5] = '2';
  randombytes_buf(raw.data() + 6, 32);
  const std::uint64_t ops = crypto_pwhash_scryptsalsa208sha256_OPSLIMIT_MIN;
  const std::uint64_t mem = crypto_pwhash_scryptsalsa208sha256_MEMLIMIT_MIN;
  for (int i = 0; i < 8; ++i) {
    raw[38 + i] = static_cast<unsigned char>(ops >> (8 * i));
    raw[46 + i] = static_cast<unsigned char>(mem >> (8 * i));
  }
  unsigned char* ksk = raw.data() + 54;
  std::memcpy(ksk, k.key_id.data(), 8);
  std::memcpy(ksk + 8, k.key.data(), 64);
  unsigned char in[74] = {'E', 'd'};
  std::memcpy(in + 2, k.key_id.data(), 8);
  std::memcpy(in + 10, k.key.data(), 64);
  crypto_generichash(ksk + 72, 32, in, sizeof in, nullptr, 0);
  unsigned char stream[104];
  EXPECT_EQ(crypto_pwhash_scryptsalsa208sha256(stream, sizeof stream, password.data(),
                                               password.size(), raw.data() + 6, ops, mem),
            0);
  for (int i = 0; i < 104; ++i) ksk[i] ^= stream[i];
  std::vector<char> b64(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_ORIGINAL));
  sodium_bin2base64(b64.data(), b64.size(), raw.data(), raw.size(), sodium_base64_VARIANT_ORIGINAL);
  return "untrusted comment: minisign encrypted secret key\n" + std::string(b64.data()) + "\n";
}

TEST(PackSignature, encrypted_secret_key_needs_its_password) {
  auto kp = generate_key_pair();
  auto text = encrypted_key_text(kp.secret_key, "hunter2");
  auto none = parse_secret_key(text, "");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("encrypted"), std::string::npos);
  auto wrong = parse_secret_key(text, "hunter3");
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("wrong password"), std::string::npos);
  auto right = parse_secret_key(text, "hunter2");
  ASSERT_TRUE(right) << right.error().message;
  EXPECT_EQ(right->key, kp.secret_key.key);
}

TEST(PackSignature, sha256_is_hex_of_the_bytes) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace blastwall::rules
