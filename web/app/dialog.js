// The confirmation dialog of a log off: who, how much warning, confirm.
// A modal dialog (WAI-ARIA): focus moves in, stays in (Tab cycles), and
// Escape cancels; the caller puts focus back where it was.

import { html } from "htm/preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { t } from "./i18n.js";

/** Grace periods offered, in seconds. */
export const GRACE_CHOICES = [0, 10, 30, 60, 120];

/** @param {number} s */
function graceLabel(s) {
  if (s === 0) return t("grace.0");
  if (s === 60) return t("grace.60");
  if (s === 120) return t("grace.120");
  return t("grace.s", { s });
}

/**
 * @param {{
 *   title: string,
 *   body: string,
 *   users: string[],
 *   grace: number,
 *   onConfirm: (grace: number) => void,
 *   onCancel: () => void,
 * }} props
 */
export function ConfirmDialog({ title, body, users, grace, onConfirm, onCancel }) {
  const [choice, setChoice] = useState(grace);
  const box = useRef(/** @type {HTMLDivElement | null} */ (null));
  const confirm = useRef(/** @type {HTMLButtonElement | null} */ (null));
  useLayoutEffect(() => {
    confirm.current?.focus();
  }, []);

  const onKey = (/** @type {KeyboardEvent} */ e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
      return;
    }
    if (e.key !== "Tab" || !box.current) return;
    const focusable = [...box.current.querySelectorAll("button, select")].filter((el) => el instanceof HTMLElement);
    const first = /** @type {HTMLElement} */ (focusable[0]);
    const last = /** @type {HTMLElement} */ (focusable[focusable.length - 1]);
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  };

  return html`
    <div class="backdrop" onMouseDown=${(/** @type {MouseEvent} */ e) => e.target === e.currentTarget && onCancel()}>
      <div role="dialog" aria-modal="true" aria-labelledby="dialog-title" aria-describedby="dialog-body" class="dialog" ref=${box} onKeyDown=${onKey}>
        <h2 id="dialog-title">${title}</h2>
        <p id="dialog-body">${body}</p>
        <h3 class="dialog-sub">${t("confirm.users")}</h3>
        <ul class="dialog-users">
          ${users.map((u) => html`<li>${u}</li>`)}
        </ul>
        <label class="field">
          <span>${t("confirm.grace")}</span>
          <select value=${String(choice)} onChange=${(/** @type {Event} */ e) => setChoice(Number(/** @type {HTMLSelectElement} */ (e.target).value))}>
            ${GRACE_CHOICES.map((s) => html`<option value=${String(s)}>${graceLabel(s)}</option>`)}
          </select>
        </label>
        <div class="dialog-buttons">
          <button type="button" class="button" onClick=${onCancel}>${t("cancel")}</button>
          <button type="button" class="button danger" ref=${confirm} onClick=${() => onConfirm(choice)}>${t("confirm.ok")}</button>
        </div>
      </div>
    </div>
  `;
}
