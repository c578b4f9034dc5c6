// The dashboard's login token: 32 random bytes (libsodium), hex, in <state dir>/ui-token, mode
// 0600. The human gets it through the URL `blastwall ui` prints; the agent cannot read the file
// (self-protection denies it, rules/packs/self-protection.yaml core.self.ui-token-read) and it is
// never put in any environment.
#pragma once

#include <string>

#include "blastwall/result.hpp"

namespace blastwall::ui {

inline constexpr const char* k_token_file = "ui-token";

// Reads the token, creating the file (and the 0700 directory) when missing. Refuses a file that
// is not a regular file owned by this user, is readable by group or others, or holds no token.
[[nodiscard]] Result<std::string> load_or_create_token(const std::string& state_dir);

// Constant-time comparison (sodium_memcmp); false when the lengths differ.
[[nodiscard]] bool token_equal(const std::string& a, const std::string& b);

// 2*bytes hex characters of libsodium randomness (session ids, CSRF tokens).
[[nodiscard]] std::string random_hex(size_t bytes);

}  // namespace blastwall::ui
