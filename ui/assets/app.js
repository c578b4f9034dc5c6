// blastwall dashboard. Plain JS, no framework, nothing loaded from elsewhere (CSP: 'self').
// Every value from the API is put in the page as text (textContent), never as HTML.
"use strict";

const state = {
  csrf: sessionStorage.getItem("bw_csrf") || "",
  stream: null,
  streamKey: "",
  timelineOldest: 0,
};

// ---- small DOM helpers ----
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}
const $ = (id) => document.getElementById(id);
const body = () => $("view-body");

function setView(title, ...nodes) {
  $("view-title").textContent = title;
  body().replaceChildren(...nodes.flat(2).filter((n) => n !== null && n !== undefined && n !== false));
}
function toast(text) {
  const t = $("toast");
  t.textContent = text;
  t.classList.add("show");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove("show"), 4000);
}
const when = (us) => (us ? new Date(us / 1000).toLocaleString() : "-");
const decision = (d) => el("span", { class: "d-" + d }, d);
function tags(row) {
  const out = [];
  if (row.prod) out.push(el("span", { class: "tag prod" }, "prod"));
  if (row.global) out.push(el("span", { class: "tag global" }, "global"));
  for (const f of row.flags || []) if (f !== "prod" && f !== "global") out.push(el("span", { class: "tag" }, f));
  return out;
}

