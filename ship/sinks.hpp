// Where shipped rows go: an OTLP/HTTP collector (Boost.Beast) or a syslog receiver over UDP, TCP
// (RFC 6587 octet counting) or a local unix socket. Synchronous, one connection kept per sink,
// every operation bounded by the target's timeout. Not thread-safe: one shipper owns its sinks.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "audit/audit_log.hpp"
#include "blastwall/result.hpp"
#include "ship/config.hpp"
#include "ship/format.hpp"

namespace blastwall::ship {

enum class SendOutcome {
  ok,         // the receiver took the rows: advance the cursor
  retry,      // a passing failure (down, timeout, 429/502/503/504): back off and resend
  permanent,  // the receiver refuses them (other 4xx/5xx): resend after the longest back-off,
              // never skip — an operator has to fix the collector or the config (doctor says so)
};

struct SendResult {
  SendOutcome outcome = SendOutcome::ok;
  std::string message;     // why, for status and doctor (never a header value)
  int retry_after_ms = 0;  // the receiver asked for this delay (Retry-After), 0 = none
  int64_t rejected = 0;    // OTLP partial success: records the collector dropped on purpose
};

class Sink {
 public:
  virtual ~Sink() = default;
  [[nodiscard]] virtual SendResult send(std::span<const audit::AuditRow> rows) = 0;
  // Drops any open connection (after a failure the next send reconnects).
  virtual void reset() = 0;
};

// Header values are expanded (${ENV}) here; an unknown variable is an error.
[[nodiscard]] Result<std::unique_ptr<Sink>> make_sink(const Destination& target,
                                                      const Resource& res);

// host.name / user.name / version for this process.
[[nodiscard]] Resource local_resource();

}  // namespace blastwall::ship
