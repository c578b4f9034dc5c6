// MCP proxy benchmark: tools/call round trips and an 8 MiB tool result, direct vs through
// `blastwall mcp`, against the same server (tests/e2e/fixtures/stub-server.mjs), driven by the
// official SDK client; plus the proxy's peak resident memory from /proc.
//
//   node bench/mcp_latency.mjs BLASTWALL_BINARY [--calls 2000] [--mib 8] [--rounds 5]
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const e2e = path.resolve(here, "../tests/e2e");
const require = createRequire(path.join(e2e, "package.json"));
const { Client } = await import(require.resolve("@modelcontextprotocol/sdk/client/index.js"));
const { StdioClientTransport } = await import(require.resolve("@modelcontextprotocol/sdk/client/stdio.js"));

const argv = process.argv.slice(2);
const bin = argv[0];
if (!bin) {
  console.error("usage: node bench/mcp_latency.mjs BLASTWALL_BINARY [--calls N] [--mib N] [--rounds N]");
  process.exit(2);
}
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const calls = opt("--calls", 2000);
const mib = opt("--mib", 8);
const rounds = opt("--rounds", 5);

const state = fs.mkdtempSync(path.join(os.tmpdir(), "bw-bench-"));
const env = { PATH: process.env.PATH, HOME: state, XDG_STATE_HOME: path.join(state, "state") };
const server = ["node", path.join(e2e, "fixtures/stub-server.mjs")];

async function open(direct) {
  const [command, ...args] = direct
    ? server
    : [bin, "--audit-db", path.join(state, "audit.db"), "mcp", "--name", "bench", "--", ...server];
  const transport = new StdioClientTransport({ command, args, env, stderr: "inherit" });
  const client = new Client({ name: "bench", version: "1" }, { capabilities: {} });
  await client.connect(transport);
  await client.listTools();
  return { client, transport };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
};

async function latency(direct) {
  const { client } = await open(direct);
  for (let i = 0; i < 200; ++i) await client.callTool({ name: "query", arguments: { sql: "SELECT 1" } });
  const t = [];
  for (let i = 0; i < calls; ++i) {
    const t0 = process.hrtime.bigint();
    await client.callTool({ name: "query", arguments: { sql: "SELECT 1" } });
    t.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  await client.close();
  return t;
}

function rssOfProxy(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    const rss = /VmRSS:\s+(\d+) kB/.exec(status);
    return { hwm_kib: hwm ? Number(hwm[1]) : null, rss_kib: rss ? Number(rss[1]) : null };
  } catch {
    return null;
  }
}

async function throughput(direct) {
  const { client, transport } = await open(direct);
  const bytes = mib * 1024 * 1024;
  await client.callTool({ name: "blob", arguments: { bytes } });
  const times = [];
  for (let i = 0; i < rounds; ++i) {
    const t0 = process.hrtime.bigint();
    const r = await client.callTool({ name: "blob", arguments: { bytes } });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.content[0].text.length !== bytes) throw new Error("short result");
  }
  const mem = direct ? null : rssOfProxy(transport.pid);
  await client.close();
  return { ms: median(times), mib_s: mib / (median(times) / 1000), mem };
}

const directLat = await latency(true);
const proxyLat = await latency(false);
const directTp = await throughput(true);
const proxyTp = await throughput(false);

const result = {
  machine: `${os.cpus()[0]?.model ?? "?"} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  calls,
  latency_ms: {
    direct_median: median(directLat),
    proxy_median: median(proxyLat),
    added_median: median(proxyLat) - median(directLat),
    direct_p99: pct(directLat, 99),
    proxy_p99: pct(proxyLat, 99),
  },
  throughput: {
    mib,
    direct_ms: directTp.ms,
    proxy_ms: proxyTp.ms,
    direct_mib_s: directTp.mib_s,
    proxy_mib_s: proxyTp.mib_s,
    ratio: proxyTp.mib_s / directTp.mib_s,
  },
  proxy_memory_kib: proxyTp.mem,
};
console.log(JSON.stringify(result, null, 2));
fs.rmSync(state, { recursive: true, force: true });
