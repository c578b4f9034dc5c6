// blastwall mcp end to end: the official SDK client, real npm servers, the real binary.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import {
  auditRows, bin, connect, initialize, initialized, sandbox, servers, spawnRaw, textOf,
} from "./helpers.mjs";

const acceptBlastwall = (answers) => async (req) => {
  answers.push(req.params.message);
  return { action: "accept" };
};

test("filesystem: an allowed call and its result pass byte-for-byte", async (t) => {
  const sb = sandbox(t);
  fs.writeFileSync(path.join(sb.work, "notes.txt"), "hello from the sandbox\nline 2 \u00e9\n");
  const cmd = servers.filesystem(sb.work);
  const script = [
    initialize(0),
    initialized,
    { jsonrpc: "2.0", id: 1, method: "tools/list" },
    { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "read_text_file", arguments: { path: path.join(sb.work, "notes.txt") } } },
  ];
  const run = async (direct) => {
    const r = direct ? null : spawnRaw(sb, "fs", cmd);
    const proc = direct
      ? (await import("node:child_process")).spawn(cmd[0], cmd.slice(1), { env: sb.env, stdio: ["pipe", "pipe", "ignore"] })
      : r.child;
    const lines = [];
    let buf = "";
    const got = new Promise((resolve) => {
      proc.stdout.on("data", (d) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf("\n")) >= 0) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
          if (lines.some((l) => JSON.parse(l).id === 2)) resolve();
        }
      });
    });
    for (const m of script) proc.stdin.write(JSON.stringify(m) + "\n");
    await got;
    proc.stdin.end();
    return lines.filter((l) => JSON.parse(l).id !== undefined && JSON.parse(l).method === undefined);
  };
  const direct = await run(true);
  const proxied = await run(false);
  assert.equal(proxied.length, direct.length);
  for (let i = 0; i < direct.length; ++i) assert.equal(proxied[i], direct[i]);
  assert.match(proxied.at(-1), /hello from the sandbox/);
});

test("filesystem: SDK client lists and calls through the proxy with annotations intact", async (t) => {
  const sb = sandbox(t);
  fs.writeFileSync(path.join(sb.work, "a.txt"), "A");
  const { client } = await connect(sb, "fs", servers.filesystem(sb.work));
  const { tools } = await client.listTools();
  const write = tools.find((x) => x.name === "write_file");
  assert.equal(write.annotations.destructiveHint, true);
  const res = await client.callTool({ name: "list_directory", arguments: { path: sb.work } });
  assert.notEqual(res.isError, true, textOf(res));
  assert.match(textOf(res), /a\.txt/);
  await client.close();
  const rows = auditRows(sb);
  if (rows) assert.ok(rows.some((r) => r.type === "action" && /list_directory/.test(r.tool)), JSON.stringify(rows));
});

test("deny: a destructive, global command is refused with isError and never reaches the server", async (t) => {
  const sb = sandbox(t);
  const { client } = await connect(sb, "stub", servers.stub());
  const res = await client.callTool({ name: "exec", arguments: { command: "rm -rf ~" } });
  assert.equal(res.isError, true);
  assert.match(textOf(res), /blastwall blocked this call to stub\/exec/);
  assert.doesNotMatch(textOf(res), /"command":"rm -rf ~"/); // the stub would have echoed it
  assert.equal(res._meta?.["blastwall/decision"]?.decision, "deny");
  await client.close();
});

