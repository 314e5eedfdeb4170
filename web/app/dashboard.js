// The Podium Dashboard: the Home tab with every session's live desktop,
// selection, and the Actions menu (SPEC §5).

import { html } from "htm/preact";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import * as api from "./api.js";
import { Grid } from "./cards.js";
import { ActionDialog } from "./dialog.js";
import { lang, plural, reason, setLang, t } from "./i18n.js";
import { Menu } from "./menu.js";
import * as selection from "./selection.js";
import { forget, store } from "./thumbs.js";

/**
 * @typedef {import("./api.js").Session} Session
 * @typedef {import("./api.js").Me} Me
 * @typedef {import("./menu.js").MenuItem} MenuItem
 * @typedef {"small" | "medium" | "large"} Size
 * @typedef {{ title: string, lines: { text: string, outcome: string }[], summary: string }} Results
 * @typedef {import("./i18n.js").Key} Key
 * @typedef {"logoff" | "disconnect" | "block" | "unblock" | "message"} ActionName
 * @typedef {"selected" | "all"} Scope
 * @typedef {{ action: ActionName, scope: Scope }} Pending
 */

/** Each action's two menu entries (selected · all), which are also the titles of its dialog and results. */
const ENTRIES = /** @type {Record<ActionName, [Key, Key]>} */ ({
  logoff: ["menu.logoff_selected", "menu.logoff_all"],
  disconnect: ["menu.disconnect_selected", "menu.disconnect_all"],
  block: ["menu.block_selected", "menu.block_all"],
  unblock: ["menu.unblock_selected", "menu.unblock_all"],
  message: ["message.title", "message.title"],
});
/** The submenu each pair of entries sits in. */
const MENUS = /** @type {Record<"logoff" | "disconnect" | "block" | "unblock", Key>} */ ({
  logoff: "menu.logoff",
  disconnect: "menu.disconnect",
  block: "menu.block",
  unblock: "menu.unblock",
});
/** How a target that was done is reported, and the summary. */
const DONE = /** @type {Record<ActionName, [Key, Key]>} */ ({
  logoff: ["outcome.done", "results.summary"],
  disconnect: ["done.disconnect", "results.summary.disconnect"],
  block: ["done.block", "results.summary.block"],
  unblock: ["done.unblock", "results.summary.unblock"],
  message: ["done.message", "results.summary.message"],
});

const SIZES = /** @type {Size[]} */ (["small", "medium", "large"]);
const SIZE_KEY = "podium.thumbsize";
const DEFAULT_GRACE = 10;

/** @returns {Size} */
function savedSize() {
  const s = localStorage.getItem(SIZE_KEY);
  return s === "small" || s === "large" ? s : "medium";
}

