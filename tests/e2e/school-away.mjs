// A host of the school that cannot be reached, on host a's dashboard in a
// real browser: its desktops stay on the Home tab, greyed and marked
// Unreachable (Injoignable in French), never forgotten. Set up by
// crates/podium/tests/cluster.rs, which cut host c's link before the
// browser starts, and passes in PODIUM_E2E:
//
//   { url, screenshots, teacher: {user, password},
//     near: {user, full_name}, away: {user, full_name} }
//
// `near`'s session runs on b, `away`'s on c.

import assert from "node:assert/strict";
import { EN, FR, grid, logIn } from "./home.mjs";
import { accessibilityProblems, cfg, finish, newPage, step } from "./lib.mjs";

const cardOf = (page, p) => grid(page).getByRole("option", { name: `${p.full_name} (${p.user}), session`, exact: false });

for (const [lang, labels, badge] of [
  ["en-US", EN, "Unreachable"],
  ["fr-FR", FR, "Injoignable"],
]) {
  try {
    await step(`${lang}: c's desktop is greyed and marked ${badge}; b's is not`, async () => {
      const page = await newPage(lang, { width: 1400, height: 900 });
      await logIn(page, labels);
      const away = cardOf(page, cfg.away);
      await away.waitFor({ timeout: 20_000 });
      await away.and(page.locator(".away")).waitFor({ timeout: 20_000 });
      assert.ok((await away.innerText()).includes(badge), await away.innerText());
      assert.equal(await cardOf(page, cfg.near).and(page.locator(".away")).count(), 0, "b answers");
      assert.ok(!(await cardOf(page, cfg.near).innerText()).includes(badge));
      assert.deepEqual(await accessibilityProblems(page), []);
      await page.screenshot({ path: `${cfg.screenshots}/dashboard-school-away${lang === "fr-FR" ? "-fr" : ""}.png` });
      assert.deepEqual(page.errors, [], "no script error in the page");
      await page.context().close();
    });
  } catch {
    // Reported by step().
  }
}
await finish();
