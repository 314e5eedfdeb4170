// Thumbnail pictures for the cards: fetched with the ETag we have, so an
// unchanged desktop costs a 304, and kept as object URLs.

import { thumbnail } from "./api.js";

/** @typedef {{ url: string, etag: string }} Picture */

/** @type {Map<string, Picture>} */
const pictures = new Map();
/** @type {Map<string, Promise<Picture | null>>} */
const inFlight = new Map();

/**
 * The latest picture of session `id` at `size`, fetching it when `etag`
 * (from an event) differs from what we hold, or when we hold none.
 * @param {number} id
 * @param {string} size
 * @param {string | null} [etag] the newest ETag known, if any
 * @returns {Promise<Picture | null>}
 */
export function picture(id, size, etag = null) {
  const key = `${id}/${size}`;
  const have = pictures.get(key);
  if (have && (etag === null || have.etag === etag)) return Promise.resolve(have);
  const pending = inFlight.get(key);
  if (pending) return pending;
  const fetched = thumbnail(id, size, have?.etag ?? null)
    .then((r) => {
      if (r === null) return have ?? null;
      if (have) URL.revokeObjectURL(have.url);
      const p = { url: URL.createObjectURL(r.blob), etag: r.etag };
      pictures.set(key, p);
      return p;
    })
    .catch(() => have ?? null)
    .finally(() => inFlight.delete(key));
  inFlight.set(key, fetched);
  return fetched;
}

/**
 * Forgets the pictures of sessions that are gone.
 * @param {Set<number>} live
 */
export function forget(live) {
  for (const [key, p] of pictures) {
    if (!live.has(Number(key.split("/")[0]))) {
      URL.revokeObjectURL(p.url);
      pictures.delete(key);
    }
  }
}
