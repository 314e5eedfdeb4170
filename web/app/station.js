// The station: the user's own desktop in the browser (SPEC §6). It opens
// (or reconnects to) the user's session, shows it with noVNC through the
// daemon's relay, and offers Log off, Disconnect and Lock. A log-off
// warning shows over the desktop as well as on it. The desktop takes the
// size of the page's screen area (unless the administrator fixed it), and
// text copies both ways (clipboard.js). While a teacher projects their
// desktop onto this session, their screen covers the page.

import RFB from "@novnc/novnc";
import { html } from "htm/preact";
import { useEffect, useRef, useState } from "preact/hooks";
import * as api from "./api.js";
import { ClipboardPanel, DesktopClipboard, followBrowserClipboard } from "./clipboard.js";
import { boundRemoteSize } from "./desktopsize.js";
import { LanguageSwitch } from "./language.js";
import { lang, pickedLang, t } from "./i18n.js";

/**
 * @typedef {import("./api.js").Me} Me
 * @typedef {import("./api.js").Session} Session
 * @typedef {import("./api.js").UserMessage} UserMessage
 * @typedef {"starting" | "connecting" | "connected" | "disconnected" | "taken_over" | "locked" | "ending" | "failed"} Phase
 */

/** How long a reconnection may take before the page says so. */
const CONNECT_TIMEOUT = 15_000;

/**
 * @param {{ me: Me, onSignedOut: (why?: string) => void, onLang: () => void, onDashboard: (() => void) | null }} props
 */