test("ask via elicitation: accept runs the command, decline does not (desktop-commander)", async (t) => {
  const sb = sandbox(t);
  const answers = [];
  let decision = "accept";
  const elicitation = async (req) => {
    answers.push(req.params.message);
    return { action: decision };
  };
  const { client } = await connect(sb, "commander", servers.commander(), { elicitation });
  const target = path.join(sb.work, "src");
  fs.mkdirSync(path.join(target, "sub"), { recursive: true });

  decision = "decline";
  const declined = await client.callTool({
    name: "start_process",
    arguments: { command: `rm -rf ${target}`, timeout_ms: 5000 },
  });
  assert.equal(declined.isError, true, textOf(declined));
  assert.match(textOf(declined), /declined/);
  assert.ok(fs.existsSync(target), "declined call must not run");
  assert.equal(answers.length, 1);
  assert.match(answers[0], /^blastwall: Allow commander\/start_process\?/);
  assert.match(answers[0], /rm -rf/);

  decision = "accept";
  const accepted = await client.callTool({
    name: "start_process",
    arguments: { command: `rm -rf ${target}`, timeout_ms: 5000 },
  });
  assert.notEqual(accepted.isError, true, textOf(accepted));
  assert.equal(answers.length, 2);
  for (let i = 0; i < 50 && fs.existsSync(target); ++i) await new Promise((r) => setTimeout(r, 100));
  assert.ok(!fs.existsSync(target), "accepted call must run");
  await client.close();
});

test("allow: a harmless command runs through desktop-commander without asking", async (t) => {
  const sb = sandbox(t);
  const answers = [];
  const { client } = await connect(sb, "commander", servers.commander(), { elicitation: acceptBlastwall(answers) });
  const res = await client.callTool({ name: "start_process", arguments: { command: "echo blastwall-ok", timeout_ms: 5000 } });
  assert.notEqual(res.isError, true, textOf(res));
  assert.match(textOf(res), /blastwall-ok/);
  assert.equal(answers.length, 0, "no approval needed for echo");
  await client.close();
});

test("ask via the approval queue: pending, approve from the terminal, identical retry passes once", async (t) => {
  const sb = sandbox(t);
  const { client } = await connect(sb, "stub", servers.stub(), { extra: ["--approval-wait", "1.5"] });
  const args = { command: "rm -rf src" };
  const first = await client.callTool({ name: "exec", arguments: args });
  assert.equal(first.isError, true);
  const m = textOf(first).match(/^approval pending: ([a-z0-9]+)/);
  assert.ok(m, textOf(first));
  const id = m[1];

  const listed = JSON.parse(sb.cli(["approvals", "--json"]));
  assert.equal(listed.length, 1);
  assert.equal(listed[0].id, id);
  assert.match(listed[0].summary, /stub\/exec/);

  // Not approved yet: the retry waits again and comes back pending with the same id.
  const second = await client.callTool({ name: "exec", arguments: args });
  assert.match(textOf(second), new RegExp(`^approval pending: ${id}`));

  sb.cli(["approve", id]);
  // A different call does not ride on that approval.
  const other = await client.callTool({ name: "exec", arguments: { command: "rm -rf lib" } });
  assert.equal(other.isError, true);
  assert.match(textOf(other), /^approval pending: /);
  assert.doesNotMatch(textOf(other), new RegExp(id));

  const retry = await client.callTool({ name: "exec", arguments: args });
  assert.notEqual(retry.isError, true, textOf(retry));
  assert.equal(textOf(retry), JSON.stringify(args)); // the stub echoed: it ran

  const again = await client.callTool({ name: "exec", arguments: args });
  assert.equal(again.isError, true, "an approval is single-use");
  await client.close();
});

test("ask via the approval queue: approval during the wait forwards the parked call; progress keeps it alive", async (t) => {
  const sb = sandbox(t);
  const { client } = await connect(sb, "stub", servers.stub(), {
    extra: ["--approval-wait", "20", "--progress-interval", "0.2"],
  });
  const progress = [];
  const call = client.callTool({ name: "exec", arguments: { command: "rm -rf docs" } }, undefined, {
    onprogress: (p) => progress.push(p),
    timeout: 30000,
  });
  let id;
  for (let i = 0; i < 100 && !id; ++i) {
    await new Promise((r) => setTimeout(r, 100));
    const rows = JSON.parse(sb.cli(["approvals", "--json"]));
    id = rows[0]?.id;
  }
  assert.ok(id, "the call shows up in the queue");
  await new Promise((r) => setTimeout(r, 600));
  sb.cli(["approve", id]);
  const res = await call;
  assert.notEqual(res.isError, true, textOf(res));
  assert.ok(progress.length >= 2, `progress notifications while waiting: ${progress.length}`);
  assert.match(progress[0].message, new RegExp(id));
  await client.close();
});

