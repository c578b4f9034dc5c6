// `blastwall ui` end to end: a real MCP call parked in the approval queue by `blastwall mcp`, the
// human approving it in the dashboard in headless Chromium, and the retried call passing; plus
// the refusals a browser page or a script without the human's session meets.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bin, connect, sandbox, servers, textOf } from "./helpers.mjs";
import { launchChromium, startUi } from "./ui_helpers.mjs";

const shotDir = process.env.BLASTWALL_SCREENSHOT_DIR
  ?? fs.mkdtempSync(path.join(os.tmpdir(), "blastwall-ui-screens-"));
fs.mkdirSync(shotDir, { recursive: true });
async function shot(page, name) {
  const file = path.join(shotDir, name);
  await page.screenshot({ path: file, fullPage: true });
  console.log("screenshot: " + file);
  return file;
}

test("an approval clicked in the dashboard lets the identical retried MCP call pass once", async (t) => {
  const sb = sandbox(t);
  const ui = await startUi(bin, { auditDb: sb.auditDb, env: sb.env });
  t.after(() => ui.stop());
  const chrome = await launchChromium();
  t.after(() => chrome.close());

  const { client } = await connect(sb, "stub", servers.stub(), { extra: ["--approval-wait", "1"] });
  t.after(() => client.close());
  const args = { command: "rm -rf src" };
  const first = await client.callTool({ name: "exec", arguments: args });
  assert.equal(first.isError, true, textOf(first));
  const id = textOf(first).match(/^approval pending: ([a-z0-9]+)/)?.[1];
  assert.ok(id, textOf(first));

  const page = await chrome.browser.newPage();
  const consoleErrors = [];
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(m.text()));
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(ui.loginUrl, { waitUntil: "domcontentloaded" });
  await page.waitForSelector(`#approve-${id}`, { timeout: 15000 }).catch(async (e) => {
    await shot(page, "ui-failure.png");
    throw new Error(e.message + "; page said: " + (await page.$eval("body", (b) => b.innerText)) + "; console: " + consoleErrors.join(" | "));
  });
  // The token left the address bar once it was exchanged for the session cookie.
  assert.doesNotMatch(page.url(), /token=/);
  const card = await page.$eval(`.approval[data-id="${id}"]`, (e) => e.textContent);
  assert.match(card, /stub\/exec/);
  assert.match(card, /rm -rf src/);
  assert.match(card, /core\./);
  await shot(page, "ui-1-pending-approval.png");

  await page.click(`#approve-${id}`);
  await page.waitForFunction(() => document.getElementById("toast").textContent.startsWith("Approved"), { timeout: 10000 });
  await page.waitForSelector("#no-pending", { timeout: 10000 });
  await shot(page, "ui-2-approved.png");

  const listed = JSON.parse(sb.cli(["approvals", "--all", "--json"]));
  const row = listed.find((a) => a.id === id);
  assert.equal(row.status, "approved");
  assert.match(row.decided_by, /via dashboard/);

  // The identical call passes, once; different arguments need their own approval.
  const retried = await client.callTool({ name: "exec", arguments: args });
  assert.notEqual(retried.isError, true, textOf(retried));
  assert.match(textOf(retried), /rm -rf src/); // the stub echoes what it received
  const again = await client.callTool({ name: "exec", arguments: args });
  assert.equal(again.isError, true, "an approval is single use");
  const other = await client.callTool({ name: "exec", arguments: { command: "rm -rf lib" } });
  assert.equal(other.isError, true);
  assert.match(textOf(other), /approval pending/);

  // The live timeline shows the calls, and a new one arrives without a reload.
  await page.goto(ui.base + "#/timeline", { waitUntil: "domcontentloaded" });
  await page.waitForSelector("#timeline-body tr", { timeout: 10000 });
  await page.waitForFunction(() => document.getElementById("live").textContent === "live", { timeout: 10000 });
  await client.callTool({ name: "exec", arguments: { command: "echo streamed-row" } });
  await page.waitForFunction(() => document.getElementById("timeline-body").textContent.includes("echo streamed-row"), { timeout: 15000 });
  await shot(page, "ui-3-timeline.png");

  // Filter: only asks.
  await page.select("#f-decision", "ask");
  await page.click("#filters button[type=submit]");
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll("#timeline-body tr")];
    return rows.length > 0 && rows.every((r) => r.textContent.includes("ask"));
  }, { timeout: 10000 });

  // A session report and the stats page render.
  await page.goto(ui.base + "#/sessions", { waitUntil: "domcontentloaded" });
  await page.waitForFunction(() => document.querySelectorAll("#view-body tr").length > 1, { timeout: 10000 });
  await page.goto(ui.base + "#/stats", { waitUntil: "domcontentloaded" });
  await page.waitForFunction(() => document.querySelector(".numbers .big") !== null, { timeout: 10000 });
  await shot(page, "ui-4-stats.png");
  assert.deepEqual(consoleErrors, []);
});

