// The school's hosts, asked of GET /api/v1/hosts every 2 s while someone
// looks: the Systems tab's table, and the Home tab's host filter and
// greyed cards of a host that cannot be reached.

import { useEffect, useState } from "preact/hooks";
import * as api from "./api.js";

/** @typedef {import("./api.js").HostList} HostList */

/** How often the hosts are asked again while someone looks, in ms. */
const EVERY = 2_000;

/**
 * The hosts, asked now and every {@link EVERY} ms while `shown` and the
 * page is visible; nothing is asked otherwise. A failed request keeps the
 * last answer and says why.
 * @param {boolean} shown
 * @param {() => void} onUnauthorized called when the login has ended
 * @returns {{ list: HostList | null, failure: "network" | "server" | null }}
 */
export function useHosts(shown, onUnauthorized) {
  const [list, setList] = useState(/** @type {HostList | null} */ (null));
  const [failure, setFailure] = useState(/** @type {"network" | "server" | null} */ (null));
  useEffect(() => {
    if (!shown) return undefined;
    let stopped = false;
    let busy = false;
    /** @type {number | undefined} */
    let timer;
    const ask = async () => {
      timer = undefined;
      if (stopped || busy || document.hidden) return;
      busy = true;
      try {
        const answer = await api.hosts();
        if (stopped) return;
        setList(answer);
        setFailure(null);
      } catch (e) {
        if (stopped) return;
        if (e instanceof api.ApiError && e.status === 401) {
          onUnauthorized();
          return;
        }
        setFailure(e instanceof api.ApiError && e.status === 0 ? "network" : "server");
      } finally {
        busy = false;
      }
      if (!stopped && !document.hidden) timer = window.setTimeout(ask, EVERY);
    };
    // A hidden page lets its timer lapse; shown again, it asks at once.
    const wake = () => {
      if (!document.hidden && timer === undefined) ask();
    };
    document.addEventListener("visibilitychange", wake);
    ask();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener("visibilitychange", wake);
    };
  }, [shown]);
  return { list, failure };
}
