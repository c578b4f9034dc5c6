#include "integrations/common/hook_runner.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "test_util.hpp"

namespace blastwall::integrations {
namespace {

using testing::answer_decision;

HookDeps deciding(Decision d, int* calls = nullptr) {
  HookDeps deps;
  deps.evaluate = [d, calls](const Action&) {
    if (calls) ++*calls;
    Verdict v;
    v.decision = d;
    v.reason = "because";
    return v;
  };
  return deps;
}

ActionContext base_for(std::string_view agent) {
  ActionContext c;
  c.agent = agent;
  c.surface = "hook";
  return c;
}

const char* k_bash_rm =
    R"({"session_id":"s1","cwd":"/w","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf ~"},"tool_use_id":"t"})";

TEST(HookRunner, malformed_json_fails_closed_in_the_agents_format) {
  for (const char* agent : {"claude", "cursor", "gemini", "codex", "vscode", "copilot"}) {
    const AgentSpec* spec = find_agent_spec(agent);
    int calls = 0;
    auto r = run_hook(*spec, "{not json", base_for(agent), deciding(Decision::allow, &calls));
    std::string d = answer_decision(agent, r.answer.out, r.answer.exit_code);
    EXPECT_TRUE(d == "ask" || d == "deny") << agent << ": " << r.answer.out;
    if (std::string(agent) == "codex") {
      EXPECT_EQ(d, "deny");  // Codex has no ask in PreToolUse
    }
    EXPECT_EQ(r.answer.exit_code, 0) << agent;
    EXPECT_EQ(calls, 0);
    EXPECT_NE(r.answer.err.find("not valid JSON"), std::string::npos);
  }
}

TEST(HookRunner, empty_input_and_wrong_shapes_fail_closed) {
  const AgentSpec* spec = find_agent_spec("claude");
  for (const char* input :
       {"", "[]", "42", R"({"hook_event_name":"PreToolUse"})",
        R"({"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":7}})",
        R"({"hook_event_name":"PreToolUse","tool_name":"Write","tool_input":{}})"}) {
    auto r = run_hook(*spec, input, base_for("claude"), deciding(Decision::allow));
    EXPECT_EQ(answer_decision("claude", r.answer.out, r.answer.exit_code), "ask") << input;
  }
}

TEST(HookRunner, oversize_input_fails_closed_without_parsing) {
  const AgentSpec* spec = find_agent_spec("gemini");
  std::string big(k_max_envelope_bytes + 1, ' ');
  auto r = run_hook(*spec, big, base_for("gemini"), deciding(Decision::allow));
  EXPECT_EQ(answer_decision("gemini", r.answer.out, r.answer.exit_code), "ask");
}

TEST(HookRunner, evaluator_exception_fails_closed) {
  const AgentSpec* spec = find_agent_spec("claude");
  HookDeps deps;
  deps.evaluate = [](const Action&) -> Verdict { throw std::runtime_error("boom"); };
  auto r = run_hook(*spec, k_bash_rm, base_for("claude"), deps);
  EXPECT_EQ(answer_decision("claude", r.answer.out, r.answer.exit_code), "ask");
  EXPECT_NE(r.answer.err.find("boom"), std::string::npos);
}

TEST(HookRunner, audit_failure_turns_allow_into_fail_closed) {
  const AgentSpec* spec = find_agent_spec("claude");
  auto deps = deciding(Decision::allow);
  deps.record = [](const Action&, const Verdict&, uint64_t) -> Result<bool> {
    return make_error("disk full");
  };
  auto r = run_hook(*spec, k_bash_rm, base_for("claude"), deps);
  EXPECT_EQ(answer_decision("claude", r.answer.out, r.answer.exit_code), "ask");
  EXPECT_NE(r.answer.out.find("audit log"), std::string::npos);
}

TEST(HookRunner, every_evaluation_is_recorded_with_the_hook_surface) {
  const AgentSpec* spec = find_agent_spec("codex");
  std::vector<std::string> recorded;
  auto deps = deciding(Decision::allow);
  deps.record = [&recorded](const Action& a, const Verdict&, uint64_t) -> Result<bool> {
    recorded.push_back(a.ctx.surface + ":" + a.path);
    return true;
  };
  std::string patch =
      "*** Begin Patch\n*** Add File: a.txt\n+hi\n*** Update File: /w/b.txt\n@@\n-old\n+new\n*** "
      "Delete File: c.txt\n*** End Patch\n";
  nlohmann::json env = {{"hook_event_name", "PreToolUse"},
                        {"cwd", "/w"},
                        {"tool_name", "apply_patch"},
                        {"tool_input", {{"command", patch}}}};
  auto r = run_hook(*spec, env.dump(), base_for("codex"), deps);
  EXPECT_EQ(r.actions, 3u);
  EXPECT_EQ(recorded,
            (std::vector<std::string>{"hook:/w/a.txt", "hook:/w/b.txt", "hook:/w/c.txt"}));
  EXPECT_EQ(r.answer.out, "");  // Codex: no output is "no objection"
}

TEST(HookRunner, most_restrictive_action_wins) {
  const AgentSpec* spec = find_agent_spec("codex");
  HookDeps deps;
  deps.evaluate = [](const Action& a) {
    Verdict v;
    v.decision = a.kind == ActionKind::file_delete ? Decision::deny : Decision::allow;
    v.reason = "deleting " + a.path;
    return v;
  };
  nlohmann::json env = {
      {"hook_event_name", "PreToolUse"},
      {"cwd", "/w"},
      {"tool_name", "apply_patch"},
      {"tool_input",
       {{"command", "*** Begin Patch\n*** Add File: a\n+x\n*** Delete File: b\n*** End Patch"}}}};
  auto r = run_hook(*spec, env.dump(), base_for("codex"), deps);
  EXPECT_EQ(answer_decision("codex", r.answer.out, r.answer.exit_code), "deny");
  EXPECT_NE(r.answer.out.find("deleting /w/b"), std::string::npos);
}

TEST(HookRunner, codex_ask_falls_back_to_deny_with_instructions_or_to_allow_when_configured) {
  const AgentSpec* spec = find_agent_spec("codex");
  auto deps = deciding(Decision::ask);
  auto r = run_hook(*spec, k_bash_rm, base_for("codex"), deps);
  EXPECT_EQ(answer_decision("codex", r.answer.out, r.answer.exit_code), "deny");
  EXPECT_NE(r.answer.out.find("cannot ask here"), std::string::npos);
  EXPECT_NE(r.answer.out.find("let them run it themselves"), std::string::npos);
  EXPECT_EQ(r.verdict, Decision::ask);
  EXPECT_EQ(r.enforced, Decision::deny);
  deps.no_native_ask = Decision::allow;
  r = run_hook(*spec, k_bash_rm, base_for("codex"), deps);
  EXPECT_EQ(r.answer.out, "");
}

TEST(HookRunner, cursor_read_file_has_no_ask_so_ask_becomes_deny) {
  const AgentSpec* spec = find_agent_spec("cursor");
  const char* env =
      R"({"hook_event_name":"beforeReadFile","conversation_id":"c","workspace_roots":["/w"],"file_path":"/w/.env","content":"X=1"})";
  auto r = run_hook(*spec, env, base_for("cursor"), deciding(Decision::ask));
  EXPECT_EQ(answer_decision("cursor", r.answer.out, r.answer.exit_code), "deny");
  auto j = nlohmann::json::parse(r.answer.out);
  EXPECT_EQ(j["agent_message"], j["agentMessage"]);
  EXPECT_EQ(j["user_message"], j["userMessage"]);
}

TEST(HookRunner, unguarded_tools_and_other_events_are_not_evaluated) {
  const AgentSpec* spec = find_agent_spec("claude");
  int calls = 0;
  auto r = run_hook(
      *spec,
      R"({"hook_event_name":"PreToolUse","tool_name":"TodoWrite","tool_input":{"todos":[]}})",
      base_for("claude"), deciding(Decision::deny, &calls));
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(r.answer.out, "{}\n");
  r = run_hook(
      *spec,
      R"({"hook_event_name":"PostToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf ~"}})",
      base_for("claude"), deciding(Decision::deny, &calls));
  EXPECT_EQ(calls, 0);
}

TEST(HookRunner, long_reasons_are_truncated_so_the_answer_stays_valid_json) {
  const AgentSpec* spec = find_agent_spec("claude");
  HookDeps deps;
  deps.evaluate = [](const Action&) {
    Verdict v;
    v.decision = Decision::deny;
    v.reason = std::string(50000, 'x') + "\xc3\xa9";
    return v;
  };
  auto r = run_hook(*spec, k_bash_rm, base_for("claude"), deps);
  EXPECT_LT(r.answer.out.size(), 10000u);
  EXPECT_EQ(answer_decision("claude", r.answer.out, r.answer.exit_code), "deny");
}

TEST(HookRunner, unknown_tool_with_a_command_is_treated_as_shell) {
  const AgentSpec* spec = find_agent_spec("claude");
  std::vector<Action> seen;
  HookDeps deps;
  deps.evaluate = [&seen](const Action& a) {
    seen.push_back(a);
    return Verdict{};
  };
  auto r = run_hook(
      *spec,
      R"({"hook_event_name":"PreToolUse","cwd":"/w","tool_name":"SomeNewShell","tool_input":{"command":"rm -rf /"}})",
      base_for("claude"), deps);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].kind, ActionKind::shell_exec);
  EXPECT_EQ(seen[0].command, "rm -rf /");
  EXPECT_EQ(seen[0].ctx.cwd, "/w");
  EXPECT_EQ(seen[0].ctx.tool, "SomeNewShell");
}

}  // namespace
}  // namespace blastwall::integrations
