// The station in a real browser (Debian's Chromium driven by playwright-core):
// a standard user's own desktop, against a real daemon, set up by
// crates/podium/tests/station.rs, which passes everything in PODIUM_E2E:
//
//   { url, podium, socket, screenshots, root_color,
//     pupil: {user, password, full_name, uid, home},
//     other: {user, uid, session}, teacher: {user, password} }
//
// Steps and their report come from lib.mjs. The pupil's desktop is a solid
// root window of `root_color` with an xterm at +20+20.

import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { accessibilityProblems, cfg, cli, finish, newPage, processesOf, step, until } from "./lib.mjs";

const pupil = cfg.pupil;
const EN = { user: "User name", password: "Password", login: "Log in" };
const latencies = [];

/** The pupil's session as the daemon lists it (root, over the Unix socket). */
function listed() {
  const { sessions } = JSON.parse(cli("session", "list", "--json"));
  return sessions.find((s) => s.user === pupil.user) ?? null;
}

/** Pids of the pupil's xterm, from /proc. */
function xterms() {
  return readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === pupil.uid && /^Name:\s+xterm$/m.test(status);
      } catch {
        return false;
      }
    });
}

/**
 * Logs the pupil in on `page` and waits for the first desktop frame: the
 * canvas shows the root colour and the xterm's white background. Returns
 * the milliseconds from the click to that frame.
 */
async function logInAndSeeDesktop(page) {
  await page.goto(cfg.url);
  await page.getByLabel(EN.user).fill(pupil.user);
  await page.getByLabel(EN.password).fill(pupil.password);
  const clicked = Date.now();
  await page.getByRole("button", { name: EN.login }).click();
  await firstFrame(page, 15_000);
  return Date.now() - clicked;
}

/** Waits until the noVNC canvas shows the desktop. */
async function firstFrame(page, timeout) {
  await page.waitForFunction(
    (rootColor) => {
      const c = document.querySelector(".screen canvas");
      if (!(c instanceof HTMLCanvasElement) || c.width < 400 || c.height < 400) return false;
      const ctx = c.getContext("2d");
      if (!ctx) return false;
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(rootColor.slice(i, i + 2), 16));
      const near = (p, q) => Math.abs(p[0] - q[0]) < 8 && Math.abs(p[1] - q[1]) < 8 && Math.abs(p[2] - q[2]) < 8 && p[3] === 255;
      const root = ctx.getImageData(c.width - 20, c.height - 20, 1, 1).data;
      const term = ctx.getImageData(c.width > 700 ? 600 : 100, 300, 1, 1).data;
      return near(root, [r, g, b]) && near(term, [255, 255, 255]);
    },
    cfg.root_color,
    { polling: "raf", timeout },
  );
}

/** A fingerprint of the framebuffer's top-left text area (the xterm's first lines). */
async function xtermTop(page) {
  return page.evaluate(() => {
    const c = document.querySelector(".screen canvas");
    if (!(c instanceof HTMLCanvasElement)) return "";
    const ctx = c.getContext("2d");
    if (!ctx) return "";
    const data = ctx.getImageData(20, 20, 500, 26).data;
    let h = 0;
    let dark = 0;
    for (let i = 0; i < data.length; i += 4) {
      h = (Math.imul(h, 31) + data[i] + data[i + 1] * 7 + data[i + 2] * 13) | 0;
      if (data[i] < 100) dark += 1;
    }
    return `${h}:${dark}`;
  });
}

/** Types `text` as keys on a French AZERTY keyboard would deliver them (AltGr for @ and €). */
async function typeAzerty(page, text) {
  const cdp = await page.context().newCDPSession(page);
  const keys = { "é": ["Digit2", 50], "è": ["Digit7", 55], "à": ["Digit0", 48], "ç": ["Digit9", 57], "@": ["Digit0", 48, true], "€": ["KeyE", 69, true] };
  for (const ch of text) {
    const [code, vk, altGr] = keys[ch] ?? [];
    if (!code) {
      await page.keyboard.type(ch);
      continue;
    }
    const altGraph = { key: "AltGraph", code: "AltRight", windowsVirtualKeyCode: 225 };
    if (altGr) await cdp.send("Input.dispatchKeyEvent", { type: "rawKeyDown", ...altGraph });
    await cdp.send("Input.dispatchKeyEvent", { type: "keyDown", key: ch, code, windowsVirtualKeyCode: vk, text: ch, unmodifiedText: ch });
    await cdp.send("Input.dispatchKeyEvent", { type: "keyUp", key: ch, code, windowsVirtualKeyCode: vk });
    if (altGr) await cdp.send("Input.dispatchKeyEvent", { type: "keyUp", ...altGraph });
  }
  await cdp.detach();
}

