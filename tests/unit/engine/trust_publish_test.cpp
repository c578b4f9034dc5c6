// Trust, publishing and routine-work facts end to end with the shipped packs: one fact whatever the
// surface (agent file tool, MCP file tool, shell), the fact named with its reason in the verdict,
// and bad input (non-UTF-8 paths, enormous or deeply nested MCP arguments) failing closed.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "blastwall/engine.hpp"
#include "tests/unit/engine/builtin_engine.hpp"
#include "tests/unit/test_actions.hpp"

namespace blastwall {
namespace {

using testing_support::test_context;
Action shell(const std::string& cmd) { return testing_support::shell_action(cmd); }

Action file(ActionKind kind, const std::string& path, const std::string& content = {},
            const std::string& old_content = {}) {
  Action a;
  a.kind = kind;
  a.ctx = test_context();
  a.path = path;
  a.content = content;
  a.old_content = old_content;
  return a;
}

Action mcp(const std::string& server, const std::string& tool, nlohmann::json args) {
  Action a;
  a.kind = ActionKind::mcp_call;
  a.ctx = test_context();
  a.mcp.server = server;
  a.mcp.tool = tool;
  a.mcp.arguments = std::move(args);
  return a;
}

class TrustPublish : public testing_support::BuiltinEngineTest {};

TEST_F(TrustPublish, git_hook_is_the_same_fact_on_every_surface) {
  const Action surfaces[] = {
      file(ActionKind::file_write, "/home/dev/project/.git/hooks/pre-commit", "#!/bin/sh\n"),
      mcp("filesystem", "write_file",
          {{"path", "/home/dev/project/.git/hooks/pre-commit"}, {"content", "#!/bin/sh\n"}}),
      shell("printf '#!/bin/sh\\n' > .git/hooks/pre-commit"),
      shell("cp scripts/pre-commit .git/hooks/pre-commit"),
      shell("tee .git/hooks/pre-commit < scripts/pre-commit"),
  };
  for (const auto& a : surfaces) {
    auto v = eval(a);
    EXPECT_EQ(v.decision, Decision::ask) << a.command << a.path;
    ASSERT_TRUE(v.facts.has("installs_code")) << a.command << a.path;
    EXPECT_NE(v.facts.flags.at("installs_code").front().find("git hook"), std::string::npos);
  }
}

TEST_F(TrustPublish, mcp_edit_of_package_json_judges_the_edit_not_the_file) {
  auto lifecycle = mcp("filesystem", "edit_file",
                       {{"path", "/home/dev/project/package.json"},
                        {"edits",
                         {{{"oldText", "\"scripts\": {"},
                           {"newText", "\"scripts\": {\n \"postinstall\": \"node b.js\","}}}}});
  auto v = eval(lifecycle);
  EXPECT_EQ(v.decision, Decision::ask);
  EXPECT_TRUE(v.facts.has("installs_code"));
  auto deps = mcp(
      "filesystem", "edit_file",
      {{"path", "/home/dev/project/package.json"},
       {"edits", {{{"oldText", "\"zod\": \"^3.22.0\""}, {"newText", "\"zod\": \"^3.23.8\""}}}}});
  EXPECT_EQ(eval(deps).decision, Decision::allow);
}

TEST_F(TrustPublish, sibling_repository_is_outside_the_project) {
  auto v = eval(file(ActionKind::file_write, "/home/dev/project-old/src/a.ts", "x"));
  EXPECT_EQ(v.decision, Decision::ask);
  EXPECT_TRUE(v.facts.has("outside_project_write"));
  EXPECT_EQ(eval(file(ActionKind::file_write, "/home/dev/project/src/a.ts", "x")).decision,
            Decision::allow);
  EXPECT_EQ(eval(file(ActionKind::file_write, "/tmp/x/a.ts", "x")).decision, Decision::allow);
}

TEST_F(TrustPublish, whole_repository_or_package_deletion_is_denied) {
  EXPECT_EQ(eval(shell("gh repo delete acme/shop --yes")).decision, Decision::deny);
  EXPECT_EQ(eval(shell("gh api -X DELETE /repos/acme/shop")).decision, Decision::deny);
  EXPECT_EQ(eval(shell("npm unpublish acme-cli --force")).decision, Decision::deny);
  EXPECT_EQ(eval(shell("gh api -X DELETE repos/acme/shop/git/refs/tags/v1")).decision,
            Decision::ask);
}

TEST_F(TrustPublish, verdict_names_fact_and_reason_in_json_and_explain) {
  auto a = shell("npm publish --access public");
  EngineOptions o;
  o.explain = true;
  auto v = s_engine->evaluate(a, o);
  ASSERT_TRUE(v.facts.has("publishes"));
  auto j = to_json(v);
  EXPECT_NE(j.dump().find("publishes"), std::string::npos);
  EXPECT_NE(v.reason.find("npm publish uploads the package"), std::string::npos) << v.reason;
  bool named = false;
  for (const auto& line : v.explanation)
    named = named || line.find("publishes (") != std::string::npos;
  EXPECT_TRUE(named);
}

TEST_F(TrustPublish, git_alias_text_is_analysed_as_the_shell_it_will_run) {
  auto v = eval(shell("git -c alias.x='!sh -c \"rm -rf ~\"' x"));
  EXPECT_EQ(v.decision, Decision::deny) << v.reason;
}

TEST_F(TrustPublish, non_utf8_paths_fail_closed) {
  const std::string bad = "/home/dev/project/\xff\xfe.txt";
  for (auto kind : {ActionKind::file_write, ActionKind::file_edit, ActionKind::file_delete}) {
    auto v = eval(file(kind, bad, "x"));
    EXPECT_NE(v.decision, Decision::allow);
    EXPECT_NO_THROW(
        (void)to_json(v).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  auto v = eval(mcp("filesystem", "write_file", {{"path", bad}, {"content", "x"}}));
  EXPECT_NE(v.decision, Decision::allow);
  EXPECT_NE(v.reason.find("UTF-8"), std::string::npos) << v.reason;
}

TEST_F(TrustPublish, enormous_and_deeply_nested_mcp_arguments_fail_closed) {
  auto huge =
      eval(mcp("filesystem", "write_file",
               {{"path", "/home/dev/project/a.txt"}, {"content", std::string(2u << 20, 'a')}}));
  EXPECT_NE(huge.decision, Decision::allow);
  auto long_path = eval(
      mcp("filesystem", "write_file", {{"path", "/home/dev/project/" + std::string(5000, 'a')}}));
  EXPECT_NE(long_path.decision, Decision::allow);
  nlohmann::json nested = {{"path", "/home/dev/project/.git/hooks/pre-commit"}};
  for (int i = 0; i < 200; ++i) nested = nlohmann::json{{"x", nested}};
  auto deep = eval(mcp("filesystem", "write_file", nested));
  EXPECT_NE(deep.decision, Decision::allow);
}

TEST_F(TrustPublish, routine_cleanup_is_allowed) {
  for (const char* cmd :
       {"rm -rf ~/.cache/pip", "rm -rf ~/.npm/_cacache", "rm -rf $HOME/.m2/repository",
        "find . -name __pycache__ -type d -exec rm -rf {} +", "find . -name '*.pyc' -delete",
        "node -e \"require('fs').rmSync('dist',{recursive:true,force:true})\"",
        "sqlite3 :memory: 'create table t(x); drop table t;'", "RAILS_ENV=test bin/rails db:reset",
        "docker image prune -f", "curl -s http://127.0.0.1:8765/api/pending"}) {
    auto v = eval(shell(cmd));
    EXPECT_EQ(v.decision, Decision::allow) << cmd << " -> " << v.reason;
  }
}

}  // namespace
}  // namespace blastwall