// ---- API ----
class AuthError extends Error {}
async function api(path, opts = {}) {
  const headers = { "X-Blastwall-CSRF": state.csrf };
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, {
    method: opts.method || "GET",
    headers,
    credentials: "same-origin",
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  let data = null;
  try { data = await res.json(); } catch { data = { error: res.statusText }; }
  if (res.status === 401 || (res.status === 403 && /CSRF/.test(data.error || ""))) {
    showLogin("Your dashboard session ended; log in again.");
    throw new AuthError(data.error);
  }
  if (!res.ok) throw new Error(data.error || res.statusText);
  return data;
}

async function login(token) {
  const res = await fetch("/api/login", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    credentials: "same-origin",
    body: JSON.stringify({ token }),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.error || res.statusText);
  state.csrf = data.csrf;
  sessionStorage.setItem("bw_csrf", state.csrf);
}

function showLogin(message) {
  stopStream();
  $("login").hidden = false;
  $("view").hidden = true;
  $("login-error").textContent = message || "";
}

// ---- live updates (server-sent events) ----
function stopStream() {
  if (state.stream) state.stream.close();
  state.stream = null;
  state.streamKey = "";
  $("live").textContent = "offline";
  $("live").classList.remove("on");
}
function startStream(params, afterId, onRow) {
  const q = new URLSearchParams(params);
  q.set("after", String(afterId));
  const key = q.toString();
  stopStream();
  q.set("csrf", state.csrf);
  const es = new EventSource("/api/stream?" + q.toString());
  state.stream = es;
  state.streamKey = key;
  es.addEventListener("open", () => { $("live").textContent = "live"; $("live").classList.add("on"); });
  es.addEventListener("error", () => { $("live").textContent = "reconnecting"; $("live").classList.remove("on"); });
  es.addEventListener("row", (ev) => onRow && onRow(JSON.parse(ev.data)));
  es.addEventListener("approvals", () => {
    refreshPendingCount();
    if (currentRoute().name === "approvals") renderApprovals();
  });
}

async function refreshPendingCount() {
  try {
    const s = await api("/api/approvals?history=1");
    $("pending-count").textContent = s.pending.length ? String(s.pending.length) : "";
  } catch { /* the view shows errors */ }
}

// ---- pages ----
function currentRoute() {
  const h = location.hash.replace(/^#\/?/, "");
  const [name, ...rest] = h.split("/");
  return { name: name || "approvals", arg: decodeURIComponent(rest.join("/")) };
}

function approvalCard(a) {
  const diff = a.diff
    ? el("table", { class: "diff" },
        el("tr", {}, el("th", {}, "argument"), el("th", {}, "before (" + a.previous.id + ", " + a.previous.status + ")"), el("th", {}, "now")),
        a.diff.map((d) => el("tr", {},
          el("td", {}, d.key),
          el("td", { class: d.change }, d.before === undefined ? "—" : JSON.stringify(d.before)),
          el("td", { class: d.change }, d.after === undefined ? "—" : JSON.stringify(d.after) + (d.change === "same" ? "" : "  (" + d.change + ")")))))
    : el("p", { class: "meta" }, "No earlier decision on " + a.server + "/" + a.tool + " to compare with.");
  const buttons = el("div", {},
    el("button", { class: "approve", id: "approve-" + a.id, type: "button", onclick: (e) => decideApproval(a, true, e.target) }, "Approve once"),
    " ",
    el("button", { class: "deny", id: "deny-" + a.id, type: "button", onclick: (e) => decideApproval(a, false, e.target) }, "Deny"));
  return el("div", { class: "card approval", "data-id": a.id },
    el("h3", {}, a.server + "/" + a.tool, " ", el("span", { class: "meta" }, a.id + " · waiting since " + when(a.created_ms * 1000) + " · expires in " + Math.round(a.expires_in_s / 60) + " min")),
    a.command ? el("pre", { class: "command" }, a.command) : null,
    el("dl", { class: "kv" },
      el("dt", {}, "why"), el("dd", {}, a.why || "-"),
      el("dt", {}, "facts"), el("dd", {}, a.facts || "-"),
      el("dt", {}, "rule"), el("dd", {}, a.rules.length ? a.rules.join("; ") : "-"),
      el("dt", {}, "arguments"), el("dd", {}, el("pre", {}, a.arguments_json ? JSON.stringify(a.arguments_json, null, 2) : a.arguments)),
      el("dt", {}, "diff"), el("dd", {}, diff)),
    el("p", { class: "meta" }, "Approving lets this exact call (same server, tool and arguments) run once within 10 minutes."),
    buttons);
}

async function decideApproval(a, approve, button) {
  button.disabled = true;
  try {
    await api("/api/approvals/" + encodeURIComponent(a.id) + "/" + (approve ? "approve" : "deny"), { method: "POST", body: {} });
    toast((approve ? "Approved " : "Denied ") + a.id + " (" + a.server + "/" + a.tool + ")" +
          (approve ? ": the identical call may run once." : "."));
  } catch (e) {
    if (!(e instanceof AuthError)) toast("Could not decide " + a.id + ": " + e.message);
  }
  await renderApprovals();
  refreshPendingCount();
}

async function renderApprovals() {
  const data = await api("/api/approvals");
  $("pending-count").textContent = data.pending.length ? String(data.pending.length) : "";
  const history = el("table", {},
    el("tr", {}, ["id", "status", "server/tool", "command or arguments", "decided by", "when"].map((h) => el("th", {}, h))),
    data.history.map((a) => el("tr", {},
      el("td", {}, a.id), el("td", {}, a.status), el("td", {}, a.server + "/" + a.tool),
      el("td", { class: "summary" }, a.command || a.arguments), el("td", {}, a.decided_by || "-"),
      el("td", {}, when((a.decided_ms || a.created_ms) * 1000)))));
  setView("Pending approvals (" + data.pending.length + ")",
    data.pending.length ? data.pending.map(approvalCard) : el("p", { id: "no-pending" }, "Nothing waits for you."),
    el("h3", {}, "Recent decisions"), data.history.length ? history : el("p", { class: "meta" }, "none"));
  performance.mark("bw-approvals-painted");
  // Only "approvals" events matter here: start the row cursor past any id.
  if (!state.stream) startStream({}, 2147483647, null);
}

function timelineRow(r, fresh) {
  return el("tr", { class: fresh ? "fresh" : "", "data-id": r.id },
    el("td", {}, el("a", { href: "#/row/" + r.id }, r.id)),
    el("td", {}, when(r.ts_us)),
    el("td", {}, r.agent || "-", el("div", { class: "meta" }, r.surface)),
    el("td", {}, decision(r.decision)),
    el("td", { class: "summary" }, r.summary, el("div", { class: "meta" }, r.reason)),
    el("td", {}, r.rules.join(", ") || "-"),
    el("td", {}, tags(r)),
    el("td", {}, r.session ? el("a", { href: "#/session/" + encodeURIComponent(r.session) }, r.session.slice(0, 12)) : "-"));
}

function timelineParams() {
  const p = {};
  for (const k of ["agent", "session", "decision", "q"]) {
    const v = $("f-" + k).value.trim();
    if (v) p[k] = v;
  }
  if ($("f-prod").checked) p.prod = "1";
  if ($("f-global").checked) p.global = "1";
  return p;
}

async function renderTimeline(initial) {
  const saved = initial || {};
  const form = el("form", { class: "filters", id: "filters" },
    el("input", { id: "f-agent", type: "text", placeholder: "agent", value: saved.agent || "" }),
    el("input", { id: "f-session", type: "text", placeholder: "session", value: saved.session || "" }),
    el("select", { id: "f-decision" }, ["", "allow", "ask", "deny"].map((d) => el("option", { value: d, selected: d === (saved.decision || "") }, d || "any decision"))),
    el("label", {}, el("input", { id: "f-prod", type: "checkbox", checked: saved.prod === "1" }), " prod"),
    el("label", {}, el("input", { id: "f-global", type: "checkbox", checked: saved.global === "1" }), " global"),
    el("input", { id: "f-q", type: "text", placeholder: "search text", value: saved.q || "" }),
    el("button", { type: "submit" }, "Filter"));
  const table = el("table", { id: "timeline" },
    el("thead", {}, el("tr", {}, ["id", "time", "agent", "decision", "action", "rules", "facts", "session"].map((h) => el("th", {}, h)))),
    el("tbody", { id: "timeline-body" }));
  const more = el("button", { id: "older", type: "button" }, "Older");
  setView("Timeline", form, table, el("p", {}, more));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    loadTimeline(timelineParams());
  });
  more.addEventListener("click", () => loadTimeline(timelineParams(), state.timelineOldest));
  await loadTimeline(saved);
}

