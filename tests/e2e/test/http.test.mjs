// blastwall mcp over Streamable HTTP, end to end: the official SDK's StreamableHTTPClientTransport
// and server-everything's streamableHttp transport, through the real binary, in the three
// combinations (HTTP client -> stdio server, stdio client -> HTTP server, HTTP -> HTTP), plus the
// HTTP front's refusals (Origin, Host, token, limits) and resumption with Last-Event-ID.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema, CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { auditRows, bin, root, sandbox, servers, textOf } from "./helpers.mjs";

const everythingJs = path.join(root, "node_modules/@modelcontextprotocol/server-everything/dist/index.js");
const loopbackOnly = path.join(root, "fixtures/loopback-only.cjs");

function waitFor(proc, re, what, timeoutMs = 20000) {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; output:\n${seen}`)), timeoutMs);
    const on = (d) => {
      seen += d.toString();
      const m = seen.match(re);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    proc.stderr.on("data", on);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${what}: exited with ${code} before it was ready; output:\n${seen}`));
    });
  });
}

// server-everything's Streamable HTTP transport on a free loopback port.
async function everythingHttp(t, sb) {
  const proc = spawn("node", ["--require", loopbackOnly, everythingJs, "streamableHttp"], {
    env: { ...sb.env, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  proc.stdout.on("data", (d) => (stdout += d.toString()));
  t.after(() => proc.kill("SIGKILL"));
  const [, port] = await waitFor(proc, /LOOPBACK_PORT (\d+)/, "server-everything streamableHttp");
  return { url: `http://127.0.0.1:${port}/mcp`, proc, stdout: () => stdout };
}

// `blastwall mcp --listen 127.0.0.1:0 ...`; resolves once it prints its address.
async function listenProxy(t, sb, name, target, extra = []) {
  const args = ["--audit-db", sb.auditDb, "mcp", "--name", name, "--listen", "127.0.0.1:0", ...extra];
  if (target.upstream) args.push("--upstream", target.upstream);
  else args.push("--", ...target.command);
  const proc = spawn(bin, args, { env: sb.env, cwd: sb.work, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr += d.toString()));
  const exited = new Promise((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  t.after(async () => {
    proc.kill("SIGTERM");
    await exited;
  });
  const [, port] = await waitFor(proc, /listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/, "blastwall --listen");
  const tokenFile = path.join(sb.env.XDG_STATE_HOME, "blastwall", "mcp-http.token");
  const token = extra.includes("--no-auth") ? null : fs.readFileSync(tokenFile, "utf8").trim();
  return { url: `http://127.0.0.1:${port}/mcp`, port: Number(port), token, tokenFile, proc, exited, stderr: () => stderr };
}

async function httpClient(url, token, { elicitation, sampling } = {}) {
  const capabilities = {};
  if (elicitation) capabilities.elicitation = {};
  if (sampling) capabilities.sampling = {};
  const client = new Client({ name: "blastwall-e2e-http", version: "1.0.0" }, { capabilities });
  if (elicitation) client.setRequestHandler(ElicitRequestSchema, elicitation);
  if (sampling) client.setRequestHandler(CreateMessageRequestSchema, sampling);
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : {},
  });
  await client.connect(transport);
  return { client, transport };
}

// One raw HTTP request; resolves with status, headers and the whole body.
function request(port, { method = "POST", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/mcp", method, headers }, (res) => {
      let data = "";
      res.on("data", (d) => (data += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(typeof body === "string" ? body : JSON.stringify(body));
    req.end();
  });
}

const jsonHeaders = (token, more = {}) => ({
  "Content-Type": "application/json",
  Accept: "application/json, text/event-stream",
  ...(token ? { Authorization: `Bearer ${token}` } : {}),
  ...more,
});
const init = (id = 0) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});
const sseMessages = (body) =>
  body.split("\n\n").map((ev) => {
    const id = ev.match(/^id: (.*)$/m)?.[1];
    const data = ev.match(/^data: (.+)$/m)?.[1];
    return { id, msg: data ? JSON.parse(data) : null };
  }).filter((e) => e.id || e.msg);

// The behaviour every combination must show: calls, a deny, elicitation and sampling the server
// asks for, progress, and the audit trail.
async function exerciseEverything(client, sb, name, { stdioClient = false } = {}) {
  const { tools } = await client.listTools();
  assert.ok(tools.some((x) => x.name === "echo"), tools.map((x) => x.name).join(","));

  const echo = await client.callTool({ name: "echo", arguments: { message: "hello over http" } });
  assert.notEqual(echo.isError, true, textOf(echo));
  assert.match(textOf(echo), /hello over http/);

  // Interception works on this path too: a destructive, global command in the arguments (the
  // server ignores the extra argument; blastwall does not).
  const denied = await client.callTool({ name: "echo", arguments: { message: "hi", command: "rm -rf ~" } });
  assert.equal(denied.isError, true, textOf(denied));
  assert.match(textOf(denied), new RegExp(`blastwall blocked this call to ${name}/echo`));

  const progress = [];
  const long = await client.callTool(
    { name: "trigger-long-running-operation", arguments: { duration: 0.6, steps: 3 } },
    undefined,
    { onprogress: (p) => progress.push(p), timeout: 20000 },
  );
  assert.notEqual(long.isError, true, textOf(long));
  // The SDK's stdio client runs notification handlers a microtask late but settles a response at
  // once, so a final progress that arrives in the same read as the response is reported as "unknown
  // token" and dropped (blastwall did relay it, in order). Over HTTP each SSE event is its own tick.
  assert.ok(progress.length === 3 || (stdioClient && progress.length === 2), JSON.stringify(progress));

  const elicited = await client.callTool({ name: "trigger-elicitation-request", arguments: {} });
  assert.notEqual(elicited.isError, true, textOf(elicited));
  assert.match(textOf(elicited), /User provided the requested information/);

  const sampled = await client.callTool({ name: "trigger-sampling-request", arguments: { prompt: "hi", maxTokens: 5 } });
  assert.notEqual(sampled.isError, true, textOf(sampled));
  assert.match(textOf(sampled), /sampled by the e2e client/);

  const rows = auditRows(sb);
  if (rows) {
    const calls = rows.filter((r) => r.type === "action" && r.tool?.startsWith(`mcp__${name}__`));
    assert.ok(calls.some((r) => r.decision === "deny" && /echo/.test(r.tool)), JSON.stringify(calls));
    assert.ok(calls.some((r) => /trigger-long-running-operation/.test(r.tool)), JSON.stringify(calls));
  }
}

const handlers = (elicitations) => ({
  elicitation: async (req) => {
    elicitations.push(req.params.message);
    const wantsName = req.params.requestedSchema?.properties?.name !== undefined;
    return { action: "accept", content: wantsName ? { name: "e2e" } : {} };
  },
  sampling: async () => ({ model: "e2e", role: "assistant", content: { type: "text", text: "sampled by the e2e client" } }),
});

test("HTTP client -> blastwall --listen -> stdio server-everything: calls, deny, progress, elicitation, sampling, session end", async (t) => {
  const sb = sandbox(t);
  const px = await listenProxy(t, sb, "everything", { command: servers.everything() });
  assert.equal(fs.statSync(px.tokenFile).mode & 0o777, 0o600, "the token file is private");
  assert.doesNotMatch(px.stderr(), new RegExp(px.token), "the token is never logged");
  const elicitations = [];
  const { client, transport } = await httpClient(px.url, px.token, handlers(elicitations));
  await exerciseEverything(client, sb, "everything");
  assert.equal(elicitations.length, 1);
  const sid = transport.sessionId;
  assert.match(sid, /^[0-9a-f]{32}$/);
  await transport.terminateSession();
  const after = await request(px.port, { headers: jsonHeaders(px.token, { "Mcp-Session-Id": sid }), body: { jsonrpc: "2.0", id: 9, method: "tools/list" } });
  assert.equal(after.status, 404, "an ended session is gone");
  assert.match(px.stderr(), /ended: ended by the client/);
  await client.close();
});

test("stdio client -> blastwall --upstream -> server-everything streamableHttp", async (t) => {
  const sb = sandbox(t);
  const up = await everythingHttp(t, sb);
  const transport = new StdioClientTransport({
    command: bin,
    args: ["--audit-db", sb.auditDb, "mcp", "--name", "everything", "--upstream", up.url],
    env: sb.env,
    cwd: sb.work,
    stderr: "pipe",
  });
  const elicitations = [];
  const h = handlers(elicitations);
  const client = new Client({ name: "e2e-stdio", version: "1" }, { capabilities: { elicitation: {}, sampling: {} } });
  client.setRequestHandler(ElicitRequestSchema, h.elicitation);
  client.setRequestHandler(CreateMessageRequestSchema, h.sampling);
  await client.connect(transport);
  await exerciseEverything(client, sb, "everything", { stdioClient: true });
  await client.close();
  // Closing stdin ends the upstream session with DELETE.
  for (let i = 0; i < 50 && !/session termination request/.test(up.stdout()); ++i) await new Promise((r) => setTimeout(r, 100));
  assert.match(up.stdout(), /Received session termination request/);
});

test("HTTP client -> blastwall --listen --upstream -> server-everything streamableHttp, with an ask answered by elicitation", async (t) => {
  const sb = sandbox(t);
  const up = await everythingHttp(t, sb);
  const px = await listenProxy(t, sb, "everything", { upstream: up.url });
  const elicitations = [];
  const { client, transport } = await httpClient(px.url, px.token, handlers(elicitations));
  await exerciseEverything(client, sb, "everything");
  // blastwall's own question travels on the call's stream: an ask (a destructive delete inside the
  // project) is put to the client as elicitation/create; accept forwards the call.
  const asked = await client.callTool({ name: "echo", arguments: { message: "asked", command: `rm -rf ${path.join(sb.work, "src")}` } });
  assert.notEqual(asked.isError, true, textOf(asked));
  assert.equal(elicitations.length, 2, elicitations.join("\n---\n"));
  assert.match(elicitations[1], /^blastwall: Allow everything\/echo\?/);
  await transport.terminateSession();
  for (let i = 0; i < 50 && !/session termination request/.test(up.stdout()); ++i) await new Promise((r) => setTimeout(r, 100));
  assert.match(up.stdout(), /Received session termination request/, "DELETE reaches the upstream session");
  await client.close();
});

test("resumption: a broken response stream is resumed with Last-Event-ID and nothing is lost", async (t) => {
  const sb = sandbox(t);
  const px = await listenProxy(t, sb, "everything", { command: servers.everything() });
  const h = jsonHeaders(px.token);
  const first = await request(px.port, { headers: h, body: init() });
  assert.equal(first.status, 200);
  const sid = first.headers["mcp-session-id"];
  const hs = jsonHeaders(px.token, { "Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25" });
  assert.equal((await request(px.port, { headers: hs, body: { jsonrpc: "2.0", method: "notifications/initialized" } })).status, 202);

  // A 1.2 s operation with 4 progress steps; the client drops the connection after the first one.
  const seen = [];
  await new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port: px.port, path: "/mcp", method: "POST", headers: hs }, (res) => {
      assert.equal(res.headers["content-type"], "text/event-stream");
      let buf = "";
      res.on("data", (d) => {
        buf += d;
        for (const e of sseMessages(buf.slice(0, buf.lastIndexOf("\n\n") + 2))) {
          if (!seen.some((s) => s.id === e.id)) seen.push(e);
        }
        if (seen.some((e) => e.msg?.method === "notifications/progress")) {
          req.destroy();
          resolve();
        }
      });
      res.on("error", () => {});
    });
    req.on("error", () => {});
    req.write(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "trigger-long-running-operation", arguments: { duration: 1.2, steps: 4 }, _meta: { progressToken: "p7" } } }));
    req.end();
    setTimeout(() => reject(new Error("no progress event")), 15000);
  });
  assert.ok(seen[0].id && seen[0].msg === null, "a priming event comes first");
  const last = seen.at(-1).id;
  await new Promise((r) => setTimeout(r, 1600)); // the rest happens while nobody listens
  const resumed = await request(px.port, { method: "GET", headers: { ...hs, Accept: "text/event-stream", "Last-Event-ID": last } });
  assert.equal(resumed.status, 200);
  const rest = sseMessages(resumed.body).map((e) => e.msg).filter(Boolean);
  const progress = [...seen.map((e) => e.msg).filter(Boolean), ...rest].filter((m) => m.method === "notifications/progress");
  assert.deepEqual(progress.map((m) => m.params.progress), [1, 2, 3, 4]);
  assert.equal(rest.at(-1).id, 7, "the response arrives on the resumed stream, which then ends");
  assert.ok(rest.at(-1).result);

  const unknown = await request(px.port, { method: "GET", headers: { ...hs, Accept: "text/event-stream", "Last-Event-ID": "999-1" } });
  assert.equal(unknown.status, 404);
});

