// Open… on the dashboard, in a real browser, in English and French: two
// pupils selected, a listed program opened on both desktops (the results
// say so, and the program itself leaves its mark in each pupil's home),
// and an ftp:// address refused in the dialog with a clear message before
// anything is sent. Set up by crates/podium/tests/open.rs, which passes in
// PODIUM_E2E:
//
//   { url, podium, socket, screenshots,
//     teacher: {user, password, uid}, pupils: [{user, full_name, uid, home}] }
//
// The program "marker" (label "Marker", in French "Marqueur") writes
// $HOME/podium-opened-program with its uid, display and cgroup.

import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { card, EN, FR, logIn } from "./home.mjs";
import { accessibilityProblems, cfg, finish, newPage, step, until } from "./lib.mjs";

const [alice, bruno] = cfg.pupils;

const LANGS = {
  en: {
    ...EN,
    menu: "Open…",
    title: "Open a website or a program",
    address: "Web address",
    program: "A program",
    programField: "Program",
    label: "Marker",
    ok: "Open",
    refused: "Only web addresses starting with http:// or https:// can be opened, not ftp:",
    results: "Last action",
    line: (p) => `${p.full_name} (${p.user}): opened`,
    summary: "2 opened, 0 not",
    dialogShot: "open-dialog.png",
    resultsShot: "open-results.png",
  },
  fr: {
    ...FR,
    menu: "Ouvrir…",
    title: "Ouvrir un site web ou un programme",
    address: "Adresse web",
    program: "Un programme",
    programField: "Programme",
    label: "Marqueur",
    ok: "Ouvrir",
    refused: "Seules les adresses web commençant par http:// ou https:// peuvent être ouvertes, pas ftp:",
    results: "Dernière action",
    line: (p) => `${p.full_name} (${p.user}) : ouvert`,
    summary: "2 ouvert(s), 0 non",
    dialogShot: "open-dialog-fr.png",
    resultsShot: "open-results-fr.png",
  },
};

/** A locator's text as it reads, every run of spaces (no-break ones too) as one. */
async function textOf(locator) {
  return (await locator.innerText()).replace(/\s+/g, " ").trim();
}

/** Where the program writes its mark for pupil `p`. */
const markOf = (p) => `${p.home}/podium-opened-program`;

/** What the program wrote for `p`, as `key=value` pairs. */
function mark(p) {
  return Object.fromEntries(
    readFileSync(markOf(p), "utf8")
      .split("\n")
      .filter((l) => l.includes("="))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
}

/** Opens the dialog for the two selected pupils from the Actions menu. */
async function openDialog(page, L) {
  await card(page, alice).click();
  await card(page, bruno).click({ modifiers: ["Control"] });
  await page.getByRole("button", { name: "Actions" }).click();
  await page.getByRole("menuitem", { name: L.menu, exact: true }).click();
  return page.getByRole("dialog", { name: L.title });
}

async function walk(lang) {
  const L = LANGS[lang];
  for (const p of cfg.pupils) rmSync(markOf(p), { force: true });
  const page = await newPage(lang === "fr" ? "fr-FR" : "en-US");
  await logIn(page, L);
  for (const p of cfg.pupils) await card(page, p).waitFor();
  const dialog = await openDialog(page, L);

  // An ftp:// address is refused in the dialog, saying why; nothing is sent.
  await dialog.getByLabel(L.address).fill("ftp://example.org/exercise.pdf");
  await dialog.getByRole("button", { name: L.ok, exact: true }).click();
  const alert = dialog.getByRole("alert");
  await alert.waitFor();
  assert.equal(await textOf(alert), L.refused);
  assert.equal(await dialog.count(), 1, "the dialog stays open");
  assert.deepEqual(await accessibilityProblems(page), []);
  if (lang === "en") await page.screenshot({ path: `${cfg.screenshots}/${L.dialogShot}` });

  // The listed program, by its label in the page's language.
  await dialog.getByRole("radio", { name: L.program, exact: true }).check();
  const select = dialog.getByLabel(L.programField, { exact: true });
  await select.waitFor();
  assert.ok((await textOf(select)).includes(L.label), await textOf(select));
  await select.selectOption({ label: L.label });
  if (lang === "fr") await page.screenshot({ path: `${cfg.screenshots}/${L.dialogShot}` });
  await dialog.getByRole("button", { name: L.ok, exact: true }).click();

  const results = page.getByRole("region", { name: L.results });
  await results.waitFor();
  await until("the results are in", 10_000, async () => (await textOf(results.getByRole("status"))) === L.summary);
  for (const p of [alice, bruno]) {
    const line = results.getByRole("listitem").filter({ hasText: `${p.full_name} (${p.user})` });
    assert.equal(await textOf(line), L.line(p));
    await until(`the program left its mark in ${p.user}'s home`, 10_000, async () => existsSync(markOf(p)));
    const m = mark(p);
    assert.equal(m.uid, String(p.uid), `it ran as ${p.user}`);
    assert.match(m.cgroup, /\/session-\d+\/desktop$/, "inside the session");
  }
  assert.ok(!existsSync(markOf(cfg.pupils[2])), "the pupil who was not selected got nothing");
  assert.deepEqual(await accessibilityProblems(page), []);
  await page.screenshot({ path: `${cfg.screenshots}/${L.resultsShot}` });
  assert.deepEqual(page.errors, [], "no script error in the page");
  console.log(`# ${lang}: ${await textOf(results.getByRole("status"))}`);
  await page.context().close();
}

try {
  await step("in English: an ftp:// address is refused in the dialog; a listed program opens on two pupils' desktops", () =>
    walk("en"),
  );
  await step("in French: the same, with the program's French label", () => walk("fr"));
} catch {
  // Reported by step().
} finally {
  await finish();
}
