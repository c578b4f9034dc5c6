// The proxy's AuditSink over audit::AuditLog. Writes happen on one background thread so the relay
// never waits on SQLite between a call and its answer; events are written in the order they were
// recorded, so an outcome always follows its call row. A write that fails even into the spool sets
// failed(), which the relay turns into fail-closed verdicts.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>

#include "audit/audit_log.hpp"
#include "proxy/session.hpp"

namespace blastwall::proxy {

class AsyncAuditSink : public AuditSink {
 public:
  using ErrorFn = std::function<void(const std::string&)>;
  AsyncAuditSink(std::unique_ptr<audit::AuditLog> log, ErrorFn on_error);
  ~AsyncAuditSink() override;  // drains the queue

  int64_t record_call(const Action& action, const Verdict& verdict,
                      std::string_view decision_source, uint64_t latency_us) override;
  void record_approval(int64_t call_id, std::string_view approval_id, std::string_view channel,
                       std::string_view result, std::string_view who) override;
  void record_outcome(int64_t call_id, std::string_view outcome, bool is_error,
                      int64_t duration_ms) override;
  void record_event(std::string_view kind, const nlohmann::json& detail) override;

  [[nodiscard]] bool failed() const { return m_failed.load(); }
  void flush();  // blocks until everything recorded so far is written

 private:
  struct CallEv {
    int64_t handle;
    audit::ActionRecord rec;
  };
  struct ApprovalEv {
    int64_t handle;
    std::string channel, who, result;
    int64_t ts_us;
  };
  struct OutcomeEv {
    int64_t handle;
    std::string status;
    int64_t duration_ms;
    int64_t ts_us;
  };
  using Event = std::variant<CallEv, ApprovalEv, OutcomeEv>;

  void push(Event ev);
  void run();
  void write(Event& ev);

  std::unique_ptr<audit::AuditLog> m_log;
  ErrorFn m_on_error;
  std::mutex m_mu;
  std::condition_variable m_cv;
  std::condition_variable m_idle;
  std::deque<Event> m_queue;
  bool m_busy = false;
  bool m_stop = false;
  int64_t m_next_handle = 1;
  std::map<int64_t, int64_t> m_ids;  // handle -> audit row id (worker thread only)
  std::atomic<bool> m_failed{false};
  std::thread m_worker;
};

}  // namespace blastwall::proxy
