// The dashboard's Systems tab in a real browser, on a single host with two
// pupils' sessions: one row, this host, reachable, "2 / 50", refreshed
// every 2 s while the tab is shown and never while it is not; in English
// and French; the banner and the unreachable hosts of a cluster that this
// host cannot reach; a pupil sees no such tab. Set up by
// crates/podium/tests/dashboard.rs, which passes in PODIUM_E2E:
//
//   { url, podium, socket, screenshots, desktop,
//     teacher: {user, password, uid}, pupils: [{user, password, full_name, uid}] }

import assert from "node:assert/strict";
import { hostname } from "node:os";
import { EN, logIn } from "./home.mjs";
import { accessibilityProblems, cfg, cli, finish, newPage, step, until } from "./lib.mjs";

const TABLE = { en: "Systems and their load", fr: "Systèmes et leur charge" };

/** The Systems table, by its accessible name in `lang`. */
const table = (page, lang) => page.getByRole("table", { name: TABLE[lang] });
/** The table's row that holds `text` (a host's name, or the mark of this host). */
const rowOf = (page, lang, text) => table(page, lang).getByRole("row").filter({ hasText: text });

/** A locator's text, every run of spaces (no-break ones too) as one. */
async function textOf(locator) {
  return (await locator.innerText()).replace(/\s+/g, " ").trim();
}

/** Requests the page makes for GET /api/v1/hosts, counted as they go. */
function countHostRequests(page) {
  const seen = { n: 0 };
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/api/v1/hosts") seen.n += 1;
  });
  return seen;
}

