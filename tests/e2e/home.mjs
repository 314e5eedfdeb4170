// The dashboard's Home tab as the walks find it: logging the teacher in,
// the grid and a pupil's card by their accessible names; and a pupil's
// session and windows as the host sees them.

import { execFileSync } from "node:child_process";
import { cfg, cli } from "./lib.mjs";

export const EN = { user: "User name", password: "Password", login: "Log in" };
export const FR = { user: "Nom d'utilisateur", password: "Mot de passe", login: "Se connecter" };

/** A pupil's session as the daemon lists it. */
export function sessionOf(p) {
  const { sessions } = JSON.parse(cli("session", "list", "--json"));
  return sessions.find((s) => s.user === p.user);
}

/** The window tree of a pupil's display, as xwininfo prints it. */
export function windowsOf(p) {
  const s = sessionOf(p);
  if (!s) return "";
  return execFileSync("xwininfo", ["-display", s.display, "-root", "-tree"], {
    encoding: "utf8",
    env: { ...process.env, XAUTHORITY: `/run/user/${p.uid}/podium-Xauthority` },
  });
}

/**
 * Logs the teacher in on `page` with the login page's `labels`, and waits
 * for the cards. A load that Chromium abandons (ERR_NETWORK_CHANGED, while
 * a several-hosts test's interfaces settle) is tried again, and said.
 */
export async function logIn(page, labels) {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await page.goto(cfg.url);
      await page.getByLabel(labels.user).waitFor({ timeout: 10_000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
      console.log(`# the login page did not load (${String(e).split("\n")[0]}); loading it again`);
    }
  }
  await page.getByLabel(labels.user).fill(cfg.teacher.user);
  await page.getByLabel(labels.password).fill(cfg.teacher.password);
  await page.getByRole("button", { name: labels.login }).click();
  await page.getByRole("listbox", { name: "Sessions" }).waitFor();
}

export const grid = (page) => page.getByRole("listbox", { name: "Sessions" });
export const card = (page, p) => grid(page).getByRole("option", { name: `${p.full_name} (${p.user}), session`, exact: false });
