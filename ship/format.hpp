// Wire forms of audit rows for shipping: OTLP/HTTP JSON (logs signal) and RFC 5424 syslog.
// Pure functions over stored rows: rows are already redacted when recorded (audit/redact.cpp),
// and nothing here adds anything that was not in the row.
#pragma once

#include <span>
#include <string>

#include "audit/audit_log.hpp"
#include "ship/config.hpp"

namespace blastwall::ship {

struct Resource {
  std::string host;     // host.name
  std::string user;     // user.name
  std::string version;  // service.version
};

// One ExportLogsServiceRequest (resourceLogs -> scopeLogs -> logRecords) holding `rows`, as
// OTLP/HTTP JSON: 64-bit integers as decimal strings, enum values as numbers, attributes as
// {key, value:{stringValue|intValue|boolValue|arrayValue}}.
[[nodiscard]] std::string otlp_logs_json(std::span<const audit::AuditRow> rows,
                                         const Resource& res);

// One RFC 5424 message (no framing): <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG.
// MSG is UTF-8 with a BOM as the RFC asks; at most max_bytes long (cut on a character boundary).
[[nodiscard]] std::string syslog_5424(const audit::AuditRow& row, const Destination& t,
                                      const Resource& res, size_t max_bytes = 8192);

// Severity of a row: deny -> warning, ask -> notice, everything else -> informational (syslog
// numbers); OTLP severity numbers are derived from the same table.
[[nodiscard]] int syslog_severity(const audit::AuditRow& row);

}  // namespace blastwall::ship
