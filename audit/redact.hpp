// Secret redaction for audit rows. Every string that reaches the audit log passes through here:
// tokens (GitHub, AWS, Slack, OpenAI/Anthropic, Google, JWT, Bearer/Authorization), passwords in
// URLs and on command lines (--password X, mysql -pX, PGPASSWORD=X), private key blocks, and the
// values of secret-looking variables (*_TOKEN, *_SECRET, *_KEY, *PASSWORD*, *_PASS, API_KEY) in
// assignments, env maps and JSON keys. A secret becomes `[REDACTED:<kind>]`.
// Thread-safety: the compiled patterns are immutable; all functions are safe to call concurrently.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace blastwall::audit {

// Redacts the secrets inside one free-form string (a command line, file content, a URL, ...).
[[nodiscard]] std::string redact_text(std::string_view text);

// True when a variable or JSON key name looks like it holds a secret (GITHUB_TOKEN, db_password,
// api_key, AWS_SECRET_ACCESS_KEY, ...).
[[nodiscard]] bool is_secret_name(std::string_view name);

// Returns a copy of `j` in which every string is redacted with redact_text, and every string value
// under a secret-looking key (env maps, MCP arguments, nested objects) is replaced whole by
// `[REDACTED:secret_var]`.
[[nodiscard]] nlohmann::json redact_json(const nlohmann::json& j);

}  // namespace blastwall::audit