test("deny from the terminal refuses the parked call", async (t) => {
  const sb = sandbox(t);
  const { client } = await connect(sb, "stub", servers.stub(), { extra: ["--approval-wait", "20"] });
  const call = client.callTool({ name: "exec", arguments: { command: "rm -rf assets" } });
  let id;
  for (let i = 0; i < 100 && !id; ++i) {
    await new Promise((r) => setTimeout(r, 100));
    id = JSON.parse(sb.cli(["approvals", "--json"]))[0]?.id;
  }
  sb.cli(["deny", id]);
  const res = await call;
  assert.equal(res.isError, true);
  assert.match(textOf(res), /denied/);
  await client.close();
});

test("client cancellation drops the pending approval; the call is never forwarded", async (t) => {
  const sb = sandbox(t);
  const { client } = await connect(sb, "stub", servers.stub(), { extra: ["--approval-wait", "20"] });
  const ac = new AbortController();
  const call = client.callTool({ name: "exec", arguments: { command: "rm -rf vendor" } }, undefined, { signal: ac.signal });
  let id;
  for (let i = 0; i < 100 && !id; ++i) {
    await new Promise((r) => setTimeout(r, 100));
    id = JSON.parse(sb.cli(["approvals", "--json"]))[0]?.id;
  }
  ac.abort("user pressed escape");
  await assert.rejects(call);
  let status;
  for (let i = 0; i < 50; ++i) {
    status = JSON.parse(sb.cli(["approvals", "--all", "--json"])).find((a) => a.id === id)?.status;
    if (status === "cancelled") break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(status, "cancelled");
  assert.throws(() => sb.cli(["approve", id]), /not pending/);
  await client.close();
});

test("a changed tool definition is withheld and blocked until `pins accept`", async (t) => {
  const sb = sandbox(t);
  {
    const { client } = await connect(sb, "notes", servers.stub(), { env: { STUB_VARIANT: "1" } });
    const { tools } = await client.listTools();
    assert.ok(tools.some((x) => x.name === "read_note"));
    await client.close();
  }
  const { client } = await connect(sb, "notes", servers.stub(), { env: { STUB_VARIANT: "2" } });
  const { tools } = await client.listTools();
  assert.ok(!tools.some((x) => x.name === "read_note"), "changed tool is not offered");
  const res = await client.callTool({ name: "read_note", arguments: { name: "x" } });
  assert.equal(res.isError, true);
  assert.match(textOf(res), /pins accept notes read_note/);
  const list = sb.cli(["pins", "list"]);
  assert.match(list, /CHANGED\s+notes\/read_note/);
  sb.cli(["pins", "accept", "notes", "read_note"]);
  const ok = await client.callTool({ name: "read_note", arguments: { name: "x" } });
  assert.notEqual(ok.isError, true, textOf(ok));
  await client.close();
});

test("a server that crashes mid-call: the call gets an error and the proxy exits with its status", async (t) => {
  const sb = sandbox(t);
  const r = spawnRaw(sb, "stub", servers.stub());
  r.send(initialize(0));
  await r.next((m) => m.id === 0);
  r.send(initialized);
  r.send({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "crash", arguments: { code: 3 } } });
  const { msg } = await r.next((m) => m.id === 1);
  assert.equal(msg.error.code, -32000);
  assert.match(msg.error.message, /exited with status 3/);
  const { code } = await r.exited;
  assert.equal(code, 3);
});

test("a hanging server: the call times out with a clear error", async (t) => {
  const sb = sandbox(t);
  const { client } = await connect(sb, "stub", servers.stub(), { extra: ["--call-timeout", "1"] });
  await assert.rejects(client.callTool({ name: "hang", arguments: {} }), /did not answer tools\/call hang within 1 s/);
  const res = await client.callTool({ name: "query", arguments: { sql: "SELECT 1" } });
  assert.notEqual(res.isError, true, "the session keeps working");
  await client.close();
});

