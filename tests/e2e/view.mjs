// View and Take control (issue 19) in a real browser, in English and in
// French: a double-click on a pupil's card shows their live desktop (the
// picture changes as their clock ticks); Take control types into their
// xterm (the typed command writes a file); the pupil's screen shows the
// notice; an administrator's desktop is refused to a dashboard user, and
// the dialog says why. Set up by crates/podium/tests/view.rs, which passes
//
//   { url, podium, socket, screenshots, teacher: {user, password},
//     pupil: {user, full_name, uid, home}, eleve: (a French pupil, the same),
//     admin: {user, full_name} }

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { card, EN, FR, logIn, sessionOf } from "./home.mjs";
import { cfg, finish, newPage, step, until } from "./lib.mjs";

const LANGS = [
  {
    locale: "en-US",
    labels: EN,
    code: "en",
    pupil: cfg.pupil,
    view: "View",
    actions: "Actions",
    take: "Take control",
    close: "Close",
    viewing: "Viewing",
    controlling: "You have control",
    refused: "Refused: administrator session.",
  },
  {
    locale: "fr-FR",
    labels: FR,
    code: "fr",
    pupil: cfg.eleve,
    view: "Afficher",
    actions: "Actions",
    take: "Prendre le contrôle",
    close: "Fermer",
    viewing: "Affichage",
    controlling: "Vous avez le contrôle",
    refused: "Refusé : session d'administrateur.",
  },
];

/** A hash of the view's canvas pixels. */
async function canvasHash(page) {
  return page.locator(".view-screen canvas").evaluate((c) => {
    const ctx = c.getContext("2d");
    if (!ctx || c.width === 0) return "";
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0;
    return `${c.width}x${c.height}:${h}`;
  });
}

/** The pupil's whole screen, as `import` sees it. */
function screenshotPupil(pupil, path) {
  const s = sessionOf(pupil);
  execFileSync("import", ["-display", s.display, "-window", "root", path], {
    env: { ...process.env, XAUTHORITY: `/run/user/${pupil.uid}/podium-Xauthority` },
  });
}

try {
  for (const L of LANGS) {
    const page = await newPage(L.locale, { width: 1400, height: 900 });
    await logIn(page, L.labels);
    const pupil = L.pupil;
    const dialog = page.getByRole("dialog", { name: `${pupil.full_name} (${pupil.user})` });

    await step(`${L.code}: a double-click on a pupil's card shows their desktop, live`, async () => {
      await card(page, pupil).dblclick();
      await dialog.waitFor();
      await dialog.getByText(L.viewing).waitFor({ timeout: 10_000 });
      let first = "";
      await until("the view has a picture", 10_000, async () => {
        first = await canvasHash(page);
        return first !== "" && !first.startsWith("0x");
      });
      await until("the picture changes as the pupil's clock ticks", 8_000, async () => (await canvasHash(page)) !== first);
    });

    await step(`${L.code}: Take control types into the pupil's xterm, and the pupil is told`, async () => {
      const file = `${pupil.home}/typed-${L.code}.txt`;
      await dialog.getByRole("button", { name: L.take }).click();
      assert.equal(await dialog.getByRole("button", { name: L.take }).getAttribute("aria-pressed"), "true");
      await dialog.getByText(L.controlling).waitFor({ timeout: 10_000 });
      await until("the controlled view has a picture", 10_000, async () => (await canvasHash(page)) !== "");
      // The xterm is at +260+20 of a 1280×800 desktop: click into it.
      const box = await page.locator(".view-screen canvas").boundingBox();
      assert.ok(box, "the canvas is on the page");
      await page.mouse.click(box.x + (500 / 1280) * box.width, box.y + (150 / 800) * box.height);
      await page.keyboard.type(`echo ${L.code} > typed-${L.code}.txt`);
      await page.keyboard.press("Enter");
      await until(`${file} is written by the typed command`, 10_000, async () => existsSync(file));
      await new Promise((r) => setTimeout(r, 1000));
      screenshotPupil(pupil, `${cfg.screenshots}/control-notice-${L.code}.png`);
      if (L.code === "en") await page.screenshot({ path: `${cfg.screenshots}/dashboard-view.png` });
    });

    await step(`${L.code}: Close ends the view`, async () => {
      await dialog.getByRole("button", { name: L.close }).click();
      await dialog.waitFor({ state: "detached" });
    });

    await step(`${L.code}: an administrator's desktop is refused to a dashboard user, and the dialog says why`, async () => {
      await card(page, cfg.admin).click();
      await page.getByRole("button", { name: L.actions }).click();
      await page.getByRole("menuitem", { name: L.view, exact: true }).click();
      const refused = page.getByRole("dialog", { name: `${cfg.admin.full_name} (${cfg.admin.user})` });
      await refused.getByRole("alert").filter({ hasText: L.refused }).waitFor({ timeout: 10_000 });
      await page.keyboard.press("Escape");
      await refused.waitFor({ state: "detached" });
    });
    await page.context().close();
  }
} finally {
  await finish();
}
