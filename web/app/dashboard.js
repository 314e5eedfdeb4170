// The Podium Dashboard (SPEC §5): the Home tab with every session's live
// desktop (in a school, every host's, greyed when their host cannot be
// reached, filtered by host), selection (a class in one action), the
// Actions menu and the cards' context menu, the question before an action
// and its outcome; the Systems tab beside it.
// It holds what is shown and what is asked; the parts it is made of each
// have their own module.

import { html } from "htm/preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { describe, send, sessionMenu, title } from "./actions.js";
import { ActionsMenu } from "./actionsmenu.js";
import * as api from "./api.js";
import { Ask } from "./ask.js";
import { Grid, NoSessions } from "./cards.js";
import { useFocusReturn } from "./focus.js";
import { useHosts } from "./hosts.js";
import { t } from "./i18n.js";
import { useLiveSessions } from "./live.js";
import { Menu } from "./menu.js";
import { resultsOf, ResultsPanel } from "./results.js";
import * as selection from "./selection.js";
import { SystemsPanel } from "./systems.js";
import { SIZES, saveSize, savedSize } from "./thumbs.js";
import { SelectionBar } from "./toolbar.js";
import { TopBar } from "./topbar.js";
// View and Take control (issue 19).
import { ViewDialog } from "./view.js";

/**
 * @typedef {import("./api.js").Me} Me
 * @typedef {import("./actions.js").ActionName} ActionName
 * @typedef {import("./actions.js").Scope} Scope
 * @typedef {import("./actions.js").Pending} Pending
 * @typedef {import("./dialog.js").Answer} Answer
 * @typedef {import("./menu.js").MenuItem} MenuItem
 * @typedef {import("./results.js").Results} Results
 */

/**
 * @param {{ me: Me, onSignedOut: (why?: string) => void, onLang: () => void }} props
 */
