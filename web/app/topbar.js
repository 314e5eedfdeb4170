// The dashboard's header: the Actions menu (given as children), the
// product's name and the tabs on the left; the user's own desktop, who is
// signed in and the language menu on the right.

import { html } from "htm/preact";
import { t } from "./i18n.js";
import { LanguageSwitch } from "./language.js";

/**
 * @param {{ me: import("./api.js").Me, onLang: () => void, children?: import("preact").ComponentChildren }} props
 */
export function TopBar({ me, onLang, children }) {
  const role = t(/** @type {import("./i18n.js").Key} */ (`role.${me.role}`));
  return html`<header class="topbar">
    <div class="topbar-left">
      ${children}
      <span class="brand">${t("app.title")}</span>
      <div role="tablist" aria-label=${t("tabs")} class="tabs">
        <button role="tab" type="button" aria-selected="true" aria-controls="home" id="tab-home" class="tab">
          ${t("tab.home")}
        </button>
      </div>
    </div>
    <div class="topbar-right">
      <a class="button small" href="#station">${t("menu.mydesktop")}</a>
      <span class="whoami">${t("signed_in_as", { name: me.full_name })} · ${role}</span>
      <${LanguageSwitch} onLang=${onLang} />
    </div>
  </header>`;
}
