// Talking to the daemon: the JSON API (cookie login, same origin) and the
// events WebSocket, which reconnects by itself when the daemon restarts.

/**
 * @typedef {"standard" | "dashboard" | "admin"} Role
 * @typedef {{ user: string, full_name: string, role: Role, host?: string }} Me `host`: this host's name in
 *   the school, when it is part of one
 * @typedef {Me & { handoff?: { host: string, url: string } }} LoginAnswer who logged in; with `handoff`, the
 *   login goes on at another host of the school (the one that shows the desktop), and the browser goes to `url`
 * @typedef {{ kind: string, address: string, since: string }} Station
 * @typedef {{
 *   id: number, user: string, uid: number, full_name: string, role: Role,
 *   station: Station | null, state: "starting" | "active" | "disconnected" | "closing",
 *   blocked: boolean, block_message: string | null, display: string,
 *   created_at: string, connected_at: string | null, logoff_deadline: string | null, host?: string,
 *   projected_by?: string
 * }} Session `projected_by`: the full name of the teacher whose desktop is projected onto it
 * @typedef {{ session: number, host?: string, user?: string, outcome: "done" | "refused" | "not_found" | "failed", reason?: string, code?: string }} ActionResult
 * @typedef {{ type: "snapshot", sessions: Session[] }
 *   | { type: "session_added", session: Session }
 *   | { type: "session_changed", session: Session }
 *   | { type: "session_removed", id: number, host?: string, end?: EndKind, applications?: AppOutcome[] }
 *   | { type: "thumbnail_updated", id: number, host?: string, etags: Record<string, string> }
 *   | { type: "messages", id: number, messages: UserMessage[] }} Event
 * @typedef {"closed" | "forced" | "failed"} EndKind how a log off ended a session
 * @typedef {"kept" | "closed" | "stopped" | "forced"} AppFate how a log off ended an application: it kept
 *   its work for the next session, closed when asked, quit when stopped, or was killed at the timeout
 * @typedef {{ name: string, titles?: string[], fate: AppFate, unsaved: boolean }} AppOutcome one
 *   application of a session logged off: its name, its windows' titles, how it ended, whether it
 *   held unsaved work
 * @typedef {{ id: number, from: string, from_name: string, text: string, sent_at: string }} UserMessage
 * @typedef {number | string} Ref a session in a request: its id on this host, `HOST/ID` on another
 * @typedef {{ sessions: Ref[] } | { all: true, school?: boolean }} Targets
 * @typedef {{ size: string, onPicture: (host: string | undefined, id: number, etag: string, jpeg: Blob) => void }} Pictures
 * @typedef {{ name: string, members: string[] }} Class a Unix group, with its members who have a session
 *   the caller sees
 * @typedef {{
 *   name: string, state: "reachable" | "unreachable", local: boolean, sessions: number, capacity: number,
 *   load1: number, cpus: number, memory_available_kib: number, memory_total_kib: number,
 *   address: string | null, silent_ms: number | null
 * }} Host one host of the school, as last heard (`silent_ms` is null when it never was)
 * @typedef {{ hosts: Host[], cluster_connected: boolean | null }} HostList every host, this one
 *   first; whether this host reaches the others (null on a single host)
 */

/**
 * How requests name session `id` of `host`: its id on this host (or on
 * a single host), `HOST/ID` on another.
 * @param {string | undefined} host
 * @param {number} id
 * @param {string | undefined} here this host's name in the school
 * @returns {Ref}
 */
export function refOf(host, id, here) {
  return host && host !== here ? `${host}/${id}` : id;
}

/**
 * The key of session `id` of `host` in maps and sets: its reference
 * ({@link refOf}) as a string.
 * @param {string | undefined} host
 * @param {number} id
 * @param {string | undefined} here this host's name in the school
 */
export function keyOf(host, id, here) {
  return String(refOf(host, id, here));
}

/** An error the API answered with. */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   * @param {string | null} [host] the host of the school the error is about, if any
   */
  constructor(status, code, message, host = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.host = host;
  }
}

