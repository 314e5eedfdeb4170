// The sessions the dashboard shows, kept live: the events stream's
// snapshot, then each session added, changed or removed, with the latest
// picture of each at the size shown, and how each session that went
// ended (a log off's results arrive that way, after its request). In a
// school, every host's sessions the caller may see: this host's keyed by
// id, another host's by `HOST/ID` (see `api.refOf`).

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
 * @param {string | undefined} here this host's name in the school
 * @param {() => void} onUnauthorized called when the login has ended
 * @returns {{
 *   sessions: Map<string, Session>, loaded: boolean, connected: boolean, pictures: Record<string, string>,
 *   ends: Map<string, Ended>,
 * }} every session by key; whether the first snapshot came; whether the
 *   stream is up; each session's picture as an object URL; how the
 *   sessions that went while the page was open ended, by key
 */
export function useLiveSessions(size, here, onUnauthorized) {
  const [sessions, setSessions] = useState(/** @type {Map<string, Session>} */ (new Map()));
  const [loaded, setLoaded] = useState(false);
  const [connected, setConnected] = useState(true);
  const [pictures, setPictures] = useState(/** @type {Record<string, string>} */ ({}));
  const [ends, setEnds] = useState(/** @type {Map<string, Ended>} */ (new Map()));

  /** @param {string | undefined} host @param {number} id */
  const key = (host, id) => api.keyOf(host, id, here);

  /** A picture the events stream pushed. */
  const onPicture = (
    /** @type {string | undefined} */ host,
    /** @type {number} */ id,
    /** @type {string} */ etag,
    /** @type {Blob} */ jpeg,
  ) => {
    const k = key(host, id);
    const p = store(k, etag, jpeg);
    setPictures((old) => (old[k] === p.url ? old : { ...old, [k]: p.url }));
  };

  // The stream pushes the pictures of the size shown: a new size, a new stream.
  useEffect(() => {
    forget(new Set());
    setPictures({});
    return api.events(
      (e) => {
        if (e.type === "snapshot") {
          setSessions(new Map(e.sessions.map((s) => [key(s.host, s.id), s])));
          setLoaded(true);
        } else if (e.type === "session_added" || e.type === "session_changed") {
          const k = key(e.session.host, e.session.id);
          setSessions((old) => new Map(old).set(k, e.session));
          if (e.type === "session_added") setEnds((old) => without(old, k));
        } else if (e.type === "session_removed") {
          const k = key(e.host, e.id);
          setSessions((old) => without(old, k));
          setEnds((old) => remember(old, k, { end: e.end, applications: e.applications ?? [] }));
        }
      },
      setConnected,
      onUnauthorized,
      { size, onPicture },
      true,
    );
  }, [size, here]);

  // Forget the pictures of sessions that are gone.
  useEffect(() => {
    forget(new Set(sessions.keys()));
    setPictures((old) => Object.fromEntries(Object.entries(old).filter(([k]) => sessions.has(k))));
  }, [sessions]);

  return { sessions, loaded, connected, pictures, ends };
}

/**
 * @template T
 * @param {Map<string, T>} map
 * @param {string} key
 * @returns {Map<string, T>} `map` without `key`
 */
function without(map, key) {
  if (!map.has(key)) return map;
  const next = new Map(map);
  next.delete(key);
  return next;
}

/**
 * Remembers how a session ended. Another host's session may be told gone
 * and how it ended in either order: an end said is never unsaid.
 * @param {Map<string, Ended>} ends
 * @param {string} key
 * @param {Ended} ended
 * @returns {Map<string, Ended>} `ends` with `key`'s, the oldest forgotten beyond {@link REMEMBERED}
 */
function remember(ends, key, ended) {
  const known = ends.get(key);
  if (known?.end !== undefined && ended.end === undefined) return ends;
  const next = new Map(ends);
  next.delete(key);
  next.set(key, ended);
  for (const old of next.keys()) {
    if (next.size <= REMEMBERED) break;
    next.delete(old);
  }
  return next;
}
