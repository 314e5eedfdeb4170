// View and Take control (issue 19): another user's desktop, large and live,
// in a modal dialog over the dashboard. Viewing only, the daemon's relay
// drops every key and click (noVNC's view-only flag is a courtesy, not the
// gate); Take control reconnects with control=true and the keys and pointer
// drive the pupil's desktop. A refusal says why, in the page's language.

import RFB from "@novnc/novnc";
import { html } from "htm/preact";
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { reasonOfText, t } from "./i18n.js";

/**
 * @typedef {import("./api.js").Session} Session
 * @typedef {"connecting" | "connected" | "refused" | "ended" | "failed"} ViewPhase
 */

/**
 * Why the relay would not open: a plain GET of the same route answers 403
 * with the reason when the caller may not (400 when they may, as it is a
 * WebSocket route).
 * @param {string} path
 * @returns {Promise<string | null>} the reason, or null when not refused
 */
async function whyRefused(path) {
  try {
    const res = await fetch(path, { credentials: "same-origin" });
    if (res.status !== 403) return null;
    const body = await res.json();
    return reasonOfText(String(body?.error?.message ?? ""));
  } catch {
    return null;
  }
}

/**
 * @param {{ session: Session, onClose: () => void }} props
 */
export function ViewDialog({ session: s, onClose }) {
  const [control, setControl] = useState(false);
  const [phase, setPhase] = useState(/** @type {ViewPhase} */ ("connecting"));
  const [why, setWhy] = useState("");
  const screen = useRef(/** @type {HTMLDivElement | null} */ (null));
  const box = useRef(/** @type {HTMLDivElement | null} */ (null));
  const closeButton = useRef(/** @type {HTMLButtonElement | null} */ (null));

  useLayoutEffect(() => closeButton.current?.focus(), []);

  useEffect(() => {
    if (!screen.current) return undefined;
    const path = `/api/v1/sessions/${s.id}/vnc?control=${control}`;
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
    setPhase("connecting");
    let opened = false;
    let gone = false;
    const r = new RFB(screen.current, url, { wsProtocols: ["binary"] });
    r.viewOnly = !control;
    r.scaleViewport = true;
    r.background = "#0f172a";
    r.focusOnClick = control;
    r.addEventListener("connect", () => {
      opened = true;
      setPhase("connected");
      if (control) r.focus();
    });
    r.addEventListener("disconnect", async () => {
      if (gone) return;
      if (opened) return setPhase("ended");
      const reason = await whyRefused(path);
      if (gone) return;
      if (reason !== null) {
        setWhy(reason);
        setPhase("refused");
      } else setPhase("failed");
    });
    return () => {
      gone = true;
      r.disconnect();
    };
  }, [s.id, control]);

  const onKey = (/** @type {KeyboardEvent} */ e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      onClose();
    }
  };

  const status =
    phase === "refused"
      ? t("view.refused", { reason: why })
      : phase === "ended"
        ? t("view.ended")
        : phase === "failed"
          ? t("view.failed")
          : phase === "connecting"
            ? t("view.connecting")
            : control
              ? t("view.controlling")
              : t("view.viewing");
  return html`
    <div class="backdrop" onMouseDown=${(/** @type {MouseEvent} */ e) => e.target === e.currentTarget && onClose()}>
      <div
        role="dialog"
        aria-modal="true"
        aria-labelledby="view-title"
        class="dialog view-dialog"
        ref=${box}
        onKeyDown=${onKey}
      >
        <div class="view-head">
          <h2 id="view-title">${t("view.title", { name: s.full_name, user: s.user })}</h2>
          <button
            type="button"
            class=${`button${control ? " primary" : ""} view-control`}
            aria-pressed=${String(control)}
            disabled=${phase === "refused" && !control}
            onClick=${() => setControl(!control)}
          >
            ${t("view.take_control")}
          </button>
          <button type="button" class="button" ref=${closeButton} onClick=${onClose}>${t("view.close")}</button>
        </div>
        <p role=${phase === "refused" || phase === "failed" ? "alert" : "status"} class=${`view-status view-${phase}`}>
          ${status}
        </p>
        <div class="view-screen" ref=${screen} hidden=${phase === "refused"}></div>
      </div>
    </div>
  `;
}
