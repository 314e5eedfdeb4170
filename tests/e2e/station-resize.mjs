// The station's desktop follows the page, and text copies both ways, in a
// real browser (Debian's Chromium driven by playwright-core), against a
// real daemon set up by crates/podium/tests/station.rs, which passes in
// PODIUM_E2E:
//
//   { url, podium, socket, screenshots, root_color, fixed,
//     pupil: {user, password, uid, home} }
//
// With `fixed` (the daemon runs with `[session] follow_station_size =
// false`), the desktop keeps its 1280×800 and the page scales it; else the
// desktop takes the size of the station's screen area within 1 s (measured
// on the X server itself), its thumbnail follows, and the clipboard goes
// from the page to the desktop's xterm and back. The pupil's desktop is a
// solid root window of `root_color` with an xterm at +20+20.

import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { accessibilityProblems, cfg, cli, finish, newPage, step, until } from "./lib.mjs";

const pupil = cfg.pupil;
const EN = { user: "User name", password: "Password", login: "Log in" };
/** What the station's toolbar takes off the page's height, measured once the page shows. */
let bar = 0;
/** Programs started for the walk (the selection owner), ended at its end. */
const started = [];

/** The pupil's session as the daemon lists it. */
function listed() {
  const { sessions } = JSON.parse(cli("session", "list", "--json"));
  return sessions.find((s) => s.user === pupil.user) ?? null;
}

/** The environment of an X client of the pupil's display (root, with the user's cookie). */
function xenv() {
  return { ...process.env, DISPLAY: listed().display, XAUTHORITY: `/run/user/${pupil.uid}/podium-Xauthority` };
}

/** The root window's size on the pupil's X server: "WxH". */
function rootSize() {
  const out = execFileSync("xwininfo", ["-root"], { env: xenv(), encoding: "utf8" });
  return `${/Width: (\d+)/.exec(out)?.[1]}x${/Height: (\d+)/.exec(out)?.[1]}`;
}

/** Polls the X server until its root window is `size`; the milliseconds it took from `since`. */
async function rootBecomes(size, since, ms) {
  const end = since + ms + 4_000;
  for (;;) {
    const now = rootSize();
    if (now === size) return Date.now() - since;
    if (Date.now() > end) throw new Error(`the desktop is ${now}, not ${size}, ${Date.now() - since} ms on`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The X CLIPBOARD selection's text on the pupil's display. */
function desktopClipboard() {
  try {
    return execFileSync("xclip", ["-o", "-selection", "clipboard"], { env: xenv(), encoding: "utf8", timeout: 3_000 });
  } catch {
    return null;
  }
}

/** Makes a program on the desktop own `selection` with `text`, as a copy there does. */
function copyOnDesktop(selection, text) {
  const owner = spawn("xclip", ["-quiet", "-selection", selection, "-i"], { env: xenv(), stdio: ["pipe", "ignore", "ignore"] });
  owner.stdin.end(text);
  started.push(owner);
}

/** The station's screen area in CSS pixels. */
async function area(page) {
  return page.evaluate(() => {
    const r = document.querySelector(".station-screen")?.getBoundingClientRect();
    return { w: r?.width ?? 0, h: r?.height ?? 0 };
  });
}

/** Sets the page's size so that the station's screen area is `w`×`h`. */
async function areaOf(page, w, h) {
  await page.setViewportSize({ width: w, height: h + bar });
}

/** The desktop picture: its pixels (the framebuffer) and the size it is drawn at on the page. */
async function canvas(page) {
  return page.evaluate(() => {
    const c = document.querySelector(".screen canvas");
    if (!(c instanceof HTMLCanvasElement)) return null;
    const r = c.getBoundingClientRect();
    return { w: c.width, h: c.height, shownW: Math.round(r.width), shownH: Math.round(r.height) };
  });
}

/** Waits until the noVNC canvas shows the desktop (the root colour in its bottom-right corner). */
async function firstFrame(page, timeout) {
  await page.waitForFunction(
    (rootColor) => {
      const c = document.querySelector(".screen canvas");
      if (!(c instanceof HTMLCanvasElement) || c.width < 400 || c.height < 400) return false;
      const ctx = c.getContext("2d");
      if (!ctx) return false;
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(rootColor.slice(i, i + 2), 16));
      const p = ctx.getImageData(c.width - 20, c.height - 20, 1, 1).data;
      return Math.abs(p[0] - r) < 8 && Math.abs(p[1] - g) < 8 && Math.abs(p[2] - b) < 8;
    },
    cfg.root_color,
    { polling: "raf", timeout },
  );
}

/** Logs the pupil in on `page` (in English or French) and waits for the desktop. */
async function logIn(page, labels = EN) {
  await page.goto(cfg.url);
  await page.getByLabel(labels.user).fill(pupil.user);
  await page.getByLabel(labels.password).fill(pupil.password);
  await page.getByRole("button", { name: labels.login }).click();
  await firstFrame(page, 15_000);
}

/** Width and height of a JPEG (its first SOF marker). */
function jpegSize(bytes) {
  for (let i = 2; i + 9 < bytes.length; ) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1];
    const len = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker >= 0xc0 && marker <= 0xc3) return { w: (bytes[i + 7] << 8) | bytes[i + 8], h: (bytes[i + 5] << 8) | bytes[i + 6] };
    i += 2 + len;
  }
  return null;
}

