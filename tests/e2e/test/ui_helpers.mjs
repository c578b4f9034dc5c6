// Shared by the dashboard e2e test and bench/ui.sh: start `blastwall ui` on a free loopback port
// and drive Debian's headless Chromium through puppeteer-core.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import puppeteer from "puppeteer-core";

export const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";

// Starts `blastwall [--audit-db DB] ui --port 0` and resolves with the printed URLs.
export function startUi(bin, { auditDb, env, extra = [] }) {
  const args = [...(auditDb ? ["--audit-db", auditDb] : []), "ui", "--port", "0", ...extra];
  const child = spawn(bin, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr.on("data", (d) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("blastwall ui did not start:\n" + out + err)), 15000);
    child.on("exit", (code) => reject(new Error(`blastwall ui exited ${code}:\n${out}${err}`)));
    child.stdout.on("data", (d) => {
      out += d.toString();
      const login = out.match(/(http:\/\/127\.0\.0\.1:\d+\/)#token=([0-9a-f]+)/);
      if (login) {
        clearTimeout(timer);
        child.removeAllListeners("exit");
        resolve({
          child,
          base: login[1],
          loginUrl: login[0],
          token: login[2],
          stderr: () => err,
          async stop() {
            if (child.exitCode !== null) return child.exitCode;
            const done = new Promise((r) => child.on("exit", (code) => r(code)));
            child.kill("SIGTERM");
            return done;
          },
        });
      }
    });
  });
}

// Headless Chromium with the flags it needs on a closed network (without the background
// networking ones it stalls trying to reach Google), in a fresh profile.
export async function launchChromium() {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: install the Debian package (make deps installs chromium)`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "bw-chromium-"));
  const browser = await puppeteer.launch({
    executablePath: chromiumPath,
    headless: true,
    userDataDir: profile,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
      "--disable-dev-shm-usage", "--window-size=1280,900",
    ],
    defaultViewport: { width: 1280, height: 900 },
    timeout: 60000,
  });
  return {
    browser,
    async close() {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
