// The page: the login form, then the dashboard (dashboard users and
// administrators) or the station (everybody else).

import { html, render } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import * as api from "./api.js";
import { Dashboard } from "./dashboard.js";
import { LanguageSwitch } from "./language.js";
import { Station } from "./station.js";
import { pickedLang, t } from "./i18n.js";

/** @typedef {import("./api.js").Me} Me */

/** @param {{ onLoggedIn: (me: Me) => void, notice: string | null, onLang: () => void }} props */
function Login({ onLoggedIn, notice, onLang }) {
  const [busy, setBusy] = useState(false);
  const [handedTo, setHandedTo] = useState(/** @type {string | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (notice));
  const user = useRef(/** @type {HTMLInputElement | null} */ (null));
  useEffect(() => user.current?.focus(), []);

  const submit = async (/** @type {SubmitEvent} */ e) => {
    e.preventDefault();
    const form = new FormData(/** @type {HTMLFormElement} */ (e.currentTarget));
    setBusy(true);
    setError(null);
    try {
      const answer = await api.login(String(form.get("username") ?? "").trim(), String(form.get("password") ?? ""));
      if (answer.handoff) {
        // Another host shows this desktop: it logs the user in there, once.
        setHandedTo(answer.handoff.host);
        const picked = pickedLang();
        window.location.assign(answer.handoff.url + (picked ? `#lang=${picked}` : ""));
        return;
      }
      onLoggedIn(answer);
    } catch (err) {
      const status = err instanceof api.ApiError ? err.status : -1;
      const host = err instanceof api.ApiError ? err.host : null;
      setError(
        status === 401 || status === 400
          ? t("err.bad_credentials")
          : status === 429
            ? t("err.throttled")
            : status === 403
              ? t("err.forbidden")
              : status === 503 && host
                ? t("err.desktop_unreachable", { host })
                : status === 0
                  ? t("err.network")
                  : t("err.server"),
      );
      setBusy(false);
    }
  };

  return html`
    <main class="login-page">
      <form class="login" onSubmit=${submit} aria-labelledby="login-title" novalidate>
        <div class="login-head">
          <div class="logo" aria-hidden="true">P</div>
          <div>
            <div class="login-product">${t("app.name")}</div>
            <h1 id="login-title">${t("login.title")}</h1>
          </div>
        </div>
        <p class="login-intro">${t("login.intro")}</p>
        <label class="field">
          <span>${t("login.user")}</span>
          <input name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required ref=${user} />
        </label>
        <label class="field">
          <span>${t("login.password")}</span>
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        ${error ? html`<p role="alert" class="error">${error}</p>` : null}
        ${handedTo ? html`<p role="status">${t("login.handoff", { host: handedTo })}</p>` : null}
        <button type="submit" class="button primary wide" disabled=${busy}>${busy ? t("login.busy") : t("login.submit")}</button>
        <div class="login-foot">
          <${LanguageSwitch} onLang=${onLang} />
        </div>
      </form>
    </main>
  `;
}

/** Whether the page shows the user's own desktop (`#station`) rather than the dashboard. */
const wantsStation = () => location.hash === "#station";

function App() {
  const [me, setMe] = useState(/** @type {Me | null | undefined} */ (undefined));
  const [station, setStation] = useState(wantsStation);
  useEffect(() => {
    const follow = () => setStation(wantsStation());
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);
  const [notice, setNotice] = useState(/** @type {string | null} */ (null));
  const [, setLangTick] = useState(0);
  const rerender = () => setLangTick((n) => n + 1);

  useEffect(() => {
    api
      .me()
      .then(setMe)
      .catch(() => {
        setNotice(t("err.network"));
        setMe(null);
      });
  }, []);
  useEffect(() => {
    document.title = me && me.role !== "standard" ? t("app.title") : t("app.name");
  });

  if (me === undefined) return null;
  const signedOut = (/** @type {string | undefined} */ why) => {
    setNotice(why ?? null);
    setMe(null);
  };
  if (me === null)
    return html`<${Login} notice=${notice} onLang=${rerender} onLoggedIn=${(/** @type {Me} */ m) => setMe(m)} />`;
  if (me.role === "standard" || station) {
    const back = me.role === "standard" ? null : () => (location.hash = "");
    return html`<${Station} me=${me} onSignedOut=${signedOut} onLang=${rerender} onDashboard=${back} />`;
  }
  return html`<${Dashboard} me=${me} onSignedOut=${signedOut} onLang=${rerender} />`;
}

const root = document.getElementById("app");
if (root) render(html`<${App} />`, root);
