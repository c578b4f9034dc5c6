// Tool pinning (trust on first use): the SHA-256 of each tool's canonical definition is stored per
// server on first sight; a different definition later is recorded as a pending change and blocks
// the tool until a human accepts it (`blastwall pins accept`). Shared through SQLite between the
// proxy and the CLI. Times are Unix milliseconds. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "blastwall/result.hpp"
#include "proxy/sqlite_util.hpp"

namespace blastwall::proxy {

enum class PinStatus { first_seen, unchanged, changed };

struct PinRow {
  std::string server;
  std::string tool;
  std::string sha256;      // the accepted definition
  std::string changed_to;  // pending, not yet accepted definition ("" = none)
  int64_t first_seen_ms = 0;
  int64_t accepted_ms = 0;
  int64_t changed_ms = 0;
};

class PinStore {
 public:
  static Result<std::unique_ptr<PinStore>> open(const std::string& path);

  // Pins on first sight; otherwise compares. A mismatch is recorded as a pending change.
  Result<PinStatus> check(const std::string& server, const std::string& tool,
                          const std::string& sha256, int64_t now_ms);
  // True when `sha256` is the accepted definition of server/tool.
  Result<bool> is_accepted(const std::string& server, const std::string& tool,
                           const std::string& sha256);
  // All pins, optionally of one server.
  Result<std::vector<PinRow>> list(const std::string& server);
  // Accepts pending changes of one tool (or every tool of the server when tool is empty).
  // Returns how many changes were accepted.
  Result<int> accept(const std::string& server, const std::string& tool, int64_t now_ms);

 private:
  explicit PinStore(std::unique_ptr<Db> db) : m_db(std::move(db)) {}
  std::unique_ptr<Db> m_db;
};

}  // namespace blastwall::proxy
