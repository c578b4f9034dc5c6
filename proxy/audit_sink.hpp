// The proxy's AuditSink over audit::AuditLog. Writes happen on one background thread so the relay
// never waits on SQLite between a call and its answer; events are written in the order they were
// recorded, so an outcome always follows its call row. A write that fails even into the spool sets
// failed(), which the relay turns into fail-closed verdicts.
//
// Batching: the writer wakes on the first event of a burst, lingers (Options::linger) while more
// arrive, and writes them all in one transaction (AuditLog::record_events). flush() and the
// destructor write at once. The relay wakes the writer only for the first event of a burst (one
// futex wake per batch, not per event). When the queue is empty after a write, the writer runs the
// WAL checkpoint itself (open the log with AuditOptions::manual_checkpoint), so no checkpoint lands
// inside a write that other events wait for. What a SIGKILL loses: the events recorded in the
// last linger interval plus the write in progress (a rolled-back transaction), never a committed
// row; SIGINT, SIGTERM, SIGHUP and normal exit go through flush().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <variant>
#include <vector>

#include "audit/audit_log.hpp"
#include "proxy/session.hpp"

namespace blastwall::proxy {

class AsyncAuditSink : public AuditSink {
 public:
  using ErrorFn = std::function<void(const std::string&)>;
  struct Options {
    std::chrono::microseconds linger{2000};  // how long a burst may collect before its write
    std::size_t max_batch = 128;             // events; a full batch is written at once
    bool checkpoint_when_idle = true;        // AuditLog::checkpoint(true) after a write, if idle
  };
  AsyncAuditSink(std::unique_ptr<audit::AuditLog> log, ErrorFn on_error);
  AsyncAuditSink(std::unique_ptr<audit::AuditLog> log, ErrorFn on_error, Options options);
  ~AsyncAuditSink() override;  // drains the queue

  int64_t record_call(const Action& action, const Verdict& verdict,
                      std::string_view decision_source, uint64_t latency_us) override;
  void record_approval(int64_t call_id, std::string_view approval_id, std::string_view channel,
                       std::string_view result, std::string_view who) override;
  void record_outcome(int64_t call_id, std::string_view outcome, bool is_error,
                      int64_t duration_ms) override;
  void record_event(std::string_view kind, const nlohmann::json& detail) override;

  [[nodiscard]] bool failed() const { return m_failed.load(); }
  void flush();  // writes at once and blocks until everything recorded so far is written
  // Transactions written so far (tests and benches).
  [[nodiscard]] uint64_t batches_written() const { return m_batches.load(); }

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
  void write(std::vector<Event>& batch);

  std::unique_ptr<audit::AuditLog> m_log;
  ErrorFn m_on_error;
  Options m_opts;
  std::mutex m_mu;
  std::condition_variable m_cv;
  std::condition_variable m_idle;
  std::vector<Event> m_queue;
  bool m_busy = false;
  bool m_stop = false;
  bool m_asleep = false;  // the writer waits for the first event of a burst
  int m_flushes = 0;      // flush() calls waiting: write without lingering
  std::atomic<uint64_t> m_batches{0};
  std::atomic<int64_t> m_next_handle{1};
  std::map<int64_t, int64_t> m_ids;  // handle -> audit row id (worker thread only)
  std::atomic<bool> m_failed{false};
  std::thread m_worker;
};

}  // namespace blastwall::proxy
