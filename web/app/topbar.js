// The dashboard's header: the Actions menu (given as children), the
// product's name and the tabs on the left; the user's own desktop, who is
// signed in and the language menu on the right.

import { html } from "htm/preact";
import { t } from "./i18n.js";
import { LanguageSwitch } from "./language.js";

/** @typedef {"home" | "systems"} Tab */

/** The tabs, in order: each one's id is its panel's. */
export const TABS = /** @type {const} */ (["home", "systems"]);

/**
 * The tab list (WAI-ARIA tabs, automatic activation): one tab stop, the
 * arrow keys, Home and End move to a tab and show its panel.
 * @param {{ tab: Tab, onTab: (tab: Tab) => void }} props
 */
function Tabs({ tab, onTab }) {
  const go = (/** @type {Tab} */ next) => {
    onTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };
  const onKey = (/** @type {KeyboardEvent} */ e) => {
    const at = TABS.indexOf(tab);
    const to = {
      ArrowRight: (at + 1) % TABS.length,
      ArrowLeft: (at - 1 + TABS.length) % TABS.length,
      Home: 0,
      End: TABS.length - 1,
    }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    go(TABS[to]);
  };
  return html`<div role="tablist" aria-label=${t("tabs")} class="tabs" onKeyDown=${onKey}>
    ${TABS.map(
      (id) => html`<button
        role="tab"
        type="button"
        id=${`tab-${id}`}
        aria-selected=${String(id === tab)}
        aria-controls=${id}
        tabindex=${id === tab ? "0" : "-1"}
        class="tab"
        onClick=${() => onTab(id)}
      >
        ${t(`tab.${id}`)}
      </button>`,
    )}
  </div>`;
}

/**
 * @param {{
 *   me: import("./api.js").Me, onLang: () => void, tab: Tab, onTab: (tab: Tab) => void,
 *   children?: import("preact").ComponentChildren,
 * }} props
 */
export function TopBar({ me, onLang, tab, onTab, children }) {
  const role = t(/** @type {import("./i18n.js").Key} */ (`role.${me.role}`));
  return html`<header class="topbar">
    <div class="topbar-left">
      ${children}
      <span class="brand">${t("app.title")}</span>
      <${Tabs} tab=${tab} onTab=${onTab} />
    </div>
    <div class="topbar-right">
      <a class="button small" href="#station">${t("menu.mydesktop")}</a>
      <span class="whoami">
        <span>${t("signed_in_as", { name: me.full_name })}</span>
        <span class="whoami-role">${role}</span>
      </span>
      <${LanguageSwitch} onLang=${onLang} />
    </div>
  </header>`;
}