test("refusals: wrong token, foreign Origin, no CSRF token, foreign Host; a page elsewhere cannot approve", async (t) => {
  const sb = sandbox(t);
  const ui = await startUi(bin, { auditDb: sb.auditDb, env: sb.env });
  t.after(() => ui.stop());
  const { client } = await connect(sb, "stub", servers.stub(), { extra: ["--approval-wait", "0.5"] });
  t.after(() => client.close());
  const parked = await client.callTool({ name: "exec", arguments: { command: "rm -rf src" } });
  const id = textOf(parked).match(/^approval pending: ([a-z0-9]+)/)?.[1];
  assert.ok(id, textOf(parked));
  const origin = ui.base.replace(/\/$/, "");
  const post = (p, body, headers) => fetch(ui.base + p.replace(/^\//, ""), {
    method: "POST", headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body),
  });

  assert.equal((await post("/api/login", { token: "0".repeat(64) }, { Origin: origin })).status, 401);
  assert.equal((await post("/api/login", { token: ui.token }, { Origin: "http://evil.example" })).status, 403);
  const ok = await post("/api/login", { token: ui.token }, { Origin: origin });
  assert.equal(ok.status, 200);
  const cookie = ok.headers.get("set-cookie").split(";")[0];
  const { csrf } = await ok.json();
  assert.equal((await fetch(ui.base + "api/approvals", { headers: { Cookie: cookie } })).status, 403);
  assert.equal((await fetch(ui.base + "api/approvals", { headers: { Cookie: cookie, "X-Blastwall-CSRF": csrf } })).status, 200);
  assert.equal((await post(`/api/approvals/${id}/approve`, {}, { Cookie: cookie, Origin: origin })).status, 403);
  assert.equal((await post(`/api/approvals/${id}/approve`, {}, { Cookie: cookie, "X-Blastwall-CSRF": csrf, Origin: "http://127.0.0.1:1" })).status, 403);
  // DNS rebinding: a name that resolves to 127.0.0.1 still arrives as its own Host.
  const http = await import("node:http");
  const hostStatus = await new Promise((resolve, reject) => {
    const u = new URL(ui.base + "api/approvals");
    http.get({ host: "127.0.0.1", port: u.port, path: u.pathname, headers: { Host: "evil.example:" + u.port, Cookie: cookie, "X-Blastwall-CSRF": csrf } },
      (res) => { res.resume(); resolve(res.statusCode); }).on("error", reject);
  });
  assert.equal(hostStatus, 403);

  // The token file is 0600 in the state dir, and the agent's rules refuse to read it.
  const tokenFile = path.join(sb.env.XDG_STATE_HOME, "blastwall", "ui-token");
  assert.equal(fs.statSync(tokenFile).mode & 0o777, 0o600);
  let code = 0;
  try {
    sb.cli(["check", "--json", `cat ${tokenFile}`]);
  } catch (e) {
    code = e.status;
  }
  assert.equal(code, 2, "reading the dashboard token is denied");

  // A page served from another local origin, in a real browser, cannot approve: the dashboard
  // refuses its Origin even if the browser sent the session cookie.
  const chrome = await launchChromium();
  t.after(() => chrome.close());
  const page = await chrome.browser.newPage();
  await page.goto(ui.loginUrl, { waitUntil: "domcontentloaded" });
  await page.waitForSelector("#view-title");
  const evil = http.createServer((_, res) => {
    res.setHeader("Content-Type", "text/html");
    res.end("<!doctype html><title>evil</title>");
  });
  await new Promise((r) => evil.listen(0, "127.0.0.1", r));
  t.after(() => evil.close());
  const evilPage = await chrome.browser.newPage();
  await evilPage.goto(`http://127.0.0.1:${evil.address().port}/`);
  const status = await evilPage.evaluate(async (base, id) => {
    try {
      const r = await fetch(base + "api/approvals/" + id + "/approve", { method: "POST", credentials: "include", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: "{}" });
      return r.type === "opaque" ? "opaque" : String(r.status);
    } catch (e) {
      return "blocked: " + e.message;
    }
  }, ui.base, id);
  assert.ok(status === "opaque" || status.startsWith("blocked"), status);
  const after = JSON.parse(sb.cli(["approvals", "--json"]));
  assert.equal(after.find((a) => a.id === id)?.status, "pending", "nothing was decided");
  assert.equal(sb.cli(["log", "--json", "--agent", "human"]).trim(), "");
});
