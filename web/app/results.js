// The outcome of the last action, session by session (SPEC §5): done, or
// refused, gone or failed and why, in the page's language, with a summary.
// A log off's lines follow each session until it is gone, then say what
// became of its applications.

import { html } from "htm/preact";
import { describe } from "./actions.js";
import { endOf, Line, LogoffLine } from "./lines.js";
import { reason, t } from "./i18n.js";

/**
 * @typedef {import("./api.js").Session} Session
 * @typedef {import("./api.js").ActionResult} ActionResult
 * @typedef {import("./actions.js").ActionName} ActionName
 * @typedef {import("./live.js").Ended} Ended
 * @typedef {import("./i18n.js").Key} Key
 * @typedef {{ session: number, host?: string, who: string, outcome: ActionResult["outcome"], what: string, why: string }} ResultLine
 * @typedef {{ action: ActionName, title: string, lines: ResultLine[], error?: string }} Results `error`, when
 *   the action could not be sent, replaces the summary
 * @typedef {{ ends: Map<number, Ended>, sessions: Map<number, Session>, loaded: boolean }} Live what the
 *   events stream says now
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
  const lines = out.map((r) => {
    // A result of another host names its session there: never this host's.
    const s = r.host ? undefined : sessions.get(r.session);
    const name = s ? describe(s) : r.user ? r.user : `#${r.session}`;
    const who = r.host ? `${name} · ${r.host}` : name;
    const what = r.outcome === "done" ? t(DONE[action][0]) : t(/** @type {Key} */ (`outcome.${r.outcome}`));
    const why = r.reason && r.outcome !== "done" ? reason(r) : "";
    return { session: r.session, host: r.host, who, outcome: r.outcome, what, why };
  });
  return { action, title, lines };
}

/**
 * The summary: how many were done and not; for a log off, how many have
 * logged off and how many are still logging off.
 * @param {Results} results
 * @param {Live} live
 */
function summary(results, live) {
  if (results.error) return results.error;
  const done = results.lines.filter((l) => l.outcome === "done");
  const refused = results.lines.length - done.length;
  if (results.action !== "logoff") return t(DONE[results.action][1], { done: done.length, refused });
  // Another host's sessions end there: this page hears only of its own.
  const ended = done.filter((l) => l.host || endOf(l.session, live) !== null).length;
  const pending = done.length - ended;
  if (ended === 0) return t("results.summary", { done: pending, refused });
  if (pending === 0) return t("results.summary.ended", { ended, refused });
  return t("results.summary.some_ended", { ended, pending, refused });
}

/**
 * The panel above the cards.
 * @param {{ results: Results, live: Live, onDismiss: () => void }} props
 */
export function ResultsPanel({ results, live, onDismiss }) {
  return html`<section role="region" aria-label=${t("results.title")} class="results">
    <div class="results-head">
      <h2>${results.title}</h2>
      <span role="status">${summary(results, live)}</span>
      <button type="button" class="button small" onClick=${onDismiss}>${t("results.dismiss")}</button>
    </div>
    <ul>
      ${results.lines.map((l) =>
        results.action === "logoff" && l.outcome === "done" && !l.host
          ? html`<${LogoffLine} key=${l.session} who=${l.who} ended=${endOf(l.session, live)} />`
          : html`<${Line}
              key=${l.host ? `${l.host}/${l.session}` : l.session}
              look=${l.outcome}
              who=${l.who}
              what=${l.what}
              details=${l.why}
            />`,
      )}
    </ul>
  </section>`;
}
