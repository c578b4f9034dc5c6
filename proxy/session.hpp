// The MCP relay's protocol core: one client, one server, newline-framed JSON-RPC both ways.
// Feeds on lines and clock ticks, writes lines through a Wire; does no socket or process I/O itself
// (proxy/relay.cpp owns the poll loop), so every path is unit-testable with a fake clock.
//
// It forwards every message unchanged except: tools/call requests (classified by the engine and
// allowed, denied with an isError result, or parked for approval), tools/list results (tools with a
// changed pinned definition are withheld), responses to blastwall's own elicitation requests, and
// client cancellations of parked calls. Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blastwall/action.hpp"
#include "blastwall/session_memory.hpp"
#include "blastwall/verdict.hpp"
#include "proxy/approvals.hpp"
#include "proxy/framing.hpp"
#include "proxy/json_scan.hpp"
#include "proxy/pins.hpp"

namespace blastwall::proxy {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

// JSON-RPC error codes blastwall itself answers with (from the -32000..-32019 range).
inline constexpr int k_err_server_exited = -32000;
inline constexpr int k_err_timeout = -32001;
inline constexpr int k_err_oversize = -32002;
inline constexpr int k_err_internal = -32003;

struct SessionConfig {
  std::string server_name = "server";
  Ms approval_wait{45000};     // how long a queued call waits before "approval pending"
  Ms progress_interval{5000};  // keep-alive progress while waiting (when a token was given)
  Ms approval_poll{200};       // how often the queue is re-read while a call waits
  Ms call_timeout{0};          // no server activity on a forwarded tools/call for this long; 0=off
  int64_t pending_ttl_ms = 60LL * 60 * 1000;   // a pending approval can be answered for 1 h
  int64_t approved_ttl_ms = 10LL * 60 * 1000;  // an approval can be used for 10 min, once
  bool use_elicitation = true;     // ask through elicitation/create when the client declared it
  int64_t session_window_s = 600;  // session memory: how far back earlier calls are recalled
};

// The audit trail. Implementations must not throw; failures are theirs to report.
class AuditSink {
 public:
  virtual ~AuditSink() = default;
  // Returns an id for later events (0 when unknown).
  virtual int64_t record_call(const Action& action, const Verdict& verdict,
                              std::string_view decision_source, uint64_t latency_us) = 0;
  virtual void record_approval(int64_t call_id, std::string_view approval_id,
                               std::string_view channel, std::string_view result,
                               std::string_view who) = 0;
  // outcome: forwarded result "ok"/"error", or "denied", "pending", "cancelled", "timeout",
  // "server_exited", "oversize".
  virtual void record_outcome(int64_t call_id, std::string_view outcome, bool is_error,
                              int64_t duration_ms) = 0;
  virtual void record_event(std::string_view kind, const nlohmann::json& detail) = 0;
};

class Wire {
 public:
  virtual ~Wire() = default;
  virtual void to_client(std::string_view line) = 0;  // without the newline
  virtual void to_server(std::string_view line) = 0;
  virtual void log(std::string_view message) = 0;  // operational log (stderr)
  // Cut-through of one line to the client: its bytes as they arrive, then end_client_line() (which
  // writes the newline). Lines sent with to_client() meanwhile are held until the line has ended.
  virtual void to_client_partial(std::string_view bytes) = 0;
  virtual void end_client_line() = 0;
};

using Classifier = std::function<Verdict(const Action&)>;
using WallClock = std::function<int64_t()>;  // Unix milliseconds

class Session {
 public:
  Session(SessionConfig config, Classifier classify, ActionContext base_ctx, Wire& wire,
          ApprovalStore* approvals, PinStore* pins, AuditSink* audit, WallClock wall = {});

  void on_client_line(std::string_view line, Clock::time_point now);
  void on_server_line(std::string_view line, Clock::time_point now);
  void on_client_oversize(const OversizeLine& info, Clock::time_point now);
  void on_server_oversize(const OversizeLine& info, Clock::time_point now);
  void on_tick(Clock::time_point now);

  // Cut-through of a large server line, offered by the relay's framer before the line is complete.
  // Returns false when the line must be buffered whole instead: while a tools/list reply is due
  // (it may have to be rewritten), while a late reply to a request blastwall already answered may
  // come (it must be dropped), and for anything but a JSON object (a batch may hold either). The
  // streamed bytes are scanned as they pass; at the end the reply settles its request as usual.
  // While a line streams, a client tools/list request (or batch) and everything after it waits, so
  // no tools/list reply can be streamed unchecked.
  bool begin_server_stream(std::string_view head, Clock::time_point now);
  void server_stream_data(std::string_view bytes);
  // complete: the newline was seen; false when the line was cut at the frame cap
  // (on_server_oversize follows at its newline) or the server's output ended in the middle of it.
  void end_server_stream(bool complete, Clock::time_point now);
  [[nodiscard]] bool streaming() const { return m_streaming; }
  // Client lines waiting for a streamed server line to end; the relay stops reading the client.
  [[nodiscard]] bool holding_client_input() const { return !m_deferred.empty(); }
  // The server is gone: every request still waiting for it gets an error.
  void on_server_exit(const std::string& why, Clock::time_point now);