/**
 * The language menu: changes the page's language, then calls `onLang` so
 * the page draws itself again.
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
  const [menu, setMenu] = useState(
    /** @type {null | { kind: "actions" } | { kind: "context", x: number, y: number }} */ (null),
  );
  const [pending, setPending] = useState(/** @type {Pending | null} */ (null));
  const [results, setResults] = useState(/** @type {Results | null} */ (null));
  const [pictures, setPictures] = useState(/** @type {Record<number, string>} */ ({}));
  const [now, setNow] = useState(Date.now());
  const returnFocus = useRef(/** @type {HTMLElement | null} */ (null));
  const actionsButton = useRef(/** @type {HTMLButtonElement | null} */ (null));

  const list = useMemo(() => [...sessions.values()].sort((a, b) => a.id - b.id), [sessions]);
  const order = list.map((s) => s.id);

  /** A picture the events stream pushed. */
  const onPicture = (/** @type {number} */ id, /** @type {string} */ etag, /** @type {Blob} */ jpeg) => {
    const p = store(id, etag, jpeg);
    setPictures((old) => (old[id] === p.url ? old : { ...old, [id]: p.url }));
  };

  // The stream pushes the pictures of the size shown: a new size, a new stream.
  useEffect(() => {
    forget(new Set());
    setPictures({});
    return api.events(
      (e) => {
        if (e.type === "snapshot") {
          setSessions(new Map(e.sessions.map((s) => [s.id, s])));
          setLoaded(true);
        } else if (e.type === "session_added" || e.type === "session_changed") {
          setSessions((old) => new Map(old).set(e.session.id, e.session));
        } else if (e.type === "session_removed") {
          setSessions((old) => {
            const next = new Map(old);
            next.delete(e.id);
            return next;
          });
        }
      },
      setConnected,
      () => onSignedOut(t("err.session_lost")),
      { size, onPicture },
    );
  }, [size]);

  // Forget what is gone: selection, pictures.
  useEffect(() => {
    setSel((s) => selection.prune(s, order));
    forget(new Set(order));
    setPictures((old) => Object.fromEntries(Object.entries(old).filter(([id]) => sessions.has(Number(id)))));
  }, [sessions]);

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
  const others = list.filter((s) => s.user !== me.user);
  /** The sessions an action in `scope` is for. */
  const targetsOf = (/** @type {Scope} */ scope) =>
    scope === "selected" ? list.filter((s) => sel.selected.has(s.id)) : others;

  /** An action chosen in a menu: unblock needs no question, the others open their dialog. */
  const ask = (/** @type {ActionName} */ action, /** @type {Scope} */ scope) => {
    if (action === "unblock") {
      restore();
      run({ action, scope }, { grace: 0, text: "", to: scope });
    } else {
      setPending({ action, scope });
    }
  };

  /**
   * Sends the action and shows each session's outcome.
   * @param {Pending} p
   * @param {import("./dialog.js").Answer} answer
   */
  const run = async (p, answer) => {
    setPending(null);
    restore();
    const scope = p.action === "message" ? answer.to : p.scope;
    const [selectedTitle, allTitle] = ENTRIES[p.action];
    const title = t(scope === "selected" ? selectedTitle : allTitle);
    const targets =
      scope === "selected" ? { sessions: targetsOf("selected").map((s) => s.id) } : { all: /** @type {true} */ (true) };
    try {
      const out =
        p.action === "logoff"
          ? await api.logoff({ ...targets, grace_seconds: answer.grace })
          : await api.act(p.action, {
              ...targets,
              ...(p.action === "block" && answer.text ? { message: answer.text } : {}),
              ...(p.action === "message" ? { text: answer.text } : {}),
            });
      const [doneWord, summary] = DONE[p.action];
      const lines = out.map((r) => {
        const s = sessions.get(r.session);
        const who = s ? describe(s) : r.user ? r.user : `#${r.session}`;
        const what = r.outcome === "done" ? t(doneWord) : t(/** @type {Key} */ (`outcome.${r.outcome}`));
        return {
          text: r.reason && r.outcome !== "done" ? `${who}: ${what} — ${reason(r)}` : `${who}: ${what}`,
          outcome: r.outcome,
        };
      });
      const done = out.filter((r) => r.outcome === "done").length;
      setResults({ title, lines, summary: t(summary, { done, refused: out.length - done }) });
      if (scope === "selected" && (p.action === "logoff" || p.action === "disconnect")) setSel(selection.empty);
    } catch (e) {
      if (e instanceof api.ApiError && e.status === 401) return onSignedOut(t("err.session_lost"));
      setResults({
        title,
        lines: [],
        summary: e instanceof api.ApiError && e.status === 0 ? t("err.network") : t("err.server"),
      });
    }
  };

  const signOut = async () => {
    try {
      await api.logout();
    } finally {
      onSignedOut();
    }
  };

  /** The actions on sessions, as the Actions menu and the context menu show them. @type {MenuItem[]} */
  const sessionActions = [
    .../** @type {const} */ (["logoff", "disconnect", "block", "unblock"]).map((action) => ({
      label: t(MENUS[action]),
      items: [
        { label: t(ENTRIES[action][0]), disabled: sel.selected.size === 0, onSelect: () => ask(action, "selected") },
        { label: t(ENTRIES[action][1]), disabled: others.length === 0, onSelect: () => ask(action, "all") },
      ],
    })),
    {
      label: t("menu.message"),
      disabled: others.length === 0 && sel.selected.size === 0,
      onSelect: () => ask("message", sel.selected.size > 0 ? "selected" : "all"),
    },
  ];
  /** @type {MenuItem[]} */
  const actions = [
    ...sessionActions,
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

  /** The dialog that asks before `p` is done. */
  const dialogFor = (/** @type {Pending} */ p) => {
    const users = targetsOf(p.scope).map(describe);
    const all = p.scope === "all";
    const common = {
      title: t(ENTRIES[p.action][all ? 1 : 0]),
      users,
      onConfirm: (/** @type {import("./dialog.js").Answer} */ a) => run(p, a),
      onCancel: () => {
        setPending(null);
        restore();
      },
    };
    if (p.action === "logoff") {
      const body = all ? `${t("confirm.body_all")} ${t("confirm.body")}` : t("confirm.body");
      return html`<${ActionDialog} ...${common} body=${body} grace=${DEFAULT_GRACE} confirmLabel=${t("confirm.ok")} danger=${true} />`;
    }
    if (p.action === "disconnect") {
      const body = all ? `${t("disconnect.body_all")} ${t("disconnect.body")}` : t("disconnect.body");
      return html`<${ActionDialog} ...${common} body=${body} confirmLabel=${t("disconnect.ok")} />`;
    }
    if (p.action === "block") {
      const body = all ? `${t("block.body_all")} ${t("block.body")}` : t("block.body");
      const text = {
        label: t("block.text"),
        hint: t("block.hint"),
        placeholder: t("block.placeholder"),
        required: false,
        multiline: false,
      };
      return html`<${ActionDialog} ...${common} body=${body} text=${text} confirmLabel=${t("block.ok")} />`;
    }
    const text = { label: t("message.text"), required: true, multiline: true };
    const recipients = { selected: sel.selected.size, choice: p.scope };
    return html`<${ActionDialog}
      ...${common}
      title=${t("message.title")}
      body=${t("message.body")}
      users=${null}
      text=${text}
      recipients=${recipients}
      confirmLabel=${t("message.ok")}
    />`;
  };

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
          <${LanguageSwitch} onLang=${onLang} />
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

        ${
          results
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
            : null
        }

        ${
          list.length === 0 && loaded
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
            />`
        }
      </main>

      ${
        menu?.kind === "context"
          ? html`<${Menu}
            label=${t("menu.context")}
            items=${sessionActions}
            onClose=${closeMenu}
            style=${{ position: "fixed", left: `${Math.min(menu.x, window.innerWidth - 320)}px`, top: `${Math.min(menu.y, window.innerHeight - 200)}px` }}
          />`
          : null
      }

      ${pending ? dialogFor(pending) : null}
    </div>
  `;
}
