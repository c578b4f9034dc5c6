// Hashes and identifiers for approvals and pins. SHA-256 and randomness come from libsodium.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace blastwall::proxy {

// Canonical JSON text: object keys sorted, no insignificant whitespace (nlohmann's dump of a
// parsed value). Equal JSON values give equal text.
[[nodiscard]] std::string canonical_json(const nlohmann::json& value);

[[nodiscard]] std::string sha256_hex(std::string_view data);

// Digest an approval is bound to: SHA-256 over server, tool and canonical arguments.
[[nodiscard]] std::string call_digest(std::string_view server, std::string_view tool,
                                      const nlohmann::json& arguments);

// Digest of a tool's canonical definition (name, title, description, inputSchema, outputSchema,
// annotations) as listed by tools/list.
[[nodiscard]] std::string tool_definition_digest(const nlohmann::json& tool);

// Short unguessable id (10 chars of a 32-letter alphabet: 50 random bits), e.g. "k7m2qx9d4a".
[[nodiscard]] std::string random_id();

// Spec defaults filled in for missing hints: readOnly false, destructive true, idempotent false,
// openWorld true. Unknown or ill-typed values fall back to the defaults too.
[[nodiscard]] nlohmann::json annotations_with_defaults(const nlohmann::json& tool);

}  // namespace blastwall::proxy