test("refusals: Origin, Host, token, protocol version, session id, limits; non-loopback binds are refused", async (t) => {
  const sb = sandbox(t);
  const px = await listenProxy(t, sb, "everything", { command: servers.everything() }, ["--frame-cap", "4096", "--max-sessions", "1"]);
  const h = jsonHeaders(px.token);
  // DNS rebinding: a page on another origin is refused before anything else.
  const evil = await request(px.port, { headers: { ...h, Origin: "http://evil.example:8080" }, body: init() });
  assert.equal(evil.status, 403);
  assert.match(JSON.parse(evil.body).error.message, /Origin/);
  const rebound = await request(px.port, { headers: { ...h, Host: `evil.example:${px.port}` }, body: init() });
  assert.equal(rebound.status, 403);
  assert.equal((await request(px.port, { headers: { ...h, Origin: "null" }, body: init() })).status, 403);
  // Token: none, wrong, right.
  const none = await request(px.port, { headers: jsonHeaders(null), body: init() });
  assert.equal(none.status, 401);
  assert.match(none.headers["www-authenticate"], /^Bearer/);
  assert.equal((await request(px.port, { headers: jsonHeaders("0".repeat(64)), body: init() })).status, 401);
  assert.equal((await request(px.port, { headers: { ...h, "MCP-Protocol-Version": "1999-01-01" }, body: init() })).status, 400);
  assert.equal((await request(px.port, { headers: { ...h, Accept: "application/json" }, body: init() })).status, 406);
  assert.equal((await request(px.port, { headers: h, body: "{not json" })).status, 400);
  assert.equal((await request(px.port, { headers: h, body: { jsonrpc: "2.0", id: 1, method: "tools/list" } })).status, 400, "no session id");
  assert.equal((await request(px.port, { headers: { ...h, "Mcp-Session-Id": "f".repeat(32) }, body: { jsonrpc: "2.0", id: 1, method: "tools/list" } })).status, 404);
  const big = await request(px.port, { headers: h, body: { ...init(), pad: "x".repeat(5000) } });
  assert.equal(big.status, 413);
  // A loopback Origin is fine (a local web UI), and gets CORS headers back.
  const local = await request(px.port, { headers: { ...h, Origin: "http://localhost:6274" }, body: init() });
  assert.equal(local.status, 200, local.body);
  assert.equal(local.headers["access-control-allow-origin"], "http://localhost:6274");
  // --max-sessions 1: the session table is full.
  const full = await request(px.port, { headers: h, body: init(1) });
  assert.equal(full.status, 503);
  assert.match(JSON.parse(full.body).error.message, /too many MCP sessions/);

  for (const addr of ["0.0.0.0:9", "192.168.1.10:9", "example.com:9", "[::]:9"]) {
    const r = spawnSync(bin, ["mcp", "--listen", addr, "--", "true"], { env: sb.env, encoding: "utf8" });
    assert.equal(r.status, 3, `${addr}: ${r.stderr}`);
    assert.match(r.stderr, /only listens on loopback|expected HOST:PORT/, addr);
  }
  const https = spawnSync(bin, ["mcp", "--upstream", "https://example.com/mcp"], { env: sb.env, encoding: "utf8" });
  assert.equal(https.status, 3);
  assert.match(https.stderr, /https is not supported/);
});

test("--no-auth warns and serves without a token; a group-readable token file is refused", async (t) => {
  const sb = sandbox(t);
  const px = await listenProxy(t, sb, "everything", { command: servers.everything() }, ["--no-auth"]);
  assert.match(px.stderr(), /WARNING: --no-auth/);
  const r = await request(px.port, { headers: jsonHeaders(null), body: init() });
  assert.equal(r.status, 200);

  const loose = path.join(sb.dir, "loose.token");
  fs.writeFileSync(loose, "a".repeat(64) + "\n", { mode: 0o644 });
  fs.chmodSync(loose, 0o644);
  const bad = spawnSync(bin, ["mcp", "--listen", "127.0.0.1:0", "--token-file", loose, "--", "true"], { env: sb.env, encoding: "utf8", timeout: 10000 });
  assert.equal(bad.status, 3, bad.stderr);
  assert.match(bad.stderr, /readable by group or others/);
});
