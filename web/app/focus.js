// Where focus goes when a menu or dialog closes: back to the control that
// opened it, or to the Actions button when that control is gone.

import { useRef } from "preact/hooks";

/**
 * `remember()` before opening, `restore()` after closing; `fallback` is
 * the ref of the control that takes focus when the remembered one left
 * the page.
 */
export function useFocusReturn() {
  const returnFocus = useRef(/** @type {HTMLElement | null} */ (null));
  const fallback = useRef(/** @type {HTMLButtonElement | null} */ (null));
  const remember = () => {
    returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  };
  const restore = () => {
    const el = returnFocus.current;
    window.setTimeout(() => (el && el.isConnected ? el : fallback.current)?.focus(), 0);
  };
  return { fallback, remember, restore };
}