test("non-JSON server output is dropped; oversize replies are answered with an error", async (t) => {
  const sb = sandbox(t);
  const { client, stderr } = await connect(sb, "stub", servers.stub(), { extra: ["--frame-cap", "65536"] });
  const noisy = await client.callTool({ name: "noise", arguments: {} });
  assert.notEqual(noisy.isError, true);
  await assert.rejects(client.callTool({ name: "blob", arguments: { bytes: 200000 } }), /exceeds the frame cap/);
  const small = await client.callTool({ name: "blob", arguments: { bytes: 1000 } });
  assert.equal(textOf(small).length, 1000);
  assert.match(stderr(), /not a JSON-RPC message/);
  await client.close();
});

test("client disconnect: the server is shut down and the proxy exits", async (t) => {
  const sb = sandbox(t);
  const r = spawnRaw(sb, "stub", servers.stub());
  r.send(initialize(0));
  await r.next((m) => m.id === 0);
  r.child.stdin.end();
  const res = await Promise.race([r.exited, new Promise((resolve) => setTimeout(() => resolve("hung"), 10000))]);
  assert.notEqual(res, "hung");
});

test("signals are forwarded: SIGTERM to the proxy ends the server and the status propagates", async (t) => {
  const sb = sandbox(t);
  const r = spawnRaw(sb, "stub", servers.stub());
  r.send(initialize(0));
  await r.next((m) => m.id === 0);
  r.child.kill("SIGTERM");
  const { code, signal } = await r.exited;
  assert.equal(signal, null);
  assert.equal(code, 143); // 128 + SIGTERM, the server's fate
});

test("server-everything: server-to-client elicitation, sampling and progress pass through", async (t) => {
  const sb = sandbox(t);
  const seen = { elicit: [], sample: 0 };
  const elicitation = async (req) => {
    seen.elicit.push(req.params.message);
    if (req.params.message.startsWith("blastwall:")) return { action: "accept" };
    return { action: "accept", content: { name: "Ada", check: true, firstLine: "x", email: "ada@example.com", homepage: "https://example.com", birthdate: "1815-12-10", integer: 1, number: 1.5, enum: "option1", untitledSingleSelectEnum: "option1", titledSingleSelectEnum: "option1", untitledMultipleSelectEnum: ["option1"], titledMultipleSelectEnum: ["option1"], legacyTitledEnum: "option1" } };
  };
  const sampling = async () => {
    seen.sample += 1;
    return { model: "test", role: "assistant", content: { type: "text", text: "sampled!" } };
  };
  const { client } = await connect(sb, "everything", servers.everything(), { elicitation, sampling });
  const { tools } = await client.listTools();
  const names = tools.map((x) => x.name);

  const echo = await client.callTool({ name: "echo", arguments: { message: "hi" } });
  assert.match(textOf(echo), /hi/);

  const progress = [];
  const longName = names.find((n) => /long-?running/i.test(n));
  const lr = await client.callTool({ name: longName, arguments: { duration: 1, steps: 3 } }, undefined, { onprogress: (p) => progress.push(p) });
  assert.notEqual(lr.isError, true, textOf(lr));
  assert.ok(progress.length >= 2, "server progress reaches the client");

  const sampleName = names.find((n) => /sampling/i.test(n));
  const s = await client.callTool({ name: sampleName, arguments: { prompt: "hello", maxTokens: 10 } });
  assert.equal(seen.sample, 1);
  assert.match(textOf(s), /sampled!/);

  const elicitName = names.find((n) => /elicitation/i.test(n));
  const e = await client.callTool({ name: elicitName, arguments: {} });
  assert.ok(seen.elicit.some((m) => !m.startsWith("blastwall:")), "the server's own elicitation reached the client");
  assert.notEqual(e.isError, true, textOf(e));
  await client.close();
});

