// Project my desktop in a real browser (Debian's Chromium driven by
// playwright-core), in English and in French, against a real daemon set up
// by crates/podium/tests/project.rs, which passes in PODIUM_E2E:
//
//   { url, podium, socket, screenshots, teacher_color, pupil_color,
//     teacher: {user, password, full_name},
//     pupils: [{user, password, full_name, uid, home}] }
//
// The teacher's desktop (started beforehand) is a root window of
// `teacher_color` with a small xterm; each pupil's is a root window of
// `pupil_color` with a large xterm at +20+20. Two pupils' stations are
// open in their own pages; the teacher projects onto them from the
// dashboard, their pages show the teacher's screen and their keys do
// nothing; then Stop projecting gives them their desktops back.

import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { card, EN, FR, logIn } from "./home.mjs";
import { cfg, cli, finish, newPage, step, until } from "./lib.mjs";

const LANGS = {
  en: {
    locale: "en-US",
    labels: EN,
    project: "Project my desktop",
    selected: "Project to selected users",
    stop: "Stop projecting",
    showing: `${cfg.teacher.full_name} is showing their screen`,
    done: "shows your desktop",
    back: "has its own desktop back",
  },
  fr: {
    locale: "fr-FR",
    labels: FR,
    project: "Projeter mon bureau",
    selected: "Projeter vers les utilisateurs sélectionnés",
    stop: "Arrêter la projection",
    showing: `${cfg.teacher.full_name} projette son écran`,
    done: "affiche votre bureau",
    back: "a retrouvé son bureau",
  },
};

/** The colour `#rrggbb` as [r, g, b]. */
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));

/** Logs `pupil` in on `page` (their station) and waits for their desktop in the noVNC canvas. */
async function openStation(page, pupil, labels) {
  await page.goto(cfg.url);
  await page.getByLabel(labels.user).fill(pupil.user);
  await page.getByLabel(labels.password).fill(pupil.password);
  await page.getByRole("button", { name: labels.login }).click();
  await page.waitForFunction(
    (color) => {
      const c = document.querySelector(".screen canvas");
      if (!(c instanceof HTMLCanvasElement) || c.width < 400) return false;
      const p = c.getContext("2d")?.getImageData(c.width - 20, c.height - 20, 1, 1).data;
      return !!p && Math.abs(p[0] - color[0]) < 10 && Math.abs(p[1] - color[1]) < 10 && Math.abs(p[2] - color[2]) < 10;
    },
    rgb(cfg.pupil_color),
    { polling: 200, timeout: 20_000 },
  );
}

/**
 * The projected picture on a station page: its natural size and the
 * colour near its bottom-right corner (the teacher's root window), or null
 * while none shows.
 */
async function projected(page) {
  return page.evaluate(() => {
    const img = document.querySelector("img.projection-picture");
    if (!(img instanceof HTMLImageElement) || !img.complete || img.naturalWidth === 0) return null;
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext("2d");
    if (!ctx) return null;
    ctx.drawImage(img, 0, 0);
    const p = ctx.getImageData(c.width - 20, c.height - 20, 1, 1).data;
    return { width: img.naturalWidth, height: img.naturalHeight, corner: [p[0], p[1], p[2]] };
  });
}

const near = (a, b) => a.every((v, i) => Math.abs(v - b[i]) < 16);

const pupils = cfg.pupils;

try {
  for (const [lang, L] of Object.entries(LANGS)) {
    const stations = [];
    await step(`${lang}: two pupils' stations show their own desktops`, async () => {
      for (const p of pupils) {
        const page = await newPage(L.locale);
        await openStation(page, p, L.labels);
        stations.push(page);
      }
    });

    const teacher = await newPage(L.locale);
    await step(`${lang}: the teacher projects their desktop onto the two selected pupils from the Actions menu`, async () => {
      await logIn(teacher, L.labels);
      await card(teacher, pupils[0]).click();
      await card(teacher, pupils[1]).click({ modifiers: ["Control"] });
      await teacher.getByRole("button", { name: "Actions" }).click();
      await teacher.getByRole("menuitem", { name: L.project, exact: true }).click();
      await teacher.getByRole("menuitem", { name: L.selected }).click();
      const results = teacher.getByRole("region").filter({ has: teacher.getByRole("heading", { name: L.selected }) });
      for (const p of pupils) await results.getByText(p.full_name).waitFor();
      await until("both are done", 5_000, async () => (await results.getByText(L.done).count()) === 2);
      for (const p of pupils) {
        const s = JSON.parse(cli("session", "list", "--json")).sessions.find((x) => x.user === p.user);
        assert.equal(s.projected_by, cfg.teacher.full_name);
      }
    });

    await step(`${lang}: each pupil's page shows the teacher's screen, full size`, async () => {
      for (const page of stations) {
        await page.getByText(L.showing).first().waitFor();
        await until("the teacher's screen shows", 10_000, async () => {
          const p = await projected(page);
          return p !== null && p.width === 1280 && p.height === 800 && near(p.corner, rgb(cfg.teacher_color));
        });
      }
      if (lang === "en") {
        await stations[0].screenshot({ path: `${cfg.screenshots}/project-station.png` });
        await teacher.getByRole("button", { name: "Actions" }).click();
        await teacher.getByRole("menuitem", { name: L.project, exact: true }).hover();
        await teacher.getByRole("menuitem", { name: L.selected }).waitFor();
        await teacher.screenshot({ path: `${cfg.screenshots}/project-dashboard.png` });
        await teacher.keyboard.press("Escape");
        await teacher.keyboard.press("Escape");
      } else {
        await stations[0].screenshot({ path: `${cfg.screenshots}/project-station-fr.png` });
      }
    });

    await step(`${lang}: the pupils' keys and clicks do nothing meanwhile`, async () => {
      for (const [i, page] of stations.entries()) {
        const file = `${pupils[i].home}/projected-${lang}.txt`;
        await page.mouse.click(300, 200);
        await page.keyboard.type(`echo x > ${file}`);
        await page.keyboard.press("Enter");
      }
      await stations[0].waitForTimeout(2_000);
      for (const p of pupils) assert.ok(!existsSync(`${p.home}/projected-${lang}.txt`), `${p.user}'s keys arrived`);
    });

    await step(`${lang}: Stop projecting gives the pupils their desktops, and their keys, back`, async () => {
      await teacher.getByRole("button", { name: "Actions" }).click();
      await teacher.getByRole("menuitem", { name: L.stop }).click();
      const results = teacher.getByRole("region").filter({ has: teacher.getByRole("heading", { name: L.stop }) });
      await until("both have their desktops back", 5_000, async () => (await results.getByText(L.back).count()) === 2);
      for (const [i, page] of stations.entries()) {
        await until("the projection goes from the page", 5_000, async () => (await projected(page)) === null);
        const file = `${pupils[i].home}/back-${lang}.txt`;
        await page.locator(".screen canvas").click({ position: { x: 300, y: 200 } });
        await page.keyboard.type(`echo x > ${file}`);
        await page.keyboard.press("Enter");
        await until(`${pupils[i].user}'s typed command ran`, 5_000, () => existsSync(file));
        rmSync(file);
      }
      assert.equal(
        JSON.parse(cli("session", "list", "--json")).sessions.filter((s) => s.projected_by).length,
        0,
        "nothing is projected any more",
      );
    });

    for (const page of [...stations, teacher]) await page.context().close();
  }
} catch {
  // The failed step has reported itself.
} finally {
  await finish();
}