async function loadTimeline(params, before) {
  const q = new URLSearchParams(params);
  if (before) q.set("before", String(before));
  const data = await api("/api/timeline?" + q.toString());
  const tb = $("timeline-body");
  if (!before) tb.replaceChildren();
  for (const r of data.rows) tb.append(timelineRow(r, false));
  state.timelineOldest = data.rows.length ? data.rows[data.rows.length - 1].id : 0;
  $("older").hidden = !data.has_more;
  if (!before) {
    performance.mark("bw-timeline-painted");
    startStream(params, data.newest_id, (r) => {
      const t = $("timeline-body");
      if (t) t.prepend(timelineRow(r, true));
    });
  }
}

async function renderSessions() {
  const data = await api("/api/sessions?limit=100");
  setView("Sessions",
    el("table", {},
      el("tr", {}, ["session", "agent", "project", "from", "to", "actions", "asked", "denied"].map((h) => el("th", {}, h))),
      data.sessions.map((s) => el("tr", {},
        el("td", {}, s.session ? el("a", { href: "#/session/" + encodeURIComponent(s.session) }, s.session) : el("span", { class: "meta" }, "(no session id)")),
        el("td", {}, s.agent, el("div", { class: "meta" }, s.surface)),
        el("td", {}, s.project || "-"), el("td", {}, when(s.first_us)), el("td", {}, when(s.last_us)),
        el("td", {}, s.actions), el("td", { class: s.asks ? "d-ask" : "" }, s.asks), el("td", { class: s.denies ? "d-deny" : "" }, s.denies)))));
}

function eventsText(events) {
  return (events || []).map((e) => e.type === "approval"
    ? e.result + " by " + (e.who || "?") + " via " + (e.channel || "?")
    : "outcome " + e.result + (e.duration_ms !== undefined ? " in " + e.duration_ms + " ms" : "")).join("; ");
}

async function renderSession(id) {
  const r = await api("/api/session?id=" + encodeURIComponent(id));
  const mins = Math.round(r.duration_s / 60);
  const item = (a) => el("li", {}, el("a", { href: "#/row/" + a.id }, "#" + a.id), " ", when(a.ts_us), " — ",
    el("code", {}, a.summary), " — ", a.rules.join(", ") || a.source, a.reason ? " (" + a.reason + ")" : "",
    a.events.length ? el("div", { class: "meta" }, eventsText(a.events)) : null);
  setView("Incident report: session " + r.session,
    el("div", { class: "report" },
      el("p", { class: "lead" },
        r.agent + " via " + r.surface + (r.project ? " in " + r.project : "") + ", from " + when(Date.parse(r.first) * 1000) +
        " to " + when(Date.parse(r.last) * 1000) + " (" + (mins ? mins + " min" : r.duration_s + " s") + "). " +
        r.total + " actions: " + r.counts.allow + " allowed, " + r.counts.ask + " asked, " + r.counts.deny + " denied." +
        (r.listed < r.total ? " The first " + r.listed + " are listed." : "")),
      el("h3", {}, "What was blocked (" + r.blocked.length + ")"),
      r.blocked.length ? el("ul", {}, r.blocked.map(item)) : el("p", { class: "meta" }, "nothing"),
      el("h3", {}, "What needed a human (" + r.asked.length + ")"),
      r.asked.length ? el("ul", {}, r.asked.map(item)) : el("p", { class: "meta" }, "nothing"),
      el("h3", {}, "Rules that fired"),
      r.rules.length ? el("p", {}, r.rules.map((x) => el("span", { class: "tag" }, x.rule + " ×" + x.count))) : el("p", { class: "meta" }, "none"),
      el("h3", {}, "Facts seen"),
      r.facts.length ? el("p", {}, r.facts.map((x) => el("span", { class: "tag" }, x.fact + " ×" + x.count))) : el("p", { class: "meta" }, "none"),
      el("h3", {}, "Every action, in order"),
      el("table", {},
        el("tr", {}, ["id", "time", "decision", "action", "rules", "facts", "human / outcome"].map((h) => el("th", {}, h))),
        r.actions.map((a) => el("tr", {},
          el("td", {}, el("a", { href: "#/row/" + a.id }, a.id)), el("td", {}, when(a.ts_us)), el("td", {}, decision(a.decision)),
          el("td", { class: "summary" }, a.summary), el("td", {}, a.rules.join(", ") || "-"), el("td", {}, tags(a)),
          el("td", {}, eventsText(a.events) || "-"))))));
}

