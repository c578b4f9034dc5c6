// Audit shipping configuration (docs/TEAMS.md): where `blastwall audit ship` sends the audit log.
// Read from ship.yaml (managed /etc/blastwall/ship.yaml, else ~/.config/blastwall/ship.yaml, or an
// explicit --config). Plain data; the loader never throws and reports file:line:col.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "blastwall/result.hpp"

namespace blastwall::ship {

enum class TargetType { otlp, syslog };

enum class SyslogTransport { udp, tcp, unix_socket };

struct Destination {
  std::string name;  // unique; the cursor is kept per (audit db, name)
  TargetType type = TargetType::otlp;
  // otlp: http://host:port[/v1/logs] (a bare host:port gets /v1/logs).
  std::string endpoint;
  std::map<std::string, std::string> headers;  // values may be ${ENV} references (never logged)
  // syslog: udp://host:514, tcp://host:601, unix:///dev/log (default).
  std::string address = "unix:///dev/log";
  std::string app_name = "blastwall";
  int facility = 13;                    // log audit (RFC 5424 facility 13)
  std::string enterprise_id = "32473";  // SD-ID blastwall@<id>; 32473 is the documentation PEN
  int batch = 1000;                     // rows per request
  int timeout_ms = 5000;                // per request (connect + send + answer)
  int max_backoff_ms = 60000;           // retries back off exponentially up to this
};

struct ShipConfig {
  std::vector<Destination> targets;
  // The resident engine and `blastwall mcp` start a background shipper (`audit ship --follow`).
  bool continuous = false;
  int poll_ms = 500;   // how often a follower looks for new rows
  std::string source;  // the file it came from (empty = built from command-line options)
};

// Parses ship.yaml text. Unknown keys, wrong types, duplicate names, bad URLs are errors.
[[nodiscard]] Result<ShipConfig> parse_ship_config(std::string_view text,
                                                   const std::string& source);

// /etc/blastwall/ship.yaml when it exists (managed wins), else $XDG_CONFIG_HOME/blastwall/ship.yaml
// (~/.config/blastwall/ship.yaml). BLASTWALL_SHIP_CONFIG overrides both (tests). Empty when none.
[[nodiscard]] std::string default_ship_config_path();

// Reads and parses `path`; a missing file is an error naming it.
[[nodiscard]] Result<ShipConfig> load_ship_config(const std::string& path);

// ${NAME} references in header values, from the environment; unknown names are errors.
[[nodiscard]] Result<std::string> expand_env(std::string_view value);

// Parsed endpoint pieces: scheme, host, port, path/target.
struct Endpoint {
  std::string scheme;  // http, udp, tcp, unix
  std::string host;
  std::string port;
  std::string path;  // http: request target; unix: socket path
};
[[nodiscard]] Result<Endpoint> parse_endpoint(std::string_view url, TargetType type);

}  // namespace blastwall::ship
