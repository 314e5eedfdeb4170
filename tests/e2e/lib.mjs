// What the browser walks share: steps that report "ok - …" / "not ok - …"
// and a closing "N passed, N failed", polling, the browser itself, and the
// host seen from /proc and the podium CLI.

import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

/** The walk's settings, passed by its Rust harness in PODIUM_E2E. */
export const cfg = JSON.parse(process.env.PODIUM_E2E ?? "{}");

const here = fileURLToPath(new URL(".", import.meta.url));
const axeSource = readFileSync(`${here}node_modules/axe-core/axe.min.js`, "utf8");

const counts = { passed: 0, failed: 0 };

/** Runs one step; the first failure stops the walk (later steps build on earlier ones). */
export async function step(name, fn) {
  const started = Date.now();
  try {
    await fn();
    counts.passed += 1;
    console.log(`ok - ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    counts.failed += 1;
    console.log(`not ok - ${name}\n${e?.stack ?? e}`);
    throw e;
  }
}

/** Polls `check` until it is true; fails naming `what` after `ms`. */
export async function until(what, ms, check) {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return Date.now();
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Live (not zombie) processes of `uid` on this host, read from /proc. */
export function processesOf(uid) {
  let n = 0;
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const state = /^State:\s+(\S)/m.exec(status)?.[1];
      const realUid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      if (realUid === uid && state !== "Z") n += 1;
    } catch {
      // Gone while we looked.
    }
  }
  return n;
}

/** The podium CLI, as root, against the test daemon. */
export function cli(...args) {
  return execFileSync(cfg.podium, ["--socket", cfg.socket, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Debian's Chromium, headless. */
export const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** A page in a fresh browser context (its own cookies); `page.errors` collects script errors. */
export async function newPage(locale, viewport = { width: 1280, height: 800 }) {
  const ctx = await browser.newContext({ ignoreHTTPSErrors: true, viewport, locale });
  const page = await ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.errors = errors;
  return page;
}

/** axe-core's serious and critical findings on the page as it is. */
export async function accessibilityProblems(page) {
  // Evaluated through the DevTools protocol, which the page's CSP (rightly
  // refusing inline scripts) does not block.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) }));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Closes the browser and prints the closing line; the exit code says whether every step passed. */
export async function finish() {
  await browser.close();
  console.log(`${counts.passed} passed, ${counts.failed} failed`);
  process.exitCode = counts.failed === 0 && counts.passed > 0 ? 0 : 1;
}
