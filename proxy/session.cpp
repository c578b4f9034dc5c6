#include "proxy/session.hpp"

#include <algorithm>
#include <utility>

#include "proxy/digest.hpp"

namespace blastwall::proxy {
namespace {

using nlohmann::json;

std::optional<json> parse(std::string_view text) {
  try {
    return json::parse(text);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string dump(const json& j) { return canonical_json(j); }

// The member at `path`, or null. (json::value with a json_pointer throws and catches internally
// when the path is missing, which costs an exception on every call.)
json member_at(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return *cur;
}

std::string id_key(const json& id) { return dump(id); }

std::string truncate(std::string s, std::size_t n) {
  if (s.size() > n) {
    s.resize(n);
    s += "…";
  }
  return s;
}

std::string facts_line(const Verdict& v) {
  std::string out;
  for (const auto& [name, whys] : v.facts.flags) {
    if (!out.empty()) out += ", ";
    out += name;
    if (!whys.empty() && !whys.front().empty()) out += " (" + whys.front() + ")";
  }
  return out;
}

json decision_meta(const Verdict& v, const std::string& extra_key = {},
                   const std::string& extra_value = {}) {
  json rules = json::array();
  for (const auto& m : v.matches) rules.push_back(m.rule_id);
  json meta = {
      {"decision", std::string(to_string(v.decision))}, {"reason", v.reason}, {"rules", rules}};
  if (!extra_key.empty()) meta[extra_key] = extra_value;
  return json{{"blastwall/decision", meta}};
}

const char* k_elicitation_note_schema = R"json({
  "type": "object",
  "properties": {
    "note": {"type": "string", "title": "Note (optional)",
             "description": "Recorded with your decision in the blastwall audit log"}
  }
})json";

}  // namespace

std::string deny_text(const std::string& server, const std::string& tool, const Verdict& v) {
  std::string text = "blastwall blocked this call to " + server + "/" + tool + ": " +
                     (v.reason.empty() ? std::string("denied by policy") : v.reason);
  for (const auto& m : v.matches) {
    if (m.decision != Decision::deny) continue;
    text += "\nRule " + m.rule_id;
    if (!m.pack_id.empty()) text += " (" + m.pack_id + "@" + m.pack_version + ")";
    if (!m.message.empty()) text += ": " + m.message;
    if (!m.remediation.empty()) text += "\nInstead: " + m.remediation;
  }
  text +=
      "\nDo not retry this call unchanged or try to work around the block; choose a narrower "
      "action or ask the user to run it themselves.";
  return text;
}

std::string approval_summary(const std::string& server, const std::string& tool,
                             const json& arguments, const Verdict& v) {
  std::string s = "Allow " + server + "/" + tool + "?";
  s += "\nArguments: " + truncate(dump(arguments), 600);
  s += "\nWhy blastwall asks: " + (v.reason.empty() ? std::string("policy") : v.reason);
  const std::string facts = facts_line(v);
  if (!facts.empty()) s += "\nFacts: " + facts;
  for (const auto& m : v.matches)
    s += "\nRule: " + m.rule_id + (m.message.empty() ? "" : " — " + m.message);
  return s;
}

Session::Session(SessionConfig config, Classifier classify, ActionContext base_ctx, Wire& wire,
                 ApprovalStore* approvals, PinStore* pins, AuditSink* audit, WallClock wall)
    : m_cfg(std::move(config)),
      m_classify(std::move(classify)),
      m_ctx(std::move(base_ctx)),
      m_wire(wire),
      m_approvals(approvals),
      m_pins(pins),
      m_audit(audit),
      m_wall(std::move(wall)),
      m_own_prefix("blastwall-" + random_id() + "-") {
  if (m_ctx.surface.empty()) m_ctx.surface = "mcp";
  if (m_ctx.agent.empty()) m_ctx.agent = "mcp-client";
}

int64_t Session::wall_ms() const {
  if (m_wall) return m_wall();
  return std::chrono::duration_cast<Ms>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ---------------------------------------------------------------------------------------------
// Client -> server

void Session::on_client_line(std::string_view line, Clock::time_point now) {
  const MessageShape shape = scan_message(line);
  if (m_streaming && (!m_deferred.empty() || shape.kind == MessageKind::batch ||
                      (shape.kind == MessageKind::request && shape.method == "tools/list"))) {
    m_deferred.emplace_back(line);
    return;
  }
  if (shape.kind == MessageKind::invalid || shape.kind == MessageKind::other) {
    m_wire.log("client sent a line that is not a JSON-RPC message (" + std::to_string(line.size()) +
               " bytes" + (shape.problem.empty() ? "" : ": " + shape.problem) + "); dropped");
    if (shape.kind == MessageKind::invalid) answer_error(nullptr, -32700, "Parse error");
    return;
  }
  if (shape.kind == MessageKind::batch) {
    auto batch = parse(line);
    if (!batch || !batch->is_array() || batch->empty()) {
      answer_error(nullptr, -32600, "Invalid Request: empty or malformed batch");
      return;
    }
    // Each element is handled on its own; elements to forward are re-batched in order. Answers
    // blastwall gives itself (deny, pending) go back as single messages.
    json forward = json::array();
    for (auto& el : *batch) {
      const std::string text = dump(el);
      const MessageShape s = scan_message(text);
      if (s.kind == MessageKind::request && s.method == "tools/call") {
        handle_tool_call(el, text, now);  // forwards alone when allowed
        continue;
      }
      if (s.kind == MessageKind::notification && s.method == "notifications/cancelled") {
        handle_cancel(el, text);
        continue;
      }
      if (s.kind == MessageKind::response && m_own_requests.count(s.id)) {
        handle_elicitation_reply(s.id, el, now);
        continue;
      }
      if (s.kind == MessageKind::request) {
        track_forwarded(s.id, Pending{s.method, {}, now, now, 0, {}});
      }
      if (s.kind == MessageKind::invalid || s.kind == MessageKind::other) {
        m_wire.log("client batch element is not a JSON-RPC message; dropped");
        continue;
      }
      forward.push_back(std::move(el));
    }
    if (!forward.empty()) m_wire.to_server(dump(forward));
    return;
  }
  handle_client_message(shape, line, nullptr, now);
}

void Session::handle_client_message(const MessageShape& shape, std::string_view raw,
                                    const json* parsed, Clock::time_point now) {
  (void)parsed;
  switch (shape.kind) {
    case MessageKind::request: {
      if (shape.method == "tools/call") {
        auto req = parse(raw);
        if (!req) {
          answer_error(nullptr, -32700, "Parse error");
          return;
        }
        handle_tool_call(*req, raw, now);
        return;
      }
      if (shape.method == "initialize") {
        if (auto req = parse(raw)) {
          const json caps = req->value("/params/capabilities"_json_pointer, json::object());
          if (caps.is_object() && caps.contains("elicitation") && caps["elicitation"].is_object()) {
            const json& el = caps["elicitation"];
            // Form mode is implied by an empty object; a client declaring only url mode cannot
            // render our form.
            m_client_elicitation = el.empty() || el.contains("form");
          }
          const json info = req->value("/params/clientInfo"_json_pointer, json::object());
          if (info.is_object() && info.contains("name") && info["name"].is_string()) {
            m_ctx.agent = info["name"].get<std::string>();
          }
        }
      }
      track_forwarded(shape.id, Pending{shape.method, {}, now, now, 0, {}});
      m_wire.to_server(raw);
      return;
    }
    case MessageKind::notification: {
      if (shape.method == "notifications/cancelled") {
        if (auto note = parse(raw)) {
          handle_cancel(*note, raw);
          return;
        }
      }
      m_wire.to_server(raw);
      return;
    }
    case MessageKind::response: {
      if (m_own_requests.count(shape.id)) {
        if (auto reply = parse(raw)) {
          handle_elicitation_reply(shape.id, *reply, now);
          return;
        }
      }
      m_wire.to_server(raw);
      return;
    }
    default:
      return;
  }
}

void Session::track_forwarded(const std::string& key, Pending p) {
  if (key.empty()) return;
  m_answered_by_us.erase(key);
  m_pending[key] = std::move(p);
}

void Session::handle_tool_call(const json& request, std::string_view raw, Clock::time_point now) {
  const json id = request.contains("id") ? request["id"] : json(nullptr);
  const std::string key = id_key(id);
  const auto t0 = Clock::now();
  const json params = request.value("params", json::object());
  if (!params.is_object() || !params.contains("name") || !params["name"].is_string()) {
    answer_error(id, -32602, "Invalid params: tools/call needs a string \"name\"");
    return;
  }
  const std::string tool = params["name"].get<std::string>();
  json arguments = params.value("arguments", json::object());
  if (arguments.is_null()) arguments = json::object();

  Action action;
  action.kind = ActionKind::mcp_call;
  action.ctx = m_ctx;
  action.ctx.tool = "mcp__" + m_cfg.server_name + "__" + tool;
  action.mcp.server = m_cfg.server_name;
  action.mcp.tool = tool;
  action.mcp.arguments = arguments;

  auto tit = m_tools.find(tool);
  action.mcp.annotations =
      tit != m_tools.end() ? tit->second.annotations : annotations_with_defaults(json::object());

  // A tool whose definition changed since it was pinned is blocked until a human accepts it.
  if (tit != m_tools.end() && tit->second.blocked && m_pins) {
    auto ok = m_pins->is_accepted(m_cfg.server_name, tool, tit->second.sha256);
    if (ok && *ok) tit->second.blocked = false;
  }
  if (tit != m_tools.end() && tit->second.blocked) {
    Verdict v;
    v.decision = Decision::deny;
    v.severity = Severity::high;
    v.source = "pin";
    v.reason = "the definition of tool '" + tool + "' changed since it was pinned";
    v.facts.set("tool_changed", "sha256 " + tit->second.sha256);
    const int64_t aid = m_audit ? m_audit->record_call(action, v, "pin", 0) : 0;
    answer_tool_error(
        id,
        "blastwall blocked this call to " + m_cfg.server_name + "/" + tool +
            ": the tool's definition (description, schema or annotations) changed since it was "
            "first seen, which can be a sign of a compromised server. A human must review it "
            "and run `blastwall pins accept " +
            m_cfg.server_name + " " + tool + "`; until then do not use this tool.",
        decision_meta(v));
    if (m_audit) m_audit->record_outcome(aid, "denied", true, 0);
    return;
  }

  Verdict v;
  try {
    Action judged = action;
    judged.ctx.now_us = wall_ms() * 1000;
    const std::string key = session_key(judged.ctx);
    judged.ctx.recent = m_memory.recall(key, judged.ctx.now_us, m_cfg.session_window_s);
    v = m_classify(judged);
    if (auto r = remember(v.facts, m_cfg.server_name + "/" + tool, judged.ctx.now_us))
      m_memory.add(key, std::move(*r));
  } catch (const std::exception& e) {
    v = Verdict{};
    v.decision = Decision::ask;
    v.source = "error";
    v.reason = std::string("internal error while classifying: ") + e.what();
  }
  // Annotation versus reality: a tool that claims to be read-only but whose arguments look
  // destructive is flagged and never silently allowed.
  const json& ann = action.mcp.annotations;
  if (ann.is_object() && ann.value("readOnlyHint", false) && v.facts.destructive()) {
    v.facts.set("annotation_mismatch",
                "tool is marked readOnlyHint but its arguments look destructive");
    if (v.decision == Decision::allow) {
      v.decision = Decision::ask;
      v.reason = "tool '" + tool + "' is marked read-only but its arguments look destructive" +
                 (v.reason.empty() ? "" : "; " + v.reason);
    }
  }
  const auto latency_us = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
  v.eval_us = latency_us;

  if (v.decision == Decision::allow) {
    m_wire.to_server(raw);  // forward first; audit after, off the latency path
    Pending p{"tools/call", tool, now, now, 0, {}};
    const json token = member_at(params, {"_meta", "progressToken"});
    if (!token.is_null()) p.progress_token = dump(token);
    p.audit_id = m_audit ? m_audit->record_call(action, v, v.source, latency_us) : 0;
    track_forwarded(key, std::move(p));
    return;
  }
  const int64_t aid = m_audit ? m_audit->record_call(action, v, v.source, latency_us) : 0;
  if (v.decision == Decision::deny) {
    answer_tool_error(id, deny_text(m_cfg.server_name, tool, v), decision_meta(v));
    if (m_audit) m_audit->record_outcome(aid, "denied", true, 0);
    return;
  }

  // Ask.
  Parked p;
  p.id = id;
  p.raw = std::string(raw);
  p.tool = tool;
  p.digest = call_digest(m_cfg.server_name, tool, arguments);
  p.summary = approval_summary(m_cfg.server_name, tool, arguments, v);
  p.reason = v.reason;
  p.audit_id = aid;
  p.started = now;
  p.deadline = now + m_cfg.approval_wait;
  p.progress_token = member_at(params, {"_meta", "progressToken"});

  // An approval a human already gave for exactly these arguments is used once.
  if (m_approvals) {
    auto used = m_approvals->consume_approved(p.digest, wall_ms());
    if (!used) {
      m_wire.log("approval queue unavailable: " + used.error().message);
    } else if (*used) {
      auto& slot = m_parked[key] = std::move(p);
      forward_parked(key, slot, now, "queue", (*used)->id, (*used)->decided_by);
      m_parked.erase(key);
      return;
    }
  }
  if (m_cfg.use_elicitation && m_client_elicitation) {
    const std::string our_id = m_own_prefix + std::to_string(++m_own_seq);
    p.elicitation_id = our_id;
    json req = {{"jsonrpc", "2.0"},
                {"id", our_id},
                {"method", "elicitation/create"},
                {"params",
                 {{"message", "blastwall: " + p.summary},
                  {"requestedSchema", json::parse(k_elicitation_note_schema)}}}};
    m_own_requests[id_key(json(our_id))] = key;
    m_parked[key] = std::move(p);
    m_wire.to_client(dump(req));
    if (m_audit) m_audit->record_approval(aid, our_id, "elicitation", "requested", "");
    return;
  }
  auto& slot = m_parked[key] = std::move(p);
  start_queue_wait(slot, key, now);
}

void Session::start_queue_wait(Parked& p, const std::string& key, Clock::time_point now) {
  if (!m_approvals) {
    const json id = p.id;
    answer_tool_error(id,
                      "blastwall needs a human approval for this call but no approval channel is "
                      "available (the client has no elicitation and the approval queue could not "
                      "be opened). Why: " +
                          p.reason,
                      json{{"blastwall/decision", {{"decision", "ask"}, {"reason", p.reason}}}});
    if (m_audit) m_audit->record_outcome(p.audit_id, "denied", true, 0);
    m_parked.erase(key);
    return;
  }
  const int64_t wall = wall_ms();
  auto existing = m_approvals->find_pending(p.digest, wall);
  if (existing && *existing) {
    p.approval_id = (*existing)->id;
  } else {
    auto created = m_approvals->create_pending(m_cfg.server_name, p.tool, p.digest, p.summary, wall,
                                               m_cfg.pending_ttl_ms);
    if (!created) {
      m_wire.log("approval queue unavailable: " + created.error().message);
      const json id = p.id;
      answer_tool_error(id,
                        "blastwall needs a human approval for this call but the approval queue "
                        "is unavailable; the call was not run. Why: " +
                            p.reason,
                        json::object());
      if (m_audit) m_audit->record_outcome(p.audit_id, "denied", true, 0);
      m_parked.erase(key);
      return;
    }
    p.approval_id = created->id;
  }
  m_wire.log("call " + m_cfg.server_name + "/" + p.tool + " waits for approval " + p.approval_id +
             ": run `blastwall approve " + p.approval_id + "` or `blastwall deny " + p.approval_id +
             "`");
  if (m_audit) m_audit->record_approval(p.audit_id, p.approval_id, "queue", "requested", "");
  p.deadline = now + m_cfg.approval_wait;
  p.next_poll = now + m_cfg.approval_poll;
  p.next_progress = now;  // first keep-alive right away
  if (!p.progress_token.is_null()) {
    bool erase = false;
    poll_parked(key, p, now, erase);
  }
}

void Session::forward_parked(const std::string& key, Parked& p, Clock::time_point now,
                             std::string_view channel, std::string_view approval_id,
                             std::string_view who) {
  m_wire.to_server(p.raw);
  if (m_audit) m_audit->record_approval(p.audit_id, approval_id, channel, "approved", who);
  Pending pend{"tools/call", p.tool, now, now, p.audit_id, {}};
  if (!p.progress_token.is_null()) pend.progress_token = dump(p.progress_token);
  track_forwarded(key, std::move(pend));
}

void Session::handle_cancel(const json& note, std::string_view raw) {
  const json params = note.value("params", json::object());
  if (!params.is_object() || !params.contains("requestId")) {
    m_wire.to_server(raw);
    return;
  }
  const std::string key = id_key(params["requestId"]);
  auto it = m_parked.find(key);
  if (it == m_parked.end()) {
    m_pending.erase(key);
    m_wire.to_server(raw);
    return;
  }
  // The server never saw this call: drop it and its approval; it is never forwarded.
  Parked& p = it->second;
  if (!p.approval_id.empty() && m_approvals) (void)m_approvals->cancel(p.approval_id, wall_ms());
  if (!p.elicitation_id.empty()) {
    m_own_requests.erase(id_key(json(p.elicitation_id)));
    m_wire.to_client(dump(json{{"jsonrpc", "2.0"},
                               {"method", "notifications/cancelled"},
                               {"params",
                                {{"requestId", p.elicitation_id},
                                 {"reason", "the tools/call it was about was cancelled"}}}}));
  }
  if (m_audit) {
    m_audit->record_approval(p.audit_id, p.approval_id.empty() ? p.elicitation_id : p.approval_id,
                             p.approval_id.empty() ? "elicitation" : "queue", "cancelled", "");
    m_audit->record_outcome(p.audit_id, "cancelled", true, 0);
  }
  m_parked.erase(it);
}

void Session::handle_elicitation_reply(const std::string& our_id, const json& reply,
                                       Clock::time_point now) {
  auto oit = m_own_requests.find(our_id);
  const std::string key = oit->second;
  m_own_requests.erase(oit);
  auto it = m_parked.find(key);
  if (it == m_parked.end()) return;  // the call was cancelled meanwhile
  Parked& p = it->second;
  p.elicitation_id.clear();
  if (reply.contains("error")) {
    // The client could not show the form: fall back to the local queue.
    m_wire.log("client refused elicitation (" + dump(reply["error"]) +
               "); falling back to the approval queue");
    start_queue_wait(p, key, now);
    return;
  }
  const json result = reply.value("result", json::object());
  const std::string action = result.is_object() ? result.value("action", "") : "";
  std::string note;
  if (result.is_object() && result.contains("content") && result["content"].is_object()) {
    const json& c = result["content"];
    if (c.contains("note") && c["note"].is_string()) note = c["note"].get<std::string>();
  }
  if (action == "accept") {
    forward_parked(key, p, now, "elicitation", our_id, note.empty() ? "client" : "client: " + note);
    m_parked.erase(key);
    return;
  }
  const json id = p.id;
  const std::string verb = action == "decline" ? "declined" : "cancelled";
  answer_tool_error(id,
                    "The user " + verb + " this call to " + m_cfg.server_name + "/" + p.tool +
                        " when blastwall asked for approval. Do not retry it; ask the user how to "
                        "proceed.",
                    json{{"blastwall/decision", {{"decision", "ask"}, {"approval", verb}}}});
  if (m_audit) {
    m_audit->record_approval(p.audit_id, our_id, "elicitation", verb, "client");
    m_audit->record_outcome(p.audit_id, "denied", true, 0);
  }
  m_parked.erase(key);
}

// ---------------------------------------------------------------------------------------------
// Ticks: approval polling, keep-alive progress, deadlines.

void Session::poll_parked(const std::string& key, Parked& p, Clock::time_point now, bool& erase) {
  if (!p.approval_id.empty() && now >= p.next_poll && m_approvals) {
    p.next_poll = now + m_cfg.approval_poll;
    auto got = m_approvals->get(p.approval_id);
    if (got && *got) {
      const Approval& a = **got;
      if (a.status == "approved") {
        auto used = m_approvals->consume_approved(p.digest, wall_ms());
        if (used && *used) {
          forward_parked(key, p, now, "queue", (*used)->id, (*used)->decided_by);
          erase = true;
          return;
        }
      } else if (a.status == "denied" || a.status == "expired" || a.status == "cancelled" ||
                 a.status == "used") {
        const json id = p.id;
        answer_tool_error(
            id,
            "A human " + std::string(a.status == "denied" ? "denied" : "did not approve") +
                " this call to " + m_cfg.server_name + "/" + p.tool + " (approval " + a.id +
                " is " + a.status + "). Do not retry it; ask the user how to proceed.",
            json{{"blastwall/decision",
                  {{"decision", "deny"}, {"approval", a.id}, {"status", a.status}}}});
        if (m_audit) {
          m_audit->record_approval(p.audit_id, a.id, "queue", a.status, a.decided_by);
          m_audit->record_outcome(p.audit_id, "denied", true, 0);
        }
        erase = true;
        return;
      }
    }
  }
  if (now >= p.deadline) {
    const json id = p.id;
    if (!p.approval_id.empty()) {
      answer_tool_error(
          id,
          "approval pending: " + p.approval_id +
              " — blastwall is waiting for a human to approve "
              "this call to " +
              m_cfg.server_name + "/" + p.tool + " (`blastwall approve " + p.approval_id +
              "` in their terminal). Ask the user to approve it, then retry "
              "this exact call with the same arguments; any other call needs its own approval. "
              "Why: " +
              p.reason,
          json{{"blastwall/decision",
                {{"decision", "ask"}, {"approval", p.approval_id}, {"status", "pending"}}}});
      if (m_audit) m_audit->record_outcome(p.audit_id, "pending", true, 0);
    } else {
      answer_tool_error(id,
                        "No answer to blastwall's approval request for " + m_cfg.server_name + "/" +
                            p.tool + " in time; the call was not run.",
                        json{{"blastwall/decision", {{"decision", "ask"}, {"status", "timeout"}}}});
      if (!p.elicitation_id.empty()) {
        m_own_requests.erase(id_key(json(p.elicitation_id)));
        m_wire.to_client(dump(json{
            {"jsonrpc", "2.0"},
            {"method", "notifications/cancelled"},
            {"params", {{"requestId", p.elicitation_id}, {"reason", "approval window closed"}}}}));
      }
      if (m_audit) m_audit->record_outcome(p.audit_id, "timeout", true, 0);
    }
    erase = true;
    return;
  }
  if (!p.progress_token.is_null() && now >= p.next_progress) {
    p.next_progress = now + m_cfg.progress_interval;
    ++p.progress;
    const std::string msg = p.approval_id.empty()
                                ? "waiting for the user to answer blastwall's approval request"
                                : "waiting for approval " + p.approval_id + " (blastwall approve " +
                                      p.approval_id + ")";
    m_wire.to_client(dump(
        json{{"jsonrpc", "2.0"},
             {"method", "notifications/progress"},
             {"params",
              {{"progressToken", p.progress_token}, {"progress", p.progress}, {"message", msg}}}}));
  }
}

void Session::on_tick(Clock::time_point now) {
  for (auto it = m_parked.begin(); it != m_parked.end();) {
    bool erase = false;
    poll_parked(it->first, it->second, now, erase);
    it = erase ? m_parked.erase(it) : std::next(it);
  }
  if (m_cfg.call_timeout.count() > 0 && !m_streaming) {
    for (auto it = m_pending.begin(); it != m_pending.end();) {
      Pending& p = it->second;
      if (p.method == "tools/call" && now - p.last_activity >= m_cfg.call_timeout) {
        const auto secs = std::chrono::duration_cast<std::chrono::seconds>(m_cfg.call_timeout);
        const json id = json::parse(it->first);
        answer_error(id, k_err_timeout,
                     "blastwall: MCP server '" + m_cfg.server_name +
                         "' did not answer tools/call " + p.tool + " within " +
                         std::to_string(secs.count()) + " s; the call was cancelled");
        m_wire.to_server(
            dump(json{{"jsonrpc", "2.0"},
                      {"method", "notifications/cancelled"},
                      {"params", {{"requestId", id}, {"reason", "timed out in blastwall"}}}}));
        if (m_audit) {
          m_audit->record_outcome(p.audit_id, "timeout", true,
                                  std::chrono::duration_cast<Ms>(now - p.started).count());
        }
        m_wire.log("tools/call " + p.tool + " timed out");
        m_answered_by_us[it->first] = true;
        it = m_pending.erase(it);
      } else {
        ++it;
      }
    }
  }
}

Clock::time_point Session::next_wakeup() const {
  auto next = Clock::time_point::max();
  for (const auto& [key, p] : m_parked) {
    next = std::min(next, p.deadline);
    if (!p.approval_id.empty()) next = std::min(next, p.next_poll);
    if (!p.progress_token.is_null()) next = std::min(next, p.next_progress);
  }
  if (m_cfg.call_timeout.count() > 0 && !m_streaming) {
    for (const auto& [key, p] : m_pending) {
      if (p.method == "tools/call") next = std::min(next, p.last_activity + m_cfg.call_timeout);
    }
  }
  return next;
}

// ---------------------------------------------------------------------------------------------
// Server -> client

void Session::on_server_line(std::string_view line, Clock::time_point now) {
  const MessageShape shape = scan_message(line);
  if (shape.kind == MessageKind::invalid || shape.kind == MessageKind::other) {
    std::string head(line.substr(0, 120));
    for (char& c : head) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';
    }
    m_wire.log("server '" + m_cfg.server_name + "' wrote a line that is not a JSON-RPC message (" +
               std::to_string(line.size()) + " bytes: \"" + head + "\"); dropped");
    return;
  }
  if (shape.kind == MessageKind::batch) {
    auto batch = parse(line);
    if (!batch || !batch->is_array()) return;
    bool modified = false;
    for (auto& el : *batch) {
      const std::string text = dump(el);
      const MessageShape s = scan_message(text);
      if (s.kind != MessageKind::response) continue;
      auto it = m_pending.find(s.id);
      if (it == m_pending.end()) continue;
      if (it->second.method == "tools/list") {
        if (auto rewritten = process_tools_list(el)) {
          el = json::parse(*rewritten);
          modified = true;
        }
      } else {
        record_reply(it->second, s, now);
      }
      m_pending.erase(it);
    }
    if (modified) {
      m_wire.to_client(dump(*batch));
    } else {
      m_wire.to_client(line);
    }
    return;
  }
  handle_server_message(shape, line, now);
}

void Session::handle_server_message(const MessageShape& shape, std::string_view raw,
                                    Clock::time_point now) {
  if (shape.kind == MessageKind::response) {
    auto it = m_pending.find(shape.id);
    if (it == m_pending.end()) {
      if (m_answered_by_us.erase(shape.id)) {
        m_wire.log("dropped a late server reply to request " + shape.id +
                   " that blastwall already answered");
        return;
      }
      m_wire.to_client(raw);
      return;
    }
    Pending p = std::move(it->second);
    m_pending.erase(it);
    if (p.method == "tools/list" && shape.has_result) {
      auto resp = parse(raw);
      if (resp) {
        if (auto rewritten = process_tools_list(*resp)) {
          m_wire.to_client(*rewritten);
          return;
        }
      }
    }
    m_wire.to_client(raw);
    record_reply(p, shape, now);
    return;
  }
  if (shape.kind == MessageKind::notification && shape.method == "notifications/progress" &&
      m_cfg.call_timeout.count() > 0) {
    // Progress from the server counts as activity on the call it belongs to.
    if (auto note = parse(raw)) {
      const std::string token = dump(member_at(*note, {"params", "progressToken"}));
      for (auto& [key, p] : m_pending) {
        if (!p.progress_token.empty() && p.progress_token == token) p.last_activity = now;
      }
    }
  }
  m_wire.to_client(raw);
}

void Session::record_reply(const Pending& p, const MessageShape& shape, Clock::time_point now) {
  if (p.method != "tools/call" || !m_audit) return;
  const bool is_err = shape.has_error || shape.is_error.value_or(false);
  m_audit->record_outcome(p.audit_id, shape.has_error ? "error" : "ok", is_err,
                          std::chrono::duration_cast<Ms>(now - p.started).count());
}

// ---------------------------------------------------------------------------------------------
// Server -> client, cut through

bool Session::begin_server_stream(std::string_view head, Clock::time_point now) {
  (void)now;
  if (m_streaming || !m_answered_by_us.empty()) return false;
  for (const auto& [key, p] : m_pending) {
    if (p.method == "tools/list") return false;
  }
  const auto first = head.find_first_not_of(" \t\r");
  if (first == std::string_view::npos || head[first] != '{') return false;
  m_streaming = true;
  m_stream_bytes = 0;
  return true;
}

void Session::server_stream_data(std::string_view bytes) {
  m_stream_bytes += bytes.size();
  m_stream_scan.feed(bytes);
  m_wire.to_client_partial(bytes);
}

void Session::end_server_stream(bool complete, Clock::time_point now) {
  m_streaming = false;
  m_wire.end_client_line();
  const MessageShape shape = m_stream_scan.finish();
  // The server was busy writing: that is activity on every call waiting for it.
  for (auto& [key, p] : m_pending) p.last_activity = now;
  if (complete && shape.kind == MessageKind::response) {
    auto it = m_pending.find(shape.id);
    if (it != m_pending.end()) {
      record_reply(it->second, shape, now);
      m_pending.erase(it);
    }
  } else if (complete && shape.kind != MessageKind::request &&
             shape.kind != MessageKind::notification) {
    m_wire.log("server '" + m_cfg.server_name + "' wrote a " + std::to_string(m_stream_bytes) +
               "-byte line that is not a JSON-RPC message (" + shape.problem +
               "); it was already streamed to the client");
  }
  // Client lines that waited for the line to end, in order.
  std::vector<std::string> deferred = std::move(m_deferred);
  m_deferred.clear();
  for (const std::string& line : deferred) on_client_line(line, now);
}

std::optional<std::string> Session::process_tools_list(const json& response) {
  const json* tools = nullptr;
  if (response.contains("result") && response["result"].is_object() &&
      response["result"].contains("tools") && response["result"]["tools"].is_array()) {
    tools = &response["result"]["tools"];
  }
  if (!tools) return std::nullopt;
  bool withheld = false;
  json kept = json::array();
  const int64_t wall = wall_ms();
  for (const json& tool : *tools) {
    if (!tool.is_object() || !tool.contains("name") || !tool["name"].is_string()) {
      kept.push_back(tool);
      continue;
    }
    const std::string name = tool["name"].get<std::string>();
    ToolInfo info;
    info.annotations = annotations_with_defaults(tool);
    info.sha256 = tool_definition_digest(tool);
    if (m_pins) {
      auto st = m_pins->check(m_cfg.server_name, name, info.sha256, wall);
      if (!st) {
        // Fail closed: a pin store we cannot read blocks the tool.
        m_wire.log("pin store unavailable: " + st.error().message + "; blocking " + name);
        info.blocked = true;
      } else if (*st == PinStatus::changed) {
        auto accepted = m_pins->is_accepted(m_cfg.server_name, name, info.sha256);
        info.blocked = !(accepted && *accepted);
        if (info.blocked) {
          m_wire.log("tool " + m_cfg.server_name + "/" + name +
                     " changed its definition since it was pinned; blocked until `blastwall pins "
                     "accept " +
                     m_cfg.server_name + " " + name + "`");
          if (m_audit) {
            m_audit->record_event(
                "pin_changed",
                json{{"server", m_cfg.server_name}, {"tool", name}, {"sha256", info.sha256}});
          }
        }
      } else if (*st == PinStatus::first_seen && m_audit) {
        m_audit->record_event(
            "pin_added",
            json{{"server", m_cfg.server_name}, {"tool", name}, {"sha256", info.sha256}});
      }
    }
    if (info.blocked) {
      withheld = true;
    } else {
      kept.push_back(tool);
    }
    m_tools[name] = std::move(info);
  }
  if (!withheld) return std::nullopt;
  json out = response;
  out["result"]["tools"] = std::move(kept);
  return dump(out);
}

// ---------------------------------------------------------------------------------------------
// Faults

void Session::on_client_oversize(const OversizeLine& info, Clock::time_point now) {
  m_wire.log("client sent a " + std::to_string(info.bytes) +
             "-byte line, over the frame cap; dropped");
  recover_id_from_oversize(info, false, now);
}

void Session::on_server_oversize(const OversizeLine& info, Clock::time_point now) {
  m_wire.log("server '" + m_cfg.server_name + "' wrote a " + std::to_string(info.bytes) +
             "-byte line, over the frame cap; dropped");
  recover_id_from_oversize(info, true, now);
}

void Session::recover_id_from_oversize(const OversizeLine& info, bool from_server,
                                       Clock::time_point now) {
  // SDKs serialise "id" first or last; look for a top-level-looking "id" in the kept ends.
  auto find_id = [](const std::string& s, bool last) -> std::optional<json> {
    const std::string pat = "\"id\":";
    const auto pos = last ? s.rfind(pat) : s.find(pat);
    if (pos == std::string::npos) return std::nullopt;
    std::size_t i = pos + pat.size();
    while (i < s.size() && s[i] == ' ') ++i;
    std::size_t j = i;
    if (j < s.size() && s[j] == '"') {
      ++j;
      while (j < s.size() && s[j] != '"' && s[j] != '\\') ++j;
      if (j >= s.size() || s[j] != '"') return std::nullopt;
      ++j;
    } else {
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '-')) ++j;
    }
    if (j == i) return std::nullopt;
    return parse(std::string_view(s).substr(i, j - i));
  };
  std::vector<json> candidates;
  if (auto t = find_id(info.tail, true)) candidates.push_back(*t);
  if (auto h = find_id(info.head, false)) candidates.push_back(*h);
  for (const json& id : candidates) {
    const std::string key = id_key(id);
    if (from_server) {
      auto it = m_pending.find(key);
      if (it == m_pending.end()) continue;
      answer_error(id, k_err_oversize,
                   "blastwall: the server's reply (" + std::to_string(info.bytes) +
                       " bytes) exceeds the frame cap; it was dropped");
      if (it->second.method == "tools/call" && m_audit) {
        m_audit->record_outcome(it->second.audit_id, "oversize", true,
                                std::chrono::duration_cast<Ms>(now - it->second.started).count());
      }
      m_pending.erase(it);
      m_answered_by_us[key] = true;
      return;
    }
    answer_error(id, k_err_oversize,
                 "blastwall: request of " + std::to_string(info.bytes) +
                     " bytes exceeds the frame cap; it was not forwarded");
    return;
  }
}

