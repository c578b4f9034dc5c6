// Session facts: delete-and-recreate (`recreate`) within one action or across a session's recent
// actions, and the per-subject `teardown` / `deletion` facts the adapters remember for later calls.
// The session's memory comes in as data (ActionContext::recent); nothing here keeps state.
#include <algorithm>
#include <string>
#include <string_view>

#include "rules/scope/cloud.hpp"

namespace blastwall::scope {
namespace {

constexpr std::string_view k_recreate_remediation =
    "apply the smallest change: plan, then targeted apply";

bool is_deletion_command(const Subject& s) {
  const std::string_view n = s.name;
  if (n == "rm" || n == "rmdir" || n == "unlink" || n == "shred" || n == "srm") return true;
  const auto& p = s.positionals;
  if ((n == "docker" || n == "podman" || n == "nerdctl") && !p.empty())
    return p[0] == "rm" || p[0] == "rmi" || (p.size() >= 2 && p[1] == "rm") ||
           (p.size() >= 2 && p[1] == "prune") || p[0] == "prune";
  if (!is_cloud_tool(n)) return false;
  for (size_t i = 0; i < p.size() && i < 4; ++i) {
    std::string_view w = p[i];
    if (auto colon = w.rfind(':'); colon != std::string_view::npos) w = w.substr(colon + 1);
    if (w == "delete" || w == "destroy" || w == "rm" || w == "remove" || w == "uninstall" ||
        w == "terminate" || w == "purge" || w == "rb" || w.rfind("delete-", 0) == 0 ||
        w.rfind("terminate-", 0) == 0 || w.rfind("remove-", 0) == 0)
      return true;
  }
  return false;
}

std::string ago(int64_t now_us, int64_t at_us) {
  if (now_us <= 0 || at_us <= 0 || at_us > now_us) return "earlier in this session";
  const int64_t s = (now_us - at_us) / 1000000;
  if (s < 120) return std::to_string(s) + " s ago in this session";
  return std::to_string(s / 60) + " min ago in this session";
}

bool in_window(const RecentAction& r, const ActionContext& ctx, const ScopeConfig& config) {
  if (ctx.now_us <= 0 || r.at_us <= 0) return true;  // the adapter already bounded the list
  return r.at_us + config.session_window_s * 1000000 >= ctx.now_us;
}

bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

void session_facts(std::vector<Subject>& subjects, const ActionContext& ctx,
                   const ScopeConfig& config) {
  std::vector<LifecycleStep> steps(subjects.size());
  for (size_t i = 0; i < subjects.size(); ++i) {
    Subject& s = subjects[i];
    if (s.kind != ActionKind::shell_exec || s.name.empty()) continue;
    steps[i] = lifecycle_of(s);
    const LifecycleStep& st = steps[i];
    using Kind = LifecycleStep::Kind;
    if (st.kind == Kind::teardown || is_deletion_command(s)) s.facts.set("deletion", s.display);
    if (st.kind == Kind::none) continue;
    if (st.kind == Kind::teardown) {
      s.facts.set("teardown", st.resource);
      if (s.facts.prod()) s.facts.set("teardown_prod", st.resource);
      continue;
    }
    if (st.kind == Kind::replace) {
      s.facts.set("recreate", st.what + " destroys and re-creates resources in place; " +
                                  std::string(k_recreate_remediation));
      continue;
    }
    // Build-up: recreate when the same resource was torn down earlier in this line ...
    for (size_t j = 0; j < i; ++j) {
      if (steps[j].kind != Kind::teardown || steps[j].resource != st.resource) continue;
      s.facts.set("recreate", steps[j].what + " then " + st.what + " in one command line; " +
                                  std::string(k_recreate_remediation));
      if (subjects[j].facts.prod() && !s.facts.prod())
        s.facts.set("prod", "re-creates what a production teardown removed (" +
                                subjects[j].facts.flags["prod"].front() + ")");
    }
    // ... or by an earlier call of the same session.
    for (auto r = ctx.recent.rbegin(); r != ctx.recent.rend(); ++r) {
      if (!in_window(*r, ctx, config) || !contains(r->teardown, st.resource)) continue;
      s.facts.set("recreate", "'" + r->summary + "' " + ago(ctx.now_us, r->at_us) + ", now " +
                                  st.what + "; " + std::string(k_recreate_remediation));
      if (contains(r->teardown_prod, st.resource) && !s.facts.prod())
        s.facts.set("prod", "re-creates what a production teardown removed: " + r->summary);
      break;
    }
  }
}

std::string burst_summary(const ActionContext& ctx, const ScopeConfig& config) {
  if (config.burst_threshold <= 0 || ctx.recent.empty()) return {};
  int n = 0;
  std::string last;
  for (const auto& r : ctx.recent) {
    if (!r.destructive || !in_window(r, ctx, config)) continue;
    ++n;
    last = r.summary;
  }
  if (n < config.burst_threshold) return {};
  const int64_t minutes = std::max<int64_t>(1, config.session_window_s / 60);
  std::string out = std::to_string(n) + " destructive actions in the last " +
                    std::to_string(minutes) + " min of this session";
  if (!last.empty()) out += " (latest: " + last.substr(0, 120) + ")";
  return out;
}

}  // namespace blastwall::scope
