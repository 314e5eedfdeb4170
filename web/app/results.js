// The outcome of the last action, session by session (SPEC §5): done, or
// refused, gone or failed and why, in the page's language, with a summary.

import { html } from "htm/preact";
import { describe } from "./actions.js";
import { reason, t } from "./i18n.js";

/**
 * @typedef {import("./api.js").Session} Session
 * @typedef {import("./api.js").ActionResult} ActionResult
 * @typedef {import("./actions.js").ActionName} ActionName
 * @typedef {import("./i18n.js").Key} Key
 * @typedef {{ title: string, lines: { text: string, outcome: string }[], summary: string }} Results
 */

/** How a target that was done is reported, and the summary. */
const DONE = /** @type {Record<ActionName, [Key, Key]>} */ ({
  logoff: ["outcome.done", "results.summary"],
  disconnect: ["done.disconnect", "results.summary.disconnect"],
  block: ["done.block", "results.summary.block"],
  unblock: ["done.unblock", "results.summary.unblock"],
  message: ["done.message", "results.summary.message"],
});

/**
 * One line per target: who, what happened, and why when it was not done.
 * @param {ActionName} action
 * @param {string} title
 * @param {ActionResult[]} out the daemon's answer
 * @param {Map<number, Session>} sessions the sessions as they were when the action was sent
 * @returns {Results}
 */
export function resultsOf(action, title, out, sessions) {
  const [doneWord, summary] = DONE[action];
  const lines = out.map((r) => {
    const s = sessions.get(r.session);
    const who = s ? describe(s) : r.user ? r.user : `#${r.session}`;
    const what = r.outcome === "done" ? t(doneWord) : t(/** @type {Key} */ (`outcome.${r.outcome}`));
    const text = r.reason && r.outcome !== "done" ? `${who}: ${what} — ${reason(r)}` : `${who}: ${what}`;
    return { text, outcome: r.outcome };
  });
  const done = out.filter((r) => r.outcome === "done").length;
  return { title, lines, summary: t(summary, { done, refused: out.length - done }) };
}

/**
 * The panel above the cards.
 * @param {{ results: Results, onDismiss: () => void }} props
 */
export function ResultsPanel({ results, onDismiss }) {
  return html`<section role="region" aria-label=${t("results.title")} class="results">
    <div class="results-head">
      <h2>${results.title}</h2>
      <span role="status">${results.summary}</span>
      <button type="button" class="button small" onClick=${onDismiss}>${t("results.dismiss")}</button>
    </div>
    <ul>
      ${results.lines.map((l) => html`<li class=${`outcome-${l.outcome}`}>${l.text}</li>`)}
    </ul>
  </section>`;
}
