#include "integrations/common/toml_mcp.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace blastwall::integrations {
namespace {

TEST(TomlMcp, finds_servers_with_command_and_multiline_args) {
  const std::string t =
      "model = \"gpt-5\"\n# comment\n[mcp_servers.fs]\ncommand = \"npx\" # launcher\nargs = [\n  "
      "\"-y\", # pkg\n  '@mcp/fs',\n]\n\n[mcp_servers.fs.env]\nX = \"1\"\n[mcp_servers.\"my "
      "srv\"]\n"
      "command = 'uvx'\n[other]\ncommand = \"nope\"\n";
  auto s = scan_toml_mcp_servers(t);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].name, "fs");
  EXPECT_EQ(s[0].command, "npx");
  ASSERT_TRUE(s[0].has_args);
  EXPECT_EQ(s[0].args, (std::vector<std::string>{"-y", "@mcp/fs"}));
  EXPECT_EQ(t.substr(s[0].command_begin, s[0].command_end - s[0].command_begin), "\"npx\"");
  EXPECT_EQ(t[s[0].args_end - 1], ']');
  EXPECT_EQ(s[1].name, "my srv");
  EXPECT_EQ(s[1].command, "uvx");
  EXPECT_FALSE(s[1].has_args);
}

TEST(TomlMcp, escapes_round_trip) {
  const std::string t = "[mcp_servers.a]\ncommand = " + toml_string("c:\\x \"q\"\n") + "\n";
  auto s = scan_toml_mcp_servers(t);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].command, "c:\\x \"q\"\n");
}

TEST(TomlMcp, control_characters_are_escaped_and_utf8_kept) {
  EXPECT_EQ(toml_string(std::string("a\x01\x7f\tb")), "\"a\\u0001\\u007f\\tb\"");
  EXPECT_EQ(toml_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  // The same literal is valid JSON and decodes to the input.
  const std::string raw = std::string("q\"\\\n\r\x1f\x7fz");
  EXPECT_EQ(nlohmann::json::parse(toml_string(raw)).get<std::string>(), raw);
}

TEST(TomlMcp, multiline_string_command_is_unsupported_not_misread) {
  auto s = scan_toml_mcp_servers("[mcp_servers.a]\ncommand = \"\"\"npx\"\"\"\n");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_TRUE(s[0].unsupported);
  EXPECT_FALSE(s[0].has_command);
}

}  // namespace
}  // namespace blastwall::integrations