export function Dashboard({ me, onSignedOut, onLang }) {
  const [tab, setTab] = useState(/** @type {import("./topbar.js").Tab} */ ("home"));
  const [size, setSize] = useState(savedSize);
  const here = me.host;
  const lost = () => onSignedOut(t("err.session_lost"));
  const { sessions, loaded, connected, pictures, ends } = useLiveSessions(size, here, lost);
  // In a school, which hosts answer: their cards are greyed when not.
  const { list: hostList } = useHosts(here !== undefined && tab === "home", lost);
  const [host, setHost] = useState("");
  const [sel, setSel] = useState(selection.empty);
  const [focus, setFocus] = useState(/** @type {string | null} */ (null));
  const [menu, setMenu] = useState(
    /** @type {null | { kind: "actions" } | { kind: "context", x: number, y: number }} */ (null),
  );
  const [pending, setPending] = useState(/** @type {Pending | null} */ (null));
  const [results, setResults] = useState(/** @type {Results | null} */ (null));
  const { fallback: actionsButton, remember, restore } = useFocusReturn();
  // View and Take control (issue 19): the session shown large, if any.
  const [viewing, setViewing] = useState(/** @type {import("./api.js").Session | null} */ (null));

  // This host's sessions first, then each other host's, by id.
  const every = useMemo(
    () =>
      [...sessions.values()].sort(
        (a, b) =>
          Number(a.host !== here) - Number(b.host !== here) ||
          (a.host ?? "").localeCompare(b.host ?? "") ||
          a.id - b.id,
      ),
    [sessions],
  );
  const hosts = useMemo(() => {
    const names = new Set(every.flatMap((s) => (s.host ? [s.host] : [])));
    for (const h of hostList?.hosts ?? []) names.add(h.name);
    return [...names].sort((a, b) => Number(a !== here) - Number(b !== here) || a.localeCompare(b));
  }, [every, hostList]);
  const away = useMemo(
    () => new Set((hostList?.hosts ?? []).filter((h) => h.state === "unreachable").map((h) => h.name)),
    [hostList],
  );
  const list = host ? every.filter((s) => s.host === host) : every;
  const refOf = (/** @type {import("./api.js").Session} */ s) => api.refOf(s.host, s.id, here);
  const order = list.map((s) => api.keyOf(s.host, s.id, here));

  // Forget the selection of cards that are gone.
  useEffect(() => {
    setSel((s) => selection.prune(s, order));
  }, [sessions]);

  const others = list.filter((s) => s.user !== me.user);
  /** The sessions an action in `scope` is for. */
  const targetsOf = (/** @type {Scope} */ scope) =>
    scope === "selected" ? list.filter((_, i) => sel.selected.has(order[i])) : others;

  /** An action chosen in a menu: unblock and projecting need no question, the others open their dialog. */
  const ask = (/** @type {ActionName} */ action, /** @type {Scope} */ scope) => {
    if (action === "unblock" || action === "project" || action === "unproject") {
      restore();
      run({ action, scope }, { grace: 0, text: "", to: scope });
    } else {
      setPending({ action, scope });
    }
  };

  /**
   * Sends the action and shows each session's outcome.
   * @param {Pending} p
   * @param {Answer} answer
   */
  const run = async (p, answer) => {
    setPending(null);
    restore();
    const scope = p.action === "message" || p.action === "open" ? answer.to : p.scope;
    const heading = title(p.action, scope);
    const targets =
      scope === "selected"
        ? { sessions: targetsOf("selected").map(refOf) }
        : // Every host of the school the caller may act on (on a single host, this one).
          { all: /** @type {true} */ (true), school: true };
    try {
      const out = await send(p.action, targets, answer);
      setResults(resultsOf(p.action, heading, out, sessions, here));
      if (scope === "selected" && (p.action === "logoff" || p.action === "disconnect")) setSel(selection.empty);
    } catch (e) {
      if (e instanceof api.ApiError && e.status === 401) return onSignedOut(t("err.session_lost"));
      const summary =
        e instanceof api.ApiError && e.status === 0
          ? t("err.network")
          : e instanceof api.ApiError && e.status === 409 && p.action === "project"
            ? t("project.no_desktop")
            : t("err.server");
      setResults({ action: p.action, title: heading, lines: [], error: summary });
    }
  };

  const signOut = async () => {
    try {
      await api.logout();
    } finally {
      onSignedOut();
    }
  };

  // View and Take control (issue 19): one selected session of this host
  // (another host's desktop is reached from that host's dashboard).
  const selectedOne = sel.selected.size === 1 ? list.find((_, i) => sel.selected.has(order[i])) : undefined;
  const elsewhere = (/** @type {import("./api.js").Session} */ s) => s.host !== undefined && s.host !== here;
  const view = (/** @type {import("./api.js").Session | undefined} */ s) => {
    if (!s || elsewhere(s) || s.user === me.user) return;
    remember();
    setViewing(s);
  };
  /** @type {MenuItem} */
  const viewItem = {
    label: t("menu.view"),
    disabled: !selectedOne || elsewhere(selectedOne) || selectedOne.user === me.user,
    hint: selectedOne && elsewhere(selectedOne) ? t("view.cluster_only") : undefined,
    onSelect: () => view(selectedOne),
  };

  // Project my desktop: this host's sessions showing the caller's desktop.
  const projecting = every.some((s) => s.host === here && s.projected_by === me.full_name);
  /** The actions on sessions, as the Actions menu and the context menu show them. */
  const sessionActions = [
    ...sessionMenu({ selected: sel.selected.size, others: others.length, ask, projecting }),
    viewItem,
  ];
  /** @type {MenuItem[]} */
  const actions = [
    ...sessionActions,
    {
      label: t("menu.thumbsize"),
      items: SIZES.map((s) => ({
        label: t(`size.${s}`),
        checked: size === s,
        onSelect: () => {
          saveSize(s);
          setSize(s);
          restore();
        },
      })),
    },
    { label: t("menu.signout"), onSelect: signOut },
  ];

  const openActions = () => {
    remember();
    setMenu({ kind: "actions" });
  };
  /** Closes the menu; focus goes back unless a chosen action takes it (a dialog). */
  const closeMenu = (chosen = false) => {
    setMenu(null);
    if (!chosen) restore();
  };
  const openContextMenu = (/** @type {number} */ x, /** @type {number} */ y) => {
    remember();
    setMenu({ kind: "context", x, y });
  };
  const cancel = () => {
    setPending(null);
    restore();
  };

  return html`
    <div class=${`dashboard size-${size}`}>
      <${TopBar} me=${me} onLang=${onLang} tab=${tab} onTab=${setTab}>
        <${ActionsMenu}
          items=${actions}
          open=${menu?.kind === "actions"}
          onToggle=${() => (menu ? closeMenu() : openActions())}
          onOpen=${openActions}
          onClose=${closeMenu}
          buttonRef=${actionsButton}
        />
      <//>

      ${connected ? null : html`<div role="alert" class="banner">${t("reconnecting")}</div>`}

      <main>
        <div id="home" role="tabpanel" aria-labelledby="tab-home" class="panel home" hidden=${tab !== "home"}>
          <${SelectionBar}
            order=${order}
            users=${list.map((s) => s.user)}
            sel=${sel}
            setSel=${setSel}
            hosts=${hosts}
            host=${host}
            setHost=${setHost}
            classes=${me.role !== "standard"}
          />
          ${
            results
              ? html`<${ResultsPanel}
                  results=${results}
                  live=${{ ends, sessions, loaded }}
                  onDismiss=${() => setResults(null)}
                />`
              : null
          }
          ${
            list.length === 0 && loaded
              ? html`<${NoSessions} />`
              : html`<${Grid}
                  sessions=${list}
                  keys=${order}
                  away=${away}
                  sel=${sel}
                  setSel=${setSel}
                  focus=${focus}
                  setFocus=${setFocus}
                  me=${me.user}
                  pictures=${pictures}
                  onContextMenu=${openContextMenu}
                  onView=${(/** @type {number} */ i) => view(list[i])}
                />`
          }
        </div>
        <${SystemsPanel} shown=${tab === "systems"} onUnauthorized=${lost} />
      </main>

      ${
        menu?.kind === "context"
          ? html`<${Menu}
              label=${t("menu.context")}
              items=${sessionActions}
              onClose=${closeMenu}
              style=${{
                position: "fixed",
                left: `${Math.min(menu.x, window.innerWidth - 320)}px`,
                top: `${Math.min(menu.y, window.innerHeight - 200)}px`,
              }}
            />`
          : null
      }
      ${
        viewing
          ? html`<${ViewDialog}
              session=${viewing}
              onClose=${() => {
                setViewing(null);
                restore();
              }}
            />`
          : null
      }
      ${
        pending
          ? html`<${Ask}
              pending=${pending}
              users=${targetsOf(pending.scope).map(describe)}
              selected=${sel.selected.size}
              onConfirm=${(/** @type {Answer} */ a) => run(pending, a)}
              onCancel=${cancel}
            />`
          : null
      }
    </div>
  `;
}