try {
  const page = await newPage("en-US");
  const asked = countHostRequests(page);

  await step("the Home tab asks nothing of /api/v1/hosts", async () => {
    await logIn(page, EN);
    assert.equal(await page.getByRole("tab", { name: "Home" }).getAttribute("aria-selected"), "true");
    assert.equal(await page.getByRole("tab", { name: "Systems" }).getAttribute("aria-selected"), "false");
    await page.waitForTimeout(2_500);
    assert.equal(asked.n, 0);
  });

  await step("the Systems tab shows one row: this host, reachable, 2 / 50", async () => {
    await page.getByRole("tab", { name: "Systems" }).click();
    assert.equal(await page.getByRole("tab", { name: "Systems" }).getAttribute("aria-selected"), "true");
    assert.equal(await page.getByRole("tabpanel", { name: "Home" }).count(), 0, "the Home panel is hidden");
    await page.getByRole("tabpanel", { name: "Systems" }).waitFor();
    const rows = table(page, "en").locator("tbody").getByRole("row");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    const row = rowOf(page, "en", "this host");
    assert.equal(await textOf(row.getByRole("rowheader")), `${hostname()} this host`);
    const cells = await row.getByRole("cell").allInnerTexts();
    assert.equal(cells[0].trim(), "Reachable");
    assert.match(cells[1], /^2 \/ 50\b/);
    assert.match(cells[2].replace(/\s+/g, " "), /^\d+% .* on \d+ processors?$/, cells[2]);
    assert.match(cells[3].replace(/\s+/g, " "), /^[\d.,]+ [MG]B of [\d.,]+ [MG]B$/, cells[3]);
    await page.getByText("1 system", { exact: true }).waitFor();
    assert.equal(await page.getByRole("alert").count(), 0, "no banner: a single host is not cut off");
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.screenshot({ path: `${cfg.screenshots}/dashboard-systems.png` });
  });

  await step("it is asked again every 2 s while shown: a third session shows as 3 / 50", async () => {
    const before = asked.n;
    const id = cli("session", "start", cfg.teacher.user, "--command", cfg.desktop);
    const row = rowOf(page, "en", "this host");
    await until("the row says 3 / 50", 8_000, async () => (await row.getByRole("cell").nth(1).innerText()).startsWith("3 / 50"));
    cli("session", "logoff", id, "--grace", "0", "--yes");
    await until("the row says 2 / 50 again", 8_000, async () => (await row.getByRole("cell").nth(1).innerText()).startsWith("2 / 50"));
    assert.ok(asked.n - before >= 2, `asked ${asked.n - before} times`);
  });

  await step("by keyboard: arrows move between the tabs; the Home tab stops the asking", async () => {
    await page.getByRole("tab", { name: "Systems" }).focus();
    await page.keyboard.press("ArrowLeft");
    assert.equal(await page.getByRole("tab", { name: "Home" }).getAttribute("aria-selected"), "true");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "tab-home");
    await page.getByRole("listbox", { name: "Sessions" }).waitFor();
    await page.waitForTimeout(500);
    const stopped = asked.n;
    await page.waitForTimeout(4_500);
    assert.equal(asked.n, stopped, "no request while the Home tab is shown");
    await page.keyboard.press("ArrowRight");
    assert.equal(await page.getByRole("tab", { name: "Systems" }).getAttribute("aria-selected"), "true");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "tab-systems");
    await until("asked at once", 2_000, () => asked.n > stopped);
    // Tab leaves the tab list for the panel: one tab stop for the tabs.
    await page.keyboard.press("Tab");
    assert.notEqual(await page.evaluate(() => document.activeElement?.getAttribute("role")), "tab");
  });

  await step("in French: Systèmes, Joignable, 2 / 50", async () => {
    await page.getByLabel("Language").selectOption("fr");
    const tab = page.getByRole("tab", { name: "Systèmes" });
    assert.equal(await tab.getAttribute("aria-selected"), "true");
    const row = rowOf(page, "fr", "cet ordinateur");
    const cells = await row.getByRole("cell").allInnerTexts();
    assert.equal(cells[0].trim(), "Joignable");
    assert.match(cells[1], /^2 \/ 50\b/);
    await until("the figures are French", 3_000, async () =>
      /^\d+ % .* sur \d+ processeurs?$/.test((await row.getByRole("cell").nth(2).innerText()).replace(/\s+/g, " ")),
    );
    await page.getByText("1 système", { exact: true }).waitFor();
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.evaluate(() => /** @type {HTMLElement} */ (document.activeElement)?.blur());
    await page.screenshot({ path: `${cfg.screenshots}/dashboard-systems-fr.png` });
  });

  await step("a cluster's answer, cut off: the banner, and unreachable hosts with how long they have been silent", async () => {
    // A single host cannot be cut off from a cluster: the walk gives the
    // page the answer such a host would give.
    const load = { load1: 1.2, cpus: 4, memory_available_kib: 5_000_000, memory_total_kib: 16_000_000, address: null };
    const here = { name: hostname(), state: "reachable", local: true, sessions: 2, capacity: 50, ...load, silent_ms: 0 };
    const silent = { name: "salle-13", state: "unreachable", local: false, sessions: 17, capacity: 50, ...load, silent_ms: 14_200 };
    const never = { ...silent, name: "salle-14", sessions: 0, capacity: 0, cpus: 0, memory_total_kib: 0, silent_ms: null };
    await page.route("**/api/v1/hosts", (route) =>
      route.fulfill({ json: { hosts: [here, silent, never], cluster_connected: false } }),
    );
    await page.getByText("3 systèmes", { exact: true }).waitFor({ timeout: 5_000 });
    const alert = await textOf(page.getByRole("alert"));
    assert.ok(alert.startsWith("Cet ordinateur ne joint pas les autres systèmes : il fonctionne seul."), alert);
    const state = (lang, host) => textOf(rowOf(page, lang, host).getByRole("cell").first());
    assert.equal(await state("fr", "salle-13"), "Injoignable sans nouvelles depuis 14 s");
    assert.equal(await state("fr", "salle-14"), "Injoignable jamais joint");
    await page.getByLabel("Langue").selectOption("en");
    assert.ok((await textOf(page.getByRole("alert"))).startsWith("This host cannot reach the other hosts: it works on its own."));
    assert.equal(await state("en", "salle-13"), "Unreachable silent for 14 s");
    assert.equal(await state("en", "salle-14"), "Unreachable never heard from");
    // What a host never told is a dash, read as "unknown".
    const figures = (await rowOf(page, "en", "salle-14").getByRole("cell").allInnerTexts()).slice(1).map((c) => c.replace(/\s+/g, " ").trim());
    assert.deepEqual(figures, ["0", "— unknown", "— unknown"]);
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.unroute("**/api/v1/hosts");
    await page.getByText("1 system", { exact: true }).waitFor({ timeout: 5_000 });
    assert.equal(await page.getByRole("alert").count(), 0);
    assert.deepEqual(page.errors, [], "no script error in the page");
    await page.context().close();
  });

  await step("a pupil has no Systems tab, and the API refuses them the hosts", async () => {
    const pupil = cfg.pupils[0];
    const station = await newPage("en-US");
    await station.goto(cfg.url);
    await station.getByLabel(EN.user).fill(pupil.user);
    await station.getByLabel(EN.password).fill(pupil.password);
    await station.getByRole("button", { name: EN.login }).click();
    await station.getByRole("toolbar", { name: "Desktop" }).waitFor();
    assert.equal(await station.getByRole("tablist").count(), 0);
    assert.equal(await station.getByRole("tab", { name: "Systems" }).count(), 0);
    assert.equal((await station.request.get(`${cfg.url}api/v1/hosts`)).status(), 403);
    assert.deepEqual(station.errors, [], "no script error in the page");
    await station.context().close();
  });
} catch {
  // Reported by step().
} finally {
  await finish();
}
