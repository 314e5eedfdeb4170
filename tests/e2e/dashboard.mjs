// The Podium Dashboard in a real browser (Debian's Chromium driven by
// playwright-core), against a real daemon with real sessions, set up by
// crates/podium/tests/dashboard.rs, which passes everything in PODIUM_E2E:
//
//   { url, podium, socket, screenshots, teacher: {user, password, uid},
//     admin: {user, uid}, pupils: [{user, full_name, uid}] }
//
// Steps and their report come from lib.mjs, the Home tab's parts from home.mjs.

import assert from "node:assert/strict";
import { card, EN, FR, grid, logIn, sessionOf, windowsOf } from "./home.mjs";
import { accessibilityProblems, cfg, cli, finish, newPage, processesOf, step, until } from "./lib.mjs";

function desktop() {
  return `${cfg.desktop}`;
}

function startPupil(p) {
  return Number(cli("session", "start", p.user, "--command", desktop()));
}

const [alice, bruno, chloe] = cfg.pupils;

try {
  const page = await newPage("en-US");

  await step("the login page has no serious accessibility problem", async () => {
    await page.goto(cfg.url);
    await page.getByRole("button", { name: "Log in" }).waitFor();
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  await step("the language menu turns the login page French and back", async () => {
    await page.getByLabel("Language").selectOption("fr");
    await page.getByRole("button", { name: FR.login }).waitFor();
    await page.getByLabel(FR.user).waitFor();
    await page.getByLabel("Langue").selectOption("en");
    await page.getByRole("button", { name: "Log in" }).waitFor();
  });

  await step("a wrong password is refused with a clear message", async () => {
    await page.getByLabel("User name").fill(cfg.teacher.user);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").filter({ hasText: "Wrong user name or password." }).waitFor();
  });

  await step("a dashboard user lands on the Home tab with a card per session and live pictures", async () => {
    await logIn(page, EN);
    assert.equal(await page.getByRole("tab", { name: "Home" }).getAttribute("aria-selected"), "true");
    for (const p of cfg.pupils) await card(page, p).waitFor();
    await until("every pupil's card shows a real picture", 10_000, async () => {
      for (const p of cfg.pupils) {
        const ok = await card(page, p)
          .getByRole("img", { name: `Desktop of ${p.full_name}` })
          .evaluate((img) => img.complete && img.naturalWidth > 0 && img.src.startsWith("blob:"))
          .catch(() => false);
        if (!ok) return false;
      }
      return true;
    });
    assert.equal(await grid(page).getByRole("option").count(), cfg.pupils.length);
  });

  await step("screenshots: the Home tab in English and in French, 3 sessions, one selected, the menu open", async () => {
    await card(page, alice).click();
    await page.getByRole("button", { name: "Actions" }).click();
    await page.getByRole("menuitem", { name: "Log off users" }).hover();
    await page.getByRole("menuitem", { name: "Log off selected users" }).waitFor();
    await page.screenshot({ path: `${cfg.screenshots}/dashboard-en.png` });
    await page.keyboard.press("Escape");
    await page.keyboard.press("Escape");
    const frPage = await newPage("fr-FR");
    await logIn(frPage, FR);
    await until("every picture is there", 10_000, async () => (await grid(frPage).getByRole("img").count()) === cfg.pupils.length);
    await card(frPage, alice).click();
    await frPage.getByRole("button", { name: "Actions" }).click();
    await frPage.getByRole("menuitem", { name: "Déconnecter les utilisateurs", exact: true }).hover();
    await frPage.getByRole("menuitem", { name: "Déconnecter les utilisateurs sélectionnés" }).waitFor();
    await frPage.screenshot({ path: `${cfg.screenshots}/dashboard-fr.png` });
    await frPage.context().close();
  });

  await step("the teacher's own session and an administrator's appear live", async () => {
    startPupil(cfg.teacher);
    startPupil(cfg.admin);
    await until("5 cards", 5_000, async () => (await grid(page).getByRole("option").count()) === cfg.pupils.length + 2);
  });

  await step("the Home tab has no serious accessibility problem", async () => {
    assert.deepEqual(await accessibilityProblems(page), []);
  });

  await step("click and Ctrl-click select two cards, Escape clears, Select all takes every card", async () => {
    await card(page, alice).click();
    await card(page, bruno).click({ modifiers: ["Control"] });
    await page.getByRole("status").filter({ hasText: "2 selected" }).waitFor();
    assert.equal(await card(page, alice).getAttribute("aria-selected"), "true");
    assert.equal(await card(page, chloe).getAttribute("aria-selected"), "false");
    await page.keyboard.press("Escape");
    await page.getByRole("status").filter({ hasText: "No session selected" }).waitFor();
    await page.getByRole("button", { name: "Select all" }).click();
    await page.getByRole("status").filter({ hasText: `${cfg.pupils.length + 2} selected` }).waitFor();
    await card(page, alice).click();
    await card(page, chloe).click({ modifiers: ["Shift"] });
    await page.getByRole("status").filter({ hasText: "3 selected" }).waitFor();
    await page.getByRole("button", { name: "Clear selection" }).click();
  });

  await step("Log off selected users: two pupils are warned, then gone, processes and all; the third stays", async () => {
    await card(page, alice).click();
    await card(page, bruno).click({ modifiers: ["Control"] });
    await page.getByRole("button", { name: "Actions" }).click();
    await page.getByRole("menuitem", { name: "Log off users" }).click();
    await page.getByRole("menuitem", { name: "Log off selected users" }).click();
    const dialog = page.getByRole("dialog", { name: "Log off selected users" });
    await dialog.waitFor();
    const text = await dialog.innerText();
    assert.ok(text.includes(`${alice.full_name} (${alice.user})`) && text.includes(`${bruno.full_name} (${bruno.user})`), text);
    assert.ok(!text.includes(chloe.user), text);
    assert.equal(await dialog.getByLabel("Warning before log off").inputValue(), "10");
    const asked = Date.now();
    await dialog.getByRole("button", { name: "Log off" }).click();
    await card(page, alice).filter({ hasText: "Closing in" }).waitFor();
    await page.getByRole("region", { name: "Last action" }).filter({ hasText: "2 logging off, 0 refused" }).waitFor();
    await until("both cards are gone", 10_000 + 7_000, async () => (await card(page, alice).count()) === 0 && (await card(page, bruno).count()) === 0);
    assert.ok(Date.now() - asked >= 9_000, "not before the warning ran out");
    await until("their processes are gone", 3_000, () => processesOf(alice.uid) === 0 && processesOf(bruno.uid) === 0);
    assert.equal(await card(page, chloe).count(), 1);
    assert.ok(processesOf(chloe.uid) > 0, "the third pupil's session still runs");
  });

  await step("a session started from the command line appears without reloading, and goes when logged off there", async () => {
    const t0 = Date.now();
    const id = startPupil(alice);
    await card(page, alice).waitFor({ timeout: 2_000 + (Date.now() - t0) });
    cli("session", "logoff", String(id), "--grace", "0");
    await until("the card leaves", 3_000, async () => (await card(page, alice).count()) === 0);
  });

  await step("Log off all users: every pupil goes; the administrator's session and my own stay, refused and reported", async () => {
    startPupil(alice);
    await card(page, alice).waitFor();
    await page.getByRole("button", { name: "Actions" }).click();
    await page.getByRole("menuitem", { name: "Log off users" }).click();
    await page.getByRole("menuitem", { name: "Log off all users" }).click();
    const dialog = page.getByRole("dialog", { name: "Log off all users" });
    await dialog.getByLabel("Warning before log off").selectOption("0");
    await dialog.getByRole("button", { name: "Log off" }).click();
    const results = page.getByRole("region", { name: "Last action" });
    await results.filter({ hasText: "administrator session" }).waitFor();
    await results.filter({ hasText: "your own session" }).waitFor();
    await until("every pupil's card is gone", 8_000, async () => {
      for (const p of cfg.pupils) if ((await card(page, p).count()) > 0) return false;
      return true;
    });
    await until("every pupil's processes are gone", 3_000, () => cfg.pupils.every((p) => processesOf(p.uid) === 0));
    assert.equal(await grid(page).getByRole("option").count(), 2, "the administrator's and the teacher's sessions remain");
    assert.ok(processesOf(cfg.admin.uid) > 0);
  });

  await step("right-click selects the card and opens the same actions", async () => {
    startPupil(alice);
    startPupil(bruno);
    await card(page, bruno).waitFor();
    await card(page, alice).click();
    await card(page, bruno).click({ button: "right" });
    assert.equal(await card(page, bruno).getAttribute("aria-selected"), "true");
    assert.equal(await card(page, alice).getAttribute("aria-selected"), "false", "right-click on an unselected card selects it alone");
    const menu = page.getByRole("menu", { name: "Session actions" });
    await menu.getByRole("menuitem", { name: "Log off users" }).click();
    await page.getByRole("menuitem", { name: "Log off selected users" }).click();
    const dialog = page.getByRole("dialog", { name: "Log off selected users" });
    assert.ok((await dialog.innerText()).includes(bruno.user));
    await dialog.getByLabel("Warning before log off").selectOption("0");
    await dialog.getByRole("button", { name: "Log off" }).click();
    await until("the card leaves", 8_000, async () => (await card(page, bruno).count()) === 0);
    assert.equal(await card(page, alice).count(), 1);
  });

  await step("keyboard only: Tab, arrows, Space, Enter, Escape", async () => {
    startPupil(bruno);
    await card(page, bruno).waitFor();
    await page.getByRole("button", { name: "Actions" }).focus();
    // Into the grid with Tab.
    await until("focus is on a card", 5_000, async () => {
      await page.keyboard.press("Tab");
      return page.evaluate(() => document.activeElement?.getAttribute("role") === "option");
    });
    await page.keyboard.press("Home");
    await page.keyboard.press("Space");
    await page.getByRole("status").filter({ hasText: "1 selected" }).waitFor();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Space");
    await page.getByRole("status").filter({ hasText: "2 selected" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("status").filter({ hasText: "No session selected" }).waitFor();
    await page.keyboard.press("Control+a");
    await page.getByRole("status").filter({ hasText: "4 selected" }).waitFor();
    await page.keyboard.press("Escape");
    // Select Bruno's card alone, by keyboard.
    for (let i = 0; i < 6; i += 1) {
      const name = await page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? "");
      if (name.includes(`(${bruno.user})`)) break;
      await page.keyboard.press("ArrowRight");
    }
    await page.keyboard.press("Space");
    await page.getByRole("status").filter({ hasText: "1 selected" }).waitFor();
    // The menu, by keyboard; Escape gives focus back to the Actions button.
    await page.getByRole("button", { name: "Actions" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("menu", { name: "Actions" }).waitFor();
    await page.keyboard.press("Escape");
    await until("focus is back on Actions", 2_000, () => page.evaluate(() => document.activeElement?.getAttribute("aria-haspopup") === "menu"));
    await page.keyboard.press("Enter");
    await page.getByRole("menu", { name: "Actions" }).waitFor();
    await page.keyboard.press("Enter"); // Log off users ▸
    await page.getByRole("menu", { name: "Log off users" }).waitFor();
    await page.keyboard.press("Enter"); // Log off selected users
    const dialog = page.getByRole("dialog", { name: "Log off selected users" });
    await dialog.waitFor({ timeout: 5_000 }).catch(async (e) => {
      const status = await page.getByRole("status").first().innerText();
      const focus = await page.evaluate(() => `${document.activeElement?.getAttribute("role")} ${document.activeElement?.textContent}`);
      const dialogs = await page.getByRole("dialog").allInnerTexts();
      throw new Error(`${e.message}; status=${status}; focus=${focus}; dialogs=${JSON.stringify(dialogs)}`);
    });
    assert.ok((await dialog.innerText()).includes(bruno.user));
    await page.keyboard.press("Shift+Tab"); // to Cancel
    await page.keyboard.press("Shift+Tab"); // to the warning
    await page.keyboard.press("ArrowUp"); // 10 seconds → "No warning"
    assert.equal(await dialog.getByLabel("Warning before log off").inputValue(), "0");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab"); // to Log off
    await page.keyboard.press("Enter");
    await until("the card leaves", 8_000, async () => (await card(page, bruno).count()) === 0);
    assert.equal(await card(page, alice).count(), 1);
  });

  await step("Block ▸ selected users with a custom notice, then Unblock", async () => {
    startPupil(bruno);
    await card(page, bruno).waitFor();
    await card(page, alice).click();
    await page.getByRole("button", { name: "Actions" }).click();
    await page.getByRole("menuitem", { name: "Block", exact: true }).click();
    await page.getByRole("menuitem", { name: "Block selected users" }).click();
    const dialog = page.getByRole("dialog", { name: "Block selected users" });
    assert.ok((await dialog.innerText()).includes(alice.user));
    assert.ok(!(await dialog.innerText()).includes(bruno.user));
    await dialog.getByLabel("Notice text").fill("Eyes on the board, please");
    await dialog.getByRole("button", { name: "Block" }).click();
    await page.getByRole("region", { name: "Last action" }).filter({ hasText: "blocked" }).waitFor();
    await card(page, alice).getByText("Blocked", { exact: true }).waitFor();
    const listed = sessionOf(alice);
    assert.equal(listed.blocked, true);
    assert.equal(listed.block_message, "Eyes on the board, please");
    assert.equal(sessionOf(bruno).blocked, false, "only the selected user is blocked");
    // Let the next thumbnail (one a second at most) show the notice.
    await page.waitForTimeout(1_500);
    await page.screenshot({ path: `${cfg.screenshots}/dashboard-blocked.png` });
    await page.getByRole("button", { name: "Actions" }).click();
    await page.getByRole("menuitem", { name: "Unblock", exact: true }).click();
    await page.getByRole("menuitem", { name: "Unblock selected users" }).click();
    await until("the card is not blocked", 5_000, async () => (await card(page, alice).getByText("Blocked", { exact: true }).count()) === 0);
    assert.equal(sessionOf(alice).blocked, false);
  });

  await step("Send message… to the selected user: shown on their desktop", async () => {
    await page.getByRole("button", { name: "Actions" }).click();
    await page.getByRole("menuitem", { name: "Send message…" }).click();
    const dialog = page.getByRole("dialog", { name: "Send message" });
    assert.equal(await dialog.getByLabel("Selected users (1)").isChecked(), true);
    await dialog.getByRole("button", { name: "Send" }).click();
    await dialog.getByRole("alert").filter({ hasText: "Type a message first." }).waitFor();
    await dialog.getByLabel("Message", { exact: true }).fill("Pens down in five minutes.");
    await dialog.getByRole("button", { name: "Send" }).click();
    await page.getByRole("region", { name: "Last action" }).filter({ hasText: "message sent" }).waitFor();
    await until("the message is on alice's desktop", 5_000, () => windowsOf(alice).includes("Podium message"));
    assert.ok(!windowsOf(bruno).includes("Podium message"), "only the selected user gets it");
  });

  await step("Disconnect users ▸ all: every session keeps running", async () => {
    const before = cfg.pupils.slice(0, 2).map((p) => processesOf(p.uid));
    await page.getByRole("button", { name: "Actions" }).click();
    await page.getByRole("menuitem", { name: "Disconnect users" }).click();
    await page.getByRole("menuitem", { name: "Disconnect all users" }).click();
    const dialog = page.getByRole("dialog", { name: "Disconnect all users" });
    assert.ok((await dialog.innerText()).includes(bruno.user));
    await dialog.getByRole("button", { name: "Disconnect" }).click();
    await page.getByRole("region", { name: "Last action" }).filter({ hasText: "disconnected" }).waitFor();
    await card(page, alice).waitFor();
    await card(page, bruno).waitFor();
    assert.deepEqual(cfg.pupils.slice(0, 2).map((p) => processesOf(p.uid)), before, "every program still runs");
    // Alice stays for the French walk; Bruno comes back there.
    cli("session", "logoff", String(sessionOf(bruno).id), "--grace", "0", "--yes");
    await until("Bruno's card leaves", 8_000, async () => (await card(page, bruno).count()) === 0);
  });

  assert.deepEqual(page.errors, [], "no script error in the page");
  await page.context().close();

  const fr = await newPage("fr-FR");
  await step("the same walk in French, by the French labels only", async () => {
    startPupil(bruno);
    await logIn(fr, FR);
    assert.equal(await fr.getByRole("tab", { name: "Accueil" }).getAttribute("aria-selected"), "true");
    await card(fr, bruno).waitFor();
    await card(fr, alice).click();
    await card(fr, bruno).click({ modifiers: ["Control"] });
    await fr.getByRole("status").filter({ hasText: "2 sélectionnées" }).waitFor();
    await fr.getByRole("button", { name: "Actions" }).click();
    await fr.getByRole("menuitem", { name: "Déconnecter les utilisateurs", exact: true }).hover();
    await fr.getByRole("menuitem", { name: "Déconnecter les utilisateurs sélectionnés" }).waitFor();
    await fr.getByRole("menuitem", { name: "Déconnecter tous les utilisateurs" }).waitFor();
    await fr.getByRole("menuitem", { name: "Taille des miniatures" }).waitFor();
    await fr.getByRole("menuitem", { name: "Se déconnecter du tableau de bord" }).waitFor();
    await fr.getByRole("menuitem", { name: "Déconnecter les utilisateurs sélectionnés" }).click();
    const dialog = fr.getByRole("dialog", { name: "Déconnecter les utilisateurs sélectionnés" });
    await dialog.getByLabel("Avertissement avant la déconnexion").selectOption("0");
    await dialog.getByRole("button", { name: "Déconnecter" }).click();
    await fr.getByRole("region", { name: "Dernière action" }).waitFor();
    await until("both cards are gone", 8_000, async () => (await card(fr, alice).count()) === 0 && (await card(fr, bruno).count()) === 0);
    assert.deepEqual(fr.errors, [], "no script error in the page");
  });

  await step("in French: Bloquer, Débloquer, Suspendre les sessions, Envoyer un message…", async () => {
    startPupil(alice);
    startPupil(bruno);
    await card(fr, alice).waitFor();
    await card(fr, bruno).waitFor();
    await card(fr, bruno).click();
    await fr.getByRole("button", { name: "Actions" }).click();
    await fr.getByRole("menuitem", { name: "Bloquer", exact: true }).click();
    await fr.getByRole("menuitem", { name: "Bloquer les utilisateurs sélectionnés" }).click();
    const block = fr.getByRole("dialog", { name: "Bloquer les utilisateurs sélectionnés" });
    await block.getByText("Laissez vide pour « Ce poste est bloqué. »", { exact: false }).waitFor();
    await block.getByRole("button", { name: "Bloquer" }).click();
    await card(fr, bruno).getByText("Bloquée", { exact: true }).waitFor();
    assert.equal(sessionOf(bruno).block_message, null, "the default notice");
    await fr.getByRole("button", { name: "Actions" }).click();
    await fr.getByRole("menuitem", { name: "Débloquer", exact: true }).click();
    await fr.getByRole("menuitem", { name: "Débloquer tous les utilisateurs" }).click();
    await until("nobody is blocked", 5_000, () => !sessionOf(bruno).blocked);
    await fr.getByRole("button", { name: "Actions" }).click();
    await fr.getByRole("menuitem", { name: "Suspendre les sessions", exact: true }).click();
    await fr.getByRole("menuitem", { name: "Suspendre toutes les sessions" }).click();
    const suspend = fr.getByRole("dialog", { name: "Suspendre toutes les sessions" });
    await suspend.getByRole("button", { name: "Suspendre" }).click();
    await fr.getByRole("region", { name: "Dernière action" }).filter({ hasText: "suspendue" }).waitFor();
    // The administrator's session and my own were refused, and say why in French.
    const suspended = fr.getByRole("region", { name: "Dernière action" });
    await suspended.filter({ hasText: "session d'administrateur" }).waitFor();
    await suspended.filter({ hasText: "votre propre session" }).waitFor();
    const why = await suspended.innerText();
    assert.ok(!why.includes("administrator session") && !why.includes("your own session"), why);
    await fr.getByRole("button", { name: "Actions" }).click();
    await fr.getByRole("menuitem", { name: "Envoyer un message…" }).click();
    const message = fr.getByRole("dialog", { name: "Envoyer un message" });
    await message.getByLabel("Tous les utilisateurs").check();
    await message.getByLabel("Message", { exact: true }).fill("Rangez vos affaires, s'il vous plaît.");
    await message.getByRole("button", { name: "Envoyer" }).click();
    await fr.getByRole("region", { name: "Dernière action" }).filter({ hasText: "message envoyé" }).waitFor();
    await until("both desktops show it", 5_000, () => windowsOf(alice).includes("Podium message") && windowsOf(bruno).includes("Podium message"));
    await fr.screenshot({ path: `${cfg.screenshots}/dashboard-fr-message.png` });
    cli("session", "logoff", String(sessionOf(alice).id), String(sessionOf(bruno).id), "--grace", "0", "--yes");
    await until("the cards leave", 8_000, async () => (await card(fr, alice).count()) === 0 && (await card(fr, bruno).count()) === 0);
    assert.deepEqual(fr.errors, [], "no script error in the page");
  });

  await step("thumbnail size is remembered; signing out returns to the login page", async () => {
    await fr.getByRole("button", { name: "Actions" }).click();
    await fr.getByRole("menuitem", { name: "Taille des miniatures" }).click();
    await fr.getByRole("menuitemradio", { name: "Petite" }).click();
    await fr.reload();
    await grid(fr).waitFor();
    await fr.getByRole("button", { name: "Actions" }).click();
    await fr.getByRole("menuitem", { name: "Taille des miniatures" }).click();
    assert.equal(await fr.getByRole("menuitemradio", { name: "Petite" }).getAttribute("aria-checked"), "true");
    await fr.keyboard.press("Escape");
    await fr.keyboard.press("Escape");
    await fr.getByRole("button", { name: "Actions" }).click();
    await fr.getByRole("menuitem", { name: "Se déconnecter du tableau de bord" }).click();
    await fr.getByRole("button", { name: "Se connecter" }).waitFor();
  });
} catch {
  // Reported by step().
} finally {
  await finish();
}
