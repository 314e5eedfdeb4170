// The bar above the cards: Select all, Clear selection, and how many
// sessions are selected and shown.

import { html } from "htm/preact";
import { plural, t } from "./i18n.js";
import * as selection from "./selection.js";

/**
 * @param {{
 *   order: readonly number[],
 *   sel: selection.Selection,
 *   setSel: (s: selection.Selection) => void,
 * }} props `order` is every card's session id, in shown order
 */
export function SelectionBar({ order, sel, setSel }) {
  return html`<div class="toolbar">
    <button type="button" class="button" disabled=${order.length === 0} onClick=${() => setSel(selection.all(order))}>
      ${t("select_all")}
    </button>
    <button type="button" class="button" disabled=${sel.selected.size === 0} onClick=${() => setSel(selection.empty)}>
      ${t("clear_selection")}
    </button>
    <span role="status" aria-live="polite" class="count">${plural("selected", sel.selected.size)}</span>
    <span class="total">${plural("sessions.count", order.length)}</span>
  </div>`;
}
