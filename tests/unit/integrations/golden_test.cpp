// Golden envelopes: tests/fixtures/agents/<agent>/<case>.<decision>.envelope.json are real-shaped
// envelopes of each agent; <case>.<decision>.expected.json holds the normalised actions and the
// exact answer for that decision. Refresh with UPDATE_GOLDEN=1 and review the diff.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <set>

#include "integrations/common/hook_runner.hpp"
#include "test_util.hpp"

namespace blastwall::integrations {
namespace {

namespace fs = std::filesystem;

const fs::path k_fixtures = fs::path(BLASTWALL_SOURCE_DIR) / "tests/fixtures/agents";

HookDeps deps_deciding(Decision d) {
  HookDeps deps;
  deps.evaluate = [d](const Action&) {
    Verdict v;
    v.decision = d;
    v.source = "rule";
    if (d != Decision::allow) {
      v.reason = "golden.rule: the golden reason";
      RuleMatch m;
      m.rule_id = "golden.rule";
      m.message = "the golden reason";
      m.remediation = "do the safe thing";
      m.decision = d;
      v.matches.push_back(m);
    }
    return v;
  };
  return deps;
}

struct Case {
  std::string agent;
  fs::path envelope;
  std::string decision;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const auto& dir : fs::directory_iterator(k_fixtures)) {
    if (!dir.is_directory() || !find_agent_spec(dir.path().filename().string())) continue;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      std::string name = f.path().filename().string();
      const std::string suffix = ".envelope.json";
      if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix)
        continue;
      std::string stem = name.substr(0, name.size() - suffix.size());
      std::string decision = stem.substr(stem.rfind('.') + 1);
      out.push_back({dir.path().filename().string(), f.path(), decision});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Case& a, const Case& b) { return a.envelope < b.envelope; });
  return out;
}

TEST(Golden, every_agent_has_allow_ask_and_deny_envelopes_for_shell_file_and_mcp) {
  std::map<std::string, std::set<std::string>> seen;
  for (const auto& c : cases()) seen[c.agent].insert(c.envelope.filename().string());
  for (const char* agent : {"claude", "cursor", "gemini", "codex", "vscode", "copilot"}) {
    for (const char* name :
         {"shell_allow.allow", "shell_ask.ask", "shell_deny.deny", "file_allow.allow",
          "file_deny.deny", "mcp_allow.allow", "mcp_ask.ask", "mcp_deny.deny"}) {
      EXPECT_TRUE(seen[agent].count(std::string(name) + ".envelope.json")) << agent << " " << name;
    }
  }
}

TEST(Golden, envelopes_normalise_and_answer_as_recorded) {
  bool update = std::getenv("UPDATE_GOLDEN") != nullptr;
  auto all = cases();
  ASSERT_GT(all.size(), 40u);
  for (const auto& c : all) {
    SCOPED_TRACE(c.envelope.string());
    const AgentSpec* spec = find_agent_spec(c.agent);
    auto d = parse_decision(c.decision);
    ASSERT_TRUE(d.has_value());
    std::string input = testing::slurp(c.envelope);
    ActionContext base;
    base.agent = c.agent;
    base.surface = "hook";
    base.home = "/home/user";
    HookEnvelope env = spec->parse(nlohmann::json::parse(input), base);
    ASSERT_TRUE(env.error.empty()) << env.error;
    ASSERT_FALSE(env.actions.empty());
    HookResult r = run_hook(*spec, input, base, deps_deciding(*d));

    // Behaviour first: the agent reads the intended decision (Codex has no ask: deny instead,
    // except in PermissionRequest, where an ask leaves Codex's own prompt in place).
    std::string expect = c.decision;
    if (c.agent == "codex" && expect == "ask") {
      expect = env.event == "PermissionRequest" ? "allow" : "deny";
    }
    if (c.agent == "claude" && env.event == "PermissionRequest" && expect != "deny")
      expect = "allow";
    EXPECT_EQ(testing::answer_decision(c.agent, r.answer.out, r.answer.exit_code), expect)
        << r.answer.out;
    EXPECT_EQ(r.answer.exit_code, 0);
    if (expect != "allow") {
      EXPECT_NE(r.answer.out.find("do the safe thing"), std::string::npos);
    }

    nlohmann::json actual;
    actual["event"] = env.event;
    actual["actions"] = nlohmann::json::array();
    for (const auto& a : env.actions) actual["actions"].push_back(to_json(a));
    actual["stdout"] = r.answer.out;
    actual["exit_code"] = r.answer.exit_code;
    fs::path expected_path = c.envelope;
    std::string fname = expected_path.filename().string();
    fname.replace(fname.rfind(".envelope.json"), 14, ".expected.json");
    expected_path.replace_filename(fname);
    if (update) {
      testing::spit(expected_path, actual.dump(2) + "\n");
      continue;
    }
    ASSERT_TRUE(fs::exists(expected_path))
        << "run with UPDATE_GOLDEN=1 to create " << expected_path;
    EXPECT_EQ(nlohmann::json::parse(testing::slurp(expected_path)),
              nlohmann::json::parse(actual.dump()));
  }
}

}  // namespace
}  // namespace blastwall::integrations