/**
 * Whether a WebSocket to the VNC relay opens from `page` (the browser hides
 * the status of a refused upgrade; station.rs checks the codes).
 */
async function relayOpens(page, query, keepOpen = false) {
  return page.evaluate(
    ([q, keep]) =>
      new Promise((resolve) => {
        const ws = new WebSocket(`wss://${location.host}/api/v1/station/vnc${q}`, ["binary"]);
        ws.onopen = () => {
          if (keep) window.setTimeout(() => ws.close(), 3000);
          else ws.close();
          resolve(true);
        };
        ws.onerror = () => resolve(false);
      }),
    [query, keepOpen],
  );
}

/** The station's VNC WebSockets on `page`, open or closed, as Playwright sees them. */
function watchVnc(page) {
  const sockets = [];
  page.on("websocket", (ws) => {
    if (!ws.url().includes("/api/v1/station/vnc")) return;
    const s = { open: true };
    sockets.push(s);
    ws.on("close", () => (s.open = false));
  });
  return () => sockets.filter((s) => s.open).length;
}

const teacher = await newPage("en-US");
const card = () => teacher.getByRole("listbox", { name: "Sessions" }).getByRole("option", { name: `${pupil.full_name} (${pupil.user}), session`, exact: false });

try {
  let page = await newPage("en-US");
  let openVnc = watchVnc(page);
  let sessionId = 0;
  let pids = [];
  let before = "";

  await step("a standard user logs in and gets a new desktop in the page", async () => {
    assert.equal(listed(), null, "no session before the login");
    const ms = await logInAndSeeDesktop(page);
    latencies.push({ what: "new session", ms });
    const s = listed();
    assert.ok(s, "the daemon lists the new session");
    sessionId = s.id;
    assert.equal(s.state, "active");
    assert.equal(s.station?.kind, "browser");
    await page.getByText(`Session ${sessionId}`).waitFor();
    assert.equal(openVnc(), 1);
  });

  await step("the desktop picture is not blank and the station page has no serious accessibility problem", async () => {
    const colours = await page.evaluate(() => {
      const c = /** @type {HTMLCanvasElement} */ (document.querySelector(".screen canvas"));
      const d = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? [];
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    });
    assert.ok(colours >= 3, `the canvas shows a picture, not a flat colour (${colours} colours)`);
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  await step("typing into the xterm reaches the host: ~/typed.txt", async () => {
    await page.locator(".screen canvas").click({ position: { x: 300, y: 200 } });
    await page.keyboard.type("echo podium > ~/typed.txt");
    await page.keyboard.press("Enter");
    await until("~/typed.txt exists", 5_000, () => existsSync(`${pupil.home}/typed.txt`));
    assert.equal(readFileSync(`${pupil.home}/typed.txt`, "utf8"), "podium\n");
  });

  await step("French AZERTY characters é è à ç @ € arrive in the xterm as typed", async () => {
    await page.keyboard.type("echo '");
    await typeAzerty(page, "éèàç@€");
    await page.keyboard.type("' > ~/azerty.txt");
    await page.keyboard.press("Enter");
    await until("~/azerty.txt exists", 5_000, () => existsSync(`${pupil.home}/azerty.txt`));
    assert.equal(readFileSync(`${pupil.home}/azerty.txt`, "utf8"), "éèàç@€\n");
    await page.waitForTimeout(300);
    before = await xtermTop(page);
    pids = xterms();
    assert.equal(pids.length, 1, "one xterm runs");
  });

  await step("closing the tab leaves the session running, disconnected on the dashboard", async () => {
    await teacher.goto(cfg.url);
    await teacher.getByLabel(EN.user).fill(cfg.teacher.user);
    await teacher.getByLabel(EN.password).fill(cfg.teacher.password);
    await teacher.getByRole("button", { name: EN.login }).click();
    await card().getByText("Active").waitFor();
    await card().getByText("Browser · 127.0.0.1").waitFor();
    await page.context().close();
    await card().getByText("Disconnected").waitFor({ timeout: 5_000 });
    await card().getByText("No station").waitFor();
    const s = listed();
    assert.equal(s.state, "disconnected");
    assert.equal(s.station, null);
    assert.deepEqual(xterms(), pids, "the same xterm still runs");
    assert.ok(processesOf(pupil.uid) >= 3, "Xvnc, the desktop script and the xterm still run");
  });

  await step("logging in again from a new browser shows the same session, the earlier lines still there", async () => {
    page = await newPage("en-US");
    openVnc = watchVnc(page);
    const ms = await logInAndSeeDesktop(page);
    latencies.push({ what: "existing session", ms });
    assert.equal(listed().id, sessionId, "the same session");
    await page.getByText(`Session ${sessionId}`).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await xtermTop(page), before, "the xterm shows what it showed before");
    await card().getByText("Active").waitFor();
  });

  await step("a second browser takes the session over; the first is told so and can take it back", async () => {
    const second = await newPage("en-US");
    const ms = await logInAndSeeDesktop(second);
    latencies.push({ what: "take over", ms });
    await page.getByRole("alertdialog").getByText("Your desktop is open elsewhere").waitFor({ timeout: 5_000 });
    await page.getByRole("button", { name: "Use it here" }).click();
    await firstFrame(page, 5_000);
    await second.getByRole("alertdialog").getByText("Your desktop is open elsewhere").waitFor({ timeout: 5_000 });
    await second.context().close();
    assert.equal(listed().state, "active");
  });

  await step("Disconnect drops the connection and keeps the session; Reconnect brings it back", async () => {
    await page.getByRole("button", { name: "Disconnect" }).click();
    await page.getByRole("alertdialog").getByText("Disconnected").waitFor({ timeout: 5_000 });
    await until("the relay is closed", 3_000, () => openVnc() === 0);
    await until("the daemon says disconnected", 3_000, () => listed().state === "disconnected");
    await card().getByText("Disconnected").waitFor();
    assert.deepEqual(xterms(), pids);
    const clicked = Date.now();
    await page.getByRole("button", { name: "Reconnect" }).click();
    await firstFrame(page, 5_000);
    latencies.push({ what: "reconnect button", ms: Date.now() - clicked });
    assert.equal(listed().id, sessionId);
    assert.equal(listed().state, "active");
  });

  await step("Lock stops the stream; a wrong password is refused, the right one unlocks", async () => {
    await page.getByRole("button", { name: "Lock" }).click();
    const lockForm = page.getByRole("form", { name: "Locked" });
    await lockForm.waitFor({ timeout: 5_000 });
    await until("the relay is closed", 3_000, () => openVnc() === 0);
    await page.screenshot({ path: `${cfg.screenshots}/station-locked.png` });
    const status = await page.evaluate(async () => (await fetch("/api/v1/station")).json());
    assert.equal(status.locked, true);
    assert.equal(await relayOpens(page, ""), false, "no stream while locked");
    await lockForm.getByLabel("Password").fill("not the password");
    await lockForm.getByRole("button", { name: "Unlock" }).click();
    await lockForm.getByRole("alert").getByText("Wrong password.").waitFor();
    assert.equal(openVnc(), 0);
    await lockForm.getByLabel("Password").fill(pupil.password);
    await lockForm.getByRole("button", { name: "Unlock" }).click();
    await firstFrame(page, 5_000);
    assert.equal(await xtermTop(page), before);
  });

  await step("another user's session cannot be opened from the page", async () => {
    assert.equal(await relayOpens(page, `?session=${cfg.other.session}`), false);
    assert.equal(await relayOpens(page, `?session=${listed().id}`, true), true, "the same request for one's own session opens");
    // It took the session over while it was open.
    await page.getByRole("alertdialog").getByText("Your desktop is open elsewhere").waitFor({ timeout: 5_000 });
    await page.getByRole("button", { name: "Use it here" }).click();
    await firstFrame(page, 5_000);
  });

  await step("blocked from the dashboard: the page shows the notice and typed keys do not reach the xterm; unblocked, they do", async () => {
    cli("session", "block", String(sessionId), "--message", "Eyes on the board, please");
    const notice = page.getByRole("alert").filter({ hasText: "Eyes on the board, please" });
    await notice.waitFor({ timeout: 5_000 });
    await page.screenshot({ path: `${cfg.screenshots}/station-blocked.png` });
    // Keys go to the canvas as before; the display server ignores them.
    await page.locator(".screen canvas").focus();
    await page.keyboard.type("echo blocked > ~/blocked.txt");
    await page.keyboard.press("Enter");
    await page.waitForTimeout(2_000);
    assert.equal(existsSync(`${pupil.home}/blocked.txt`), false, "typed while blocked, and it arrived");
    cli("session", "unblock", String(sessionId));
    await notice.waitFor({ state: "detached", timeout: 5_000 });
    await page.locator(".screen canvas").focus();
    await page.keyboard.type("echo free > ~/free.txt");
    await page.keyboard.press("Enter");
    await until("~/free.txt exists", 5_000, () => existsSync(`${pupil.home}/free.txt`));
    assert.equal(readFileSync(`${pupil.home}/free.txt`, "utf8"), "free\n");
  });

  await step("messages from the dashboard wait on the page until OK, one after the other", async () => {
    cli("session", "message", String(sessionId), "--text", "Pens down in five minutes.");
    cli("session", "message", String(sessionId), "--text", "Then save your work.");
    const box = page.getByRole("alertdialog");
    await box.getByText("Pens down in five minutes.").waitFor({ timeout: 5_000 });
    assert.ok((await box.innerText()).includes("1 of 2"), await box.innerText());
    await page.screenshot({ path: `${cfg.screenshots}/station-message.png` });
    await box.getByRole("button", { name: "OK" }).click();
    await box.getByText("Then save your work.").waitFor({ timeout: 5_000 });
    await box.getByRole("button", { name: "OK" }).click();
    await box.waitFor({ state: "detached", timeout: 5_000 });
    const status = await page.evaluate(async () => (await fetch("/api/v1/station")).json());
    assert.deepEqual(status.messages, [], "dismissed on the page, gone from the session");
  });

  await step("Disconnect from the dashboard drops the page's stream; Reconnect returns to the same session", async () => {
    cli("session", "disconnect", String(sessionId));
    await page.getByRole("alertdialog").getByText("Disconnected").waitFor({ timeout: 5_000 });
    await until("the relay is closed", 3_000, () => openVnc() === 0);
    assert.equal(listed().state, "disconnected");
    assert.deepEqual(xterms(), pids, "the xterm still runs");
    await page.getByRole("button", { name: "Reconnect" }).click();
    await firstFrame(page, 5_000);
    assert.equal(listed().id, sessionId);
    assert.equal(listed().state, "active");
  });

  await step("Log off asks first, lets the apps close, ends every process and returns to the login page", async () => {
    await page.screenshot({ path: `${cfg.screenshots}/station.png` });
    await page.getByRole("button", { name: "Log off" }).click();
    const dialog = page.getByRole("dialog", { name: "Log off?" });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    assert.equal(listed().state, "active");
    await page.getByRole("button", { name: "Log off" }).click();
    await dialog.getByRole("button", { name: "Log off" }).click();
    await page.getByRole("button", { name: EN.login }).waitFor({ timeout: 15_000 });
    await page.getByRole("alert").getByText("Your session has ended.").waitFor();
    assert.equal(listed(), null);
    await until("every process of the pupil is gone", 5_000, () => processesOf(pupil.uid) === 0);
    const me = await page.evaluate(async () => (await fetch("/api/v1/me")).status);
    assert.equal(me, 401, "logging off the desktop signs out of the page too");
    await card().waitFor({ state: "detached" });
  });

  await step("a log off from the dashboard shows its countdown on the station, then returns to login", async () => {
    await logInAndSeeDesktop(page);
    const id = listed().id;
    cli("session", "logoff", String(id), "--grace", "6", "--no-wait");
    const banner = page.getByRole("alert").filter({ hasText: "Your session will be logged off in" });
    await banner.waitFor({ timeout: 5_000 });
    const shown = Number(/in (\d+) seconds/.exec(await banner.innerText())?.[1]);
    // The API gives the deadline in whole seconds, rounded up.
    assert.ok(shown >= 4 && shown <= 7, `the countdown starts from the grace time (${shown} s)`);
    await page.waitForTimeout(1000);
    await page.screenshot({ path: `${cfg.screenshots}/station-warning.png` });
    await page.getByRole("button", { name: EN.login }).waitFor({ timeout: 20_000 });
    assert.equal(listed(), null);
    assert.deepEqual(page.errors, [], "no script error in the page");
  });
} catch {
  // Reported by step().
} finally {
  for (const l of latencies) console.log(`latency: ${l.what}: ${l.ms} ms`);
  await finish();
}