async function renderRow(id) {
  const r = await api("/api/row?id=" + encodeURIComponent(id));
  const d = r.detail || {};
  setView("Action " + r.id,
    el("dl", { class: "kv" },
      el("dt", {}, "time"), el("dd", {}, r.ts),
      el("dt", {}, "agent"), el("dd", {}, r.agent + " via " + r.surface + ", session " + (r.session || "-")),
      el("dt", {}, "cwd"), el("dd", {}, r.cwd || "-"),
      el("dt", {}, "decision"), el("dd", {}, decision(r.decision), " (" + r.source + ", " + r.eval_us + " µs)"),
      el("dt", {}, "reason"), el("dd", {}, d.reason || "-"),
      el("dt", {}, "action"), el("dd", {}, el("pre", {}, JSON.stringify(r.action, null, 2))),
      el("dt", {}, "rules"), el("dd", {}, (d.matches || []).map((m) => el("div", {}, el("b", {}, m.rule), " → " + m.decision + ": " + (m.message || ""), m.remediation ? el("div", { class: "meta" }, "fix: " + m.remediation) : null))),
      el("dt", {}, "facts"), el("dd", {}, el("pre", {}, JSON.stringify(r.facts, null, 2))),
      el("dt", {}, "events"), el("dd", {}, eventsText(r.events) || "-"),
      el("dt", {}, "explanation"), el("dd", {}, el("pre", {}, (d.explanation || []).join("\n") || "-")),
      el("dt", {}, "hash"), el("dd", {}, el("code", {}, r.hash))));
}

// CSP forbids style attributes; a CSSOM property is allowed.
function bar(pct) {
  const b = el("div", { class: "bar" });
  b.style.width = Math.round(pct) + "%";
  return b;
}

function bars(title, items) {
  const max = Math.max(1, ...items.map((x) => x.count));
  return [el("h3", {}, title),
    items.length ? el("table", { class: "bars" }, items.map((x) => el("tr", {},
      el("td", {}, x.key || "-"), el("td", { class: "n" }, x.count),
      el("td", { class: "b" }, bar((100 * x.count) / max))))) : el("p", { class: "meta" }, "none")];
}

async function renderStats() {
  const sel = el("select", { id: "stats-since" }, ["1d", "7d", "30d", "all"].map((s) => el("option", { value: s }, s === "all" ? "all time" : "last " + s)));
  sel.value = renderStats.since || "7d";
  sel.addEventListener("change", () => { renderStats.since = sel.value; renderStats(); });
  const s = await api("/api/stats?since=" + encodeURIComponent(sel.value));
  const n = (k) => (s.by_decision.find((x) => x.key === k) || { count: 0 }).count;
  setView("Stats", el("p", {}, sel),
    el("div", { class: "numbers" },
      [["actions", s.total, ""], ["allowed", n("allow"), "d-allow"], ["asked", n("ask"), "d-ask"], ["denied", n("deny"), "d-deny"], ["waiting for you", s.pending_approvals ?? 0, ""]]
        .map(([label, v, cls]) => el("div", { class: "card" }, el("div", { class: "big " + cls }, v), el("div", { class: "meta" }, label)))),
    bars("By rule", s.by_rule), bars("By agent", s.by_agent), bars("By day (UTC)", s.by_day));
}

