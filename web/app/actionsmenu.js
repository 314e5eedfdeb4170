// The Actions button at the top left and the drop-down menu it opens
// (SPEC §5): a click or ArrowDown opens it.

import { html } from "htm/preact";
import { t } from "./i18n.js";
import { Menu } from "./menu.js";

/**
 * @typedef {import("./menu.js").MenuItem} MenuItem
 */

/**
 * @param {{
 *   items: MenuItem[],
 *   open: boolean,
 *   onToggle: () => void,
 *   onOpen: () => void,
 *   onClose: (chosen?: boolean) => void,
 *   buttonRef: import("preact").Ref<HTMLButtonElement>,
 * }} props `open`: whether this menu is open; `onToggle`: a click on the button
 */
export function ActionsMenu({ items, open, onToggle, onOpen, onClose, buttonRef }) {
  /** @param {KeyboardEvent} e */
  const onKeyDown = (e) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      onOpen();
    }
  };
  return html`<div class="actions-anchor">
    <button
      type="button"
      class="button primary actions-button"
      aria-haspopup="menu"
      aria-expanded=${String(open)}
      ref=${buttonRef}
      onClick=${onToggle}
      onKeyDown=${onKeyDown}
    >
      ${t("actions")} <span aria-hidden="true">▾</span>
    </button>
    ${open ? html`<${Menu} label=${t("actions")} items=${items} onClose=${onClose} />` : null}
  </div>`;
}
