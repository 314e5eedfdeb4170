// The Systems tab (SPEC §5; "Systèmes", as in MultiPoint): a table with
// one row per host of the school (its state, sessions, load and free
// memory), asked of GET /api/v1/hosts every 2 s while the tab is shown and
// the page visible. On a single host, the one row is this host.

import { html } from "htm/preact";
import { useHosts } from "./hosts.js";
import { number, plural, t } from "./i18n.js";

/** @typedef {import("./api.js").Host} Host */

/** How long a host has not been heard from, in words. @param {number | null} ms */
function silence(ms) {
  if (ms === null) return t("systems.never_heard");
  const s = Math.floor(ms / 1000);
  if (s < 120) return t("systems.silent_s", { n: s });
  if (s < 7200) return t("systems.silent_min", { n: Math.floor(s / 60) });
  return t("systems.silent_h", { n: Math.floor(s / 3600) });
}

/** An amount of memory in MB or GB (binary, as desktops count it). @param {number} kib */
function memory(kib) {
  const mib = kib / 1024;
  return mib < 1024
    ? t("systems.mb", { n: number(mib, { maximumFractionDigits: 0 }) })
    : t("systems.gb", { n: number(mib / 1024, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });
}

/** A figure the host has not given: a dash, read as "unknown". */
const unknown = () =>
  html`<span aria-hidden="true">—</span><span class="visually-hidden">${t("systems.unknown")}</span>`;

/**
 * A small bar for how full something is: green, amber from 80 %, red from 100 %.
 * Decoration only: the cell's text says the same.
 * @param {{ ratio: number }} props
 */
function Bar({ ratio }) {
  const level = ratio >= 1 ? "full" : ratio >= 0.8 ? "high" : "ok";
  return html`<span class=${`bar bar-${level}`} aria-hidden="true">
    <span style=${{ width: `${Math.round(Math.min(1, Math.max(0, ratio)) * 100)}%` }}></span>
  </span>`;
}

/** The state's icon: a tick in a circle, or a cross. @param {{ reachable: boolean }} props */
function StateIcon({ reachable }) {
  return html`<svg class="state-icon" aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
    <circle cx="8" cy="8" r="8" fill="currentColor" />
    ${
      reachable
        ? html`<path d="M4.5 8.3l2.3 2.3 4.7-4.9" fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />`
        : html`<path d="M5.3 5.3l5.4 5.4M10.7 5.3l-5.4 5.4" fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round" />`
    }
  </svg>`;
}

/** One host's row. @param {{ host: Host }} props */
function HostRow({ host: h }) {
  const reachable = h.state === "reachable";
  const load = h.cpus > 0 ? h.load1 / h.cpus : null;
  const free = h.memory_total_kib > 0 ? h.memory_available_kib / h.memory_total_kib : null;
  return html`<tr class=${`host host-${h.state}`}>
    <th scope="row">
      <div class="host-name">
        <span>${h.name}</span>
        ${h.local ? html`<span class="this-host">${t("systems.this_host")}</span>` : null}
      </div>
      ${h.address ? html`<div class="sub">${h.address}</div>` : null}
    </th>
    <td>
      <span class=${`host-state host-state-${h.state}`}>
        <${StateIcon} reachable=${reachable} />
        ${reachable ? t("systems.reachable") : t("systems.unreachable")}
      </span>
      ${reachable ? null : html`<div class="sub">${silence(h.silent_ms)}</div>`}
    </td>
    <td class="figure">
      ${
        h.capacity > 0
          ? html`<span class="amount">${h.sessions} / ${h.capacity}</span><${Bar} ratio=${h.sessions / h.capacity} />`
          : html`<span class="amount">${h.sessions}</span>`
      }
    </td>
    <td class="figure">
      ${
        load === null
          ? unknown()
          : html`<span class="amount">${number(load, { style: "percent", maximumFractionDigits: 0 })}</span>
              <${Bar} ratio=${load} />
              <div class="sub">
                ${plural("systems.cpus", h.cpus, { load: number(h.load1, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) })}
              </div>`
      }
    </td>
    <td class="figure">
      ${
        free === null
          ? unknown()
          : html`<span class=${`amount${free < 0.1 ? " low" : ""}`}>${memory(h.memory_available_kib)}</span>
              <div class="sub">${t("systems.memory_of", { total: memory(h.memory_total_kib) })}</div>`
      }
    </td>
  </tr>`;
}

/**
 * The Systems tab's panel; it asks for the hosts only while `shown`.
 * @param {{ shown: boolean, onUnauthorized: () => void }} props
 */
export function SystemsPanel({ shown, onUnauthorized }) {
  const { list, failure } = useHosts(shown, onUnauthorized);
  return html`<div
    id="systems"
    role="tabpanel"
    aria-labelledby="tab-systems"
    tabindex="0"
    class="panel systems"
    hidden=${!shown}
  >
    ${
      shown && list?.cluster_connected === false
        ? html`<div role="alert" class="notice notice-warn">${t("systems.alone")}</div>`
        : null
    }
    ${failure ? html`<div role="alert" class="notice notice-error">${t(`err.${failure}`)}</div>` : null}
    <div class="toolbar">
      <span class="count">${list ? plural("systems.count", list.hosts.length) : t("systems.loading")}</span>
      <span class="total">${t("systems.refresh")}</span>
    </div>
    ${
      list
        ? html`<table class="hosts" aria-label=${t("systems.table")}>
            <thead>
              <tr>
                <th scope="col">${t("systems.name")}</th>
                <th scope="col">${t("systems.state")}</th>
                <th scope="col">${t("systems.sessions")}</th>
                <th scope="col">${t("systems.load")}</th>
                <th scope="col">${t("systems.memory")}</th>
              </tr>
            </thead>
            <tbody>
              ${list.hosts.map((h) => html`<${HostRow} key=${h.name} host=${h} />`)}
            </tbody>
          </table>`
        : null
    }
  </div>`;
}
