// Dashboard paint times in headless Chromium (bench/ui.sh runs it against a large audit log):
// first-contentful-paint (Performance API) and the moment the newest timeline rows are in the
// page (the `bw-timeline-painted` mark app.js sets), for cold loads with the HTTP cache off.
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
  const results = { timeline: { fcp: [], rows: [] }, approvals: { fcp: [], rows: [] } };
  for (let i = 0; i < runs + 2; ++i) {
    for (const view of ["timeline", "approvals"]) {
      await page.goto("about:blank");
      await page.goto(ui.base + "#/" + view, { waitUntil: "load" });
      const sel = view === "timeline" ? "#timeline-body tr" : "#view-body h3";
      await page.waitForSelector(sel, { timeout: 30000 });
      const t = await page.evaluate((v) => {
        const fcp = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN;
        const mark = performance.getEntriesByName("bw-timeline-painted")[0]?.startTime;
        return { fcp, rows: v === "timeline" ? mark : performance.now() };
      }, view);
      if (i >= 2) {  // two warm-up rounds: Chromium's own start-up is not the dashboard's
        results[view].fcp.push(t.fcp);
        results[view].rows.push(t.rows);
      }
    }
  }
  const rows = await page.$$eval("#view-body tr", (r) => r.length).catch(() => 0);
  const q = (a, p) => a.slice().sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(p * a.length))];
  const fmt = (a) => `median ${q(a, 0.5).toFixed(1)} ms, p90 ${q(a, 0.9).toFixed(1)} ms, max ${Math.max(...a).toFixed(1)} ms`;
  for (const view of ["timeline", "approvals"]) {
    console.log(`${view}: first contentful paint ${fmt(results[view].fcp)}`);
    console.log(`${view}: ${view === "timeline" ? "newest 100 rows painted" : "approvals rendered"} ${fmt(results[view].rows)}`);
  }
  console.log(`(${runs} cold loads each; ${rows} rows on the last page)`);
} finally {
  await chrome.close();
  await ui.stop();
}