// Raw bytes from a server, direct or through blastwall: everything written to stdout until `done`.
async function rawExchange(sb, cmd, messages, done, extra = null) {
  const { spawn } = await import("node:child_process");
  const child = extra
    ? spawn(bin, ["--audit-db", sb.auditDb, "mcp", "--name", "stub", ...extra, "--", ...cmd], { env: sb.env, cwd: sb.work, stdio: ["pipe", "pipe", "pipe"] })
    : spawn(cmd[0], cmd.slice(1), { env: sb.env, stdio: ["pipe", "pipe", "ignore"] });
  const chunks = [];
  let stderr = "";
  child.stderr?.on("data", (d) => (stderr += d.toString()));
  const got = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out; stderr:\n" + stderr)), 60000);
    child.stdout.on("data", (d) => {
      chunks.push(d);
      if (done(Buffer.concat(chunks))) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  for (const m of messages) child.stdin.write(JSON.stringify(m) + "\n");
  await got;
  child.stdin.end();
  await new Promise((r) => child.on("exit", r));
  const lines = [];
  const all = Buffer.concat(chunks);
  for (let start = 0; start < all.length;) {
    const nl = all.indexOf(10, start);
    if (nl < 0) break;
    lines.push(all.subarray(start, nl));
    start = nl + 1;
  }
  return { lines, stderr };
}

const linesEnd = (n) => (buf) => {
  let count = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) ++count;
  return count >= n;
};

test("an 8 MiB tool result streams through byte-identical", async (t) => {
  const sb = sandbox(t);
  const bytes = 8 * 1024 * 1024;
  const script = [
    initialize(0),
    initialized,
    { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "blob", arguments: { bytes } } },
    { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "query", arguments: { sql: "SELECT 1" } } },
  ];
  const direct = await rawExchange(sb, servers.stub(), script, linesEnd(3));
  const proxied = await rawExchange(sb, servers.stub(), script, linesEnd(3), []);
  const big = (r) => r.lines.find((l) => l.length > bytes);
  assert.ok(big(direct), "the direct run returned the blob");
  assert.ok(big(proxied), "the proxied run returned the blob; stderr:\n" + proxied.stderr);
  assert.ok(big(proxied).equals(big(direct)), "identical bytes");
  assert.equal(JSON.parse(big(proxied).toString()).id, 1);
  const small = proxied.lines.map((l) => l.length < 1000 && JSON.parse(l.toString())).find((m) => m && m.id === 2);
  assert.match(small.result.content[0].text, /SELECT 1/);
  assert.doesNotMatch(proxied.stderr, /not a JSON-RPC|frame cap/);
});

test("a streamed reply over the frame cap is cut at the cap and answered with an error", async (t) => {
  const sb = sandbox(t);
  const cap = 1024 * 1024;
  const script = [
    initialize(0),
    initialized,
    { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "blob", arguments: { bytes: 3 * cap } } },
    { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "blob", arguments: { bytes: 1000 } } },
  ];
  // initialize reply, the cut line, the error for id 1, the reply to id 2.
  const r = await rawExchange(sb, servers.stub(), script, linesEnd(4), ["--frame-cap", String(cap)]);
  const cut = r.lines.find((l) => l.length > 10000);
  assert.ok(cut, "the start of the reply was streamed; stderr:\n" + r.stderr);
  assert.equal(cut.length, cap, "not one byte past the cap");
  assert.throws(() => JSON.parse(cut.toString()), "the cut line is not a message");
  const msgs = r.lines.filter((l) => l.length < 10000).map((l) => JSON.parse(l.toString()));
  const err = msgs.find((m) => m.id === 1);
  assert.ok(err?.error, JSON.stringify(msgs));
  assert.match(err.error.message, /exceeds the frame cap/);
  const ok = msgs.find((m) => m.id === 2);
  assert.equal(ok.result.content[0].text.length, 1000);
  assert.match(r.stderr, /over the frame cap/);
});
