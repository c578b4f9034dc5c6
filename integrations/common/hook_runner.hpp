// Runs one hook call: envelope text in, the agent's answer out. Collaborators (engine, audit) are
// passed in so tests can drive it without a database or real rules. Never throws; every failure
// becomes the fail-closed answer in the agent's own format.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "blastwall/action.hpp"
#include "blastwall/result.hpp"
#include "blastwall/verdict.hpp"
#include "integrations/common/agent.hpp"

namespace blastwall::integrations {

inline constexpr size_t k_max_envelope_bytes = 4u << 20;
inline constexpr size_t k_max_reason_bytes = 2000;  // Claude caps hook output at 10k characters

struct HookDeps {
  // Evaluates one action. Must not throw (the runner catches anyway).
  std::function<Verdict(const Action&)> evaluate;
  // Completes an action's context (project root, branch) from its cwd; may be empty.
  std::function<void(ActionContext&)> complete_context;
  // Records one evaluation; an error makes the call fail closed. May be empty (no audit).
  std::function<Result<bool>(const Action&, const Verdict&, uint64_t latency_us)> record;
  Decision fail_closed = Decision::ask;     // internal errors, malformed input
  Decision no_native_ask = Decision::deny;  // an ask where the host cannot ask
};

struct HookResult {
  HookAnswer answer;
  Decision verdict = Decision::allow;   // the engine's (or fail-closed) decision
  Decision enforced = Decision::allow;  // what the answer enforces after the no-ask fallback
  size_t actions = 0;
  std::string reason;
};

[[nodiscard]] HookResult run_hook(const AgentSpec& spec, std::string_view input,
                                  const ActionContext& base, const HookDeps& deps);

// The answer for an error before or outside evaluation (bad input, timeout, crash).
[[nodiscard]] HookAnswer fail_closed_answer(const AgentSpec& spec, std::string_view event,
                                            const HookDeps& deps, const std::string& why);

// One paragraph for the agent: what was decided, why (rule ids), and what to do instead.
[[nodiscard]] std::string format_reason(const Verdict& v, std::string_view agent_title,
                                        bool fallback_from_ask);
[[nodiscard]] std::string truncate_utf8(std::string s, size_t max_bytes);

}  // namespace blastwall::integrations