void Session::on_server_exit(const std::string& why, Clock::time_point now) {
  for (auto& [key, p] : m_pending) {
    const json id = json::parse(key);
    answer_error(id, k_err_server_exited,
                 "blastwall: MCP server '" + m_cfg.server_name + "' " + why + " before answering " +
                     p.method);
    if (p.method == "tools/call" && m_audit) {
      m_audit->record_outcome(p.audit_id, "server_exited", true,
                              std::chrono::duration_cast<Ms>(now - p.started).count());
    }
  }
  m_pending.clear();
  for (auto& [key, p] : m_parked) {
    answer_error(
        p.id, k_err_server_exited,
        "blastwall: MCP server '" + m_cfg.server_name + "' " + why + "; the call was not run");
    if (!p.approval_id.empty() && m_approvals) (void)m_approvals->cancel(p.approval_id, wall_ms());
    if (m_audit) m_audit->record_outcome(p.audit_id, "server_exited", true, 0);
  }
  m_parked.clear();
}

// ---------------------------------------------------------------------------------------------

void Session::answer_result(const json& id, const json& result) {
  m_wire.to_client(dump(json{{"jsonrpc", "2.0"}, {"id", id}, {"result", result}}));
}

void Session::answer_error(const json& id, int code, const std::string& message) {
  m_wire.to_client(dump(
      json{{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}}));
}

void Session::answer_tool_error(const json& id, const std::string& text, const json& meta) {
  json result = {{"content", json::array({json{{"type", "text"}, {"text", text}}})},
                 {"isError", true}};
  if (meta.is_object() && !meta.empty()) result["_meta"] = meta;
  answer_result(id, result);
}

}  // namespace blastwall::proxy
