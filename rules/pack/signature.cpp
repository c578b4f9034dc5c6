#include "rules/pack/signature.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <optional>

namespace blastwall::rules {
namespace {

constexpr std::string_view k_untrusted = "untrusted comment: ";
constexpr std::string_view k_trusted = "trusted comment: ";
constexpr std::size_t k_pk_bytes = 2 + 8 + 32;
constexpr std::size_t k_sig_bytes = 2 + 8 + 64;
constexpr std::size_t k_keynum_sk_bytes = 8 + 64 + 32;
constexpr std::size_t k_sk_bytes = 2 + 2 + 2 + 32 + 8 + 8 + k_keynum_sk_bytes;
// Far above anything minisign writes (its trusted comments are at most 8 KiB): bounds the work a
// hostile signature file can cause.
constexpr std::size_t k_max_sig_file = 64 * 1024;

bool init_sodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::optional<std::vector<std::uint8_t>> from_base64(std::string_view b64) {
  std::vector<std::uint8_t> out(b64.size());
  std::size_t len = 0;
  if (sodium_base642bin(out.data(), out.size(), b64.data(), b64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return std::nullopt;
  }
  out.resize(len);
  return out;
}

std::string to_base64(const std::uint8_t* data, std::size_t len) {
  std::string out(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, len, sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// Splits into lines (without '\n', trailing '\r' kept for trim()).
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto nl = text.find('\n');
    out.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

// The base64 line of a key file: the text itself when it is one line, else the line after the
// untrusted comment.
std::optional<std::string_view> key_line(std::string_view text) {
  auto lines = lines_of(text);
  if (lines.size() == 1) return trim(lines[0]);
  if (lines.size() >= 2 && lines[0].substr(0, k_untrusted.size()) == k_untrusted) {
    return trim(lines[1]);
  }
  return std::nullopt;
}

template <std::size_t N>
void copy_to(std::array<std::uint8_t, N>& to, const std::uint8_t* from) {
  std::memcpy(to.data(), from, N);
}

std::uint64_t load_le64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

std::array<std::uint8_t, 64> blake2b_512(std::string_view data) {
  std::array<std::uint8_t, 64> h{};
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size(), nullptr, 0);
  return h;
}

// BLAKE2b-256 over "Ed" | key id | secret key: minisign's secret key checksum.
std::array<std::uint8_t, 32> sk_checksum(const KeyId& id, const std::array<std::uint8_t, 64>& sk) {
  std::array<std::uint8_t, 2 + 8 + 64> in{};
  in[0] = 'E';
  in[1] = 'd';
  std::memcpy(in.data() + 2, id.data(), 8);
  std::memcpy(in.data() + 10, sk.data(), 64);
  std::array<std::uint8_t, 32> out{};
  crypto_generichash(out.data(), out.size(), in.data(), in.size(), nullptr, 0);
  return out;
}

// A well-formed YYYY-MM-DD compares correctly as a string.
bool is_date(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  return true;
}

}  // namespace

std::string key_id_hex(const KeyId& id) {
  static const char* const k_hex = "0123456789ABCDEF";
  std::uint64_t v = load_le64(id.data());
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = k_hex[v & 0xf];
  return out;
}

Result<PublicKey> parse_public_key(std::string_view text) {
  if (!init_sodium()) return make_error("libsodium failed to initialise");
  auto line = key_line(text);
  if (!line) return make_error("not a minisign public key (expected a comment line and a key)");
  auto raw = from_base64(*line);
  if (!raw || raw->size() != k_pk_bytes) {
    return make_error("not a minisign public key (bad base64 or wrong length)");
  }
  if ((*raw)[0] != 'E' || (*raw)[1] != 'd') {
    return make_error("unsupported public key algorithm (expected Ed25519 'Ed')");
  }
  PublicKey k;
  copy_to(k.key_id, raw->data() + 2);
  copy_to(k.key, raw->data() + 10);
  return k;
}

std::string public_key_base64(const PublicKey& key) {
  std::array<std::uint8_t, k_pk_bytes> raw{};
  raw[0] = 'E';
  raw[1] = 'd';
  std::memcpy(raw.data() + 2, key.key_id.data(), 8);
  std::memcpy(raw.data() + 10, key.key.data(), 32);
  return to_base64(raw.data(), raw.size());
}

std::string public_key_text(const PublicKey& key) {
  return std::string(k_untrusted) + "minisign public key " + key_id_hex(key.key_id) + "\n" +
         public_key_base64(key) + "\n";
}

Result<SecretKey> parse_secret_key(std::string_view text, std::string_view password) {
  if (!init_sodium()) return make_error("libsodium failed to initialise");
  auto line = key_line(text);
  if (!line) return make_error("not a minisign secret key (expected a comment line and a key)");
  auto raw = from_base64(*line);
  if (!raw || raw->size() != k_sk_bytes) {
    return make_error("not a minisign secret key (bad base64 or wrong length)");
  }
  const std::uint8_t* p = raw->data();
  if (p[0] != 'E' || p[1] != 'd' || p[4] != 'B' || p[5] != '2') {
    return make_error(
        "unsupported secret key algorithm (expected Ed25519 with a BLAKE2b checksum)");
  }
  std::uint8_t* keynum_sk = raw->data() + 2 + 2 + 2 + 32 + 8 + 8;
  bool encrypted = p[2] == 'S' && p[3] == 'c';
  if (!encrypted && !(p[2] == 0 && p[3] == 0)) {
    return make_error("unsupported secret key encryption (expected scrypt or none)");
  }
  if (encrypted) {
    if (password.empty()) {
      return make_error(
          "the secret key is encrypted: give its password (BLASTWALL_KEY_PASSWORD or "
          "--password-file)");
    }
    std::uint64_t ops = load_le64(p + 38);
    std::uint64_t mem = load_le64(p + 46);
    // minisign's own bounds are far below these; a crafted key must not exhaust memory.
    if (mem > (std::uint64_t{1} << 31) || ops > (std::uint64_t{1} << 32)) {
      return make_error("secret key asks for unreasonable scrypt parameters");
    }
    std::array<std::uint8_t, k_keynum_sk_bytes> stream{};
    if (crypto_pwhash_scryptsalsa208sha256(stream.data(), stream.size(), password.data(),
                                           password.size(), p + 6, ops,
                                           static_cast<std::size_t>(mem)) != 0) {
      return make_error("scrypt failed (out of memory?)");
    }
    for (std::size_t i = 0; i < stream.size(); ++i) keynum_sk[i] ^= stream[i];
    sodium_memzero(stream.data(), stream.size());
  }
  SecretKey k;
  copy_to(k.key_id, keynum_sk);
  copy_to(k.key, keynum_sk + 8);
  const std::uint8_t* stored_chk = keynum_sk + 8 + 64;
  // minisign -W leaves the checksum of an unencrypted key zero; blastwall fills it in.
  bool chk_zero = std::all_of(stored_chk, stored_chk + 32, [](std::uint8_t b) { return b == 0; });
  auto chk = sk_checksum(k.key_id, k.key);
  bool ok = (!encrypted && chk_zero) || sodium_memcmp(chk.data(), stored_chk, 32) == 0;
  // The secret key's second half is its public key: it must be the one its seed derives.
  std::array<std::uint8_t, 32> pk{};
  std::array<std::uint8_t, 64> sk2{};
  crypto_sign_seed_keypair(pk.data(), sk2.data(), k.key.data());
  bool consistent = sodium_memcmp(sk2.data(), k.key.data(), 64) == 0;
  sodium_memzero(sk2.data(), sk2.size());
  sodium_memzero(raw->data(), raw->size());
  if (!ok || !consistent) {
    return make_error(encrypted ? "wrong password for the secret key (checksum mismatch)"
                                : "corrupt secret key (checksum mismatch)");
  }
  return k;
}

std::string secret_key_text(const SecretKey& key) {
  std::array<std::uint8_t, k_sk_bytes> raw{};
  raw[0] = 'E';
  raw[1] = 'd';
  raw[4] = 'B';
  raw[5] = '2';
  // kdf 0,0 (unencrypted): salt and limits stay zero, as minisign -W writes them.
  std::uint8_t* keynum_sk = raw.data() + 2 + 2 + 2 + 32 + 8 + 8;
  std::memcpy(keynum_sk, key.key_id.data(), 8);
  std::memcpy(keynum_sk + 8, key.key.data(), 64);
  auto chk = sk_checksum(key.key_id, key.key);
  std::memcpy(keynum_sk + 72, chk.data(), 32);
  std::string out = std::string(k_untrusted) + "minisign secret key (unencrypted)\n" +
                    to_base64(raw.data(), raw.size()) + "\n";
  sodium_memzero(raw.data(), raw.size());
  return out;
}

KeyPair generate_key_pair() {
  (void)init_sodium();
  KeyPair kp;
  crypto_sign_keypair(kp.public_key.key.data(), kp.secret_key.key.data());
  randombytes_buf(kp.secret_key.key_id.data(), kp.secret_key.key_id.size());
  kp.public_key.key_id = kp.secret_key.key_id;
  return kp;
}

PublicKey public_of(const SecretKey& key) {
  PublicKey pk;
  pk.key_id = key.key_id;
  crypto_sign_ed25519_sk_to_pk(pk.key.data(), key.key.data());
  return pk;
}

Result<Signature> parse_signature(std::string_view text) {
  if (!init_sodium()) return make_error("libsodium failed to initialise");
  if (text.size() > k_max_sig_file) return make_error("signature file larger than 64 KiB");
  auto lines = lines_of(text);
  if (lines.size() < 4) {
    return make_error(
        "truncated signature (expected 4 lines: comment, signature, trusted "
        "comment, global signature)");
  }
  if (lines[0].substr(0, k_untrusted.size()) != k_untrusted) {
    return make_error("not a minisign signature (first line is not an untrusted comment)");
  }
  auto raw = from_base64(trim(lines[1]));
  if (!raw || raw->size() != k_sig_bytes) {
    return make_error("malformed signature line (bad base64 or wrong length)");
  }
  Signature s;
  if ((*raw)[0] == 'E' && (*raw)[1] == 'D') {
    s.prehashed = true;
  } else if ((*raw)[0] == 'E' && (*raw)[1] == 'd') {
    s.prehashed = false;
  } else {
    return make_error("unsupported signature algorithm (expected ED or Ed)");
  }
  copy_to(s.key_id, raw->data() + 2);
  copy_to(s.sig, raw->data() + 10);
  std::string_view tc = lines[2];
  if (!tc.empty() && tc.back() == '\r') tc.remove_suffix(1);
  if (tc.substr(0, k_trusted.size()) != k_trusted) {
    return make_error("malformed signature (third line is not a trusted comment)");
  }
  s.trusted_comment = std::string(tc.substr(k_trusted.size()));
  auto global = from_base64(trim(lines[3]));
  if (!global || global->size() != 64) {
    return make_error("malformed trusted-comment signature (bad base64 or wrong length)");
  }
  copy_to(s.global_sig, global->data());
  return s;
}

Result<bool> verify_signature(const Signature& sig, const PublicKey& key, std::string_view data) {
  if (!init_sodium()) return make_error("libsodium failed to initialise");
  if (sig.key_id != key.key_id) {
    return make_error("signed by key " + key_id_hex(sig.key_id) + ", not by key " +
                      key_id_hex(key.key_id));
  }
  int rc = 0;
  if (sig.prehashed) {
    auto h = blake2b_512(data);
    rc = crypto_sign_verify_detached(sig.sig.data(), h.data(), h.size(), key.key.data());
  } else {
    rc = crypto_sign_verify_detached(sig.sig.data(),
                                     reinterpret_cast<const unsigned char*>(data.data()),
                                     data.size(), key.key.data());
  }
  if (rc != 0) return make_error("signature does not match the content (altered or truncated)");
  std::string global(sig.sig.begin(), sig.sig.end());
  global += sig.trusted_comment;
  if (crypto_sign_verify_detached(sig.global_sig.data(),
                                  reinterpret_cast<const unsigned char*>(global.data()),
                                  global.size(), key.key.data()) != 0) {
    return make_error("the trusted comment was altered (its signature does not verify)");
  }
  return true;
}

std::string sign_data(std::string_view data, const SecretKey& key, std::string_view trusted_comment,
                      std::string_view untrusted_comment) {
  (void)init_sodium();
  std::array<std::uint8_t, k_sig_bytes> raw{};
  raw[0] = 'E';
  raw[1] = 'D';
  std::memcpy(raw.data() + 2, key.key_id.data(), 8);
  auto h = blake2b_512(data);
  crypto_sign_detached(raw.data() + 10, nullptr, h.data(), h.size(), key.key.data());
  std::string global(reinterpret_cast<const char*>(raw.data() + 10), 64);
  global += trusted_comment;
  std::array<std::uint8_t, 64> gsig{};
  crypto_sign_detached(gsig.data(), nullptr, reinterpret_cast<const unsigned char*>(global.data()),
                       global.size(), key.key.data());
  return std::string(k_untrusted) + std::string(untrusted_comment) + "\n" +
         to_base64(raw.data(), raw.size()) + "\n" + std::string(k_trusted) +
         std::string(trusted_comment) + "\n" + to_base64(gsig.data(), gsig.size()) + "\n";
}

std::string sha256_hex(std::string_view data) {
  (void)init_sodium();
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  std::string out(h.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), h.data(), h.size());
  out.pop_back();
  return out;
}

bool namespace_covers(std::string_view space, std::string_view pack_id) {
  if (space == "*") return true;
  if (space.empty() || pack_id.size() < space.size()) return false;
  if (pack_id.substr(0, space.size()) != space) return false;
  return pack_id.size() == space.size() || pack_id[space.size()] == '.';
}

Result<TrustedKey> trusted_key_for(const KeyId& key_id, std::string_view pack_id,
                                   const std::vector<TrustedKey>& keys, std::string_view today) {
  bool managed_space = std::any_of(keys.begin(), keys.end(), [&](const TrustedKey& k) {
    return k.managed && namespace_covers(k.space, pack_id);
  });
  const TrustedKey* same_id = nullptr;
  for (const auto& k : keys) {
    if (k.key.key_id != key_id) continue;
    same_id = &k;
    if (!namespace_covers(k.space, pack_id)) continue;
    if (managed_space && !k.managed) continue;
    if (!k.not_after.empty() && (!is_date(today) || today > k.not_after)) {
      return make_error("signed by key " + key_id_hex(k.key.key_id) + " (" + k.name +
                        "), which expired on " + k.not_after);
    }
    return k;
  }
  std::string id = key_id_hex(key_id);
  if (same_id && !namespace_covers(same_id->space, pack_id)) {
    return make_error("signed by key " + id + " (" + same_id->name +
                      "), which is trusted only for " + same_id->space + ".*, not for pack " +
                      std::string(pack_id));
  }
  if (same_id) {
    return make_error("signed by key " + id + " (" + same_id->name +
                      "), but the managed policy reserves the namespace of " +
                      std::string(pack_id) + " for its own keys");
  }
  return make_error("signed by key " + id + ", which no policy trusts");
}

Result<TrustedKey> trusted_signer(std::string_view data, std::string_view sig_text,
                                  std::string_view pack_id, const std::vector<TrustedKey>& keys,
                                  std::string_view today) {
  auto sig = parse_signature(sig_text);
  if (!sig) return sig.error();
  auto key = trusted_key_for(sig->key_id, pack_id, keys, today);
  if (!key) return key.error();
  auto ok = verify_signature(*sig, key->key, data);
  if (!ok) return ok.error();
  return key;
}

}  // namespace blastwall::rules
