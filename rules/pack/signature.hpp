// Pack signatures in the minisign format (Ed25519 via libsodium), so a security team can sign packs
// with blastwall or with the stock `minisign` tool and either can verify (docs/RULES.md
// "Distributing packs"). Pure: bytes in, bytes out; no file system, no clock (key expiry is
// decided by the caller, which passes today's date). Thread-safe (libsodium is initialised once).
//
// Formats (all text files, base64 lines):
//   public key  "untrusted comment: ..." / base64("Ed" | key id (8) | Ed25519 public key (32))
//   secret key  "untrusted comment: ..." / base64("Ed" | kdf "Sc" or 0,0 | "B2" | salt (32) |
//               opslimit (8, LE) | memlimit (8, LE) | key id (8) | secret key (64) | checksum (32))
//               where the last 104 bytes are XORed with a scrypt stream when kdf is "Sc", and the
//               checksum is BLAKE2b-256("Ed" | key id | secret key)
//   signature   "untrusted comment: ..." / base64("Ed" or "ED" | key id (8) | signature (64)) /
//               "trusted comment: TEXT" / base64(Ed25519 signature of (signature (64) | TEXT))
//               "ED" signs BLAKE2b-512 of the data (minisign's default); "Ed" signs the data.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "blastwall/result.hpp"

namespace blastwall::rules {

using KeyId = std::array<std::uint8_t, 8>;

struct PublicKey {
  KeyId key_id{};
  std::array<std::uint8_t, 32> key{};
};

struct SecretKey {
  KeyId key_id{};
  std::array<std::uint8_t, 64> key{};  // libsodium's Ed25519 secret key (seed | public key)
};

struct Signature {
  bool prehashed = true;  // "ED" (BLAKE2b-512 of the data) or legacy "Ed" (the data itself)
  KeyId key_id{};
  std::array<std::uint8_t, 64> sig{};
  std::string trusted_comment;  // without the "trusted comment: " prefix
  std::array<std::uint8_t, 64> global_sig{};
};

// minisign's display form of a key id: 16 upper-case hex digits of the id read little-endian.
[[nodiscard]] std::string key_id_hex(const KeyId& id);

// A public key file's text, or just its base64 line ("RWQ...").
[[nodiscard]] Result<PublicKey> parse_public_key(std::string_view text);
// The public key file text blastwall writes (and minisign reads).
[[nodiscard]] std::string public_key_text(const PublicKey& key);
// The base64 line alone (what a policy's trusted_keys entry holds).
[[nodiscard]] std::string public_key_base64(const PublicKey& key);

// A minisign secret key file. Unencrypted keys (minisign -W, blastwall's own) need no password;
// scrypt-encrypted ones need it (a wrong password fails the checksum).
[[nodiscard]] Result<SecretKey> parse_secret_key(std::string_view text, std::string_view password);
// An unencrypted secret key file (kdf 0,0), readable by `minisign -S -s FILE`.
[[nodiscard]] std::string secret_key_text(const SecretKey& key);

struct KeyPair {
  PublicKey public_key;
  SecretKey secret_key;
};
[[nodiscard]] KeyPair generate_key_pair();
[[nodiscard]] PublicKey public_of(const SecretKey& key);

[[nodiscard]] Result<Signature> parse_signature(std::string_view text);

// Checks the key id, the signature over the data and the signature over the trusted comment.
// The error says which of them failed.
[[nodiscard]] Result<bool> verify_signature(const Signature& sig, const PublicKey& key,
                                            std::string_view data);

// A prehashed ("ED") signature file over data, as `minisign -S` writes it.
[[nodiscard]] std::string sign_data(std::string_view data, const SecretKey& key,
                                    std::string_view trusted_comment,
                                    std::string_view untrusted_comment);

// Lower-case hex SHA-256 of data (the lockfile's pin).
[[nodiscard]] std::string sha256_hex(std::string_view data);

// One entry of a policy's `packs.trusted_keys`, with the key already parsed.
struct TrustedKey {
  std::string name;   // who the key belongs to ("acme-security")
  std::string space;  // namespace: pack ids equal to it or under it ("com.acme"); "*" = any
  PublicKey key;
  std::string not_after;  // YYYY-MM-DD (UTC, inclusive) or empty = no expiry
  bool managed = false;   // declared by the managed tier (see trusted_signer)
};

// Whether a namespace covers a pack id: "com.acme" covers com.acme and com.acme.*; "*" covers all.
[[nodiscard]] bool namespace_covers(std::string_view space, std::string_view pack_id);

// The trusted key that signed `data` (a pack with id `pack_id`), given the signature file text and
// today's date (YYYY-MM-DD, UTC). Only keys whose namespace covers the pack id count, and when
// any managed key covers it only managed keys do (a user key may not sign for the organisation's
// namespace). Errors name the reason: malformed or truncated signature, unknown key id, key for
// another namespace, expired key, bad signature.
// The trust decision alone (namespace, managed reservation, expiry) for a key id: what a
// signature by that key would be worth today, without the cryptography (trusted_signer does both).
[[nodiscard]] Result<TrustedKey> trusted_key_for(const KeyId& key_id, std::string_view pack_id,
                                                 const std::vector<TrustedKey>& keys,
                                                 std::string_view today);

[[nodiscard]] Result<TrustedKey> trusted_signer(std::string_view data, std::string_view sig_text,
                                                std::string_view pack_id,
                                                const std::vector<TrustedKey>& keys,
                                                std::string_view today);

}  // namespace blastwall::rules