function renderReplay() {
  const form = el("form", { id: "replay-form" },
    el("dl", { class: "kv" },
      el("dt", {}, "candidate pack"), el("dd", {}, el("input", { id: "replay-pack", type: "text", size: 70, placeholder: "/path/to/pack.yaml or a directory of packs" })),
      el("dt", {}, "policy (optional)"), el("dd", {}, el("input", { id: "replay-policy", type: "text", size: 70, placeholder: "/path/to/policy.yaml" })),
      el("dt", {}, "logged since"), el("dd", {}, el("input", { id: "replay-since", type: "text", value: "30d", size: 8 }))),
    el("button", { type: "submit", id: "replay-run" }, "Replay"));
  const out = el("div", { id: "replay-result" });
  setView("Replay: what would a candidate pack change?", el("p", { class: "meta" },
    "Re-evaluates logged actions with the candidate rules (a pack with the id of a shipped pack replaces it) and lists every decision that would change. Files are read on this machine."), form, out);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    $("replay-run").disabled = true;
    out.replaceChildren(el("p", { class: "meta" }, "replaying…"));
    try {
      const pack = $("replay-pack").value.trim();
      const r = await api("/api/replay", { method: "POST", body: { packs: pack ? [pack] : [], policy: $("replay-policy").value.trim(), since: $("replay-since").value.trim() || "all" } });
      out.replaceChildren(
        el("p", { class: "lead", id: "replay-totals" }, r.total + " actions replayed: " + r.unchanged + " unchanged, " + r.changed + " changed (" + r.loosened + " loosened, " + r.tightened + " tightened)" + (r.errors ? ", " + r.errors + " unreadable" : "") + "."),
        el("p", {}, Object.entries(r.transitions || {}).map(([k, v]) => el("span", { class: "tag" }, k + " ×" + v))),
        el("table", { id: "replay-changes" },
          el("tr", {}, ["id", "time", "before", "after", "action", "rules now"].map((h) => el("th", {}, h))),
          (r.changes || []).map((c) => el("tr", {},
            el("td", {}, el("a", { href: "#/row/" + c.id }, c.id)), el("td", {}, c.ts),
            el("td", {}, decision(c.old)), el("td", {}, decision(c.new)),
            el("td", { class: "summary" }, c.action), el("td", {}, (c.new_rules || []).join(", ") || "-")))),
        r.changes_not_listed ? el("p", { class: "meta" }, "… and " + r.changes_not_listed + " more") : null);
    } catch (err) {
      if (!(err instanceof AuthError)) out.replaceChildren(el("p", { class: "error" }, err.message));
    }
    $("replay-run").disabled = false;
  });
}

async function route() {
  if (!state.csrf) return showLogin();
  $("login").hidden = true;
  $("view").hidden = false;
  const r = currentRoute();
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.id === "nav-" + r.name);
  try {
    if (r.name === "timeline") { await renderTimeline(Object.fromEntries(new URLSearchParams(r.arg))); return; }
    stopStream();
    if (r.name === "approvals") await renderApprovals();
    else if (r.name === "sessions") await renderSessions();
    else if (r.name === "session") await renderSession(r.arg);
    else if (r.name === "row") await renderRow(r.arg);
    else if (r.name === "stats") await renderStats();
    else if (r.name === "replay") renderReplay();
    else setView("Not found", el("p", {}, "No page " + r.name));
  } catch (e) {
    if (!(e instanceof AuthError)) setView("Error", el("p", { class: "error" }, e.message));
  }
}

async function boot() {
  const m = location.hash.match(/token=([0-9a-f]+)/);
  if (m) {
    // The token leaves the address bar (and history) at once; the session cookie replaces it.
    history.replaceState(null, "", location.pathname + "#/approvals");
    try { await login(m[1]); } catch (e) { return showLogin("Login failed: " + e.message); }
  }
  $("login-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      await login($("login-token").value.trim());
      $("login-token").value = "";
      route();
    } catch (err) { $("login-error").textContent = "Login failed: " + err.message; }
  });
  $("logout").addEventListener("click", async () => {
    try { await api("/api/logout", { method: "POST", body: {} }); } catch { /* ended anyway */ }
    state.csrf = "";
    sessionStorage.removeItem("bw_csrf");
    showLogin("Logged out.");
  });
  window.addEventListener("hashchange", route);
  await route();
  if (state.csrf) refreshPendingCount();
}

boot();
