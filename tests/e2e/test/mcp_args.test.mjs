// Every argument shape that makes desktop-commander run `rm -rf ~/work` is refused by
// `blastwall mcp`: the command itself, a shell around it, text typed into a running shell
// (interact_with_process {pid, input}), look-alike letters. The directory must survive all of them,
// and harmless input to the same tools still runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { connect, sandbox, servers, textOf } from "./helpers.mjs";

// Declines every blastwall question (an ask is a refusal unless the human accepts).
const declineAll = (asked) => async (req) => {
  asked.push(req.params.message);
  return { action: "decline" };
};

function refused(res, asked, before) {
  assert.equal(res.isError, true, textOf(res));
  const text = textOf(res);
  assert.ok(/blastwall blocked/.test(text) || asked.length > before, `not refused by blastwall: ${text}`);
}

test("desktop-commander: rm -rf ~/work is refused however the tool spells it", async (t) => {
  const sb = sandbox(t);
  const victim = path.join(sb.env.HOME, "work");
  fs.mkdirSync(path.join(victim, "keep"), { recursive: true });
  fs.writeFileSync(path.join(victim, "keep", "notes.txt"), "precious");
  const asked = [];
  const { client } = await connect(sb, "commander", servers.commander(), { elicitation: declineAll(asked) });

  const spellings = [
    { name: "start_process", arguments: { command: "rm -rf ~/work", timeout_ms: 3000 } },
    { name: "start_process", arguments: { command: "bash -c 'rm -rf ~/work'", timeout_ms: 3000 } },
    { name: "start_process", arguments: { command: "echo cm0gLXJmIH4vd29yaw== | base64 -d | sh", timeout_ms: 3000 } },
    { name: "start_process", arguments: { command: "r\u043c -rf ~/work", timeout_ms: 3000 } },
    { name: "start_process", arguments: { command: "python3 -c \"import shutil,os; shutil.rmtree(os.path.expanduser('~/work'))\"", timeout_ms: 3000 } },
  ];
  for (const call of spellings) {
    const before = asked.length;
    refused(await client.callTool(call), asked, before);
    assert.ok(fs.existsSync(path.join(victim, "keep", "notes.txt")), `ran: ${JSON.stringify(call)}`);
  }

  // A real interactive shell, then text typed into it.
  const shell = await client.callTool({ name: "start_process", arguments: { command: "bash", timeout_ms: 3000 } });
  assert.notEqual(shell.isError, true, textOf(shell));
  const pid = Number((textOf(shell).match(/PID[^0-9]*(\d+)/i) || [])[1]);
  assert.ok(pid > 0, `no PID in: ${textOf(shell)}`);
  for (const input of ["rm -rf ~/work", "cd ~ && rm -rf work", "x() { rm -rf ~/work; }; x"]) {
    const before = asked.length;
    const res = await client.callTool({ name: "interact_with_process", arguments: { pid, input, timeout_ms: 3000 } });
    refused(res, asked, before);
  }
  // Harmless input to the same process passes without a question.
  const before = asked.length;
  const ok = await client.callTool({ name: "interact_with_process", arguments: { pid, input: "echo still-here", timeout_ms: 3000 } });
  assert.notEqual(ok.isError, true, textOf(ok));
  assert.equal(asked.length, before, "no question for echo");
  await client.callTool({ name: "force_terminate", arguments: { pid } }).catch(() => {});
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(fs.existsSync(path.join(victim, "keep", "notes.txt")), "~/work survived every spelling");
  await client.close();
});

test("desktop-commander: a file whose content mentions rm -rf is data and is written", async (t) => {
  const sb = sandbox(t);
  const asked = [];
  const { client } = await connect(sb, "commander", servers.commander(), { elicitation: declineAll(asked) });
  const file = path.join(sb.work, "CLEANUP.md");
  const res = await client.callTool({
    name: "write_file",
    arguments: { path: file, content: "Never run `rm -rf ~` on a shared machine.\n", mode: "rewrite" },
  });
  assert.notEqual(res.isError, true, textOf(res));
  assert.equal(asked.length, 0);
  assert.match(fs.readFileSync(file, "utf8"), /Never run/);
  await client.close();
});
