// The dialog of Open… (SPEC §5): a website, or one of the programs the
// administrator listed, and the desktops it opens on. The web address is
// checked here as the daemon checks it (http or https, a site, no spaces),
// so a teacher reads what is wrong before anything is sent.

import { html } from "htm/preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import * as api from "./api.js";
import { dialogKeys } from "./dialog.js";
import { lang, t } from "./i18n.js";

/**
 * @typedef {import("./dialog.js").Answer} Answer
 * @typedef {import("./api.js").Program} Program
 */

/** The longest web address the daemon takes, in characters. */
export const MAX_URL = 2048;

/**
 * The address to open, from what was typed, or what is wrong with it. A
 * bare `example.org` gets `https://`; any other scheme than http and
 * https is refused by name.
 * @param {string} typed
 * @returns {{ url: string } | { problem: string }}
 */
export function checkUrl(typed) {
  const text = typed.trim();
  if (text === "") return { problem: t("open.url_required") };
  // A scheme is letters before ":" — but "localhost:8080" is a host and port.
  const scheme = /^([a-z][a-z0-9+.-]*):(?!\d+(\/|$))/i.exec(text);
  const url = scheme ? text : `https://${text}`;
  const name = scheme ? scheme[1].toLowerCase() : "https";
  if (name !== "http" && name !== "https") return { problem: t("open.url_scheme", { scheme: `${name}:` }) };
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u0020\u007f-\u009f]/.test(url)) return { problem: t("open.url_space") };
  if ([...url].length > MAX_URL) return { problem: t("open.url_long", { n: MAX_URL }) };
  const rest = url.slice(name.length + 1);
  if (!rest.startsWith("//") || /^[/?#]/.test(rest.slice(2)) || rest.length === 2) {
    return { problem: t("open.url_host", { scheme: `${name}:` }) };
  }
  return { url };
}

/**
 * A program's label in the page's language.
 * @param {Program} p
 */
function labelOf(p) {
  return lang() === "fr" && p.label_fr ? p.label_fr : p.label;
}

/**
 * @param {{
 *   title: string,
 *   selected: number,
 *   scope: "selected" | "all",
 *   onConfirm: (answer: Answer) => void,
 *   onCancel: () => void,
 * }} props `selected`: how many sessions are selected
 */
export function OpenDialog({ title, selected, scope, onConfirm, onCancel }) {
  const [kind, setKind] = useState(/** @type {"website" | "program"} */ ("website"));
  const [url, setUrl] = useState("");
  const [programs, setPrograms] = useState(/** @type {Program[] | null} */ (null));
  const [program, setProgram] = useState("");
  const [to, setTo] = useState(scope);
  const [problem, setProblem] = useState(/** @type {string | null} */ (null));
  const box = useRef(/** @type {HTMLDivElement | null} */ (null));
  const first = useRef(/** @type {HTMLInputElement | null} */ (null));
  useLayoutEffect(() => {
    first.current?.focus();
  }, []);
  useEffect(() => {
    api.programs().then(
      (list) => {
        setPrograms(list);
        setProgram(list[0]?.name ?? "");
      },
      () => setPrograms([]),
    );
  }, []);

  const confirm = () => {
    if (kind === "program") {
      if (!program) return setProblem(t("open.program_required"));
      return onConfirm({ grace: 0, text: "", to, what: { program } });
    }
    const checked = checkUrl(url);
    if ("problem" in checked) return setProblem(checked.problem);
    onConfirm({ grace: 0, text: "", to, what: { url: checked.url } });
  };
  const choose = (/** @type {"website" | "program"} */ k) => {
    setKind(k);
    setProblem(null);
  };

  const what =
    kind === "website"
      ? html`<label class="field">
          <span>${t("open.url")}</span>
          <input type="text" inputmode="url" autocomplete="url" spellcheck=${false} value=${url}
            placeholder=${t("open.url_placeholder")} aria-describedby="open-hint" aria-invalid=${problem ? "true" : undefined}
            onInput=${(/** @type {Event} */ e) => {
              setUrl(/** @type {HTMLInputElement} */ (e.target).value);
              setProblem(null);
            }}
            onKeyDown=${(/** @type {KeyboardEvent} */ e) => e.key === "Enter" && confirm()} />
          <small id="open-hint" class="hint">${t("open.url_hint")}</small>
        </label>`
      : programs === null
        ? html`<p>${t("open.loading")}</p>`
        : programs.length === 0
          ? html`<p>${t("open.no_programs")}</p>`
          : html`<div class="field">
              <label for="open-program">${t("open.program_label")}</label>
              <select id="open-program" value=${program}
                onChange=${(/** @type {Event} */ e) => setProgram(/** @type {HTMLSelectElement} */ (e.target).value)}>
                ${programs.map((p) => html`<option value=${p.name}>${labelOf(p)}</option>`)}
              </select>
            </div>`;

  return html`
    <div class="backdrop" onMouseDown=${(/** @type {MouseEvent} */ e) => e.target === e.currentTarget && onCancel()}>
      <div role="dialog" aria-modal="true" aria-labelledby="dialog-title" aria-describedby="dialog-body" class="dialog"
        ref=${box} onKeyDown=${dialogKeys(box, onCancel)}>
        <h2 id="dialog-title">${title}</h2>
        <p id="dialog-body">${t("open.body")}</p>
        <fieldset class="field recipients">
          <legend>${t("open.kind")}</legend>
          <label class="radio">
            <input type="radio" name="kind" value="website" ref=${first} checked=${kind === "website"} onChange=${() => choose("website")} />
            ${t("open.website")}
          </label>
          <label class="radio">
            <input type="radio" name="kind" value="program" checked=${kind === "program"} onChange=${() => choose("program")} />
            ${t("open.program")}
          </label>
        </fieldset>
        ${what}
        <fieldset class="field recipients">
          <legend>${t("open.to")}</legend>
          <label class="radio">
            <input type="radio" name="to" value="selected" checked=${to === "selected"} disabled=${selected === 0}
              onChange=${() => setTo("selected")} />
            ${t("message.to_selected", { n: selected })}
          </label>
          <label class="radio">
            <input type="radio" name="to" value="all" checked=${to === "all"} onChange=${() => setTo("all")} />
            ${t("message.to_all")}
          </label>
        </fieldset>
        ${problem ? html`<p role="alert" class="error">${problem}</p>` : null}
        <div class="dialog-buttons">
          <button type="button" class="button" onClick=${onCancel}>${t("cancel")}</button>
          <button type="button" class="button primary" onClick=${confirm}
            disabled=${kind === "program" && !program}>${t("open.ok")}</button>
        </div>
      </div>
    </div>
  `;
}
