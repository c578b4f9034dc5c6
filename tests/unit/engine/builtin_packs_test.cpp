// Headline verdicts with the shipped packs: what `make run` and the README promise.
#include <gtest/gtest.h>

#include "blastwall/engine.hpp"
#include "rules/pack/spec.hpp"
#include "tests/unit/engine/builtin_engine.hpp"
#include "tests/unit/test_actions.hpp"

namespace blastwall {
namespace {

using testing_support::shell_action;
Action shell(const std::string& cmd, std::map<std::string, std::string> env = {}) {
  return shell_action(cmd, std::move(env));
}

class BuiltinPacks : public testing_support::BuiltinEngineTest {};

TEST_F(BuiltinPacks, shipped_packs_load_and_have_rules) {
  size_t rules = 0;
  for (const auto& p : s_engine->packs()) rules += p.rules.size();
  EXPECT_GE(s_engine->packs().size(), 10u);
  EXPECT_GE(rules, 80u);
}

TEST_F(BuiltinPacks, home_wipe_is_denied) { EXPECT_EQ(decide(shell("rm -rf ~")), Decision::deny); }
TEST_F(BuiltinPacks, force_push_to_main_is_denied) {
  EXPECT_EQ(decide(shell("git push --force origin main")), Decision::deny);
  EXPECT_EQ(decide(shell("git push origin +main")), Decision::deny);
}
TEST_F(BuiltinPacks, prod_drop_table_is_denied) {
  EXPECT_EQ(decide(shell("psql \"$PROD_DATABASE_URL\" -c 'DROP TABLE users'")), Decision::deny);
}
TEST_F(BuiltinPacks, terraform_destroy_in_production_is_denied) {
  EXPECT_EQ(decide(shell("terraform destroy -auto-approve", {{"TF_WORKSPACE", "production"}})),
            Decision::deny);
}
TEST_F(BuiltinPacks, routine_work_is_allowed) {
  for (const char* c : {"git status", "ls -la", "rm -rf build/", "npm test", "kubectl get pods -A",
                        "terraform plan", "aws s3 ls --profile prod", "docker ps",
                        "grep -r \"DROP TABLE\" migrations/", "git commit -m \"remove rm -rf\""}) {
    auto v = s_engine->evaluate(shell(c));
    EXPECT_EQ(v.decision, Decision::allow) << c << ": " << v.reason;
  }
}

}  // namespace
}  // namespace blastwall
