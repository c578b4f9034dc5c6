// A human's answer to a queued approval, shared by `blastwall approve|deny` and the dashboard
// (`blastwall ui`), so both have the same single-use, argument-bound semantics and leave the same
// audit trail.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "blastwall/result.hpp"
#include "proxy/approvals.hpp"

namespace blastwall::proxy {

struct HumanDecision {
  std::string id;
  bool approve = false;
  std::string who;       // e.g. "alice on /dev/pts/3", "alice via dashboard"
  std::string channel;   // audit channel: cli, dashboard
  std::string tool;      // audit tool column: "blastwall approve", "blastwall ui"
  int64_t ttl_ms = 0;    // approve: how long the approval stays usable
  std::string audit_db;  // empty = default audit path
};

// What a human did through a blastwall command (approve, deny, pins accept), as the audit row
// of an MCP call by agent `human` (surface cli) plus its approval event. Best effort: the state
// change already happened; a log that cannot be opened only loses this row.
struct HumanAuditRow {
  std::string audit_db;  // empty = default audit path
  std::string server, tool;
  nlohmann::json arguments = nlohmann::json::object();
  std::string command;  // audit tool column: "blastwall approve", "blastwall ui", ...
  bool allowed = true;  // approve/accept = allow, deny = deny
  std::string reason, channel, who;
};
void audit_human_action(const HumanAuditRow& r);

// pending -> approved (usable once until now + ttl) or denied, then an audit row (surface cli,
// agent human) with its approval event. Errors: unknown id, not pending (the message names the
// current state), store failure. An audit failure does not undo the decision (the store is the
// authority; the proxy audits the call's own approval row when it runs).
[[nodiscard]] Result<Approval> decide_as_human(ApprovalStore& store, const HumanDecision& d,
                                               int64_t now_ms);

}  // namespace blastwall::proxy
