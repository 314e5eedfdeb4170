// A pupil whose desktop runs on host b logs in at host a's address, in a
// real browser: a hands the login to b (a signed one-time link), the
// browser lands on b's station with b's own login, and the station shows
// the desktop that b runs. Set up by crates/podium/tests/cluster.rs, which
// passes in PODIUM_E2E:
//
//   { url, screenshots, b_url, sockets: {a, b}, podium,
//     pupil: {user, password} }

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cfg, finish, newPage, step } from "./lib.mjs";

/** The users whose sessions `host` runs, as its own daemon lists them. */
function usersOn(host) {
  const out = execFileSync(cfg.podium, ["--socket", cfg.sockets[host], "session", "list", "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(out).sessions.map((s) => s.user);
}

try {
  await step("logging in at a brings the pupil to their desktop on b", async () => {
    const page = await newPage("en-US");
    await page.goto(cfg.url);
    await page.getByLabel("User name").fill(cfg.pupil.user);
    await page.getByLabel("Password").fill(cfg.pupil.password);
    const clicked = Date.now();
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((url) => url.origin === cfg.b_url, { timeout: 15_000 });
    await page.waitForFunction(
      () => {
        const c = document.querySelector(".screen canvas");
        return c instanceof HTMLCanvasElement && c.width >= 400 && c.height >= 400;
      },
      null,
      { timeout: 15_000 },
    );
    console.log(`# from the click at a to b's desktop on screen: ${Date.now() - clicked} ms`);
    const me = await page.evaluate(async () => (await fetch("/api/v1/me")).json());
    assert.equal(me.user, cfg.pupil.user, "logged in at b");
    assert.equal(me.host, "b");
    assert.ok(!usersOn("a").includes(cfg.pupil.user), "no desktop started on a");
    assert.equal(usersOn("b").filter((u) => u === cfg.pupil.user).length, 1, "one desktop, on b");
    await page.screenshot({ path: `${cfg.screenshots}/station-handoff.png` });
    assert.deepEqual(page.errors, [], "no script error in the page");
    await page.context().close();
  });
} catch {
  // Reported by step().
} finally {
  await finish();
}
