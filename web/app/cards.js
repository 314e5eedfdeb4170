// The grid of session cards: a multi-select listbox (WAI-ARIA), one option
// per session, with roving focus (arrow keys), Space to toggle, Ctrl+A,
// Escape, Shift for ranges, and the context menu on right-click,
// Shift+F10 or the Menu key; a log off's countdown ticks on its card. In
// a school, each card names its host, and the cards of a host that cannot
// be reached are greyed, as last heard from.

import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "./i18n.js";
import * as selection from "./selection.js";

/**
 * @typedef {import("./api.js").Session} Session
 * @typedef {import("./selection.js").Selection} Selection
 */

/** @param {string} name */
function initials(name) {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? "")
    .join("");
}

/**
 * The badge of a session: its state, or Blocked or Projected on top of
 * it, or the countdown of a log off.
 * @param {Session} s
 * @param {number} now ms since the epoch
 */
function badge(s, now) {
  if (s.state === "closing") {
    const left = s.logoff_deadline ? Math.ceil((Date.parse(s.logoff_deadline) - now) / 1000) : 0;
    return { kind: "closing", text: left > 0 ? t("closing_in", { s: left }) : t("closing_now") };
  }
  if (s.blocked) return { kind: "blocked", text: t("state.blocked") };
  if (s.projected_by) return { kind: "projected", text: t("project.badge") };
  return { kind: s.state, text: t(/** @type {import("./i18n.js").Key} */ (`state.${s.state}`)) };
}

/**
 * @param {{
 *   session: Session, id: string, selected: boolean, focused: boolean, mine: boolean,
 *   picture: string | null, now: number, away: boolean,
 *   onPress: (e: MouseEvent) => void, onMenu: (e: MouseEvent) => void, onFocus: () => void,
 *   onView: () => void,
 * }} props `id` is the session's key; `away`, that its host cannot be reached now
 */
function Card({ session: s, id, selected, focused, mine, picture, now, away, onPress, onMenu, onFocus, onView }) {
  const b = away ? { kind: "away", text: t("state.unreachable") } : badge(s, now);
  const name = s.host
    ? t("card.name_on", { name: s.full_name, user: s.user, id: s.id, host: s.host })
    : t("card.name", { name: s.full_name, user: s.user, id: s.id });
  const kind = s.station?.kind === "browser" ? t("station.kind.browser") : s.station?.kind;
  const station = s.station ? `${kind} · ${s.station.address}` : t("card.no_station");
  return html`
    <li
      role="option"
      id=${`session-${id}`}
      aria-selected=${String(selected)}
      aria-label=${away ? `${name} — ${t("state.unreachable")}` : name}
      tabindex=${focused ? "0" : "-1"}
      class=${`card state-${b.kind}${selected ? " selected" : ""}${away ? " away" : ""}`}
      data-id=${id}
      data-host=${s.host ?? null}
      onMouseDown=${(/** @type {MouseEvent} */ e) => e.shiftKey && e.preventDefault()}
      onClick=${onPress}
      onContextMenu=${onMenu}
      onDblClick=${onView}
      onFocus=${onFocus}
    >
      <div class="thumb">
        ${
          picture
            ? html`<img src=${picture} alt=${t("card.alt", { name: s.full_name })} draggable="false" />`
            : html`<div class="thumb-placeholder" aria-hidden="true"><span>${initials(s.full_name)}</span></div>`
        }
        <span class=${`badge badge-${b.kind}`}>${b.text}</span>
        <span class="check" aria-hidden="true">✓</span>
      </div>
      <div class="card-text">
        <div class="card-name">${s.full_name}${mine ? html` <span class="you">(${t("card.you")})</span>` : null}</div>
        <div class="card-meta"><span>${s.user}</span><span>${station}</span></div>
        <div class="card-meta">
          <span>${s.host ? t("card.session_on", { id: s.id, host: s.host }) : t("card.session", { id: s.id })}</span>
          <span>${s.display}</span>
        </div>
      </div>
    </li>
  `;
}

/** What the Home tab shows instead of the grid when there is no session. */
export function NoSessions() {
  return html`<div class="empty">
    <h2>${t("empty.title")}</h2>
    <p>${t("empty.body")}</p>
  </div>`;
}

