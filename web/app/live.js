// The sessions the dashboard shows, kept live: the events stream's
// snapshot, then each session added, changed or removed, with the latest
// picture of each at the size shown.

import { useEffect, useState } from "preact/hooks";
import * as api from "./api.js";
import { forget, store } from "./thumbs.js";

/**
 * @typedef {import("./api.js").Session} Session
 * @typedef {import("./thumbs.js").Size} Size
 */

/**
 * @param {Size} size the pictures' size: a new size opens a new stream
 * @param {() => void} onUnauthorized called when the login has ended
 * @returns {{
 *   sessions: Map<number, Session>, loaded: boolean, connected: boolean, pictures: Record<number, string>,
 * }} every session by id; whether the first snapshot came; whether the
 *   stream is up; each session's picture as an object URL
 */
export function useLiveSessions(size, onUnauthorized) {
  const [sessions, setSessions] = useState(/** @type {Map<number, Session>} */ (new Map()));
  const [loaded, setLoaded] = useState(false);
  const [connected, setConnected] = useState(true);
  const [pictures, setPictures] = useState(/** @type {Record<number, string>} */ ({}));

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
      onUnauthorized,
      { size, onPicture },
    );
  }, [size]);

  // Forget the pictures of sessions that are gone.
  useEffect(() => {
    forget(new Set(sessions.keys()));
    setPictures((old) => Object.fromEntries(Object.entries(old).filter(([id]) => sessions.has(Number(id)))));
  }, [sessions]);

  return { sessions, loaded, connected, pictures };
}
