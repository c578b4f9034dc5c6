#include <gtest/gtest.h>

#include "integrations/common/agent.hpp"

namespace blastwall::integrations {
namespace {

std::vector<Action> actions_of(std::string_view tool, const nlohmann::json& input,
                               const std::string& cwd = "/w") {
  ActionContext ctx;
  ctx.cwd = cwd;
  std::vector<Action> out;
  std::string err;
  EXPECT_TRUE(tool_to_actions(tool, input, ctx, out, err)) << err;
  return out;
}

TEST(Normalize, mcp_names_split_for_claude_and_gemini_styles) {
  std::string s, t;
  ASSERT_TRUE(split_mcp_tool_name("mcp__github__create_issue", s, t));
  EXPECT_EQ(s, "github");
  EXPECT_EQ(t, "create_issue");
  ASSERT_TRUE(split_mcp_tool_name("mcp__plugin_x_fs__read", s, t));
  EXPECT_EQ(s, "plugin_x_fs");
  EXPECT_EQ(t, "read");
  ASSERT_TRUE(split_mcp_tool_name("mcp_sqlite_read_query", s, t));
  EXPECT_EQ(s, "sqlite");
  EXPECT_EQ(t, "read_query");
  EXPECT_FALSE(split_mcp_tool_name("mcp__srv", s, t));
  EXPECT_FALSE(split_mcp_tool_name("Bash", s, t));
}

TEST(Normalize, mcp_arguments_are_carried_verbatim) {
  auto a = actions_of("mcp__pg__query", {{"sql", "DROP TABLE users"}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, ActionKind::mcp_call);
  EXPECT_EQ(a[0].mcp.arguments["sql"], "DROP TABLE users");
}

TEST(Normalize, multiedit_joins_every_edit) {
  auto a = actions_of(
      "MultiEdit",
      {{"file_path", "/w/a.c"},
       {"edits",
        {{{"old_string", "a"}, {"new_string", "b"}}, {{"old_string", "c"}, {"new_string", "d"}}}}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, ActionKind::file_edit);
  EXPECT_EQ(a[0].content, "b\nd");
  EXPECT_EQ(a[0].old_content, "a\nc");
}

TEST(Normalize, relative_paths_resolve_against_cwd) {
  auto a = actions_of("write_file", {{"file_path", "../x/y.txt"}, {"content", "z"}}, "/w/sub");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].path, "/w/x/y.txt");
}

TEST(Normalize, gemini_shell_dir_path_becomes_the_actions_cwd) {
  auto a = actions_of("run_shell_command", {{"command", "ls"}, {"dir_path", "sub"}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].ctx.cwd, "/w/sub");
}

TEST(Normalize, codex_command_arrays_are_quoted_back_into_a_line) {
  auto a = actions_of("Bash", {{"command", {"bash", "-lc", "rm -rf ~"}}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].command, "bash -lc 'rm -rf ~'");
}

TEST(Normalize, apply_patch_yields_one_action_per_file_including_moves) {
  ActionContext ctx;
  ctx.cwd = "/w";
  auto a = patch_to_actions(
      "*** Begin Patch\n*** Update File: src/a.py\n*** Move to: src/b.py\n@@\n-x = 1\n+x = 2\n*** "
      "Add File: /etc/cron.d/job\n+* * * * * root sh\n*** End Patch\n",
      ctx);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_EQ(a[0].kind, ActionKind::file_edit);
  EXPECT_EQ(a[0].path, "/w/src/a.py");
  EXPECT_EQ(a[1].kind, ActionKind::file_delete);
  EXPECT_EQ(a[1].path, "/w/src/a.py");
  EXPECT_EQ(a[2].kind, ActionKind::file_write);
  EXPECT_EQ(a[2].path, "/w/src/b.py");
  EXPECT_EQ(a[2].content, "x = 2");
  EXPECT_EQ(a[3].path, "/etc/cron.d/job");
  EXPECT_EQ(a[3].content, "* * * * * root sh");
}

TEST(Normalize, web_fetch_finds_urls_in_gemini_prompts) {
  auto a = actions_of("web_fetch", {{"prompt", "Summarise https://example.com/a and http://x.io"}});
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].url, "https://example.com/a");
  EXPECT_EQ(a[1].url, "http://x.io");
}

TEST(Normalize, reads_and_greps_with_paths_are_file_reads) {
  auto a = actions_of("Grep", {{"pattern", "key"}, {"path", "/home/u/.ssh"}});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].kind, ActionKind::file_read);
  EXPECT_EQ(a[0].path, "/home/u/.ssh");
  EXPECT_TRUE(actions_of("Grep", {{"pattern", "key"}}).empty());
}

TEST(Normalize, copilot_tool_args_json_string_is_parsed) {
  const AgentSpec* spec = find_agent_spec("copilot");
  nlohmann::json env = {
      {"cwd", "/w"}, {"toolName", "bash"}, {"toolArgs", R"({"command":"git push --force"})"}};
  auto e = spec->parse(env, ActionContext{});
  ASSERT_TRUE(e.error.empty());
  ASSERT_EQ(e.actions.size(), 1u);
  EXPECT_EQ(e.actions[0].command, "git push --force");
  env["toolArgs"] = "{broken";
  EXPECT_FALSE(spec->parse(env, ActionContext{}).error.empty());
}

TEST(Normalize, hook_command_line_quotes_paths_with_spaces) {
  EXPECT_EQ(hook_command_line("/usr/local/bin/blastwall", "claude"),
            "/usr/local/bin/blastwall hook claude");
  EXPECT_EQ(hook_command_line("/Users/a b/blastwall", "cursor"),
            "'/Users/a b/blastwall' hook cursor");
}

}  // namespace
}  // namespace blastwall::integrations
