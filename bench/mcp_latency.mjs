// MCP proxy benchmark: tools/call round trips and an 8 MiB tool result, direct vs through
// `blastwall mcp`, against the same server (tests/e2e/fixtures/stub-server.mjs), driven by the
// official SDK client; plus the proxy's peak resident memory from /proc. Direct and proxied requests
// alternate so that both see the same machine load.
//
//   node bench/mcp_latency.mjs BLASTWALL_BINARY [--calls 2000] [--mib 8] [--rounds 5] [--keep]
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
  console.error("usage: node bench/mcp_latency.mjs BLASTWALL_BINARY [--calls N] [--mib N] [--rounds N] [--keep]");
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

// CPU time (user + system, µs) of each thread of a process, by thread name, from /proc.
function cpuByThread(pid) {
  const out = {};
  const tick_us = 1e6 / 100;  // USER_HZ
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const key = tid === String(pid) ? "main" : `${name}:${tid}`;
      out[key] = (Number(f[11]) + Number(f[12])) * tick_us;
    }
  } catch {
    return null;
  }
  return out;
}

// Direct and proxied calls alternate, one each in turn, so both sides see the same machine load
// (a shared 2-core VM drifts a lot between two back-to-back runs).
async function latency() {
  const direct = await open(true);
  const proxied = await open(false);
  const call = (c) => c.client.callTool({ name: "query", arguments: { sql: "SELECT 1" } });
  for (let i = 0; i < 200; ++i) {
    await call(direct);
    await call(proxied);
  }
  const cpu0 = cpuByThread(proxied.transport.pid);
  const d = [];
  const p = [];
  const time = async (c, out) => {
    const t0 = process.hrtime.bigint();
    await call(c);
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  };
  for (let i = 0; i < calls; ++i) {
    if (i % 2) {
      await time(direct, d);
      await time(proxied, p);
    } else {
      await time(proxied, p);
      await time(direct, d);
    }
  }
  const cpu1 = cpuByThread(proxied.transport.pid);
  // The proxy's CPU time per proxied call, per thread (main = the relay; the other thread is the
  // audit writer). Clock ticks of 10 ms: meaningful over thousands of calls only.
  const cpu = {};
  if (cpu0 && cpu1) {
    for (const k of Object.keys(cpu1)) cpu[k] = (cpu1[k] - (cpu0[k] ?? 0)) / calls;
  }
  await direct.client.close();
  await proxied.client.close();
  return { d, p, cpu };
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

async function throughput() {
  const direct = await open(true);
  const proxied = await open(false);
  const bytes = mib * 1024 * 1024;
  const blob = async (c) => {
    const t0 = process.hrtime.bigint();
    const r = await c.client.callTool({ name: "blob", arguments: { bytes } });
    if (r.content[0].text.length !== bytes) throw new Error("short result");
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  await blob(direct);
  await blob(proxied);
  const d = [];
  const p = [];
  for (let i = 0; i < rounds; ++i) {
    d.push(await blob(direct));
    p.push(await blob(proxied));
  }
  const mem = rssOfProxy(proxied.transport.pid);
  await direct.client.close();
  await proxied.client.close();
  return { d, p, mem };
}

const load = os.loadavg();
const lat = await latency();
const tp = await throughput();

const result = {
  machine: `${os.cpus()[0]?.model ?? "?"} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  load_average: { start: load.map((x) => x.toFixed(2)), end: os.loadavg().map((x) => x.toFixed(2)) },
  calls,
  latency_ms: {
    direct_median: median(lat.d),
    proxy_median: median(lat.p),
    added_median: median(lat.p) - median(lat.d),
    direct_p99: pct(lat.d, 99),
    proxy_p99: pct(lat.p, 99),
  },
  proxy_cpu_us_per_call: lat.cpu,
  throughput: {
    mib,
    rounds,
    direct_ms: median(tp.d),
    proxy_ms: median(tp.p),
    direct_mib_s: mib / (median(tp.d) / 1000),
    proxy_mib_s: mib / (median(tp.p) / 1000),
    ratio: median(tp.d) / median(tp.p),
  },
  proxy_memory_kib: tp.mem,
};
console.log(JSON.stringify(result, null, 2));
if (argv.includes("--keep")) console.error(`state (audit.db) kept in ${state}`);
else fs.rmSync(state, { recursive: true, force: true });
