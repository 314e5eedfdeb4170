// An accessible drop-down menu with submenus (WAI-ARIA menu pattern):
// arrow keys move, Right/Enter opens a submenu, Left/Escape goes back,
// Enter/Space chooses, Tab or a click elsewhere closes. Used for the
// Actions button and for the cards' context menu.

import { html } from "htm/preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";

/**
 * @typedef {{
 *   label: string,
 *   onSelect?: () => void,
 *   disabled?: boolean,
 *   checked?: boolean,
 *   items?: MenuItem[],
 *   hint?: string,
 * }} MenuItem
 */

/**
 * `onClose(chosen)` is called when the menu closes: `chosen` is true when
 * an item was chosen (its action decides where focus goes next), false
 * when the menu was dismissed (the caller puts focus back).
 * @param {{ label: string, items: MenuItem[], onClose: (chosen: boolean) => void, style?: Record<string, string>, nested?: boolean, onBack?: () => void }} props
 */
export function Menu({ label, items, onClose, style, nested = false, onBack }) {
  const [active, setActive] = useState(() => items.findIndex((i) => !i.disabled));
  const [open, setOpen] = useState(/** @type {number | null} */ (null));
  const list = useRef(/** @type {HTMLUListElement | null} */ (null));

  const focusItem = (/** @type {number} */ i) => {
    const el = list.current?.querySelectorAll(":scope > li > [role^=menuitem]")[i];
    if (el instanceof HTMLElement) el.focus();
  };
  // Focus moves as soon as the menu is in the page, before the next key
  // press is handled: a fast typist's Enter must land on the menu.
  useLayoutEffect(() => {
    if (open === null) focusItem(active);
  }, [active, open]);

  useEffect(() => {
    if (nested) return undefined;
    const outside = (/** @type {MouseEvent} */ e) => {
      if (list.current && !list.current.contains(/** @type {Node} */ (e.target))) onClose(false);
    };
    document.addEventListener("mousedown", outside, true);
    return () => document.removeEventListener("mousedown", outside, true);
  }, [nested]);

  const enabled = items.map((item, i) => (item.disabled ? -1 : i)).filter((i) => i >= 0);
  const step = (/** @type {number} */ d) => {
    if (enabled.length === 0) return;
    const at = enabled.indexOf(active);
    setActive(enabled[(at + d + enabled.length) % enabled.length]);
  };
  const choose = (/** @type {number} */ i) => {
    const item = items[i];
    if (!item || item.disabled) return;
    if (item.items) {
      setActive(i);
      setOpen(i);
      return;
    }
    onClose(true);
    item.onSelect?.();
  };

  const onKey = (/** @type {KeyboardEvent} */ e) => {
    const keys = {
      ArrowDown: () => step(1),
      ArrowUp: () => step(-1),
      Home: () => setActive(enabled[0] ?? 0),
      End: () => setActive(enabled[enabled.length - 1] ?? 0),
      ArrowRight: () => items[active]?.items && choose(active),
      Enter: () => choose(active),
      " ": () => choose(active),
      ArrowLeft: () => nested && onBack?.(),
      Escape: () => (nested ? onBack?.() : onClose(false)),
      Tab: () => onClose(false),
    };
    const act = keys[/** @type {keyof typeof keys} */ (e.key)];
    if (!act) return;
    if (e.key !== "Tab") e.preventDefault();
    e.stopPropagation();
    act();
  };

  return html`
    <ul role="menu" aria-label=${label} class=${nested ? "menu submenu" : "menu"} style=${style} ref=${list} onKeyDown=${onKey}>
      ${items.map(
        (item, i) => html`
          <li role="none" class="menu-row">
            <div
              role=${item.checked === undefined ? "menuitem" : "menuitemradio"}
              aria-checked=${item.checked === undefined ? undefined : String(item.checked)}
              aria-disabled=${item.disabled ? "true" : undefined}
              aria-haspopup=${item.items ? "menu" : undefined}
              aria-expanded=${item.items ? String(open === i) : undefined}
              tabindex="-1"
              title=${item.hint}
              class=${`menu-item${item.disabled ? " disabled" : ""}${open === i ? " open" : ""}`}
              onClick=${(/** @type {MouseEvent} */ e) => {
                e.stopPropagation();
                choose(i);
              }}
              onMouseEnter=${() => {
                if (item.disabled) return;
                setActive(i);
                setOpen(item.items ? i : null);
              }}
            >
              <span class="menu-check" aria-hidden="true">${item.checked ? "✓" : ""}</span>
              <span class="menu-label">${item.label}</span>
              ${item.items ? html`<span class="menu-arrow" aria-hidden="true">▸</span>` : null}
            </div>
            ${
              item.items && open === i
                ? html`<${Menu}
                  label=${item.label}
                  items=${item.items}
                  nested=${true}
                  onClose=${onClose}
                  onBack=${() => {
                    setOpen(null);
                    focusItem(i);
                  }}
                />`
                : null
            }
          </li>
        `,
      )}
    </ul>
  `;
}
