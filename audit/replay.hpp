// Replay: re-evaluate logged actions with other rules or policy and report what would change.
// Streams rows from the log (never loads the whole log), evaluates on `threads` worker threads.
// Thread-safety: the evaluator is called concurrently from the workers and must be thread-safe
// (Engine::evaluate is: an Engine is immutable).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "audit/audit_log.hpp"
#include "blastwall/engine.hpp"

namespace blastwall::audit {

using Evaluator = std::function<Verdict(const Action&)>;

struct ReplayOptions {
  LogFilter filter;
  int threads = 2;
  size_t max_listed_changes = 1000;  // the change list is capped; counts are always complete
  // Called from the reading thread after each chunk: (rows done, total rows).
  std::function<void(int64_t, int64_t)> progress;
  // Session memory: each row is evaluated with the recent destructive rows of its own agent
  // session (as recorded, in log order) within this window, like the adapter that wrote it.
  int64_t session_window_s = 600;
};

struct ReplayChange {
  int64_t id = 0;
  int64_t ts_us = 0;
  std::string summary;  // the command, path, URL or server/tool
  std::string old_decision, new_decision;
  std::vector<std::string> old_rules, new_rules;  // rule ids
};

struct RuleDelta {
  int64_t before = 0;   // logged actions this rule matched
  int64_t after = 0;    // actions it matches now
  int64_t added = 0;    // matches now, did not before
  int64_t removed = 0;  // matched before, does not now
};

struct ReplayReport {
  int64_t total = 0;
  int64_t unchanged = 0;
  int64_t changed = 0;    // decision differs
  int64_t loosened = 0;   // new decision less restrictive (deny->ask, deny->allow, ask->allow)
  int64_t tightened = 0;  // new decision more restrictive
  int64_t errors = 0;     // rows whose action could not be read back
  std::map<std::string, int64_t> transitions;  // "deny->allow" -> count
  std::map<std::string, RuleDelta> rules;
  std::vector<ReplayChange> changes;  // sorted by id, capped by max_listed_changes
  int64_t changes_not_listed = 0;
  std::vector<std::string> error_samples;
};

[[nodiscard]] Result<ReplayReport> replay(const AuditLog& log, const Evaluator& evaluate,
                                          const ReplayOptions& options);
[[nodiscard]] Result<ReplayReport> replay(const AuditLog& log, const Engine& engine,
                                          const ReplayOptions& options);

[[nodiscard]] nlohmann::json to_json(const ReplayReport& report);

// The short human summary of an action JSON text used in change lists and `log` tables.
[[nodiscard]] std::string summarize_action(const std::string& action_json, size_t max_len = 120);

}  // namespace blastwall::audit
