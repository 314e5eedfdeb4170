// The dialog before an action on sessions: what it does, to whom, and what
// it needs — the warning before a log off, the text of a block notice or of
// a message, who a message goes to. A modal dialog (WAI-ARIA): focus moves
// in, stays in (Tab cycles), and Escape cancels; the caller puts focus back
// where it was.

import { html } from "htm/preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { t } from "./i18n.js";

/** Grace periods offered, in seconds. */
export const GRACE_CHOICES = [0, 10, 30, 60, 120];

/** The longest block notice or message the daemon takes, in characters. */
export const MAX_TEXT = 500;

/** @param {number} s */
function graceLabel(s) {
  if (s === 0) return t("grace.0");
  if (s === 60) return t("grace.60");
  if (s === 120) return t("grace.120");
  return t("grace.s", { s });
}

/**
 * @typedef {{ label: string, hint?: string, placeholder?: string, required: boolean, multiline: boolean }} TextField
 * @typedef {{ selected: number, choice: "selected" | "all" }} Recipients
 * @typedef {{ grace: number, text: string, to: "selected" | "all", what?: import("./api.js").OpenWhat }} Answer
 *   `what`: for Open…, the website or program
 */

/**
 * @param {{
 *   title: string,
 *   body: string,
 *   users: string[] | null,
 *   grace?: number,
 *   text?: TextField,
 *   recipients?: Recipients,
 *   confirmLabel: string,
 *   danger?: boolean,
 *   onConfirm: (answer: Answer) => void,
 *   onCancel: () => void,
 * }} props
 */
export function ActionDialog({
  title,
  body,
  users,
  grace,
  text,
  recipients,
  confirmLabel,
  danger = false,
  onConfirm,
  onCancel,
}) {
  const [choice, setChoice] = useState(grace ?? 0);
  const [value, setValue] = useState("");
  const [to, setTo] = useState(recipients?.choice ?? "all");
  const [problem, setProblem] = useState(/** @type {string | null} */ (null));
  const box = useRef(/** @type {HTMLDivElement | null} */ (null));
  const first = useRef(/** @type {HTMLElement | null} */ (null));
  useLayoutEffect(() => {
    first.current?.focus();
  }, []);

  const confirm = () => {
    const length = [...value].length;
    if (text?.required && value.trim() === "") {
      setProblem(t("message.required"));
      return;
    }
    if (length > MAX_TEXT) {
      setProblem(t("message.too_long", { n: MAX_TEXT }));
      return;
    }
    onConfirm({ grace: choice, text: value.trim(), to });
  };

  const onKey = dialogKeys(box, onCancel);

  const onInput = (/** @type {Event} */ e) => {
    setValue(/** @type {HTMLInputElement | HTMLTextAreaElement} */ (e.target).value);
    setProblem(null);
  };
  const field = text
    ? html`<label class="field">
        <span>${text.label}</span>
        ${
          text.multiline
            ? html`<textarea rows="4" maxlength=${MAX_TEXT} placeholder=${text.placeholder ?? ""} ref=${first} value=${value} onInput=${onInput}
              aria-describedby=${text.hint ? "dialog-hint" : undefined} aria-invalid=${problem ? "true" : undefined}></textarea>`
            : html`<input maxlength=${MAX_TEXT} placeholder=${text.placeholder ?? ""} ref=${first} value=${value} onInput=${onInput}
              aria-describedby=${text.hint ? "dialog-hint" : undefined} aria-invalid=${problem ? "true" : undefined} />`
        }
        ${text.hint ? html`<small id="dialog-hint" class="hint">${text.hint}</small>` : null}
      </label>`
    : null;

  return html`
    <div class="backdrop" onMouseDown=${(/** @type {MouseEvent} */ e) => e.target === e.currentTarget && onCancel()}>
      <div role="dialog" aria-modal="true" aria-labelledby="dialog-title" aria-describedby="dialog-body" class="dialog" ref=${box} onKeyDown=${onKey}>
        <h2 id="dialog-title">${title}</h2>
        <p id="dialog-body">${body}</p>
        ${
          recipients
            ? html`<fieldset class="field recipients">
              <legend>${t("message.to")}</legend>
              <label class="radio">
                <input type="radio" name="to" value="selected" checked=${to === "selected"} disabled=${recipients.selected === 0}
                  onChange=${() => setTo("selected")} />
                ${t("message.to_selected", { n: recipients.selected })}
              </label>
              <label class="radio">
                <input type="radio" name="to" value="all" checked=${to === "all"} onChange=${() => setTo("all")} />
                ${t("message.to_all")}
              </label>
            </fieldset>`
            : null
        }
        ${
          users
            ? html`<h3 class="dialog-sub">${t("confirm.users")}</h3>
              <ul class="dialog-users">
                ${users.map((u) => html`<li>${u}</li>`)}
              </ul>`
            : null
        }
        ${field}
        ${
          grace === undefined
            ? null
            : html`<label class="field">
              <span>${t("confirm.grace")}</span>
              <select value=${String(choice)} onChange=${(/** @type {Event} */ e) => setChoice(Number(/** @type {HTMLSelectElement} */ (e.target).value))}>
                ${GRACE_CHOICES.map((s) => html`<option value=${String(s)}>${graceLabel(s)}</option>`)}
              </select>
            </label>`
        }
        ${problem ? html`<p role="alert" class="error">${problem}</p>` : null}
        <div class="dialog-buttons">
          <button type="button" class="button" onClick=${onCancel}>${t("cancel")}</button>
          <button type="button" class=${`button ${danger ? "danger" : "primary"}`} ref=${text ? undefined : first} onClick=${confirm}>${confirmLabel}</button>
        </div>
      </div>
    </div>
  `;
}

/**
 * A modal dialog's keys: Escape cancels, Tab and Shift+Tab cycle inside `box`.
 * @param {{ current: HTMLElement | null }} box
 * @param {() => void} onCancel
 * @returns {(e: KeyboardEvent) => void}
 */
export function dialogKeys(box, onCancel) {
  return (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
      return;
    }
    if (e.key !== "Tab" || !box.current) return;
    const focusable = [...box.current.querySelectorAll("button, select, input, textarea")].filter(
      (el) => el instanceof HTMLElement && !(/** @type {HTMLInputElement} */ (el).disabled),
    );
    const firstEl = /** @type {HTMLElement} */ (focusable[0]);
    const lastEl = /** @type {HTMLElement} */ (focusable[focusable.length - 1]);
    if (e.shiftKey && document.activeElement === firstEl) {
      e.preventDefault();
      lastEl.focus();
    } else if (!e.shiftKey && document.activeElement === lastEl) {
      e.preventDefault();
      firstEl.focus();
    }
  };
}