  // When on_tick next has work; Clock::time_point::max() when nothing waits.
  [[nodiscard]] Clock::time_point next_wakeup() const;
  [[nodiscard]] std::size_t waiting_calls() const { return m_parked.size(); }
  [[nodiscard]] std::size_t outstanding_requests() const { return m_pending.size(); }
  [[nodiscard]] bool client_has_elicitation() const { return m_client_elicitation; }

 private:
  struct ToolInfo {
    nlohmann::json annotations;  // with spec defaults filled
    std::string sha256;
    bool blocked = false;  // definition changed since pinned, not accepted
  };
  struct Pending {  // a client request forwarded to the server
    std::string method;
    std::string tool;
    Clock::time_point started;
    Clock::time_point last_activity;
    int64_t audit_id = 0;
    std::string progress_token;  // canonical JSON, "" = none
  };
  struct Parked {  // a tools/call waiting for a human
    nlohmann::json id;
    std::string raw;  // the exact request line, forwarded on approval
    std::string tool;
    std::string digest;
    std::string summary;
    std::string reason;
    int64_t audit_id = 0;
    Clock::time_point started;
    Clock::time_point deadline;
    Clock::time_point next_poll;
    Clock::time_point next_progress;
    nlohmann::json progress_token;  // null = none
    int progress = 0;
    std::string approval_id;     // queue channel
    std::string elicitation_id;  // elicitation channel: our request id
  };

  void handle_client_message(const MessageShape& shape, std::string_view raw,
                             const nlohmann::json* parsed, Clock::time_point now);
  void handle_tool_call(const nlohmann::json& request, std::string_view raw, Clock::time_point now);
  void handle_cancel(const nlohmann::json& note, std::string_view raw);
  void handle_elicitation_reply(const std::string& our_id, const nlohmann::json& reply,
                                Clock::time_point now);
  void handle_server_message(const MessageShape& shape, std::string_view raw,
                             Clock::time_point now);
  std::optional<std::string> process_tools_list(const nlohmann::json& response);
  void start_queue_wait(Parked& p, const std::string& key, Clock::time_point now);
  void poll_parked(const std::string& key, Parked& p, Clock::time_point now, bool& erase);
  void forward_parked(const std::string& key, Parked& p, Clock::time_point now,
                      std::string_view channel, std::string_view approval_id, std::string_view who);

  void answer_result(const nlohmann::json& id, const nlohmann::json& result);
  void answer_error(const nlohmann::json& id, int code, const std::string& message);
  void answer_tool_error(const nlohmann::json& id, const std::string& text,
                         const nlohmann::json& meta);
  void track_forwarded(const std::string& key, Pending p);
  void record_reply(const Pending& p, const MessageShape& shape, Clock::time_point now);
  void recover_id_from_oversize(const OversizeLine& info, bool from_server, Clock::time_point now);
  [[nodiscard]] int64_t wall_ms() const;

  SessionConfig m_cfg;
  Classifier m_classify;
  ActionContext m_ctx;
  Wire& m_wire;
  ApprovalStore* m_approvals;
  PinStore* m_pins;
  AuditSink* m_audit;
  WallClock m_wall;
  // The session's recent destructive calls, handed to the classifier as ActionContext::recent so
  // that recreate and burst facts see earlier calls (docs/ARCHITECTURE.md "Session memory").
  SessionMemory m_memory;

  bool m_client_elicitation = false;
  std::string m_own_prefix;  // ids of requests blastwall sends to the client
  uint64_t m_own_seq = 0;
  std::map<std::string, ToolInfo> m_tools;
  std::map<std::string, Pending> m_pending;           // by canonical id
  std::map<std::string, Parked> m_parked;             // by canonical id
  std::map<std::string, std::string> m_own_requests;  // our id -> parked key
  std::map<std::string, bool> m_answered_by_us;       // late server replies to drop

  bool m_streaming = false;  // a server line is being cut through to the client
  std::size_t m_stream_bytes = 0;
  StreamScanner m_stream_scan;
  std::vector<std::string> m_deferred;  // client lines held while a server line streams
};

// The text a model sees when a call is refused, and the approval summary a human sees.
[[nodiscard]] std::string deny_text(const std::string& server, const std::string& tool,
                                    const Verdict& v);
[[nodiscard]] std::string approval_summary(const std::string& server, const std::string& tool,
                                           const nlohmann::json& arguments, const Verdict& v);

}  // namespace blastwall::proxy