export function Station({ me, onSignedOut, onLang, onDashboard }) {
  const [phase, setPhase] = useState(/** @type {Phase} */ ("starting"));
  const [session, setSession] = useState(/** @type {Session | null} */ (null));
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [now, setNow] = useState(Date.now());
  const [confirm, setConfirm] = useState(false);
  const [messages, setMessages] = useState(/** @type {UserMessage[]} */ ([]));
  const screen = useRef(/** @type {HTMLDivElement | null} */ (null));
  const rfb = useRef(/** @type {RFB | null} */ (null));
  const leaving = useRef(false);
  const sessionId = useRef(/** @type {number | null} */ (null));
  const followSize = useRef(true);
  const [clipText, setClipText] = useState("");
  const [clipOpen, setClipOpen] = useState(false);
  const [clipboard] = useState(() => new DesktopClipboard(setClipText));
  const projected = session?.projected_by ?? null;
  const projectedNow = useRef(/** @type {string | null} */ (null));
  projectedNow.current = projected;

  /** Opens the VNC stream of our session. */
  const connect = () => {
    if (!screen.current) return;
    rfb.current?.disconnect();
    setPhase("connecting");
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/v1/station/vnc`;
    const r = new RFB(screen.current, url, { wsProtocols: ["binary"] });
    // Scaled to fit, whether the desktop follows the area (then the scale
    // is 1) or keeps a fixed size, or is waiting for its new size.
    r.scaleViewport = true;
    r.resizeSession = followSize.current;
    boundRemoteSize(r);
    r.background = "#0f172a";
    r.focusOnClick = true;
    r.viewOnly = projectedNow.current !== null;
    const timer = window.setTimeout(() => {
      if (rfb.current === r) setPhase("failed");
    }, CONNECT_TIMEOUT);
    r.addEventListener("connect", () => {
      window.clearTimeout(timer);
      setPhase("connected");
      clipboard.rfb = r;
      r.focus();
      void clipboard.fromBrowser(false);
    });
    r.addEventListener("clipboard", (e) => {
      if (rfb.current === r) clipboard.fromDesktop(/** @type {CustomEvent<{ text: string }>} */ (e).detail.text);
    });
    r.addEventListener("disconnect", () => {
      window.clearTimeout(timer);
      if (clipboard.rfb === r) clipboard.rfb = null;
      if (rfb.current !== r || leaving.current) return;
      rfb.current = null;
      explain();
    });
    rfb.current = r;
  };

  /**
   * The session is over: a dashboard user goes back to the dashboard; anyone
   * else is signed out too, as logging off a desktop does.
   */
  const ended = () => {
    if (onDashboard) return onDashboard();
    api
      .logout()
      .catch(() => undefined)
      .finally(() => onSignedOut(t("station.ended")));
  };

  /** After the stream ended: find out why (locked, taken over, ended, disconnected). */
  const explain = async () => {
    try {
      const st = await api.station();
      if (!st.session) return ended();
      setSession(st.session);
      if (st.locked) setPhase("locked");
      else if (st.session.state === "closing") setPhase("ending");
      else if (st.session.station) setPhase("taken_over");
      else setPhase("disconnected");
    } catch (e) {
      if (e instanceof api.ApiError && e.status === 401) return onSignedOut(t("err.session_lost"));
      setPhase("disconnected");
    }
  };

  // Open (or reconnect to) the session, then show it.
  useEffect(() => {
    let gone = false;
    api
      .openStation(pickedLang())
      .then((st) => {
        if (gone) return;
        if (!st.session) throw new api.ApiError(503, "unavailable", "no session");
        setSession(st.session);
        setMessages(st.messages ?? []);
        sessionId.current = st.session.id;
        followSize.current = st.follow_size ?? true;
        if (st.locked) setPhase("locked");
        else connect();
      })
      .catch((e) => {
        if (gone) return;
        if (e instanceof api.ApiError && e.status === 401) return onSignedOut(t("err.session_lost"));
        setError(whyNotStarted(e));
        setPhase("failed");
      });
    return () => {
      gone = true;
      leaving.current = true;
      rfb.current?.disconnect();
    };
  }, []);

  // Follow the session: a log-off countdown, its end.
  useEffect(
    () =>
      api.events(
        (e) => {
          const id = sessionId.current;
          if (e.type === "snapshot") {
            const mine = e.sessions.find((s) => s.id === id);
            if (mine) setSession(mine);
          } else if ((e.type === "session_changed" || e.type === "session_added") && e.session.id === id) {
            setSession(e.session);
          } else if (e.type === "messages" && e.id === id) {
            setMessages(e.messages);
          } else if (e.type === "session_removed" && e.id === id) {
            leaving.current = true;
            rfb.current?.disconnect();
            ended();
          }
        },
        () => undefined,
        () => onSignedOut(t("err.session_lost")),
      ),
    [],
  );

  // The browser's clipboard goes to the desktop when the user comes back to it.
  useEffect(() => followBrowserClipboard(clipboard, screen.current), []);

  const closeClipboard = () => {
    setClipOpen(false);
    rfb.current?.focus();
  };
  // A teacher's projection: this page sends the desktop nothing meanwhile
  // (the display ignores input anyway).
  useEffect(() => {
    if (rfb.current) rfb.current.viewOnly = projected !== null;
  }, [projected]);

  const closing = session?.state === "closing" && session.logoff_deadline;
  useEffect(() => {
    if (!closing) return undefined;
    const timer = window.setInterval(() => setNow(Date.now()), 500);
    return () => window.clearInterval(timer);
  }, [closing]);
  // `now` only makes the page draw again; the clock is read afresh, so the
  // first figure shown is already right.
  const secondsLeft =
    closing && session?.logoff_deadline
      ? Math.max(0, Math.ceil((Date.parse(session.logoff_deadline) - Math.max(now, Date.now())) / 1000))
      : 0;

  const disconnect = async () => {
    if (session) await api.disconnect([session.id]).catch(() => undefined);
  };
  const lock = async () => {
    await api.lock().catch(() => undefined);
  };
  const logOff = async () => {
    setConfirm(false);
    if (!session) return;
    setPhase("ending");
    try {
      await api.logoff({ sessions: [session.id], grace_seconds: 0 });
    } catch {
      setPhase("connected");
    }
  };

  return html`
    <div class="station">
      <header class="station-bar">
        <div class="station-who">
          <span class="brand">${t("app.name")}</span>
          <span>${me.full_name}</span>
          ${session ? html`<span class="muted">${t("card.session", { id: session.id })}</span>` : null}
        </div>
        <div class="station-tools" role="toolbar" aria-label=${t("station.tools")}>
          ${onDashboard ? html`<button type="button" class="button small" onClick=${onDashboard}>${t("station.dashboard")}</button>` : null}
          <button
            type="button"
            class="button small"
            aria-expanded=${clipOpen}
            aria-controls="clipboard-panel"
            disabled=${phase !== "connected"}
            onClick=${() => (clipOpen ? closeClipboard() : setClipOpen(true))}
          >
            ${t("station.clipboard")}
          </button>
          <button type="button" class="button small" disabled=${phase !== "connected"} onClick=${lock}>${t("station.lock")}</button>
          <button type="button" class="button small" disabled=${phase !== "connected"} onClick=${disconnect}>${t("station.disconnect")}</button>
          <button type="button" class="button small danger" disabled=${!session || phase === "ending"} onClick=${() => setConfirm(true)}>${t("station.logoff")}</button>
          <${LanguageSwitch} onLang=${onLang} />
        </div>
      </header>
      ${
        closing
          ? html`<div role="alert" class="warning-banner">${t("station.warning", { s: secondsLeft })}</div>`
          : null
      }
      <main class="station-screen" aria-label=${t("station.desktop")}>
        <div class="screen" ref=${screen}></div>
        ${
          clipOpen && phase === "connected"
            ? html`<${ClipboardPanel}
              text=${clipText}
              synced=${clipboard.synced}
              onText=${(/** @type {string} */ text) => clipboard.toDesktop(text)}
              onClose=${closeClipboard}
            />`
            : null
        }
        ${phase === "connected" ? null : html`<${Overlay} phase=${phase} error=${error} onReconnect=${connect} onUnlocked=${connect} onSignedOut=${onSignedOut} />`}
        ${
          session?.blocked && phase !== "locked"
            ? html`<div class="overlay blocked" role="alert">
              <div class="blocked-box">
                <svg aria-hidden="true" viewBox="0 0 24 24" width="48" height="48" class="blocked-icon">
                  <rect x="6" y="5" width="4" height="14" rx="1.2" fill="currentColor" />
                  <rect x="14" y="5" width="4" height="14" rx="1.2" fill="currentColor" />
                </svg>
                <h2>${session.block_message ?? t("station.blocked")}</h2>
                <p>${t("station.blocked_body")}</p>
              </div>
            </div>`
            : null
        }
        ${projected && phase !== "locked" ? html`<${Projection} name=${projected} />` : null}
        ${
          messages.length > 0 && phase !== "locked"
            ? html`<${MessageCard}
              message=${messages[0]}
              index=${1}
              count=${messages.length}
              onOk=${(/** @type {number} */ id) => {
                setMessages((m) => m.filter((x) => x.id !== id));
                api.dismissMessage(id).catch(() => undefined);
              }}
            />`
            : null
        }
      </main>
      ${
        confirm
          ? html`<div class="backdrop">
            <div role="dialog" aria-modal="true" aria-labelledby="logoff-title" class="dialog">
              <h2 id="logoff-title">${t("station.logoff_title")}</h2>
              <p>${t("station.logoff_body")}</p>
              <div class="dialog-buttons">
                <button type="button" class="button" onClick=${() => setConfirm(false)}>${t("cancel")}</button>
                <button type="button" class="button danger" onClick=${logOff}>${t("station.logoff")}</button>
              </div>
            </div>
          </div>`
          : null
      }
    </div>
  `;
}

/**
 * Why the desktop could not be opened, in the page's words: another host
 * of the school runs it, or this host is full (its own admission has the
 * last word), or something else went wrong.
 * @param {unknown} e
 */
function whyNotStarted(e) {
  if (!(e instanceof api.ApiError)) return t("station.cannot_start");
  if (e.status === 0) return t("err.network");
  if (e.status === 409 && e.host) return t("station.elsewhere", { host: e.host });
  if (e.status === 503 && e.host) return t("station.host_full", { host: e.host });
  return t("station.cannot_start");
}

/**
 * What covers the desktop while it is not shown.
 * @param {{ phase: Phase, error: string | null, onReconnect: () => void, onUnlocked: () => void, onSignedOut: (why?: string) => void }} props
 */
function Overlay({ phase, error, onReconnect, onUnlocked, onSignedOut }) {
  const leave = async () => {
    await api.logout().catch(() => undefined);
    onSignedOut();
  };
  if (phase === "locked") return html`<${LockScreen} onUnlocked=${onUnlocked} />`;
  /** @type {Record<Phase, [string, string | null]>} */
  const texts = {
    starting: [t("station.starting"), null],
    connecting: [t("station.connecting"), null],
    connected: ["", null],
    disconnected: [t("station.disconnected"), t("station.disconnected_body")],
    taken_over: [t("station.taken_over"), t("station.taken_over_body")],
    locked: ["", null],
    ending: [t("station.ending"), t("station.ending_body")],
    failed: [t("station.failed"), error],
  };
  const [title, body] = texts[phase];
  const busy = phase === "starting" || phase === "connecting" || phase === "ending";
  return html`
    <div class="overlay">
      <div class="overlay-box" role=${busy ? "status" : "alertdialog"} aria-labelledby="overlay-title">
        ${busy ? html`<div class="spinner" aria-hidden="true"></div>` : null}
        <h2 id="overlay-title">${title}</h2>
        ${body ? html`<p>${body}</p>` : null}
        ${
          busy
            ? null
            : html`<div class="dialog-buttons">
              <button type="button" class="button" onClick=${leave}>${t("menu.signout")}</button>
              <button type="button" class="button primary" onClick=${onReconnect}>
                ${phase === "taken_over" ? t("station.use_here") : t("station.reconnect")}
              </button>
            </div>`
        }
      </div>
    </div>
  `;
}

/**
 * A message from the dashboard, until the user presses OK (which also
 * takes it off the desktop).
 * @param {{ message: UserMessage, index: number, count: number, onOk: (id: number) => void }} props
 */
function MessageCard({ message, index, count, onOk }) {
  const ok = useRef(/** @type {HTMLButtonElement | null} */ (null));
  useEffect(() => ok.current?.focus(), [message.id]);
  const time = new Date(message.sent_at).toLocaleTimeString(lang(), { hour: "2-digit", minute: "2-digit" });
  return html`
    <div class="overlay message-layer">
      <div role="alertdialog" aria-modal="true" aria-labelledby="message-title" aria-describedby="message-text" class="overlay-box message-card">
        <div class="message-head">
          <h2 id="message-title">${t("station.message_from", { name: message.from_name })}</h2>
          <span class="muted">${time}${count > 1 ? ` · ${t("station.message_count", { i: index, n: count })}` : ""}</span>
        </div>
        <p id="message-text" class="message-text">${message.text}</p>
        <div class="dialog-buttons">
          <button type="button" class="button primary" ref=${ok} onClick=${() => onOk(message.id)}>${t("station.message_ok")}</button>
        </div>
      </div>
    </div>
  `;
}

/**
 * A teacher's desktop projected onto this station: its pictures, one JPEG
 * each, full size over the desktop, until the projection stops. Keys and
 * clicks on it go nowhere. A lost stream is opened again (it starts with
 * the latest picture).
 * @param {{ name: string }} props
 */
function Projection({ name }) {
  const [src, setSrc] = useState(/** @type {string | null} */ (null));
  const layer = useRef(/** @type {HTMLDivElement | null} */ (null));
  useEffect(() => {
    let gone = false;
    let retry = 0;
    /** @type {WebSocket | null} */
    let socket = null;
    /** @type {string | null} */
    let shown = null;
    const open = () => {
      const ws = new WebSocket(api.projectionUrl(), ["binary"]);
      ws.binaryType = "blob";
      ws.onmessage = (e) => {
        if (!(e.data instanceof Blob)) return;
        const next = URL.createObjectURL(new Blob([e.data], { type: "image/jpeg" }));
        if (shown) URL.revokeObjectURL(shown);
        shown = next;
        setSrc(next);
      };
      ws.onclose = () => {
        if (!gone) retry = window.setTimeout(open, 1000);
      };
      socket = ws;
    };
    open();
    layer.current?.focus();
    return () => {
      gone = true;
      window.clearTimeout(retry);
      socket?.close();
      if (shown) URL.revokeObjectURL(shown);
    };
  }, []);
  /** @param {Event} e */
  const swallow = (e) => {
    e.preventDefault();
    e.stopPropagation();
  };
  return html`
    <div
      class="overlay projection"
      ref=${layer}
      tabindex="-1"
      onKeyDown=${swallow}
      onKeyUp=${swallow}
      onContextMenu=${swallow}
    >
      ${
        src
          ? html`<img class="projection-picture" src=${src} alt=${t("station.projected_label", { name })} />`
          : html`<div class="overlay-box" role="status"><div class="spinner" aria-hidden="true"></div>
              <p>${t("station.projected_waiting", { name })}</p></div>`
      }
      <div class="projection-label" role="status">${t("station.projected", { name })}</div>
    </div>
  `;
}

/** @param {{ onUnlocked: () => void }} props */
function LockScreen({ onUnlocked }) {
  const [error, setError] = useState(/** @type {string | null} */ (null));
  const [busy, setBusy] = useState(false);
  const input = useRef(/** @type {HTMLInputElement | null} */ (null));
  useEffect(() => input.current?.focus(), []);
  const submit = async (/** @type {SubmitEvent} */ e) => {
    e.preventDefault();
    const password = input.current?.value ?? "";
    setBusy(true);
    setError(null);
    try {
      await api.unlock(password);
      onUnlocked();
    } catch (err) {
      const status = err instanceof api.ApiError ? err.status : -1;
      setError(
        status === 429
          ? t("err.throttled")
          : status === 401 || status === 400
            ? t("station.wrong_password")
            : t("err.server"),
      );
      setBusy(false);
      if (input.current) input.current.value = "";
      input.current?.focus();
    }
  };
  return html`
    <div class="overlay locked">
      <form class="overlay-box" onSubmit=${submit} aria-labelledby="lock-title">
        <svg class="lock-icon" aria-hidden="true" viewBox="0 0 24 24" width="40" height="40">
          <rect x="4" y="10" width="16" height="11" rx="2.5" fill="currentColor" />
          <path d="M8 10V7a4 4 0 0 1 8 0v3" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" />
        </svg>
        <h2 id="lock-title">${t("station.locked")}</h2>
        <p>${t("station.locked_body")}</p>
        <label class="field">
          <span>${t("login.password")}</span>
          <input type="password" autocomplete="current-password" ref=${input} />
        </label>
        ${error ? html`<p role="alert" class="error">${error}</p>` : null}
        <button type="submit" class="button primary wide" disabled=${busy}>${t("station.unlock")}</button>
      </form>
    </div>
  `;
}
