// Streamable HTTP benchmark (docs/PERFORMANCE.md "MCP over Streamable HTTP"), driven by the
// official SDK's StreamableHTTPClientTransport against server-everything's streamableHttp
// transport (one server process, loopback):
//
// 1. latency: tools/call round trips straight to the server vs through
//    `blastwall mcp --listen 127.0.0.1:0 --upstream URL` (the HTTP front and the HTTP upstream both
//    in the path), alternating one call each so that both see the same machine load; median, p99.
// 2. soak: N concurrent sessions (default 100) through the proxy for S seconds (default 60), each
//    calling a tool every ~0.5-1 s with its GET stream open; errors counted, and the proxy's peak
//    resident memory (VmHWM) read from /proc at the end.
//
//   node bench/mcp_http.mjs BLASTWALL_BINARY [--calls 2000] [--sessions 100] [--seconds 60]
//        [--skip-latency] [--skip-soak]
import { createRequire } from "node:module";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const e2e = path.resolve(here, "../tests/e2e");
const require = createRequire(path.join(e2e, "package.json"));
const { Client } = await import(require.resolve("@modelcontextprotocol/sdk/client/index.js"));
const { StreamableHTTPClientTransport } = await import(
  require.resolve("@modelcontextprotocol/sdk/client/streamableHttp.js")
);

const argv = process.argv.slice(2);
const bin = argv[0];
if (!bin) {
  console.error("usage: node bench/mcp_http.mjs BLASTWALL_BINARY [--calls N] [--sessions N] [--seconds S]");
  process.exit(2);
}
const opt = (name, def) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const calls = opt("--calls", 2000);
const sessions = opt("--sessions", 100);
const seconds = opt("--seconds", 60);

const state = fs.mkdtempSync(path.join(os.tmpdir(), "bw-http-bench-"));
const env = { PATH: process.env.PATH, HOME: state, XDG_STATE_HOME: path.join(state, "state") };

function started(proc, re, what) {
  return new Promise((resolve, reject) => {
    let seen = "";
    proc.stderr.on("data", (d) => {
      seen += d;
      const m = seen.match(re);
      if (m) resolve(m);
    });
    proc.on("exit", (c) => reject(new Error(`${what} exited (${c}):\n${seen}`)));
  });
}

const everything = spawn(
  "node",
  ["--require", path.join(e2e, "fixtures/loopback-only.cjs"),
   path.join(e2e, "node_modules/@modelcontextprotocol/server-everything/dist/index.js"), "streamableHttp"],
  { env: { ...env, PORT: "0" }, stdio: ["ignore", "ignore", "pipe"] },
);
const [, upPort] = await started(everything, /LOOPBACK_PORT (\d+)/, "server-everything");
const upstream = `http://127.0.0.1:${upPort}/mcp`;

const proxy = spawn(
  bin,
  ["--audit-db", path.join(state, "audit.db"), "mcp", "--name", "everything", "--listen", "127.0.0.1:0",
   "--max-sessions", String(sessions + 8), "--upstream", upstream],
  { env, stdio: ["ignore", "ignore", "pipe"] },
);
const [, pxPort] = await started(proxy, /listening on http:\/\/127\.0\.0\.1:(\d+)\/mcp/, "blastwall");
const token = fs.readFileSync(path.join(env.XDG_STATE_HOME, "blastwall", "mcp-http.token"), "utf8").trim();
const proxied = `http://127.0.0.1:${pxPort}/mcp`;

async function open(url, auth) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: auth ? { headers: { Authorization: `Bearer ${token}` } } : {},
  });
  const client = new Client({ name: "bench", version: "1" }, { capabilities: {} });
  await client.connect(transport);
  await client.listTools();
  return { client, transport };
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const pct = (xs, p) => {
  const s = sorted(xs);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
};
const status = (pid) => {
  const s = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? NaN);
  return { hwm_kib: kib("VmHWM"), rss_kib: kib("VmRSS") };
};
const call = (c, i) => c.client.callTool({ name: "get-sum", arguments: { a: i, b: 1 } });

const report = {
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, load_before: os.loadavg() },
  command: `node bench/mcp_http.mjs ${argv.join(" ")}`,
};

if (!argv.includes("--skip-latency")) {
  const direct = await open(upstream, false);
  const through = await open(proxied, true);
  for (let i = 0; i < 200; ++i) {
    await call(direct, i);
    await call(through, i);
  }
  const d = [];
  const p = [];
  const time = async (c, out, i) => {
    const t0 = process.hrtime.bigint();
    const r = await call(c, i);
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (r.isError) throw new Error("call failed: " + JSON.stringify(r));
  };
  for (let i = 0; i < calls; ++i) {
    if (i % 2) {
      await time(direct, d, i);
      await time(through, p, i);
    } else {
      await time(through, p, i);
      await time(direct, d, i);
    }
  }
  // Paired differences: each proxied call against the direct call next to it.
  const diffs = p.map((x, i) => x - d[i]);
  report.latency = {
    calls,
    direct_ms: { median: pct(d, 50), p99: pct(d, 99) },
    proxied_ms: { median: pct(p, 50), p99: pct(p, 99) },
    added_ms: { median_of_medians: pct(p, 50) - pct(d, 50), median_paired: pct(diffs, 50), p99_diff: pct(p, 99) - pct(d, 99) },
    proxy_memory_after: status(proxy.pid),
  };
  await direct.transport.terminateSession();
  await through.transport.terminateSession();
  await direct.client.close();
  await through.client.close();
}

if (!argv.includes("--skip-soak")) {
  const opened = [];
  let errors = 0;
  let done = 0;
  const firstErrors = [];
  for (let i = 0; i < sessions; ++i) opened.push(await open(proxied, true));
  const rssSamples = [];
  const sampler = setInterval(() => rssSamples.push(status(proxy.pid).rss_kib), 1000);
  const end = Date.now() + seconds * 1000;
  await Promise.all(
    opened.map(async (c, k) => {
      let i = 0;
      while (Date.now() < end) {
        await new Promise((r) => setTimeout(r, 500 + Math.random() * 500));
        try {
          const r = await call(c, i++);
          if (r.isError || !/The sum of/.test(r.content?.[0]?.text ?? "")) throw new Error(JSON.stringify(r));
          ++done;
        } catch (e) {
          ++errors;
          if (firstErrors.length < 5) firstErrors.push(`session ${k}: ${e.message ?? e}`);
        }
      }
    }),
  );
  clearInterval(sampler);
  const mem = status(proxy.pid);
  report.soak = {
    sessions,
    seconds,
    calls: done,
    errors,
    first_errors: firstErrors,
    proxy_vmhwm_mib: +(mem.hwm_kib / 1024).toFixed(1),
    proxy_rss_end_mib: +(mem.rss_kib / 1024).toFixed(1),
    proxy_rss_max_sampled_mib: +(Math.max(...rssSamples) / 1024).toFixed(1),
  };
  for (const c of opened) {
    await c.transport.terminateSession().catch(() => {});
    await c.client.close();
  }
}

report.machine.load_after = os.loadavg();
console.log(JSON.stringify(report, null, 2));
proxy.kill("SIGTERM");
everything.kill("SIGTERM");
fs.rmSync(state, { recursive: true, force: true });
process.exit(report.soak && report.soak.errors > 0 ? 1 : 0);
