// The actions on sessions (SPEC §4, §5): their entries in the Actions menu
// and the cards' context menu (each for the selected sessions or for all),
// and sending one to the daemon.

import * as api from "./api.js";
import { t } from "./i18n.js";

/**
 * @typedef {import("./api.js").Session} Session
 * @typedef {import("./api.js").Targets} Targets
 * @typedef {import("./dialog.js").Answer} Answer
 * @typedef {import("./i18n.js").Key} Key
 * @typedef {import("./menu.js").MenuItem} MenuItem
 * @typedef {"logoff" | "disconnect" | "block" | "unblock" | "message" | "open" | "project" | "unproject"} ActionName
 * @typedef {"selected" | "all"} Scope
 * @typedef {{ action: ActionName, scope: Scope }} Pending
 */

/** Each action's two menu entries (selected · all), which are also the titles of its dialog and results. */
const ENTRIES = /** @type {Record<ActionName, [Key, Key]>} */ ({
  logoff: ["menu.logoff_selected", "menu.logoff_all"],
  disconnect: ["menu.disconnect_selected", "menu.disconnect_all"],
  block: ["menu.block_selected", "menu.block_all"],
  unblock: ["menu.unblock_selected", "menu.unblock_all"],
  message: ["message.title", "message.title"],
  open: ["open.title", "open.title"],
  project: ["menu.project_selected", "menu.project_all"],
  unproject: ["menu.unproject", "menu.unproject"],
});
/** The actions with a submenu of two entries, in menu order. */
const PAIRED = /** @type {const} */ (["logoff", "disconnect", "block", "unblock"]);
/** The submenu each pair of entries sits in. */
const MENUS = /** @type {Record<"logoff" | "disconnect" | "block" | "unblock", Key>} */ ({
  logoff: "menu.logoff",
  disconnect: "menu.disconnect",
  block: "menu.block",
  unblock: "menu.unblock",
});

/**
 * The menu entry of `action` on `scope`, which titles its dialog and results.
 * @param {ActionName} action
 * @param {Scope} scope
 */
export function title(action, scope) {
  return t(ENTRIES[action][scope === "selected" ? 0 : 1]);
}

/**
 * How dialogs and results name a session's user.
 * @param {Session} s
 */
export function describe(s) {
  return `${s.full_name} (${s.user})`;
}

/**
 * The actions on sessions as menu items: each action's submenu (selected ·
 * all), then Send message… and Open…, which go to the selection if there is one.
 * @param {{ selected: number, others: number, ask: (action: ActionName, scope: Scope) => void, projecting?: boolean }} state
 *   how many sessions are selected, how many "all" would reach, what
 *   choosing an entry does, and whether the caller's desktop is projected now
 * @returns {MenuItem[]}
 */
export function sessionMenu({ selected, others, ask, projecting = false }) {
  return [
    ...PAIRED.map((action) => ({
      label: t(MENUS[action]),
      items: [
        { label: t(ENTRIES[action][0]), disabled: selected === 0, onSelect: () => ask(action, "selected") },
        { label: t(ENTRIES[action][1]), disabled: others === 0, onSelect: () => ask(action, "all") },
      ],
    })),
    {
      label: t("menu.message"),
      disabled: others === 0 && selected === 0,
      onSelect: () => ask("message", selected > 0 ? "selected" : "all"),
    },
    {
      label: t("menu.open"),
      disabled: others === 0 && selected === 0,
      onSelect: () => ask("open", selected > 0 ? "selected" : "all"),
    },
    // Project my desktop
    {
      label: t("menu.project"),
      items: [
        { label: t(ENTRIES.project[0]), disabled: selected === 0, onSelect: () => ask("project", "selected") },
        { label: t(ENTRIES.project[1]), disabled: others === 0, onSelect: () => ask("project", "all") },
      ],
    },
    { label: t("menu.unproject"), disabled: !projecting, onSelect: () => ask("unproject", "all") },
  ];
}

/**
 * Sends `action` on `targets` with what its dialog asked for.
 * @param {ActionName} action
 * @param {Targets} targets
 * @param {Answer} answer
 * @returns {Promise<import("./api.js").ActionResult[]>} each target's outcome
 */
export function send(action, targets, answer) {
  if (action === "logoff") return api.logoff({ ...targets, grace_seconds: answer.grace });
  if (action === "open") {
    // Open… is for this host's sessions: "all" without the school.
    const where = "sessions" in targets ? { sessions: targets.sessions } : { all: /** @type {true} */ (true) };
    if (!answer.what) throw new Error("Open… without a website or a program");
    return api.open({ ...where, ...answer.what });
  }
  // A desktop is projected onto its own host's sessions only.
  if (action === "project") return api.project("all" in targets ? { all: true } : { sessions: targets.sessions });
  if (action === "unproject") return api.stopProjecting();
  return api.act(/** @type {"disconnect" | "block" | "unblock" | "message"} */ (action), {
    ...targets,
    ...(action === "block" && answer.text ? { message: answer.text } : {}),
    ...(action === "message" ? { text: answer.text } : {}),
  });
}
