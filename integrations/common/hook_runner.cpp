#include "integrations/common/hook_runner.hpp"

#include <chrono>

namespace blastwall::integrations {

std::string truncate_utf8(std::string s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t cut = max_bytes - 3;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "...";
}

std::string format_reason(const Verdict& v, std::string_view agent_title, bool fallback_from_ask) {
  std::string text = v.reason;
  std::vector<std::string> ids;
  for (const auto& m : v.matches) {
    if (m.decision != v.decision) continue;
    if (text.empty()) text = m.message;
    if (!m.rule_id.empty()) ids.push_back(m.rule_id);
  }
  if (text.empty()) text = "this action needs review";
  std::string out = "blastwall ";
  if (fallback_from_ask) {
    out += "blocked this: it needs a human's approval and " + std::string(agent_title) +
           " cannot ask here. ";
  } else {
    out += v.decision == Decision::deny ? "denied this: " : "asks for approval: ";
  }
  out += text;
  if (!ids.empty() && text.find(ids.front()) == std::string::npos) {
    out += " [";
    for (size_t i = 0; i < ids.size() && i < 4; ++i) out += (i ? ", " : "") + ids[i];
    out += "]";
  }
  for (const auto& m : v.matches) {
    if (m.decision == v.decision && !m.remediation.empty() &&
        out.find(m.remediation) == std::string::npos) {
      out += " Instead: " + m.remediation;
      break;
    }
  }
  if (fallback_from_ask) {
    out += " Explain to the user what you wanted to do and why, and let them run it themselves.";
  }
  return truncate_utf8(std::move(out), k_max_reason_bytes);
}

namespace {

HookAnswer answer_for(const AgentSpec& spec, std::string_view event, Decision d, const Verdict& v,
                      const HookDeps& deps, Decision& enforced, std::string& reason) {
  bool fallback = false;
  enforced = d;
  if (d == Decision::ask && !(spec.can_ask && spec.can_ask(event))) {
    enforced = deps.no_native_ask;
    fallback = true;
  }
  reason = enforced == Decision::allow && !fallback ? std::string()
                                                    : format_reason(v, spec.title, fallback);
  if (fallback && enforced == Decision::allow) reason.clear();
  AnswerRequest req{std::string(event), enforced, reason};
  return spec.answer(req);
}

}  // namespace

HookAnswer fail_closed_answer(const AgentSpec& spec, std::string_view event, const HookDeps& deps,
                              const std::string& why) {
  Verdict v;
  v.decision = deps.fail_closed;
  v.source = "error";
  v.reason = why + " (blastwall fails closed)";
  Decision enforced;
  std::string reason;
  HookAnswer a = answer_for(spec, event.empty() ? spec.default_event : event, deps.fail_closed, v,
                            deps, enforced, reason);
  a.err = "blastwall: " + why + "\n";
  return a;
}

HookResult run_hook(const AgentSpec& spec, std::string_view input, const ActionContext& base,
                    const HookDeps& deps) {
  HookResult r;
  std::string event(spec.default_event);
  auto fail = [&](const std::string& why) {
    r.verdict = deps.fail_closed;
    r.answer = fail_closed_answer(spec, event, deps, why);
    r.enforced = deps.fail_closed;
    if (deps.fail_closed == Decision::ask && !(spec.can_ask && spec.can_ask(event))) {
      r.enforced = deps.no_native_ask;
    }
    r.reason = why;
    return r;
  };
  try {
    if (input.size() > k_max_envelope_bytes) return fail("hook input larger than 4 MiB");
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(input);
    } catch (const std::exception& e) {
      return fail(std::string("hook input is not valid JSON: ") + e.what());
    }
    HookEnvelope env = spec.parse(j, base);
    if (!env.event.empty()) event = env.event;
    if (!env.error.empty())
      return fail("malformed " + std::string(spec.name) + " envelope: " + env.error);
    r.actions = env.actions.size();
    Verdict worst;
    worst.decision = Decision::allow;
    bool first = true;
    for (auto& action : env.actions) {
      if (deps.complete_context) deps.complete_context(action.ctx);
      auto t0 = std::chrono::steady_clock::now();
      Verdict v = deps.evaluate(action);
      auto us = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::steady_clock::now() - t0)
                                          .count());
      if (v.eval_us == 0) v.eval_us = us;
      if (deps.record) {
        auto ok = deps.record(action, v, us);
        if (!ok && v.decision < deps.fail_closed) {
          v.decision = deps.fail_closed;
          v.source = "error";
          v.reason = "the audit log could not be written (" + ok.error().message +
                     "); blastwall fails closed";
          v.matches.clear();
        }
      }
      if (first || v.decision > worst.decision) worst = std::move(v);
      first = false;
    }
    r.verdict = worst.decision;
    r.answer = answer_for(spec, event, worst.decision, worst, deps, r.enforced, r.reason);
    return r;
  } catch (const std::exception& e) {
    return fail(std::string("internal error: ") + e.what());
  } catch (...) {
    return fail("internal error");
  }
}

}  // namespace blastwall::integrations
