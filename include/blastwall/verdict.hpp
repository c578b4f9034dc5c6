// What the engine says about one action: decision, facts, every matching rule and why.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace blastwall {

// Ordered by restrictiveness: the most restrictive decision wins (deny > ask > allow).
enum class Decision { allow = 0, ask = 1, deny = 2 };
enum class Severity { info = 0, low = 1, medium = 2, high = 3, critical = 4 };

[[nodiscard]] std::string_view to_string(Decision d);
[[nodiscard]] std::optional<Decision> parse_decision(std::string_view text);
[[nodiscard]] std::string_view to_string(Severity s);
[[nodiscard]] std::optional<Severity> parse_severity(std::string_view text);

// Lexical class of a path an action touches, most dangerous first.
enum class PathClass {
  root,             // "/"
  system,           // /etc, /usr, /bin, /boot, /dev, /var (not /var/tmp), ...
  home_root,        // $HOME itself
  home_secret,      // ~/.ssh, ~/.aws, ~/.kube, ~/.config/gcloud, ~/.docker/config.json, .env*
  outside_project,  // elsewhere under $HOME or the filesystem, not the project
  inside_project,   // under the project root
  temp,             // /tmp, /var/tmp, $TMPDIR and configured temp dirs
  unknown,          // dynamic or unresolvable (relative path with unknown cwd, $(...), ...)
};
[[nodiscard]] std::string_view to_string(PathClass c);
[[nodiscard]] std::optional<PathClass> parse_path_class(std::string_view text);

struct Target {
  std::string raw;       // as written after quote removal
  std::string resolved;  // lexically normalised absolute path; empty when unknown
  PathClass cls = PathClass::unknown;
  bool glob = false;     // contains unquoted glob characters
  bool dynamic = false;  // depends on something unresolvable
  bool self = false;     // blastwall's own config, audit DB, binary or hook registration
  bool write = false;  // the action writes, truncates or deletes it (redirect target, rm, mv, ...)
};

// Named boolean facts with the reasons that set them. Presence means true.
// Well-known names: destructive, global, prod, secrets_read, secrets_send, remote_exec, self,
// dynamic, recursive, glob, sql_unbounded, write, network. Rules may mark more.
struct Facts {
  std::map<std::string, std::vector<std::string>> flags;
  std::vector<Target> targets;

  [[nodiscard]] bool has(std::string_view name) const {
    return flags.find(std::string(name)) != flags.end();
  }
  void set(const std::string& name, std::string why);
  void merge(const Facts& other);
  [[nodiscard]] bool destructive() const { return has("destructive"); }
  [[nodiscard]] bool global() const { return has("global"); }
  [[nodiscard]] bool prod() const { return has("prod"); }
};

struct RuleMatch {
  std::string rule_id;
  std::string pack_id;
  std::string pack_version;
  std::string title;
  std::string message;  // placeholders already filled
  std::string remediation;
  Decision decision = Decision::ask;  // after policy overrides
  Severity severity = Severity::medium;
  std::string subject;  // the simple command (argv joined) or path that matched
  uint32_t begin = 0;   // span of the subject in the raw command line, when known
  uint32_t end = 0;
};

struct Suppression {
  std::string rule_id;
  std::string exception;  // exception name
  std::string value;      // the value that suppressed it
  std::string subject;
};

struct Verdict {
  Decision decision = Decision::allow;
  Severity severity = Severity::info;
  std::string source;  // "rule", "default", "policy", "error"
  std::string reason;  // one line the agent sees: rule, why, what to do instead
  Facts facts;
  std::vector<RuleMatch> matches;
  std::vector<Suppression> suppressed;
  std::vector<std::string> explanation;  // parse and evaluation trace, for --explain
  uint64_t eval_us = 0;                  // filled by the caller (the engine reads no clock)
};

[[nodiscard]] nlohmann::json to_json(const Verdict& v);
[[nodiscard]] nlohmann::json to_json(const Facts& f);

}  // namespace blastwall
