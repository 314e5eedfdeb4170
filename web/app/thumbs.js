// Thumbnail pictures for the cards, as the events stream pushes them, kept
// as object URLs (one per session: the dashboard shows one size at a time),
// and the size the user chose, kept for their next visit.

/**
 * @typedef {{ url: string, etag: string }} Picture
 * @typedef {"small" | "medium" | "large"} Size
 */

/** The sizes the Thumbnail size menu offers. */
export const SIZES = /** @type {Size[]} */ (["small", "medium", "large"]);
const SIZE_KEY = "podium.thumbsize";

/** @returns {Size} the size chosen last, or medium */
export function savedSize() {
  const s = localStorage.getItem(SIZE_KEY);
  return s === "small" || s === "large" ? s : "medium";
}

/** @param {Size} size */
export function saveSize(size) {
  localStorage.setItem(SIZE_KEY, size);
}

/** @type {Map<string, Picture>} */
const pictures = new Map();

/**
 * Keeps session `id`'s new picture, letting go of the one it replaces.
 * @param {string} id the session's key
 * @param {string} etag
 * @param {Blob} jpeg
 * @returns {Picture}
 */
export function store(id, etag, jpeg) {
  const have = pictures.get(id);
  if (have && have.etag === etag) return have;
  if (have) URL.revokeObjectURL(have.url);
  const p = { url: URL.createObjectURL(jpeg), etag };
  pictures.set(id, p);
  return p;
}

/**
 * Forgets the pictures of sessions that are gone (all of them when `live`
 * is empty: a new size is coming).
 * @param {Set<string>} live
 */
export function forget(live) {
  for (const [id, p] of pictures) {
    if (!live.has(id)) {
      URL.revokeObjectURL(p.url);
      pictures.delete(id);
    }
  }
}
