// What a log off did to a session's applications (SPEC §5), as a teacher
// reads it at a glance: those forced to close or stopped first, then those
// that kept their work for the next session, then, briefly, those that
// closed when asked; each named with its documents and whether it held
// unsaved work.

import { html } from "htm/preact";
import { t } from "./i18n.js";

/**
 * @typedef {import("./api.js").AppOutcome} AppOutcome
 * @typedef {import("./api.js").AppFate} AppFate
 * @typedef {import("./i18n.js").Key} Key
 */

/** The fates, the worst first. */
const ORDER = /** @type {const} */ (["forced", "stopped", "kept", "closed"]);

/** At most this many documents are named per application. */
const MAX_TITLES = 3;

/**
 * Whether the teacher should look: an application was forced or stopped,
 * or held unsaved work that was not kept.
 * @param {AppOutcome[]} apps
 */
export function worrying(apps) {
  return apps.some((a) => a.fate === "forced" || a.fate === "stopped" || (a.unsaved && a.fate !== "kept"));
}

/**
 * The document a window title names, without the unsaved mark and the
 * application's own name ("*Untitled 1 - Mousepad" → "Untitled 1"); null
 * when it names nothing but the application.
 * @param {string} title
 * @param {string} name the application's name
 * @returns {string | null}
 */
export function documentOf(title, name) {
  let doc = title.trim().replace(/^\*+\s*/, "");
  const tail = /^(.*\S)\s+[-–—]\s+(.+)$/.exec(doc);
  const app = name.toLowerCase();
  if (tail && (tail[2].toLowerCase().includes(app) || app.includes(tail[2].toLowerCase()))) doc = tail[1];
  doc = doc.replace(/\s*\*$/, "");
  return doc === "" || doc.toLowerCase() === app ? null : doc;
}

/**
 * The documents of an application that are worth naming: none when it
 * simply closed.
 * @param {AppOutcome} a
 */
function documents(a) {
  if (a.fate === "closed" && !a.unsaved) return [];
  const docs = [...new Set((a.titles ?? []).map((title) => documentOf(title, a.name)))].filter((d) => d !== null);
  return docs.length > MAX_TITLES ? [...docs.slice(0, MAX_TITLES), "…"] : docs;
}

/**
 * One application: its name, then in brackets its documents and whether
 * it held unsaved work; `count` the same ones ("XTerm ×2").
 * @param {{ name: string, docs: string[], unsaved: boolean, count: number }} props
 */
function App({ name, docs, unsaved, count }) {
  const quoted = docs.map((d) => (d === "…" ? d : t("app.document", { title: d })));
  const notes =
    docs.length > 0 || unsaved
      ? html` (${quoted.join(", ")}${docs.length > 0 && unsaved ? ", " : ""}${
          unsaved ? html`<span class="unsaved">${t("app.unsaved")}</span>` : ""
        })`
      : "";
  return html`<span class="app">${name}${notes}${count > 1 ? ` ×${count}` : ""}</span>`;
}

/**
 * The applications of one fate, the same ones counted once.
 * @param {{ apps: AppOutcome[] }} props
 */
function Apps({ apps }) {
  /** @type {Map<string, { name: string, docs: string[], unsaved: boolean, count: number }>} */
  const same = new Map();
  for (const a of apps) {
    // A window without a class is named by its title.
    const [name, docs] = a.name.trim() ? [a.name, documents(a)] : [a.titles?.[0] || t("app.unnamed"), []];
    const key = JSON.stringify([name, docs, a.unsaved]);
    const seen = same.get(key);
    if (seen) seen.count += 1;
    else same.set(key, { name, docs, unsaved: a.unsaved, count: 1 });
  }
  return [...same.values()].map((app, i) => html`${i > 0 ? ", " : ""}<${App} ...${app} />`);
}

/**
 * What became of applications of one fate, as a group's heading.
 * @param {AppFate} fate
 * @param {number} n how many
 */
function heading(fate, n) {
  return t(/** @type {Key} */ (`fate.${fate}.${n === 1 ? "one" : "many"}`));
}

/**
 * The applications grouped by fate, the worst first:
 * "forced to close: Notebook (“Fractions”, unsaved work); closed: XClock".
 * @param {{ apps: AppOutcome[] }} props
 */
export function Applications({ apps }) {
  const groups = ORDER.map((fate) => ({ fate, apps: apps.filter((a) => a.fate === fate) }));
  return html`<span class="apps">
    ${groups
      .filter((g) => g.apps.length > 0)
      .map(
        (g, i) =>
          html`${i > 0 ? t("app.separator") : ""}<span class=${`fate fate-${g.fate}`}>
            <strong>${heading(g.fate, g.apps.length)}</strong>${t("app.colon")}<${Apps} apps=${g.apps} />
          </span>`,
      )}
  </span>`;
}
