// Text copied between the page and the desktop. The desktop's copies
// (noVNC's `clipboard` event: Xvnc sends the CLIPBOARD and, as TigerVNC's
// viewers expect, the PRIMARY selection, so selecting in an xterm copies)
// go to the browser's clipboard where the browser lets the page write it,
// and always to the Clipboard panel's field. The other way, the browser's
// clipboard is read when the user comes back to the desktop, where the
// browser grants that (Chromium's clipboard-read permission); where it has
// no such permission (Firefox), what is pasted or typed into the panel's
// field goes to the desktop.

import { html } from "htm/preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "./i18n.js";

/**
 * @typedef {import("@novnc/novnc").default} RFB
 * @typedef {"granted" | "prompt" | "denied" | "none"} Permission
 */

/** The clipboard between one station page and its desktop. */
export class DesktopClipboard {
  /** @param {(text: string) => void} onText told of every text either side copied */
  constructor(onText) {
    this.onText = onText;
    /** The text last exchanged, either way: never sent back where it came from. */
    this.last = "";
    /** Counts the exchanges, so that a read of the browser's clipboard that one overtook is dropped. */
    this.exchanges = 0;
    /** @type {Permission} */
    this.permission = "none";
    /** @type {RFB | null} */
    this.rfb = null;
    this.ready = this.askPermission();
  }

  /**
   * Whether the browser has a clipboard-read permission, and its state
   * (Firefox has none: `query` refuses the name).
   * @returns {Promise<void>}
   */
  async askPermission() {
    if (!navigator.clipboard?.readText || !navigator.permissions) return;
    try {
      const status = await navigator.permissions.query({ name: /** @type {PermissionName} */ ("clipboard-read") });
      this.permission = status.state;
      status.addEventListener("change", () => {
        this.permission = status.state;
      });
    } catch {
      this.permission = "none";
    }
  }

  /** Whether the browser's own clipboard reaches the desktop (else only the panel's field does). */
  get synced() {
    return this.permission === "granted" || this.permission === "prompt";
  }

  /**
   * Text the desktop copied.
   * @param {string} text
   */
  fromDesktop(text) {
    this.exchanges += 1;
    this.last = text;
    this.onText(text);
    if (document.hasFocus()) navigator.clipboard?.writeText(text).catch(() => undefined);
  }

  /**
   * Reads the browser's clipboard and gives the desktop what is new there.
   * `gesture` says the user just acted (a click), so that a browser may ask
   * for the permission; without one, only a permission already given is used.
   * @param {boolean} gesture
   */
  async fromBrowser(gesture) {
    await this.ready;
    if (!this.rfb || !(this.permission === "granted" || (gesture && this.permission === "prompt"))) return;
    const before = this.exchanges;
    let text;
    try {
      text = await navigator.clipboard.readText();
    } catch {
      return;
    }
    // A copy on the desktop that came in meanwhile is newer than what was read.
    if (this.exchanges !== before) return;
    if (text && text !== this.last) this.toDesktop(text);
  }

  /**
   * Puts `text` on the desktop's clipboard.
   * @param {string} text
   */
  toDesktop(text) {
    this.exchanges += 1;
    this.last = text;
    this.onText(text);
    this.rfb?.clipboardPasteFrom(text);
  }
}

/**
 * Reads the browser's clipboard for the desktop whenever the user comes back
 * to the page or clicks into the desktop.
 * @param {DesktopClipboard} clipboard
 * @param {HTMLElement | null} screen
 */
export function followBrowserClipboard(clipboard, screen) {
  const focused = () => void clipboard.fromBrowser(false);
  const visible = () => {
    if (document.visibilityState === "visible") focused();
  };
  const clicked = () => void clipboard.fromBrowser(true);
  window.addEventListener("focus", focused);
  document.addEventListener("visibilitychange", visible);
  screen?.addEventListener("pointerdown", clicked, true);
  return () => {
    window.removeEventListener("focus", focused);
    document.removeEventListener("visibilitychange", visible);
    screen?.removeEventListener("pointerdown", clicked, true);
  };
}

/**
 * The Clipboard panel: the desktop's last copied text, and a field whose
 * text goes to the desktop's clipboard as it is typed or pasted.
 * @param {{ text: string, synced: boolean, onText: (text: string) => void, onClose: () => void }} props
 */
export function ClipboardPanel({ text, synced, onText, onClose }) {
  const field = useRef(/** @type {HTMLTextAreaElement | null} */ (null));
  useEffect(() => {
    field.current?.focus();
    field.current?.select();
  }, []);
  // The desktop's copies show as they come, unless the user is typing.
  useEffect(() => {
    const f = field.current;
    if (f && f.value !== text) f.value = text;
  }, [text]);
  const onKeyDown = (/** @type {KeyboardEvent} */ e) => {
    if (e.key === "Escape") onClose();
  };
  return html`
    <section id="clipboard-panel" class="clipboard-panel" aria-labelledby="clipboard-title" onKeyDown=${onKeyDown}>
      <div class="clipboard-head">
        <h2 id="clipboard-title">${t("station.clipboard")}</h2>
        <button type="button" class="button small" onClick=${onClose}>${t("station.clipboard_close")}</button>
      </div>
      <label class="field">
        <span>${t("station.clipboard_field")}</span>
        <textarea
          ref=${field}
          rows="5"
          spellcheck="false"
          onInput=${(/** @type {InputEvent} */ e) => onText(/** @type {HTMLTextAreaElement} */ (e.currentTarget).value)}
        ></textarea>
      </label>
      <p class="muted">${t("station.clipboard_help")}</p>
      ${synced ? html`<p class="muted">${t("station.clipboard_synced")}</p>` : null}
    </section>
  `;
}