/**
 * @param {{
 *   sessions: Session[], keys: string[], sel: Selection, setSel: (s: Selection) => void,
 *   focus: string | null, setFocus: (id: string | null) => void,
 *   me: string, pictures: Record<string, string>, away: ReadonlySet<string>,
 *   onContextMenu: (x: number, y: number) => void,
 *   onView: (index: number) => void,
 * }} props `keys` are the sessions' keys, in the same order; `away`, the hosts that cannot be reached
 */
export function Grid({ sessions, keys, sel, setSel, focus, setFocus, me, pictures, away, onContextMenu, onView }) {
  const list = useRef(/** @type {HTMLUListElement | null} */ (null));
  const [now, setNow] = useState(Date.now());
  const order = keys;
  const current = focus !== null && order.includes(focus) ? focus : (order[0] ?? null);

  // Countdowns tick while something is closing.
  const closing = sessions.some((s) => s.state === "closing");
  useEffect(() => {
    if (!closing) return undefined;
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, [closing]);

  // Keep DOM focus on the focused card while the grid has focus.
  useEffect(() => {
    const inside = list.current?.contains(document.activeElement);
    if (inside && current !== null) document.getElementById(`session-${current}`)?.focus();
  }, [current]);

  const columns = () => {
    const cards = list.current ? [...list.current.children] : [];
    const top = cards[0] instanceof HTMLElement ? cards[0].offsetTop : 0;
    return Math.max(1, cards.filter((c) => c instanceof HTMLElement && c.offsetTop === top).length);
  };

  const openMenuAt = (/** @type {string} */ id) => {
    const el = document.getElementById(`session-${id}`);
    const r = el?.getBoundingClientRect();
    if (!sel.selected.has(id)) setSel(selection.click(sel, order, id, {}));
    onContextMenu(r ? r.left + 24 : 24, r ? r.top + 24 : 24);
  };

  const onKey = (/** @type {KeyboardEvent} */ e) => {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && e.key.toLowerCase() === "a") {
      e.preventDefault();
      setSel(selection.all(order));
      return;
    }
    if (e.key === "Escape") {
      e.preventDefault();
      setSel(selection.empty);
      return;
    }
    if (current === null) return;
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      setSel(
        e.key === " " && !e.shiftKey
          ? selection.toggle(sel, current)
          : selection.click(sel, order, current, { extend: e.shiftKey, toggle: mod }),
      );
      return;
    }
    if (e.key === "ContextMenu" || (e.shiftKey && e.key === "F10")) {
      e.preventDefault();
      openMenuAt(current);
      return;
    }
    const keys = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End"];
    if (keys.includes(e.key)) {
      e.preventDefault();
      const next = selection.move(order, current, /** @type {any} */ (e.key), columns());
      if (next === null) return;
      setFocus(next);
      if (e.shiftKey) setSel(selection.click(sel, order, next, { extend: true, toggle: mod }));
    }
  };

  return html`
    <ul
      role="listbox"
      aria-multiselectable="true"
      aria-label=${t("sessions")}
      class="grid"
      ref=${list}
      onKeyDown=${onKey}
    >
      ${sessions.map((s, i) => {
        const id = keys[i];
        return html`<${Card}
          key=${id}
          id=${id}
          session=${s}
          selected=${sel.selected.has(id)}
          focused=${id === current}
          mine=${s.user === me}
          picture=${pictures[id] ?? null}
          now=${now}
          away=${s.host !== undefined && away.has(s.host)}
          onFocus=${() => setFocus(id)}
          onView=${() => onView(i)}
          onPress=${(/** @type {MouseEvent} */ e) => {
            setFocus(id);
            setSel(selection.click(sel, order, id, { toggle: e.ctrlKey || e.metaKey, extend: e.shiftKey }));
          }}
          onMenu=${(/** @type {MouseEvent} */ e) => {
            e.preventDefault();
            setFocus(id);
            const next = sel.selected.has(id) ? sel : selection.click(sel, order, id, {});
            setSel(next);
            onContextMenu(e.clientX, e.clientY);
          }}
        />`;
      })}
    </ul>
  `;
}
