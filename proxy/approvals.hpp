// The local approval queue, shared through SQLite between `blastwall mcp` (which parks calls) and
// `blastwall approvals|approve|deny` (run by the human in their own terminal).
// States: pending -> approved | denied | expired | cancelled; approved -> used (single use) or
// expired. An approval is bound to the digest of the exact call (proxy/digest.hpp).
// Times are Unix milliseconds passed in by the caller. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "blastwall/result.hpp"
#include "proxy/sqlite_util.hpp"

namespace blastwall::proxy {

struct Approval {
  std::string id;
  std::string server;
  std::string tool;
  std::string digest;
  std::string summary;  // what the human sees: tool, command, facts, rule
  std::string status;   // pending, approved, denied, expired, cancelled, used
  int64_t created_ms = 0;
  int64_t expires_ms = 0;  // pending: until then it may be answered; approved: until then usable
  int64_t decided_ms = 0;
  std::string decided_by;
};

class ApprovalStore {
 public:
  static Result<std::unique_ptr<ApprovalStore>> open(const std::string& path);

  // A new pending approval that can be answered until now + pending_ttl_ms.
  Result<Approval> create_pending(const std::string& server, const std::string& tool,
                                  const std::string& digest, const std::string& summary,
                                  int64_t now_ms, int64_t pending_ttl_ms);
  // The newest still-pending approval for this digest, if any (so retries reuse one id).
  Result<std::optional<Approval>> find_pending(const std::string& digest, int64_t now_ms);
  // Atomically marks one approved, unexpired approval for this digest as used. True when found.
  Result<std::optional<Approval>> consume_approved(const std::string& digest, int64_t now_ms);
  Result<std::optional<Approval>> get(const std::string& id);
  // Pending ones first; with all=true also decided ones (newest first, at most `limit`).
  Result<std::vector<Approval>> list(bool all, int64_t now_ms, int limit = 50);
  // pending -> approved (usable for approved_ttl_ms) or denied. False when not pending.
  Result<bool> decide(const std::string& id, bool approve, const std::string& who, int64_t now_ms,
                      int64_t approved_ttl_ms);
  // pending -> cancelled (the client cancelled the call).
  Result<bool> cancel(const std::string& id, int64_t now_ms);

 private:
  explicit ApprovalStore(std::unique_ptr<Db> db) : m_db(std::move(db)) {}
  void expire(int64_t now_ms);
  std::unique_ptr<Db> m_db;
};

}  // namespace blastwall::proxy
