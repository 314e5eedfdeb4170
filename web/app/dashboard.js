// The Podium Dashboard: the Home tab with every session's live desktop,
// selection, and the Actions menu (SPEC §5).

import { html } from "htm/preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import * as api from "./api.js";
import { Grid } from "./cards.js";
import { ConfirmDialog } from "./dialog.js";
import { lang, plural, reason, setLang, t } from "./i18n.js";
import { Menu } from "./menu.js";
import * as selection from "./selection.js";
import { forget, picture } from "./thumbs.js";

/**
 * @typedef {import("./api.js").Session} Session
 * @typedef {import("./api.js").Me} Me
 * @typedef {import("./menu.js").MenuItem} MenuItem
 * @typedef {"small" | "medium" | "large"} Size
 * @typedef {{ title: string, lines: { text: string, outcome: string }[], summary: string }} Results
 * @typedef {{ scope: "selected" | "all", ids: number[], users: string[] }} Pending
 */

const SIZES = /** @type {Size[]} */ (["small", "medium", "large"]);
const SIZE_KEY = "podium.thumbsize";
const DEFAULT_GRACE = 10;

/** @returns {Size} */
function savedSize() {
  const s = localStorage.getItem(SIZE_KEY);
  return s === "small" || s === "large" ? s : "medium";
}

/** @param {{ value: string, onChange: (l: "en" | "fr") => void }} props */
export function LanguageSwitch({ value, onChange }) {
  return html`
    <label class="lang">
      <span class="visually-hidden">${t("language")}</span>
      <select aria-label=${t("language")} value=${value} onChange=${(/** @type {Event} */ e) => onChange(/** @type {"en" | "fr"} */ (/** @type {HTMLSelectElement} */ (e.target).value))}>
        <option value="en" lang="en">English</option>
        <option value="fr" lang="fr">Français</option>
      </select>
    </label>
  `;
}

/**
 * @param {{ me: Me, onSignedOut: (why?: string) => void, onLang: () => void }} props
 */