/**
 * @param {string} path
 * @param {RequestInit} [init]
 * @returns {Promise<Response>}
 */
async function call(path, init = {}) {
  let res;
  try {
    res = await fetch(path, { credentials: "same-origin", ...init });
  } catch {
    throw new ApiError(0, "network", "network");
  }
  if (!res.ok && res.status !== 304) {
    let code = "internal";
    let message = res.statusText;
    /** @type {string | null} */
    let host = null;
    try {
      const body = await res.json();
      code = body.error.code;
      message = body.error.message;
      host = typeof body.error.host === "string" ? body.error.host : null;
    } catch {
      // Not our error format (a proxy's page): keep the status text.
    }
    throw new ApiError(res.status, code, message, host);
  }
  return res;
}

/**
 * @param {string} path
 * @param {unknown} body
 */
async function post(path, body) {
  return call(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

/** @returns {Promise<Me | null>} who is logged in, or null */
export async function me() {
  try {
    return await (await call("/api/v1/me")).json();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

/**
 * Logs in to open a station or the dashboard: on a host of a school's
 * cluster a pupil may be sent to the host that shows their desktop.
 * @param {string} username
 * @param {string} password
 * @returns {Promise<LoginAnswer>}
 */
export async function login(username, password) {
  return (await post("/api/v1/auth/login", { username, password, station: true })).json();
}

export async function logout() {
  await post("/api/v1/auth/logout", {});
}

/**
 * @param {{ sessions?: Ref[], all?: boolean, grace_seconds: number }} request
 * @returns {Promise<ActionResult[]>}
 */
export async function logoff(request) {
  return (await (await post("/api/v1/sessions/logoff", request)).json()).results;
}

/** @returns {Promise<Class[]>} the classes of the users whose sessions the caller sees */
export async function classes() {
  return (await (await call("/api/v1/classes")).json()).classes;
}

/** @returns {Promise<HostList>} the school's hosts (dashboard users and administrators) */
export async function hosts() {
  return (await call("/api/v1/hosts")).json();
}

/**
 * @typedef {{ session: Session | null, locked: boolean, messages: UserMessage[], follow_size?: boolean }} StationStatus
 */

/** @returns {Promise<StationStatus>} the caller's own session */
export async function station() {
  return (await call("/api/v1/station")).json();
}

/**
 * The caller's session, started if needed; `language`, when the user picked
 * one on the login page, is what a new session speaks (and their next ones).
 * @param {"en" | "fr" | null} language
 * @returns {Promise<StationStatus>}
 */
export async function openStation(language) {
  return (await post("/api/v1/station/session", language ? { language } : {})).json();
}

export async function lock() {
  await post("/api/v1/station/lock", {});
}

/** @param {string} password */
export async function unlock(password) {
  await post("/api/v1/station/unlock", { password });
}

/**
 * @typedef {{ name: string, label: string, label_fr?: string }} Program one program the administrator
 *   listed for Open…
 * @typedef {{ url: string } | { program: string }} OpenWhat what Open… opens: a website or a listed program
 */

/** @returns {Promise<Program[]>} the programs Open… may start (dashboard users and administrators) */
export async function programs() {
  return (await (await call("/api/v1/programs")).json()).programs;
}

/**
 * Opens a website or a listed program on some sessions (this host's), each reported.
 * @param {({ sessions: Ref[] } | { all: true }) & OpenWhat} request
 * @returns {Promise<ActionResult[]>}
 */
export async function open(request) {
  return (await (await post("/api/v1/sessions/open", request)).json()).results;
}

/**
 * An action other than log off on some sessions, each reported.
 * @param {"disconnect" | "block" | "unblock" | "message"} action
 * @param {Targets & { message?: string, text?: string }} request
 * @returns {Promise<ActionResult[]>}
 */
export async function act(action, request) {
  return (await (await post(`/api/v1/sessions/${action}`, request)).json()).results;
}

/**
 * @param {Ref[]} sessions
 * @returns {Promise<ActionResult[]>}
 */
export async function disconnect(sessions) {
  return act("disconnect", { sessions });
}

/**
 * Projects the caller's own desktop onto sessions of this host (Project my desktop).
 * @param {{ sessions: Ref[] } | { all: true }} request
 * @returns {Promise<ActionResult[]>}
 */
export async function project(request) {
  return (await (await post("/api/v1/sessions/project", request)).json()).results;
}

/**
 * Stops projecting the caller's desktop.
 * @returns {Promise<ActionResult[]>} each session that showed it
 */
export async function stopProjecting() {
  return (await (await post("/api/v1/sessions/project/stop", {})).json()).results;
}

/** The URL of the WebSocket of the pictures projected onto the caller's own session. */
export function projectionUrl() {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/station/projection`;
}

/** @param {number} id a message of the caller's own session, read */
export async function dismissMessage(id) {
  await post(`/api/v1/station/messages/${id}/dismiss`, {});
}

/**
 * A picture the events stream pushed: the session id (4 bytes, big-endian),
 * the ETag's length (1 byte), the ETag, the host name's length (1 byte, 0
 * on a single host), the host name, the JPEG.
 * @param {ArrayBuffer} data
 * @returns {{ id: number, host: string | undefined, etag: string, jpeg: Blob } | null}
 */
export function pictureFrame(data) {
  if (data.byteLength < 6) return null;
  const view = new DataView(data);
  const etagLen = view.getUint8(4);
  if (data.byteLength < 6 + etagLen) return null;
  const hostLen = view.getUint8(5 + etagLen);
  const start = 6 + etagLen + hostLen;
  if (data.byteLength < start) return null;
  const text = new TextDecoder();
  const host = text.decode(new Uint8Array(data, 6 + etagLen, hostLen));
  return {
    id: view.getUint32(0),
    host: host || undefined,
    etag: text.decode(new Uint8Array(data, 5, etagLen)),
    jpeg: new Blob([data.slice(start)], { type: "image/jpeg" }),
  };
}

/**
 * Keeps an events WebSocket open: reconnects with a growing delay (up to
 * 10 s) when it closes, and tells `onStatus` whether it is connected. The
 * first message after each (re)connection is a snapshot. With `pictures`,
 * the daemon also sends the pictures of that size on the stream (the
 * current ones after the snapshot, then each new one), which go to
 * `pictures.onPicture`.
 * @param {(e: Event) => void} onEvent
 * @param {(connected: boolean) => void} onStatus
 * @param {() => void} onUnauthorized called when the login has ended
 * @param {Pictures | null} [pictures]
 * @param {boolean} [school] every host's sessions the caller may see, not only this host's
 * @returns {() => void} closes it for good
 */
export function events(onEvent, onStatus, onUnauthorized, pictures = null, school = false) {
  let stopped = false;
  let delay = 500;
  /** @type {WebSocket | null} */
  let ws = null;
  /** @type {number | undefined} */
  let timer;
  const params = new URLSearchParams();
  if (school) params.set("school", "true");
  if (pictures) params.set("thumbnails", pictures.size);
  const query = params.toString() ? `?${params}` : "";
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/events${query}`;
  const open = () => {
    ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    ws.onopen = () => {
      delay = 500;
      onStatus(true);
    };
    ws.onmessage = (m) => {
      if (m.data instanceof ArrayBuffer) {
        const p = pictureFrame(m.data);
        if (p && pictures) pictures.onPicture(p.host, p.id, p.etag, p.jpeg);
        return;
      }
      try {
        onEvent(JSON.parse(String(m.data)));
      } catch {
        // A message we do not understand: ignore it.
      }
    };
    ws.onclose = async () => {
      if (stopped) return;
      onStatus(false);
      // A refused upgrade looks like a close: find out whether we are still logged in.
      try {
        if ((await me()) === null) {
          onUnauthorized();
          return;
        }
      } catch {
        // The server is away: keep trying.
      }
      timer = window.setTimeout(open, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  open();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    ws?.close();
  };
}
