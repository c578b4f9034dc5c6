#include "proxy/audit_sink.hpp"

namespace blastwall::proxy {

AsyncAuditSink::AsyncAuditSink(std::unique_ptr<audit::AuditLog> log, ErrorFn on_error)
    : m_log(std::move(log)), m_on_error(std::move(on_error)), m_worker([this] { run(); }) {}

AsyncAuditSink::~AsyncAuditSink() {
  {
    std::lock_guard lock(m_mu);
    m_stop = true;
  }
  m_cv.notify_all();
  m_worker.join();
}

void AsyncAuditSink::push(Event ev) {
  {
    std::lock_guard lock(m_mu);
    m_queue.push_back(std::move(ev));
  }
  m_cv.notify_one();
}

int64_t AsyncAuditSink::record_call(const Action& action, const Verdict& verdict,
                                    std::string_view decision_source, uint64_t latency_us) {
  int64_t handle;
  {
    std::lock_guard lock(m_mu);
    handle = m_next_handle++;
  }
  audit::ActionRecord rec;
  rec.action = action;
  rec.verdict = verdict;
  rec.decision_source = std::string(decision_source);
  rec.ts_us = audit::now_us();
  rec.latency_us = latency_us;
  push(CallEv{handle, std::move(rec)});
  return handle;
}

void AsyncAuditSink::record_approval(int64_t call_id, std::string_view approval_id,
                                     std::string_view channel, std::string_view result,
                                     std::string_view who) {
  std::string w(who);
  if (!approval_id.empty())
    w += (w.empty() ? "" : " ") + std::string("[approval ") + std::string(approval_id) + "]";
  push(ApprovalEv{call_id, std::string(channel), w, std::string(result), audit::now_us()});
}

void AsyncAuditSink::record_outcome(int64_t call_id, std::string_view outcome, bool is_error,
                                    int64_t duration_ms) {
  std::string status(outcome);
  if (status == "ok" && is_error) status = "error";
  push(OutcomeEv{call_id, status, duration_ms, audit::now_us()});
}

void AsyncAuditSink::record_event(std::string_view kind, const nlohmann::json& detail) {
  // A change becomes an action row of its own, so `blastwall log` shows it. First sight is only
  // stored in pins.db (`blastwall pins list`): one row per tool would drown the log.
  if (kind != "pin_changed") return;
  Action a;
  a.kind = ActionKind::mcp_call;
  a.ctx.surface = "mcp";
  a.ctx.agent = "blastwall";
  a.mcp.server = detail.value("server", "");
  a.mcp.tool = detail.value("tool", "");
  a.mcp.arguments = detail;
  a.ctx.tool = "mcp__" + a.mcp.server + "__" + a.mcp.tool;
  Verdict v;
  v.decision = kind == "pin_changed" ? Decision::deny : Decision::allow;
  v.source = "pin";
  v.reason = kind == "pin_changed" ? "tool definition changed since it was pinned; blocked until "
                                     "`blastwall pins accept`"
                                   : "tool definition pinned on first sight";
  v.facts.set(std::string(kind), detail.value("sha256", ""));
  record_call(a, v, "pin", 0);
}

void AsyncAuditSink::flush() {
  std::unique_lock lock(m_mu);
  m_idle.wait(lock, [this] { return m_queue.empty() && !m_busy; });
}

void AsyncAuditSink::run() {
  for (;;) {
    std::deque<Event> batch;
    {
      std::unique_lock lock(m_mu);
      m_cv.wait(lock, [this] { return m_stop || !m_queue.empty(); });
      if (m_queue.empty() && m_stop) {
        m_idle.notify_all();
        return;
      }
      batch.swap(m_queue);
      m_busy = true;
    }
    for (auto& ev : batch) write(ev);
    {
      std::lock_guard lock(m_mu);
      m_busy = false;
    }
    m_idle.notify_all();
  }
}

void AsyncAuditSink::write(Event& ev) {
  auto report = [this](const Error& e) {
    m_failed = true;
    if (m_on_error) m_on_error("audit log write failed: " + e.message);
  };
  if (auto* c = std::get_if<CallEv>(&ev)) {
    auto id = m_log->record(c->rec);
    if (!id) return report(id.error());
    m_ids[c->handle] = *id;
    if (!m_log->last_warning().empty() && m_on_error) m_on_error(m_log->last_warning());
    return;
  }
  if (auto* a = std::get_if<ApprovalEv>(&ev)) {
    auto it = m_ids.find(a->handle);
    if (it == m_ids.end()) return;
    auto r = m_log->record_approval(it->second, a->channel, a->who, a->result, a->ts_us);
    if (!r) report(r.error());
    return;
  }
  if (auto* o = std::get_if<OutcomeEv>(&ev)) {
    auto it = m_ids.find(o->handle);
    if (it == m_ids.end()) return;
    auto r = m_log->record_outcome(it->second, o->status, o->duration_ms, o->ts_us);
    if (!r) report(r.error());
    m_ids.erase(it);  // an outcome is the last event of a call
  }
}

}  // namespace blastwall::proxy