/** The session's medium thumbnail's size, fetched as its owner. */
async function thumbnailSize(page, id) {
  const r = await page.request.get(`${cfg.url}api/v1/sessions/${id}/thumbnail?size=medium`);
  if (r.status() !== 200) return null;
  return jpegSize(await r.body());
}

/** A page whose context may read and write the clipboard, as Chromium grants after asking. */
async function clipboardPage(locale) {
  const page = await newPage(locale, { width: 1280, height: 860 });
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(cfg.url).origin });
  return page;
}

try {
  const page = await clipboardPage("en-US");

  await step("the pupil logs in; the station's screen area is measured", async () => {
    await logIn(page);
    const a = await area(page);
    bar = 860 - a.h;
    assert.ok(bar > 20 && bar < 120, `the toolbar takes ${bar} px`);
    assert.equal(a.w, 1280, "the screen area is as wide as the page");
    const status = await page.evaluate(async () => (await fetch("/api/v1/station")).json());
    assert.equal(status.follow_size, !cfg.fixed, "the page is told whether the desktop follows it");
  });

  if (cfg.fixed) {
    await step("with follow_station_size = false the desktop keeps 1280×800 and the page scales it to a 1600×900 area", async () => {
      await areaOf(page, 1600, 900);
      await page.waitForTimeout(1_500);
      assert.equal(rootSize(), "1280x800", "the X server kept its size");
      const c = await canvas(page);
      assert.equal(`${c.w}x${c.h}`, "1280x800", "the framebuffer kept its size");
      // Scaled to fit 1600×900 with its aspect ratio: 1440×900.
      assert.ok(Math.abs(c.shownH - 900) <= 1 && Math.abs(c.shownW - 1440) <= 1, `drawn at ${c.shownW}×${c.shownH}`);
      await areaOf(page, 800, 600);
      await page.waitForTimeout(1_000);
      assert.equal(rootSize(), "1280x800", "still");
      const small = await canvas(page);
      assert.ok(Math.abs(small.shownW - 800) <= 1 && Math.abs(small.shownH - 500) <= 1, `drawn at ${small.shownW}×${small.shownH}`);
      await page.screenshot({ path: `${cfg.screenshots}/station-fixed.png` });
    });
  } else {
    const id = listed().id;

    await step("a 1280×800 screen area gives a 1280×800 desktop", async () => {
      await areaOf(page, 1280, 800);
      await rootBecomes("1280x800", Date.now(), 3_000);
      await until("the page shows the 1280×800 framebuffer", 3_000, async () => (await canvas(page))?.w === 1280);
    });

    await step("the area going to 1600×900 gives a 1600×900 desktop within 1 s, shown unscaled", async () => {
      const since = Date.now();
      await areaOf(page, 1600, 900);
      const ms = await rootBecomes("1600x900", since, 1_000);
      console.log(`resize: 1280x800 -> 1600x900 on the X server in ${ms} ms`);
      assert.ok(ms <= 1_000, `took ${ms} ms`);
      await until("the page shows the new framebuffer at its own size", 3_000, async () => {
        const c = await canvas(page);
        return c?.w === 1600 && c.h === 900 && c.shownW === 1600 && c.shownH === 900;
      });
      await firstFrame(page, 5_000);
    });

    await step("the session's thumbnail takes the 16:9 shape", async () => {
      let size = null;
      await until("a 320×180 thumbnail", 5_000, async () => {
        size = await thumbnailSize(page, id);
        return size?.w === 320 && size?.h === 180;
      });
      await page.screenshot({ path: `${cfg.screenshots}/station-resized.png` });
    });

    await step("a page smaller than 640×480 gets a 640×480 desktop, scaled down; a huge one stops at 3840×2160", async () => {
      await areaOf(page, 500, 360);
      await rootBecomes("640x480", Date.now(), 3_000);
      await until("the page scales it into 500×360", 3_000, async () => {
        const c = await canvas(page);
        return c?.w === 640 && c.shownW <= 500 && c.shownH <= 360;
      });
      await areaOf(page, 4000, 2400);
      await rootBecomes("3840x2160", Date.now(), 3_000);
      await areaOf(page, 1280, 800);
      await rootBecomes("1280x800", Date.now(), 3_000);
      await firstFrame(page, 5_000);
    });

    await step("text copied in the page pastes into the desktop's xterm", async () => {
      const text = "Copié dans la page: 42";
      await page.evaluate((t) => navigator.clipboard.writeText(t), text);
      // Coming back to the desktop (a click into it) hands the text over.
      await page.locator(".screen canvas").click({ position: { x: 300, y: 200 } });
      await until("the desktop's CLIPBOARD holds the text", 3_000, () => desktopClipboard() === text);
      // The PRIMARY selection too: a middle click pastes it in the xterm.
      await page.keyboard.type("printf '%s\\n' '");
      await page.mouse.click(300, 200 + bar, { button: "middle" });
      // xterm asks the selection's owner for the text and types it when it comes.
      await page.waitForTimeout(700);
      await page.keyboard.type("' > ~/pasted.txt");
      await page.keyboard.press("Enter");
      await until("~/pasted.txt exists", 5_000, () => existsSync(`${pupil.home}/pasted.txt`));
      assert.equal(readFileSync(`${pupil.home}/pasted.txt`, "utf8"), `${text}\n`);
    });

    await step("text copied on the desktop reaches the page's clipboard and the Clipboard panel", async () => {
      const text = "Copied on the desktop ✓";
      copyOnDesktop("clipboard", text);
      await until("the browser's clipboard holds it", 5_000, async () => (await page.evaluate(() => navigator.clipboard.readText())) === text);
      await page.getByRole("button", { name: "Clipboard" }).click();
      const field = page.getByLabel("Text on the desktop's clipboard");
      assert.equal(await field.inputValue(), text);
      await page.getByText("Copy and paste also work straight between this computer and the desktop.").waitFor();
      await page.screenshot({ path: `${cfg.screenshots}/station-clipboard.png` });
      assert.deepEqual(await accessibilityProblems(page), [], "the page with its Clipboard panel open");
    });

    await step("selecting a word in the xterm copies it to the page", async () => {
      await page.getByRole("button", { name: "Close" }).click();
      await page.locator(".screen canvas").click({ position: { x: 300, y: 200 } });
      await page.keyboard.type("clear; echo selectme; touch ~/shown");
      await page.keyboard.press("Enter");
      await until("the xterm has run it", 5_000, () => existsSync(`${pupil.home}/shown`));
      await page.waitForTimeout(500);
      // The word on the first line of the xterm at +20+20 (6×13 characters, 2 px border).
      await page.mouse.dblclick(20 + 2 + 3 * 6, bar + 20 + 2 + 6);
      let copied = "";
      try {
        await until("the browser's clipboard holds the word", 5_000, async () => {
          copied = await page.evaluate(() => navigator.clipboard.readText());
          return copied === "selectme";
        });
      } catch (e) {
        throw new Error(`${e.message}: it holds ${JSON.stringify(copied)}`);
      }
      await page.getByRole("button", { name: "Clipboard" }).click();
      assert.equal(await page.getByLabel("Text on the desktop's clipboard").inputValue(), "selectme");
      await page.getByRole("button", { name: "Close" }).click();
    });

    await step("what is typed into the Clipboard panel's field goes to the desktop (the way in where the browser has no permission)", async () => {
      await page.getByRole("button", { name: "Clipboard" }).click();
      const field = page.getByLabel("Text on the desktop's clipboard");
      await field.fill("Typed in the field");
      await until("the desktop's CLIPBOARD holds it", 3_000, () => desktopClipboard() === "Typed in the field");
      await field.press("Escape");
      await field.waitFor({ state: "detached" });
    });

    await step("in French: the panel's labels, and a copy on the desktop shows in its field", async () => {
      const fr = await clipboardPage("fr-FR");
      await logIn(fr, { user: "Nom d'utilisateur", password: "Mot de passe", login: "Se connecter" });
      // The new page has handed its own clipboard over by now (it is the browser's, shared with the first page).
      await fr.waitForTimeout(500);
      copyOnDesktop("clipboard", "Texte copié sur le bureau");
      await fr.getByRole("button", { name: "Presse-papiers" }).click();
      const field = fr.getByLabel("Texte du presse-papiers du bureau");
      await until("the field shows it", 5_000, async () => (await field.inputValue()) === "Texte copié sur le bureau");
      await fr.getByRole("button", { name: "Fermer" }).click();
      assert.deepEqual(fr.errors, [], "no script error in the French page");
      await fr.context().close();
    });

    assert.deepEqual(page.errors, [], "no script error in the page");
  }
} catch {
  // Reported by step().
} finally {
  for (const p of started) p.kill();
  await finish();
}
