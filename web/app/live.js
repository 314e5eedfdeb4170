// The sessions the dashboard shows, kept live: the events stream's
// snapshot, then each session added, changed or removed, with the latest
// picture of each at the size shown, and how each session that went
// ended (a log off's results arrive that way, after its request).

import { useEffect, useState } from "preact/hooks";
import * as api from "./api.js";
import { forget, store } from "./thumbs.js";

/**
 * @typedef {import("./api.js").Session} Session
 * @typedef {import("./thumbs.js").Size} Size
 * @typedef {{ end?: import("./api.js").EndKind, applications: import("./api.js").AppOutcome[] }} Ended how a
 *   session ended: by a log off (`end`, and what it did to each application), or otherwise
 */

/** How many ended sessions are remembered. */
const REMEMBERED = 500;

/**
 * @param {Size} size the pictures' size: a new size opens a new stream
 * @param {() => void} onUnauthorized called when the login has ended
 * @returns {{
 *   sessions: Map<number, Session>, loaded: boolean, connected: boolean, pictures: Record<number, string>,
 *   ends: Map<number, Ended>,
 * }} every session by id; whether the first snapshot came; whether the
 *   stream is up; each session's picture as an object URL; how the
 *   sessions that went while the page was open ended, by id
 */
export function useLiveSessions(size, onUnauthorized) {
  const [sessions, setSessions] = useState(/** @type {Map<number, Session>} */ (new Map()));
  const [loaded, setLoaded] = useState(false);
  const [connected, setConnected] = useState(true);
  const [pictures, setPictures] = useState(/** @type {Record<number, string>} */ ({}));
  const [ends, setEnds] = useState(/** @type {Map<number, Ended>} */ (new Map()));

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
          if (e.type === "session_added") setEnds((old) => without(old, e.session.id));
        } else if (e.type === "session_removed") {
          setSessions((old) => without(old, e.id));
          setEnds((old) => remember(old, e.id, { end: e.end, applications: e.applications ?? [] }));
        }
      },
      setConnected,
      onUnauthorized,
      { size, onPicture },
    );
  }, [size]);

  // Forget the pictures of sessions that are gone.
  useEffect(() => {
    forget(new Set(sessions.keys()));
    setPictures((old) => Object.fromEntries(Object.entries(old).filter(([id]) => sessions.has(Number(id)))));
  }, [sessions]);

  return { sessions, loaded, connected, pictures, ends };
}

/**
 * @template T
 * @param {Map<number, T>} map
 * @param {number} id
 * @returns {Map<number, T>} `map` without `id`
 */
function without(map, id) {
  if (!map.has(id)) return map;
  const next = new Map(map);
  next.delete(id);
  return next;
}

/**
 * @param {Map<number, Ended>} ends
 * @param {number} id
 * @param {Ended} ended
 * @returns {Map<number, Ended>} `ends` with `id`'s, the oldest forgotten beyond {@link REMEMBERED}
 */
function remember(ends, id, ended) {
  const next = new Map(ends);
  next.delete(id);
  next.set(id, ended);
  for (const old of next.keys()) {
    if (next.size <= REMEMBERED) break;
    next.delete(old);
  }
  return next;
}
