// A school's dashboard, in a real browser, on host a of three: every
// host's sessions on one Home tab, their desktops' pictures coming over
// NATS, shown by host, a class selected in one action, two desktops on
// two other hosts logged off (exactly those), then "Log off all users"
// across the school, with results per host. Set up by
// crates/podium/tests/cluster.rs, which passes in PODIUM_E2E:
//
//   { url, podium, screenshots, sockets: {a, b, c}, class,
//     teacher: {user, password}, pupils: [{user, full_name, uid, host}] }
//
// The pupils' sessions run on a, b, c and b; the second and third pupils
// (on b and c) are the class's members.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { EN, FR, grid, logIn } from "./home.mjs";
import { accessibilityProblems, cfg, finish, newPage, step, until } from "./lib.mjs";

const [onA, onB, inClassB, inClassC] = [cfg.pupils[0], cfg.pupils[3], cfg.pupils[1], cfg.pupils[2]];

/** The sessions of `host`, as its own daemon lists them. */
function sessionsOn(host) {
  const out = execFileSync(cfg.podium, ["--socket", cfg.sockets[host], "session", "list", "--json"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  return JSON.parse(out).sessions.map((s) => s.user);
}

/** The card of pupil `p`, wherever their session runs. */
const cardOf = (page, p) => grid(page).getByRole("option", { name: `${p.full_name} (${p.user}), session`, exact: false });

/** A locator's text as it reads, every run of spaces (no-break ones too) as one. */
async function textOf(locator) {
  return (await locator.innerText()).replace(/\s+/g, " ").trim();
}

/** Logs off in `scope` ("selected" or "all") from the Actions menu, with no warning. */
async function logOff(page, entry) {
  await page.getByRole("button", { name: "Actions" }).click();
  await page.getByRole("menuitem", { name: "Log off users", exact: true }).click();
  await page.getByRole("menuitem", { name: entry }).click();
  const dialog = page.getByRole("dialog", { name: entry });
  await dialog.getByLabel("Warning before log off").selectOption("0");
  await dialog.getByRole("button", { name: "Log off" }).click();
}

try {
  const page = await newPage("en-US", { width: 1400, height: 900 });

  await step("every host's sessions are on a's Home tab, each naming its host", async () => {
    await logIn(page, EN);
    for (const p of cfg.pupils) await cardOf(page, p).waitFor({ timeout: 20_000 });
    for (const p of cfg.pupils) {
      assert.equal(await cardOf(page, p).getAttribute("data-host"), p.host, `${p.user}'s card`);
      assert.ok((await textOf(cardOf(page, p))).includes(`· ${p.host}`), `${p.user}'s card names ${p.host}`);
    }
  });

  await step("the other hosts' desktops show their pictures, sent over NATS while watched", async () => {
    for (const p of cfg.pupils) {
      await cardOf(page, p).locator("img").waitFor({ timeout: 20_000 });
    }
    const loaded = await cardOf(page, inClassC)
      .locator("img")
      .evaluate((img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0);
    assert.ok(loaded, "c's picture is a real image");
    assert.deepEqual(await accessibilityProblems(page), []);
    await page.screenshot({ path: `${cfg.screenshots}/dashboard-school.png` });
  });

  await step("the System list shows one host's desktops, then all again", async () => {
    const show = page.getByLabel("System", { exact: true });
    await show.selectOption("b");
    await until("only b's cards are shown", 5_000, async () => (await grid(page).getByRole("option").count()) === 2);
    assert.equal(await cardOf(page, inClassB).count(), 1);
    assert.equal(await cardOf(page, onB).count(), 1);
    await show.selectOption("");
    await until("every card is back", 5_000, async () => (await grid(page).getByRole("option").count()) === 4);
  });

  await step("selecting the class selects exactly its members' desktops, on two hosts", async () => {
    await page.getByLabel("Select a class").selectOption({ label: `${cfg.class} (2 users)` });
    await until("two cards are selected", 5_000, async () => (await textOf(page.locator(".toolbar [role=status]"))) === "2 selected");
    for (const p of cfg.pupils) {
      const want = p === inClassB || p === inClassC ? "true" : "false";
      assert.equal(await cardOf(page, p).getAttribute("aria-selected"), want, `${p.user} selected`);
    }
  });

  await step("logging off the selected ends exactly those two, on b and on c", async () => {
    await logOff(page, "Log off selected users");
    const results = page.getByRole("region", { name: "Last action" });
    await until("both are logged off", 20_000, async () => (await textOf(results.getByRole("status"))) === "2 logged off, 0 refused");
    for (const p of [inClassB, inClassC]) {
      const line = await textOf(results.getByRole("listitem").filter({ hasText: p.user }));
      assert.ok(line.includes(`· ${p.host}`) && line.includes("logged off"), line);
    }
    await until("their cards are gone", 10_000, async () => (await grid(page).getByRole("option").count()) === 2);
    assert.deepEqual(sessionsOn("b"), [onB.user], "b keeps only the pupil not chosen");
    assert.deepEqual(sessionsOn("c"), [], "c's pupil is logged off");
    assert.deepEqual(sessionsOn("a"), [onA.user], "a's pupil is untouched");
  });

  await step("in French, the same school: Système and Tous les systèmes", async () => {
    const fr = await newPage("fr-FR", { width: 1400, height: 900 });
    await logIn(fr, FR);
    await cardOf(fr, onB).waitFor({ timeout: 20_000 });
    const show = fr.getByLabel("Système", { exact: true });
    assert.equal(await textOf(show.locator("option").first()), "Tous les systèmes");
    assert.equal(await textOf(fr.getByLabel("Sélectionner une classe").locator("option").first()), "Sélectionner une classe…");
    await cardOf(fr, onB).locator("img").waitFor({ timeout: 20_000 });
    await fr.screenshot({ path: `${cfg.screenshots}/dashboard-school-fr.png` });
    assert.deepEqual(fr.errors, [], "no script error in the page");
    await fr.context().close();
  });

  await step("Log off all users ends every pupil's session on every host, with results per host", async () => {
    await page.getByRole("button", { name: "Dismiss" }).click();
    await logOff(page, "Log off all users");
    const results = page.getByRole("region", { name: "Last action" });
    const line = (p) => results.getByRole("listitem").filter({ hasText: p.user });
    await until("both lines say logged off", 20_000, async () => {
      const lines = await Promise.all([onA, onB].map(async (p) => ((await line(p).count()) === 1 ? textOf(line(p)) : "")));
      return lines.every((l) => l.includes(": logged off"));
    });
    assert.equal(await textOf(results.getByRole("status")), "2 logged off, 0 refused");
    assert.ok((await textOf(line(onB))).includes(`${onB.user}) · b`), "b's pupil is named with b");
    assert.ok(!(await textOf(line(onA))).includes(" · a"), "a's own pupil needs no host");
    for (const host of ["a", "b", "c"]) assert.deepEqual(sessionsOn(host), [], `no pupil left on ${host}`);
    await until("no card is left", 10_000, async () => (await grid(page).getByRole("option").count()) === 0);
    await page.screenshot({ path: `${cfg.screenshots}/dashboard-school-all.png` });
    assert.deepEqual(page.errors, [], "no script error in the page");
  });
  await page.context().close();
} catch {
  // Reported by step().
} finally {
  await finish();
}
