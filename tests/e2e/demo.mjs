// `make run`: a scripted agent (the official MCP SDK client) works through `blastwall mcp` against
// a real command-running MCP server (@wonderwhy-er/desktop-commander) in a throwaway workspace and
// HOME: one allowed call, one that needs approval (a simulated human accepts it in the client's
// elicitation dialog), one that is denied, then `blastwall log` shows what happened.
//
//   node tests/e2e/demo.mjs BLASTWALL_BINARY      (run `npm ci` in tests/e2e first)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const bin = path.resolve(process.argv[2] ?? process.env.BLASTWALL_BINARY ?? "build/blastwall");
const here = path.dirname(fileURLToPath(import.meta.url));
// The workspace sits inside this repository (a git project): deletes under /tmp count as harmless.
fs.mkdirSync(path.join(here, ".sandbox"), { recursive: true });
const tmp = fs.mkdtempSync(path.join(here, ".sandbox", "demo-"));
const work = path.join(tmp, "project");
const home = path.join(tmp, "home");
fs.mkdirSync(path.join(work, "src", "old"), { recursive: true });
fs.mkdirSync(home, { recursive: true });
fs.writeFileSync(path.join(work, "README.md"), "# demo project\n");
fs.writeFileSync(path.join(work, "src", "old", "main.c"), "int main() {}\n");
const auditDb = path.join(tmp, "audit.db");
const env = { PATH: process.env.PATH, HOME: home, XDG_STATE_HOME: path.join(tmp, "state") };

const bold = (s) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const say = (s) => console.log(`\n${bold("agent>")} ${s}`);
const show = (r) => {
  const text = (r.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
  console.log(`${r.isError ? bold("  isError") : "  ok"}: ${text.trim().split("\n").join("\n    ")}`);
};

const transport = new StdioClientTransport({
  command: bin,
  args: ["--audit-db", auditDb, "mcp", "--name", "commander", "--",
         "node", path.join(here, "node_modules/@wonderwhy-er/desktop-commander/dist/index.js")],
  env,
  cwd: work,
  stderr: "pipe",
});
const client = new Client({ name: "demo-agent", version: "1.0.0" }, { capabilities: { elicitation: {} } });
client.setRequestHandler(ElicitRequestSchema, async (req) => {
  const msg = req.params.message;
  console.log(`  ${bold("[approval dialog]")} ${msg.split("\n").join("\n    ")}`);
  // The simulated human approves only the build clean-up inside the project.
  const ok = msg.includes(`rm -rf ${path.join(work, "src", "old")}`);
  console.log(`  ${bold("[human]")} ${ok ? "accept" : "decline"}`);
  return { action: ok ? "accept" : "decline" };
});

console.log(`workspace: ${work}\nserver:    desktop-commander via ${bin} mcp`);
await client.connect(transport);
const { tools } = await client.listTools();
console.log(`tools:     ${tools.length} (start_process, read_file, write_file, ...) pinned on first sight`);

say("list the project (allow)");
show(await client.callTool({ name: "start_process", arguments: { command: `ls ${work}`, timeout_ms: 5000 } }));

say("delete the old sources (ask -> human approves in the elicitation dialog)");
show(await client.callTool({ name: "start_process", arguments: { command: `rm -rf ${path.join(work, "src", "old")}`, timeout_ms: 5000 } }));
await new Promise((r) => setTimeout(r, 300));
console.log(`  src/old exists afterwards: ${fs.existsSync(path.join(work, "src", "old"))}`);

say("wipe the home directory (deny)");
show(await client.callTool({ name: "start_process", arguments: { command: "rm -rf ~/", timeout_ms: 5000 } }));

await client.close();
await new Promise((r) => setTimeout(r, 300));

console.log(`\n${bold("$ blastwall log")}`);
try {
  process.stdout.write(execFileSync(bin, ["--audit-db", auditDb, "log"], { env, encoding: "utf8" }));
} catch (e) {
  console.log(`(blastwall log failed: ${e.message})`);
}
fs.rmSync(tmp, { recursive: true, force: true });
