#include "audit/redact.hpp"

#include <gtest/gtest.h>

#include <string>

using blastwall::audit::is_secret_name;
using blastwall::audit::redact_json;
using blastwall::audit::redact_text;

namespace {

// The secret must be gone and the kind must be named.
void expect_redacted(const std::string& in, const std::string& secret, const std::string& kind) {
  std::string out = redact_text(in);
  EXPECT_EQ(out.find(secret), std::string::npos) << in << " -> " << out;
  std::string marker = kind.empty() ? "[REDACTED:" : "[REDACTED:" + kind + "]";
  EXPECT_NE(out.find(marker), std::string::npos) << in << " -> " << out;
}

}  // namespace

TEST(Redact, github_tokens_are_redacted) {
  expect_redacted("git clone https://x/y --token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
                  "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "");
  expect_redacted("echo gho_AAAAAAAAAAAAAAAAAAAAAAAAAAAA", "gho_AAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                  "github_token");
  expect_redacted("echo github_pat_11ABCDEFG0123456789_abcdefghijklmnop",
                  "github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "github_token");
}

TEST(Redact, aws_keys_are_redacted) {
  expect_redacted("aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE",
                  "AKIAIOSFODNN7EXAMPLE", "aws_access_key");
  expect_redacted("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "secret_var");
  expect_redacted("AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY aws s3 ls",
                  "wJalrXUtnFEMI", "secret_var");
}

TEST(Redact, slack_openai_anthropic_google_tokens_are_redacted) {
  expect_redacted("curl -d token=xoxb-1234567890-abcdefghij https://slack.com",
                  "xoxb-1234567890-abcdefghij", "");
  expect_redacted("echo xoxp-1234567890-abcdefghij", "xoxp-1234567890-abcdefghij", "slack_token");
  expect_redacted("openai --key sk-proj-abcdefghijklmnopqrstuvwxyz123456",
                  "abcdefghijklmnopqrstuvwx", "api_key");
  expect_redacted("echo sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "abcdefghijklmnopqrstuvwxyz",
                  "api_key");
  expect_redacted("curl https://x?key=AIzaSyA1234567890abcdefghijklmnopqrstuv", "AIzaSyA1234567890",
                  "");
  expect_redacted("echo AIzaSyA1234567890abcdefghijklmnopqrstuv", "AIzaSyA1234567890",
                  "google_api_key");
}

TEST(Redact, jwt_and_bearer_and_authorization_headers_are_redacted) {
  std::string jwt =
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_"
      "XgL0n3I9PlFUP0THsR8U";
  expect_redacted("echo " + jwt, "dozjgNryP4J3jVmNHl0w5N", "jwt");
  expect_redacted("curl -H 'Authorization: Bearer abc.def.ghi123456' https://api",
                  "abc.def.ghi123456", "authorization");
  expect_redacted("curl -H 'Authorization: token 0123456789abcdef' https://api", "0123456789abcdef",
                  "authorization");
  expect_redacted("http GET api bearer s3cr3tvalue99", "s3cr3tvalue99", "bearer");
}

TEST(Redact, passwords_in_urls_are_redacted_keeping_user_and_host) {
  std::string out = redact_text("psql postgres://admin:hunter2@db.prod.internal:5432/app");
  EXPECT_EQ(out, "psql postgres://admin:[REDACTED:url_password]@db.prod.internal:5432/app");
  expect_redacted("git clone https://user:p%40ss@github.com/x/y", "p%40ss", "url_password");
}

TEST(Redact, password_flags_and_pgpassword_are_redacted) {
  expect_redacted("mysql -u root --password=hunter2 db", "hunter2", "password_flag");
  expect_redacted("mysql -u root --password hunter2 db", "hunter2", "password_flag");
  expect_redacted("mysql -u root -p'hunter2' db", "hunter2", "password_flag");
  expect_redacted("mysqldump -uroot -phunter2 db", "hunter2", "password_flag");
  expect_redacted("PGPASSWORD=hunter2 psql -h db", "hunter2", "secret_var");
  // -p is not a password outside the MySQL client family.
  EXPECT_EQ(redact_text("mkdir -p build && gcc -pthread x.c"),
            "mkdir -p build && gcc -pthread x.c");
}

TEST(Redact, private_key_blocks_are_redacted) {
  std::string key =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nAAAAbm9uZQ==\n-----END "
      "OPENSSH PRIVATE KEY-----\n";
  std::string out = redact_text("before\n" + key + "after");
  EXPECT_EQ(out, "before\n[REDACTED:private_key]\nafter");
  // An unterminated block is redacted to the end.
  expect_redacted("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA", "MIIEowIBAAKCAQEA",
                  "private_key");
}

TEST(Redact, secret_looking_variables_are_redacted_in_assignments_and_text) {
  expect_redacted("GITHUB_TOKEN=abc123 gh pr list", "abc123", "secret_var");
  expect_redacted("export STRIPE_SECRET='s3cr3t'", "s3cr3t", "secret_var");
  expect_redacted("docker run -e DB_PASS=pa55word img", "pa55word", "secret_var");
  expect_redacted("echo API_KEY=zzz999 >> .env", "zzz999", "secret_var");
  expect_redacted("db:\n  password: hunter2\n", "hunter2", "secret_var");
  expect_redacted(R"({"client_secret": "abcd1234"})", "abcd1234", "secret_var");
  // Not secret-looking: left alone.
  EXPECT_EQ(redact_text("max_tokens=100 FOO=bar ls -la"), "max_tokens=100 FOO=bar ls -la");
}

TEST(Redact, secret_names_are_recognised) {
  EXPECT_TRUE(is_secret_name("GITHUB_TOKEN"));
  EXPECT_TRUE(is_secret_name("aws_secret_access_key"));
  EXPECT_TRUE(is_secret_name("PGPASSWORD"));
  EXPECT_TRUE(is_secret_name("db-password-file"));
  EXPECT_TRUE(is_secret_name("SMTP_PASS"));
  EXPECT_TRUE(is_secret_name("API_KEY"));
  EXPECT_TRUE(is_secret_name("Authorization"));
  EXPECT_FALSE(is_secret_name("PWD"));
  EXPECT_FALSE(is_secret_name("AWS_PROFILE"));
  EXPECT_FALSE(is_secret_name("max_tokens"));
  EXPECT_FALSE(is_secret_name("path"));
}

TEST(Redact, json_values_under_secret_keys_and_nested_strings_are_redacted) {
  nlohmann::json j = {{"command", "curl -u admin:pw https://user:hunter2@example.com"},
                      {"env", {{"GITHUB_TOKEN", "plain-value-1"}, {"AWS_PROFILE", "prod"}}},
                      {"arguments",
                       {{"headers", {{"Authorization", "Basic Zm9vOmJhcg=="}}},
                        {"api_key", 12345},
                        {"list", {"ok", "xoxb-1234567890-abcdefghij"}}}}};
  auto r = redact_json(j);
  std::string text = r.dump();
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_EQ(text.find("plain-value-1"), std::string::npos) << text;
  EXPECT_EQ(text.find("Zm9vOmJhcg"), std::string::npos) << text;
  EXPECT_EQ(text.find("12345"), std::string::npos) << text;
  EXPECT_EQ(text.find("xoxb-1234567890"), std::string::npos) << text;
  EXPECT_EQ(r["env"]["AWS_PROFILE"], "prod");
  EXPECT_EQ(r["env"]["GITHUB_TOKEN"], "[REDACTED:secret_var]");
  EXPECT_EQ(r["arguments"]["list"][0], "ok");
}

TEST(Redact, redaction_is_idempotent) {
  std::string once = redact_text("GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789 x");
  EXPECT_EQ(redact_text(once), once);
}
