// Dashboard paint times in headless Chromium (bench/ui.sh runs it against a large audit log):
// first-contentful-paint (Performance API) and the moment the data is in the page (the
// `bw-timeline-painted` / `bw-approvals-painted` marks app.js sets after rendering the newest
// timeline rows / the approval queue), for cold loads with the HTTP cache off.
// usage: node bench/ui_paint.mjs BLASTWALL AUDIT_DB RUNS   (env as for `blastwall ui`)
import { launchChromium, startUi } from "../tests/e2e/test/ui_helpers.mjs";

const [bin, auditDb, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 15);
const ui = await startUi(bin, { auditDb, env: process.env });
const chrome = await launchChromium();
try {
  const page = await chrome.browser.newPage();
  await page.setCacheEnabled(false);
  await page.goto(ui.loginUrl, { waitUntil: "load" });
  await page.waitForSelector("#view-title");
  const results = { timeline: { fcp: [], rows: [], api: [] }, approvals: { fcp: [], rows: [], api: [] } };
  for (let i = 0; i < runs + 2; ++i) {
    for (const view of ["timeline", "approvals"]) {
      await page.goto("about:blank");
      await page.goto(ui.base + "#/" + view, { waitUntil: "load" });
      const sel = view === "timeline" ? "#timeline-body tr" : "#view-body h3";
      await page.waitForSelector(sel, { timeout: 30000 });
      const t = await page.evaluate((v) => {
        const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN;
        const mark = performance.getEntriesByName(`bw-${v}-painted`)[0]?.startTime ?? NaN;
        const api = performance.getEntriesByType("resource").find((e) => e.name.includes("/api/" + v));
        return { fcp, rows: mark, api: api ? api.responseEnd - api.requestStart : NaN };
      }, view);
      if (i >= 2) {  // two warm-up rounds: Chromium's own start-up is not the dashboard's
        results[view].fcp.push(t.fcp);
        results[view].rows.push(t.rows);
        results[view].api.push(t.api);
      }
    }
  }
  await page.goto(ui.base + "#/timeline", { waitUntil: "load" });
  await page.waitForSelector("#timeline-body tr");
  const rows = await page.$$eval("#timeline-body tr", (r) => r.length);
  const q = (a, p) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
  const fmt = (a) => `median ${q(a, 0.5).toFixed(1)} ms, p90 ${q(a, 0.9).toFixed(1)} ms, max ${Math.max(...a).toFixed(1)} ms`;
  for (const view of ["timeline", "approvals"]) {
    console.log(`${view}: first contentful paint ${fmt(results[view].fcp)}`);
    console.log(`${view}: ${view === "timeline" ? "newest 100 rows painted" : "approvals rendered"} ${fmt(results[view].rows)}`);
    console.log(`${view}: GET /api/${view} request to response end ${fmt(results[view].api)}`);
  }
  console.log(`(${runs} cold loads each after 2 warm-up rounds; the timeline page holds ${rows} rows)`);
} finally {
  await chrome.close();
  await ui.stop();
}
