#include "proxy/decide.hpp"

#include "audit/audit_log.hpp"

namespace blastwall::proxy {

void audit_human_action(const HumanAuditRow& r) {
  audit::AuditOptions aopts;
  aopts.path = r.audit_db;
  auto log = audit::AuditLog::open(aopts);
  if (!log) return;
  Action a;
  a.kind = ActionKind::mcp_call;
  a.ctx.surface = "cli";
  a.ctx.agent = "human";
  a.ctx.tool = r.command;
  a.mcp.server = r.server;
  a.mcp.tool = r.tool;
  a.mcp.arguments = r.arguments;
  Verdict v;
  v.decision = r.allowed ? Decision::allow : Decision::deny;
  v.source = "human";
  v.reason = r.reason;
  auto rid = (*log)->record(audit::ActionRecord{a, v, "human", audit::now_us(), 0});
  if (rid) {
    (void)(*log)->record_approval(*rid, r.channel, r.who, r.allowed ? "approved" : "denied",
                                  audit::now_us());
  }
}

Result<Approval> decide_as_human(ApprovalStore& store, const HumanDecision& d, int64_t now_ms) {
  auto got = store.get(d.id);
  if (!got) return got.error();
  if (!*got) return make_error("no approval " + d.id);
  auto ok = store.decide(d.id, d.approve, d.who, now_ms, d.ttl_ms);
  if (!ok) return ok.error();
  if (!*ok) {
    auto now_row = store.get(d.id);
    return make_error("approval " + d.id + " is " +
                      (now_row && *now_row ? (*now_row)->status : std::string("gone")) +
                      ", not pending");
  }
  // The decision is audited where it was made, too.
  HumanAuditRow row;
  row.audit_db = d.audit_db;
  row.server = (*got)->server;
  row.tool = (*got)->tool;
  row.arguments = {{"approval", d.id}, {"digest", (*got)->digest}};
  row.command = d.tool;
  row.allowed = d.approve;
  row.reason =
      std::string(d.approve ? "approved" : "denied") + " approval " + d.id + " by " + d.who;
  row.channel = d.channel;
  row.who = d.who;
  audit_human_action(row);
  auto after = store.get(d.id);
  if (after && *after) return **after;
  return **got;
}

}  // namespace blastwall::proxy
