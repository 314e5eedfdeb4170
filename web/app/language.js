// The language menu (English · Français), on the login page, the dashboard
// and the station.

import { html } from "htm/preact";
import { lang, setLang, t } from "./i18n.js";

/**
 * Changes the page's language, then calls `onLang` so the page draws
 * itself again.
 * @param {{ onLang: () => void }} props
 */
export function LanguageSwitch({ onLang }) {
  /** @param {Event} e */
  const change = (e) => {
    setLang(/** @type {"en" | "fr"} */ (/** @type {HTMLSelectElement} */ (e.target).value));
    onLang();
  };
  return html`
    <label class="lang">
      <span class="visually-hidden">${t("language")}</span>
      <select aria-label=${t("language")} value=${lang()} onChange=${change}>
        <option value="en" lang="en">English</option>
        <option value="fr" lang="fr">Français</option>
      </select>
    </label>
  `;
}
