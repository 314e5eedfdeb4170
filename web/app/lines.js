// The lines of an action's results, one per session: who, what happened
// and the details. A log off's line says "logging off…" while the session
// closes, then, when the events stream says it is gone, how it ended and
// what became of its applications.

import { html } from "htm/preact";
import { Applications, worrying } from "./fates.js";
import { t } from "./i18n.js";

/**
 * @typedef {import("./api.js").Session} Session
 * @typedef {import("./live.js").Ended} Ended
 */

/**
 * How session `id` ended: as the events stream said; or, when it is gone
 * and the stream did not say (it was down then), ended in an unknown way;
 * null while it is still there.
 * @param {string} id the session's key
 * @param {{ ends: Map<string, Ended>, sessions: Map<string, Session>, loaded: boolean }} live
 * @returns {Ended | null}
 */
export function endOf(id, { ends, sessions, loaded }) {
  const ended = ends.get(id);
  if (ended) return ended;
  return loaded && !sessions.has(id) ? { applications: [] } : null;
}

/**
 * What the line says after the user's name, and how it looks: `attention`
 * when it logged off but its applications need a look.
 * @param {Ended} e
 * @returns {{ what: string, look: "done" | "attention" | "warn" | "failed" }}
 */
function verdict(e) {
  const forcedApp = e.applications.some((a) => a.fate === "forced");
  if (e.end === "failed") return { what: t("ended.failed"), look: "failed" };
  if (e.end === "forced" && !forcedApp) return { what: t("ended.forced"), look: "warn" };
  if (e.end === undefined) return { what: t("ended.other"), look: "done" };
  return { what: t("ended.closed"), look: worrying(e.applications) ? "attention" : "done" };
}

/**
 * One line: who, what happened (coloured by `look`, after a spinner while
 * `busy`), then the details, if any, after a dash.
 * @param {{
 *   look: string, who: string, what: string, details?: import("preact").ComponentChildren, busy?: boolean,
 * }} props
 */
export function Line({ look, who, what, details = null, busy = false }) {
  return html`<li class=${`outcome-${look}`}>
    <span class="who">${who}</span>${t("results.colon")}${
      busy ? html`<span class="spinner small" aria-hidden="true"></span>` : null
    }<span class="what">${what}</span>${details ? html`${" — "}${details}` : null}
  </li>`;
}

/**
 * A session's line in a log off's results.
 * @param {{ who: string, ended: Ended | null }} props
 */
export function LogoffLine({ who, ended }) {
  if (!ended) return html`<${Line} look="pending" who=${who} what=${t("outcome.done")} busy />`;
  const { what, look } = verdict(ended);
  const apps = ended.applications.length > 0 ? html`<${Applications} apps=${ended.applications} />` : null;
  return html`<${Line} look=${look} who=${who} what=${what} details=${apps} />`;
}