export function Dashboard({ me, onSignedOut, onLang }) {
  const [sessions, setSessions] = useState(/** @type {Map<number, Session>} */ (new Map()));
  const [loaded, setLoaded] = useState(false);
  const [connected, setConnected] = useState(true);
  const [sel, setSel] = useState(selection.empty);
  const [focus, setFocus] = useState(/** @type {number | null} */ (null));
  const [size, setSize] = useState(savedSize);
  const [menu, setMenu] = useState(/** @type {null | { kind: "actions" } | { kind: "context", x: number, y: number }} */ (null));
  const [pending, setPending] = useState(/** @type {Pending | null} */ (null));
  const [results, setResults] = useState(/** @type {Results | null} */ (null));
  const [pictures, setPictures] = useState(/** @type {Record<number, string>} */ ({}));
  const [now, setNow] = useState(Date.now());
  const returnFocus = useRef(/** @type {HTMLElement | null} */ (null));
  const actionsButton = useRef(/** @type {HTMLButtonElement | null} */ (null));
  const sizeRef = useRef(size);
  sizeRef.current = size;

  const list = useMemo(() => [...sessions.values()].sort((a, b) => a.id - b.id), [sessions]);
  const order = list.map((s) => s.id);

  const show = (/** @type {number} */ id, /** @type {string | null} */ etag = null) => {
    picture(id, sizeRef.current, etag).then((p) => {
      if (p) setPictures((old) => (old[id] === p.url ? old : { ...old, [id]: p.url }));
    });
  };

  useEffect(
    () =>
      api.events(
        (e) => {
          if (e.type === "snapshot") {
            setSessions(new Map(e.sessions.map((s) => [s.id, s])));
            setLoaded(true);
            e.sessions.forEach((s) => show(s.id));
          } else if (e.type === "session_added" || e.type === "session_changed") {
            setSessions((old) => new Map(old).set(e.session.id, e.session));
            if (e.session.display) show(e.session.id);
          } else if (e.type === "session_removed") {
            setSessions((old) => {
              const next = new Map(old);
              next.delete(e.id);
              return next;
            });
          } else if (e.type === "thumbnail_updated") {
            show(e.id, e.etags[sizeRef.current] ?? null);
          }
        },
        setConnected,
        () => onSignedOut(t("err.session_lost")),
      ),
    [],
  );

  // Forget what is gone: selection, pictures.
  useEffect(() => {
    setSel((s) => selection.prune(s, order));
    forget(new Set(order));
    setPictures((old) => Object.fromEntries(Object.entries(old).filter(([id]) => sessions.has(Number(id)))));
  }, [sessions]);

  // A new size: new pictures for everyone.
  useEffect(() => {
    setPictures({});
    order.forEach((id) => show(id));
  }, [size]);

  // Countdowns tick while something is closing.
  const closing = list.some((s) => s.state === "closing");
  useEffect(() => {
    if (!closing) return undefined;
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, [closing]);

  const remember = () => {
    returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  };
  const restore = () => {
    const el = returnFocus.current;
    window.setTimeout(() => (el && el.isConnected ? el : actionsButton.current)?.focus(), 0);
  };

  const describe = (/** @type {Session} */ s) => `${s.full_name} (${s.user})`;
  const askLogoff = (/** @type {"selected" | "all"} */ scope) => {
    const targets = scope === "selected" ? list.filter((s) => sel.selected.has(s.id)) : list.filter((s) => s.user !== me.user);
    setPending({ scope, ids: targets.map((s) => s.id), users: targets.map(describe) });
  };

  const doLogoff = async (/** @type {Pending} */ p, /** @type {number} */ grace) => {
    setPending(null);
    restore();
    const title = p.scope === "selected" ? t("menu.logoff_selected") : t("menu.logoff_all");
    try {
      const out = await api.logoff(p.scope === "selected" ? { sessions: p.ids, grace_seconds: grace } : { all: true, grace_seconds: grace });
      const lines = out.map((r) => {
        const s = sessions.get(r.session);
        const who = s ? describe(s) : r.user ? r.user : `#${r.session}`;
        const what = t(/** @type {import("./i18n.js").Key} */ (`outcome.${r.outcome}`));
        return { text: r.reason && r.outcome !== "done" ? `${who}: ${what} — ${reason(r.reason)}` : `${who}: ${what}`, outcome: r.outcome };
      });
      const done = out.filter((r) => r.outcome === "done").length;
      setResults({ title, lines, summary: t("results.summary", { done, refused: out.length - done }) });
      if (p.scope === "selected") setSel(selection.empty);
    } catch (e) {
      if (e instanceof api.ApiError && e.status === 401) return onSignedOut(t("err.session_lost"));
      setResults({ title, lines: [], summary: e instanceof api.ApiError && e.status === 0 ? t("err.network") : t("err.server") });
    }
  };

  const signOut = async () => {
    try {
      await api.logout();
    } finally {
      onSignedOut();
    }
  };

  /** @type {MenuItem[]} */
  const logoffItems = [
    { label: t("menu.logoff_selected"), disabled: sel.selected.size === 0, onSelect: () => askLogoff("selected") },
    { label: t("menu.logoff_all"), disabled: !list.some((s) => s.user !== me.user), onSelect: () => askLogoff("all") },
  ];
  /** @type {MenuItem[]} */
  const actions = [
    { label: t("menu.logoff"), items: logoffItems },
    {
      label: t("menu.thumbsize"),
      items: SIZES.map((s) => ({
        label: t(`size.${s}`),
        checked: size === s,
        onSelect: () => {
          localStorage.setItem(SIZE_KEY, s);
          setSize(s);
          restore();
        },
      })),
    },
    { label: t("menu.signout"), onSelect: signOut },
  ];

  const openActions = () => {
    remember();
    setMenu({ kind: "actions" });
  };
  /** Closes the menu; focus goes back unless a chosen action takes it (a dialog). */
  const closeMenu = (chosen = false) => {
    setMenu(null);
    if (!chosen) restore();
  };

  return html`
    <div class=${`dashboard size-${size}`}>
      <header class="topbar">
        <div class="topbar-left">
          <div class="actions-anchor">
            <button
              type="button"
              class="button primary actions-button"
              aria-haspopup="menu"
              aria-expanded=${String(menu?.kind === "actions")}
              ref=${actionsButton}
              onClick=${() => (menu ? closeMenu() : openActions())}
              onKeyDown=${(/** @type {KeyboardEvent} */ e) => {
                if (e.key === "ArrowDown") {
                  e.preventDefault();
                  openActions();
                }
              }}
            >
              ${t("actions")} <span aria-hidden="true">▾</span>
            </button>
            ${menu?.kind === "actions" ? html`<${Menu} label=${t("actions")} items=${actions} onClose=${closeMenu} />` : null}
          </div>
          <span class="brand">${t("app.title")}</span>
          <div role="tablist" aria-label=${t("tabs")} class="tabs">
            <button role="tab" type="button" aria-selected="true" aria-controls="home" id="tab-home" class="tab">${t("tab.home")}</button>
          </div>
        </div>
        <div class="topbar-right">
          <a class="button small" href="#station">${t("menu.mydesktop")}</a>
          <span class="whoami">${t("signed_in_as", { name: me.full_name })} · ${t(/** @type {import("./i18n.js").Key} */ (`role.${me.role}`))}</span>
          <${LanguageSwitch} value=${lang()} onChange=${(/** @type {"en" | "fr"} */ l) => {
            setLang(l);
            onLang();
          }} />
        </div>
      </header>

      ${connected ? null : html`<div role="alert" class="banner">${t("reconnecting")}</div>`}

      <main id="home" role="tabpanel" aria-labelledby="tab-home" class="home">
        <div class="toolbar">
          <button type="button" class="button" disabled=${list.length === 0} onClick=${() => setSel(selection.all(order))}>${t("select_all")}</button>
          <button type="button" class="button" disabled=${sel.selected.size === 0} onClick=${() => setSel(selection.empty)}>${t("clear_selection")}</button>
          <span role="status" aria-live="polite" class="count">${plural("selected", sel.selected.size)}</span>
          <span class="total">${plural("sessions.count", list.length)}</span>
        </div>

        ${results
          ? html`<section role="region" aria-label=${t("results.title")} class="results">
              <div class="results-head">
                <h2>${results.title}</h2>
                <span role="status">${results.summary}</span>
                <button type="button" class="button small" onClick=${() => setResults(null)}>${t("results.dismiss")}</button>
              </div>
              <ul>
                ${results.lines.map((l) => html`<li class=${`outcome-${l.outcome}`}>${l.text}</li>`)}
              </ul>
            </section>`
          : null}

        ${list.length === 0 && loaded
          ? html`<div class="empty">
              <h2>${t("empty.title")}</h2>
              <p>${t("empty.body")}</p>
            </div>`
          : html`<${Grid}
              sessions=${list}
              sel=${sel}
              setSel=${setSel}
              focus=${focus}
              setFocus=${setFocus}
              me=${me.user}
              pictures=${pictures}
              now=${now}
              onContextMenu=${(/** @type {number} */ x, /** @type {number} */ y) => {
                remember();
                setMenu({ kind: "context", x, y });
              }}
            />`}
      </main>

      ${menu?.kind === "context"
        ? html`<${Menu}
            label=${t("menu.context")}
            items=${[{ label: t("menu.logoff"), items: logoffItems }]}
            onClose=${closeMenu}
            style=${{ position: "fixed", left: `${Math.min(menu.x, window.innerWidth - 320)}px`, top: `${Math.min(menu.y, window.innerHeight - 200)}px` }}
          />`
        : null}

      ${pending
        ? html`<${ConfirmDialog}
            title=${pending.scope === "selected" ? t("menu.logoff_selected") : t("menu.logoff_all")}
            body=${pending.scope === "selected" ? t("confirm.body") : `${t("confirm.body_all")} ${t("confirm.body")}`}
            users=${pending.users}
            grace=${DEFAULT_GRACE}
            onConfirm=${(/** @type {number} */ g) => doLogoff(pending, g)}
            onCancel=${() => {
              setPending(null);
              restore();
            }}
          />`
        : null}
    </div>
  `;
}
