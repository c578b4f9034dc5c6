#include "proxy/audit_sink.hpp"

#include <algorithm>

namespace blastwall::proxy {

AsyncAuditSink::AsyncAuditSink(std::unique_ptr<audit::AuditLog> log, ErrorFn on_error)
    : AsyncAuditSink(std::move(log), std::move(on_error), Options{}) {}

AsyncAuditSink::AsyncAuditSink(std::unique_ptr<audit::AuditLog> log, ErrorFn on_error,
                               Options options)
    : m_log(std::move(log)),
      m_on_error(std::move(on_error)),
      m_opts(options),
      m_worker([this] { run(); }) {}

AsyncAuditSink::~AsyncAuditSink() {
  {
    std::lock_guard lock(m_mu);
    m_stop = true;
  }
  m_cv.notify_all();
  m_worker.join();
}

void AsyncAuditSink::push(Event ev) {
  bool wake;
  {
    std::lock_guard lock(m_mu);
    m_queue.push_back(std::move(ev));
    // Only the first event of a burst wakes the writer; a lingering writer wakes by itself, or
    // early when the batch is full.
    wake = (m_asleep && m_queue.size() == 1) || m_queue.size() == m_opts.max_batch;
  }
  if (wake) m_cv.notify_one();
}

int64_t AsyncAuditSink::record_call(const Action& action, const Verdict& verdict,
                                    std::string_view decision_source, uint64_t latency_us) {
  const int64_t handle = m_next_handle.fetch_add(1, std::memory_order_relaxed);
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
  ++m_flushes;  // a lingering writer stops lingering
  m_cv.notify_one();
  m_idle.wait(lock, [this] { return m_queue.empty() && !m_busy; });
  --m_flushes;
}

void AsyncAuditSink::run() {
  std::vector<Event> batch;
  for (;;) {
    bool idle = false;
    {
      std::unique_lock lock(m_mu);
      m_asleep = true;
      m_cv.wait(lock, [this] { return m_stop || !m_queue.empty(); });
      m_asleep = false;
      if (m_queue.empty()) {  // stopping
        m_idle.notify_all();
        return;
      }
      // Linger: let the burst collect, unless someone waits for it.
      const auto deadline = std::chrono::steady_clock::now() + m_opts.linger;
      m_cv.wait_until(lock, deadline, [this] {
        return m_stop || m_flushes > 0 || m_queue.size() >= m_opts.max_batch;
      });
      batch.swap(m_queue);
      m_busy = true;
    }
    write(batch);
    batch.clear();
    ++m_batches;  // before flush() can return
    {
      std::lock_guard lock(m_mu);
      m_busy = false;
      idle = m_queue.empty();
    }
    m_idle.notify_all();
    // Nothing waiting: a good moment for the WAL checkpoint (only when enough commits are due).
    if (idle && m_opts.checkpoint_when_idle) {
      auto r = m_log->checkpoint(true);
      if (!r && m_on_error) m_on_error(r.error().message);
    }
  }
}

void AsyncAuditSink::write(std::vector<Event>& batch) {
  std::vector<audit::AuditEvent> events;
  events.reserve(batch.size());
  // Calls of this batch not yet closed by an outcome: handle -> index in events.
  std::vector<std::pair<int64_t, std::size_t>> open_calls;
  auto local = [&](int64_t handle) {
    return std::find_if(open_calls.begin(), open_calls.end(),
                        [&](const auto& p) { return p.first == handle; });
  };
  // Resolves the call an approval or outcome refers to; false when its call was never written.
  auto refer = [&](int64_t handle, int64_t& action_id, int64_t& action_index) {
    if (auto it = local(handle); it != open_calls.end()) {
      action_index = static_cast<int64_t>(it->second);
      return true;
    }
    auto it = m_ids.find(handle);
    if (it == m_ids.end()) return false;
    action_id = it->second;
    return true;
  };
  for (auto& ev : batch) {
    if (auto* c = std::get_if<CallEv>(&ev)) {
      open_calls.emplace_back(c->handle, events.size());
      events.emplace_back().event = std::move(c->rec);
    } else if (auto* a = std::get_if<ApprovalEv>(&ev)) {
      audit::ApprovalRecord r{0, std::move(a->channel), std::move(a->who), std::move(a->result),
                              a->ts_us};
      int64_t index = -1;
      if (refer(a->handle, r.action_id, index)) {
        auto& e = events.emplace_back();
        e.event.emplace<audit::ApprovalRecord>(std::move(r));
        e.action_index = index;
      }
    } else if (auto* o = std::get_if<OutcomeEv>(&ev)) {
      audit::OutcomeRecord r{0, std::move(o->status), o->duration_ms, o->ts_us};
      int64_t index = -1;
      if (refer(o->handle, r.action_id, index)) {
        auto& e = events.emplace_back();
        e.event.emplace<audit::OutcomeRecord>(std::move(r));
        e.action_index = index;
      }
      // An outcome is the last event of a call.
      if (auto it = local(o->handle); it != open_calls.end()) open_calls.erase(it);
      m_ids.erase(o->handle);
    }
  }
  if (events.empty()) return;
  auto ids = m_log->record_events(events);
  if (!ids) {
    m_failed = true;
    if (m_on_error) m_on_error("audit log write failed: " + ids.error().message);
    return;
  }
  for (const auto& [handle, index] : open_calls) m_ids[handle] = (*ids)[index];
  if (!m_log->last_warning().empty() && m_on_error) m_on_error(m_log->last_warning());
}

}  // namespace blastwall::proxy
