// The bar above the cards: Select all, Clear selection, and how many
// sessions are selected and shown; in a school, which host's sessions are
// shown; and, for a teacher, selecting a class (the members of a Unix
// group) in one action.

import { html } from "htm/preact";
import { useEffect, useState } from "preact/hooks";
import * as api from "./api.js";
import { plural, t } from "./i18n.js";
import * as selection from "./selection.js";

/**
 * @typedef {import("./api.js").Class} Class
 */

/**
 * The class menu: a list of the classes, asked again whenever the users
 * shown change and when it is opened; picking one selects its members'
 * shown cards, and the menu goes back to its label.
 * @param {{ users: readonly string[], onPick: (members: ReadonlySet<string>) => void }} props
 */
function ClassPicker({ users, onPick }) {
  const [classes, setClasses] = useState(/** @type {Class[] | null} */ (null));
  const load = async () => {
    try {
      setClasses(await api.classes());
    } catch {
      setClasses((old) => old ?? []);
    }
  };
  const shown = [...new Set(users)].sort().join(" ");
  useEffect(() => {
    load();
  }, [shown]);
  return html`<span class="picker">
    <select
      class="button"
      aria-label=${t("class.label")}
      onFocus=${load}
      onMouseDown=${load}
      onChange=${(/** @type {Event} */ e) => {
        const el = /** @type {HTMLSelectElement} */ (e.currentTarget);
        const c = classes?.find((k) => k.name === el.value);
        el.value = "";
        if (c) onPick(new Set(c.members));
      }}
    >
      <option value="">${t("class.select")}</option>
      ${
        classes === null
          ? html`<option value="" disabled>${t("class.loading")}</option>`
          : classes.length === 0
            ? html`<option value="" disabled>${t("class.none")}</option>`
            : classes.map(
                (c) =>
                  html`<option key=${c.name} value=${c.name}>
                    ${plural("class.option", c.members.length, { name: c.name })}
                  </option>`,
              )
      }
    </select>
  </span>`;
}

/**
 * @param {{
 *   order: readonly string[],
 *   users: readonly string[],
 *   sel: selection.Selection,
 *   setSel: (s: selection.Selection) => void,
 *   hosts: readonly string[],
 *   host: string,
 *   setHost: (h: string) => void,
 *   classes: boolean,
 * }} props `order` is every shown card's session key, in shown order, and
 *   `users` their users; `hosts` the school's hosts (none on a single host),
 *   `host` the one shown ("" for all); `classes`, whether to offer classes
 */
export function SelectionBar({ order, users, sel, setSel, hosts, host, setHost, classes }) {
  return html`<div class="toolbar">
    <button type="button" class="button" disabled=${order.length === 0} onClick=${() => setSel(selection.all(order))}>
      ${t("select_all")}
    </button>
    <button type="button" class="button" disabled=${sel.selected.size === 0} onClick=${() => setSel(selection.empty)}>
      ${t("clear_selection")}
    </button>
    ${
      classes
        ? html`<${ClassPicker}
            users=${users}
            onPick=${(/** @type {ReadonlySet<string>} */ members) =>
              setSel(selection.all(order.filter((_, i) => members.has(users[i]))))}
          />`
        : null
    }
    ${
      hosts.length > 1
        ? html`<span class="picker">
            <label for="host-filter">${t("hosts.show")}</label>
            <select
              id="host-filter"
              class="button"
              value=${host}
              onChange=${(/** @type {Event} */ e) => setHost(/** @type {HTMLSelectElement} */ (e.currentTarget).value)}
            >
              <option value="">${t("hosts.all")}</option>
              ${hosts.map((h) => html`<option key=${h} value=${h}>${h}</option>`)}
            </select>
          </span>`
        : null
    }
    <span role="status" aria-live="polite" class="count">${plural("selected", sel.selected.size)}</span>
    <span class="total">${plural("sessions.count", order.length)}</span>
  </div>`;
}
