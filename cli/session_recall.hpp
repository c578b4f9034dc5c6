// Session memory for hooks and `check`: the session's recent rows of the audit log are what the
// engine is told about earlier calls (ActionContext::recent). The same path serves the resident
// engine (pooled audit connection) and the in-process fallback, so both decide alike.
#pragma once

#include "audit/audit_log.hpp"
#include "blastwall/action.hpp"
#include "blastwall/policy.hpp"

namespace blastwall::cli {

// Sets action.ctx.now_us and, when the action names a session and carries no recent list yet,
// fills action.ctx.recent from the log's rows of the same agent and session inside the policy's
// window (at most k_session_memory_entries rows). A log that cannot be read leaves it empty.
void recall_session(Action& action, const Policy& policy, const audit::AuditLog* log);

}  // namespace blastwall::cli
