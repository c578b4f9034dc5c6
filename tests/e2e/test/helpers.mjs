// Shared set-up for the e2e tests: a throwaway state directory per test, the blastwall binary
// wrapping a real server, and the official SDK client.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema, CreateMessageRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, "..");
export const bin = process.env.BLASTWALL_BINARY;
if (!bin) throw new Error("set BLASTWALL_BINARY to the blastwall executable");

export const servers = {
  filesystem: (dir) => ["node", path.join(root, "node_modules/@modelcontextprotocol/server-filesystem/dist/index.js"), dir],
  everything: () => ["node", path.join(root, "node_modules/@modelcontextprotocol/server-everything/dist/index.js"), "stdio"],
  commander: () => ["node", path.join(root, "node_modules/@wonderwhy-er/desktop-commander/dist/index.js")],
  stub: () => ["node", path.join(root, "fixtures/stub-server.mjs")],
};

export function sandbox(t) {
  // Inside the repository on purpose: the engine treats deletes under /tmp as harmless (temp
  // class), so an "ask" case needs a workspace that is part of a project.
  fs.mkdirSync(path.join(root, ".sandbox"), { recursive: true });
  const dir = fs.mkdtempSync(path.join(root, ".sandbox", "bw-e2e-"));
  const env = {
    PATH: process.env.PATH,
    HOME: path.join(dir, "home"),
    XDG_STATE_HOME: path.join(dir, "state"),
    XDG_CONFIG_HOME: path.join(dir, "config"),
    TMPDIR: path.join(dir, "tmp"),
  };
  fs.mkdirSync(env.HOME, { recursive: true });
  fs.mkdirSync(env.TMPDIR, { recursive: true });
  // The checkout itself may live under /tmp (CI clones anywhere): only the sandbox's own tmp/ is
  // temporary, so the workspace is judged as a project wherever the repository is.
  fs.mkdirSync(path.join(env.XDG_CONFIG_HOME, "blastwall"), { recursive: true });
  fs.writeFileSync(path.join(env.XDG_CONFIG_HOME, "blastwall", "policy.yaml"),
                   `format: 1\ntemp_dirs: [${JSON.stringify(env.TMPDIR)}]\n`);
  fs.mkdirSync(path.join(dir, "work"), { recursive: true });
  const sb = {
    dir,
    env,
    work: path.join(dir, "work"),
    auditDb: path.join(dir, "audit.db"),
    cli(args, opts = {}) {
      return execFileSync(bin, ["--audit-db", sb.auditDb, ...args], {
        env: { ...env, ...(opts.env ?? {}) },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      });
    },
  };
  t?.after?.(() => fs.rmSync(dir, { recursive: true, force: true }));
  return sb;
}

export function proxyArgs(sb, name, serverCmd, extra = []) {
  return ["--audit-db", sb.auditDb, "mcp", "--name", name, ...extra, "--", ...serverCmd];
}

// Connects the SDK client through blastwall (or directly when direct=true).
export async function connect(sb, name, serverCmd, opts = {}) {
  const { direct = false, extra = [], elicitation = null, sampling = null, env = {} } = opts;
  const [command, ...args] = direct ? serverCmd : [bin, ...proxyArgs(sb, name, serverCmd, extra)];
  const transport = new StdioClientTransport({
    command,
    args,
    env: { ...sb.env, ...env },
    cwd: sb.work,
    stderr: "pipe",
  });
  const stderr = [];
  transport.stderr?.on("data", (d) => stderr.push(d.toString()));
  const capabilities = {};
  if (elicitation) capabilities.elicitation = {};
  if (sampling) capabilities.sampling = {};
  const client = new Client({ name: "blastwall-e2e", version: "1.0.0" }, { capabilities });
  if (elicitation) client.setRequestHandler(ElicitRequestSchema, elicitation);
  if (sampling) client.setRequestHandler(CreateMessageRequestSchema, sampling);
  await client.connect(transport);
  return { client, transport, stderr: () => stderr.join("") };
}

export function textOf(result) {
  return (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

// Spawns blastwall with raw pipes (for byte-level, exit-status and signal tests).
export function spawnRaw(sb, name, serverCmd, extra = [], env = {}) {
  const child = spawn(bin, proxyArgs(sb, name, serverCmd, extra), {
    env: { ...sb.env, ...env },
    cwd: sb.work,
    stdio: ["pipe", "pipe", "pipe"],
  });
  const lines = [];
  let buf = "";
  const waiters = [];
  child.stdout.on("data", (d) => {
    buf += d.toString("utf8");
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
      for (const w of waiters.splice(0)) w();
    }
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d.toString()));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return {
    child,
    lines,
    exited,
    stderr: () => stderr,
    send(obj) {
      child.stdin.write((typeof obj === "string" ? obj : JSON.stringify(obj)) + "\n");
    },
    async next(pred = () => true, timeoutMs = 20000) {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      for (;;) {
        for (; seen < lines.length; ++seen) {
          const msg = JSON.parse(lines[seen]);
          if (pred(msg, lines[seen])) return { msg, raw: lines[seen] };
        }
        if (Date.now() > deadline) throw new Error("timed out waiting for a message; stderr:\n" + stderr);
        await new Promise((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
    },
  };
}

export const initialize = (id = 0, capabilities = {}) => ({
  jsonrpc: "2.0",
  id,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities, clientInfo: { name: "raw", version: "1" } },
});
export const initialized = { jsonrpc: "2.0", method: "notifications/initialized" };

export function auditRows(sb) {
  // The audit DB is SQLite; read it through the sqlite3 CLI when present, else via `blastwall log`.
  try {
    const out = execFileSync("sqlite3", ["-json", sb.auditDb, "SELECT id, type, ref_id, tool, decision, source, detail FROM events ORDER BY id"], { encoding: "utf8" });
    return out.trim() ? JSON.parse(out) : [];
  } catch {
    return null;
  }
}
