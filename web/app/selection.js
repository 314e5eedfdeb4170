// Which session cards are selected, as SPEC §5 says: click selects one,
// Ctrl/Cmd-click toggles, Shift-click selects a range, Select all and
// Ctrl+A take every card, Escape clears. Pure functions over session keys in
// the order the cards are shown, so the rules are easy to follow and test.

/**
 * @typedef {{ selected: ReadonlySet<string>, anchor: string | null }} Selection
 */

/** @type {Selection} */
export const empty = { selected: new Set(), anchor: null };

/**
 * The ids from `a` to `b` (inclusive) in shown order.
 * @param {readonly string[]} order
 * @param {string} a
 * @param {string} b
 */
function range(order, a, b) {
  const i = order.indexOf(a);
  const j = order.indexOf(b);
  if (i < 0 || j < 0) return [b];
  return order.slice(Math.min(i, j), Math.max(i, j) + 1);
}

/**
 * A click (or Space) on card `id`.
 * @param {Selection} sel
 * @param {readonly string[]} order
 * @param {string} id
 * @param {{ toggle?: boolean, extend?: boolean }} mods Ctrl/Cmd, Shift
 * @returns {Selection}
 */
export function click(sel, order, id, mods) {
  if (mods.extend && sel.anchor !== null && order.includes(sel.anchor)) {
    const span = range(order, sel.anchor, id);
    const base = mods.toggle ? [...sel.selected] : [];
    return { selected: new Set([...base, ...span]), anchor: sel.anchor };
  }
  if (mods.toggle) {
    const next = new Set(sel.selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return { selected: next, anchor: id };
  }
  return { selected: new Set([id]), anchor: id };
}

/**
 * Space on a focused card: toggles it, like a checkbox.
 * @param {Selection} sel
 * @param {string} id
 * @returns {Selection}
 */
export function toggle(sel, id) {
  return click(sel, [], id, { toggle: true });
}

/**
 * @param {readonly string[]} order
 * @returns {Selection}
 */
export function all(order) {
  return { selected: new Set(order), anchor: order[0] ?? null };
}

/**
 * Forgets cards that are gone.
 * @param {Selection} sel
 * @param {readonly string[]} order
 * @returns {Selection}
 */
export function prune(sel, order) {
  const kept = [...sel.selected].filter((id) => order.includes(id));
  if (kept.length === sel.selected.size) return sel;
  return { selected: new Set(kept), anchor: sel.anchor !== null && order.includes(sel.anchor) ? sel.anchor : null };
}

/**
 * The card an arrow key moves to, in a grid `columns` wide.
 * @param {readonly string[]} order
 * @param {string | null} from
 * @param {"ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" | "Home" | "End"} key
 * @param {number} columns
 * @returns {string | null}
 */
export function move(order, from, key, columns) {
  if (order.length === 0) return null;
  const i = from === null ? -1 : order.indexOf(from);
  if (i < 0) return order[0];
  const steps = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -columns, ArrowDown: columns, Home: -i, End: order.length };
  const step = steps[key];
  return order[Math.max(0, Math.min(order.length - 1, i + step))];
}
