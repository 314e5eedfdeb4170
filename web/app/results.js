// The outcome of the last action, session by session (SPEC §5): done, or
// refused, gone or failed and why, in the page's language, with a summary.
// A log off's lines follow each session until it is gone, then say what
// became of its applications.

import { html } from "htm/preact";
import { describe } from "./actions.js";
import { keyOf } from "./api.js";
import { endOf, Line, LogoffLine } from "./lines.js";
import { reason, t } from "./i18n.js";

/**
 * @typedef {import("./api.js").Session} Session
 * @typedef {import("./api.js").ActionResult} ActionResult
 * @typedef {import("./actions.js").ActionName} ActionName
 * @typedef {import("./live.js").Ended} Ended
 * @typedef {import("./i18n.js").Key} Key
 * @typedef {{
 *   key: string, who: string, outcome: ActionResult["outcome"], what: string, why: string,
 * }} ResultLine `key`: the session's key on this page
 * @typedef {{ action: ActionName, title: string, lines: ResultLine[], error?: string }} Results `error`, when
 *   the action could not be sent, replaces the summary
 * @typedef {{ ends: Map<string, Ended>, sessions: Map<string, Session>, loaded: boolean }} Live what the
 *   events stream says now
 */

/** How a target that was done is reported, and the summary. */
const DONE = /** @type {Record<ActionName, [Key, Key]>} */ ({
  logoff: ["outcome.done", "results.summary"],
  disconnect: ["done.disconnect", "results.summary.disconnect"],
  block: ["done.block", "results.summary.block"],
  unblock: ["done.unblock", "results.summary.unblock"],
  message: ["done.message", "results.summary.message"],
  open: ["done.open", "results.summary.open"],
  project: ["done.project", "results.summary.project"],
  unproject: ["done.unproject", "results.summary.unproject"],
});

/**
 * One line per target: who, what happened, and why when it was not done.
 * @param {ActionName} action
 * @param {string} title
 * @param {ActionResult[]} out the daemon's answer
 * @param {Map<string, Session>} sessions the sessions as they were when the action was sent, by key
 * @param {string | undefined} here this host's name in the school
 * @returns {Results}
 */
export function resultsOf(action, title, out, sessions, here) {
  const lines = out.map((r) => {
    // A result of another host names its session there, with the host.
    const key = keyOf(r.host, r.session, here);
    const s = sessions.get(key);
    const name = s ? describe(s) : r.user ? r.user : `#${r.session}`;
    const who = r.host && r.host !== here ? `${name} · ${r.host}` : name;
    const what = r.outcome === "done" ? t(DONE[action][0]) : t(/** @type {Key} */ (`outcome.${r.outcome}`));
    const why = r.reason && r.outcome !== "done" ? reason(r) : "";
    return { key, who, outcome: r.outcome, what, why };
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
  const ended = done.filter((l) => endOf(l.key, live) !== null).length;
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
        results.action === "logoff" && l.outcome === "done"
          ? html`<${LogoffLine} key=${l.key} who=${l.who} ended=${endOf(l.key, live)} />`
          : html`<${Line}
              key=${l.key}
              look=${l.outcome}
              who=${l.who}
              what=${l.what}
              details=${l.why}
            />`,
      )}
    </ul>
  </section>`;
}
