// A log off's results in the dashboard, in a real browser: each session's
// line says "logging off…" while it closes, then names the applications
// that had to be forced to close and the unsaved work they held. Set up by
// crates/podium/tests/dashboard.rs, which passes in PODIUM_E2E:
//
//   { url, podium, socket, screenshots, stuck_desktop, plain_desktop,
//     teacher: {user, password, uid}, pupils: [{user, full_name, uid}] }
//
// The first pupil's desktop holds a "Notebook" window titled
// "*Fractions - Notebook" that ignores WM_DELETE_WINDOW and SIGTERM; the
// others' hold xclock and xeyes, which close when asked.

import assert from "node:assert/strict";
import { card, EN, FR, grid, logIn, windowsOf } from "./home.mjs";
import { accessibilityProblems, cfg, cli, finish, newPage, processesOf, step, until } from "./lib.mjs";

const [alice, bruno, chloe] = cfg.pupils;

/** Each language's labels, and what the results should say. */
const LANGS = {
  en: {
    ...EN,
    logoff: "Log off users",
    selected: "Log off selected users",
    grace: "Warning before log off",
    ok: "Log off",
    results: "Last action",
    pending: (p) => `${p.full_name} (${p.user}): logging off…`,
    forced: (p) => `${p.full_name} (${p.user}): logged off — forced to close: Notebook (“Fractions”, unsaved work)`,
    closed: (p) => `${p.full_name} (${p.user}): logged off — closed: `,
    summary: "2 logged off, 0 refused",
    screenshot: "dashboard-logoff-results.png",
  },
  fr: {
    ...FR,
    logoff: "Déconnecter les utilisateurs",
    selected: "Déconnecter les utilisateurs sélectionnés",
    grace: "Avertissement avant la déconnexion",
    ok: "Déconnecter",
    results: "Dernière action",
    pending: (p) => `${p.full_name} (${p.user}) : déconnexion en cours…`,
    forced: (p) =>
      `${p.full_name} (${p.user}) : déconnexion terminée — fermé de force : Notebook (« Fractions », travail non enregistré)`,
    closed: (p) => `${p.full_name} (${p.user}) : déconnexion terminée — fermés : `,
    summary: "2 déconnecté(s), 0 refusé(s)",
    screenshot: "dashboard-logoff-results-fr.png",
  },
};

/** A locator's text as it reads, every run of spaces (no-break ones too) as one. */
async function textOf(locator) {
  return (await locator.innerText()).replace(/\s+/g, " ").trim();
}

/** Waits until the text of `line` passes `check`; fails saying what it reads. */
async function untilLine(what, ms, line, check) {
  try {
    await until(what, ms, async () => (await line.count()) === 1 && check(await textOf(line)));
  } catch (e) {
    throw new Error(`${e.message}; the line reads: ${await textOf(line).catch(() => "(no such line)")}`);
  }
}

/** Waits until Alice's stuck notebook and clock and Bruno's eyes are on their screens. */
async function windowsShown() {
  await until("the notebook and the clocks are on the screens", 20_000, () => {
    const a = windowsOf(alice);
    return a.includes('"*Fractions - Notebook"') && a.includes('"xclock"') && windowsOf(bruno).includes('"xeyes"');
  });
}

/**
 * Logs off Alice and Bruno from the dashboard in `lang`, checks each line
 * while they close and once they are gone, and takes a screenshot.
 */
async function logOffBoth(page, lang) {
  const L = LANGS[lang];
  await card(page, alice).click();
  await card(page, bruno).click({ modifiers: ["Control"] });
  await page.getByRole("button", { name: "Actions" }).click();
  await page.getByRole("menuitem", { name: L.logoff, exact: true }).click();
  await page.getByRole("menuitem", { name: L.selected }).click();
  const dialog = page.getByRole("dialog", { name: L.selected });
  await dialog.getByLabel(L.grace).selectOption("0");
  await dialog.getByRole("button", { name: L.ok }).click();

  const results = page.getByRole("region", { name: L.results });
  const line = (p) => results.getByRole("listitem").filter({ hasText: `${p.full_name} (${p.user})` });
  // The notebook holds Alice's session open until the terminate timeout (4 s).
  await untilLine("Alice's line says she is logging off", 3_000, line(alice), (text) => text === L.pending(alice));
  await until("Alice's card is gone", 15_000, async () => (await card(page, alice).count()) === 0);
  await untilLine("Alice's line names the notebook, forced to close with unsaved work", 2_000, line(alice), (text) => text.startsWith(L.forced(alice)));
  await untilLine("Bruno's line says his applications closed", 2_000, line(bruno), (text) => text.startsWith(L.closed(bruno)));
  const brunos = await textOf(line(bruno));
  assert.ok(brunos.includes("XClock") && brunos.includes("XEyes"), brunos);
  assert.ok(!brunos.includes("Notebook"), brunos);
  assert.equal(await textOf(results.getByRole("status")), L.summary);
  assert.equal(processesOf(alice.uid), 0, "the notebook is gone");
  assert.equal(await card(page, chloe).count(), 1, "the third pupil's session stays");
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: `${cfg.screenshots}/${L.screenshot}` });
  console.log(`# ${lang}: ${await textOf(line(alice))}`);
  console.log(`# ${lang}: ${brunos}`);
}

try {
  await step("in English: the stuck notebook is named as forced to close, with its unsaved work", async () => {
    const page = await newPage("en-US");
    await windowsShown();
    await logIn(page, EN);
    for (const p of cfg.pupils) await card(page, p).waitFor();
    await logOffBoth(page, "en");
    assert.deepEqual(page.errors, [], "no script error in the page");
    await page.context().close();
  });

  await step("in French: the same line, in French", async () => {
    cli("session", "start", alice.user, "--command", cfg.stuck_desktop);
    cli("session", "start", bruno.user, "--command", cfg.plain_desktop);
    await windowsShown();
    const page = await newPage("fr-FR");
    await logIn(page, FR);
    await card(page, alice).waitFor();
    await card(page, bruno).waitFor();
    await logOffBoth(page, "fr");
    assert.deepEqual(page.errors, [], "no script error in the page");
    assert.equal(await grid(page).getByRole("option").count(), 1);
    await page.context().close();
  });
} catch {
  // Reported by step().
} finally {
  await finish();
}
