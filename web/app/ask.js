// The question before an action on sessions (SPEC §5): log off and
// disconnect ask for confirmation, listing the users concerned (and, for a
// log off, the warning before it); Block asks for the notice's text; Send
// message… for the text and whom it goes to; Open… for a website or a
// program and where it opens.

import { html } from "htm/preact";
import { title } from "./actions.js";
import { ActionDialog } from "./dialog.js";
import { t } from "./i18n.js";
import { OpenDialog } from "./opendialog.js";

/**
 * @typedef {import("./actions.js").Pending} Pending
 * @typedef {import("./dialog.js").Answer} Answer
 */

/** The warning a log off gives unless the dialog is told otherwise, in seconds. */
const DEFAULT_GRACE = 10;

/**
 * @param {{
 *   pending: Pending,
 *   users: string[],
 *   selected: number,
 *   onConfirm: (answer: Answer) => void,
 *   onCancel: () => void,
 * }} props `users` are those the action is for; `selected` how many sessions are selected
 */
export function Ask({ pending: p, users, selected, onConfirm, onCancel }) {
  const all = p.scope === "all";
  const common = { title: title(p.action, p.scope), users, onConfirm, onCancel };
  if (p.action === "logoff") {
    const body = all ? `${t("confirm.body_all")} ${t("confirm.body")}` : t("confirm.body");
    return html`<${ActionDialog}
      ...${common}
      body=${body}
      grace=${DEFAULT_GRACE}
      confirmLabel=${t("confirm.ok")}
      danger=${true}
    />`;
  }
  if (p.action === "disconnect") {
    const body = all ? `${t("disconnect.body_all")} ${t("disconnect.body")}` : t("disconnect.body");
    return html`<${ActionDialog} ...${common} body=${body} confirmLabel=${t("disconnect.ok")} />`;
  }
  if (p.action === "block") {
    const body = all ? `${t("block.body_all")} ${t("block.body")}` : t("block.body");
    const text = {
      label: t("block.text"),
      hint: t("block.hint"),
      placeholder: t("block.placeholder"),
      required: false,
      multiline: false,
    };
    return html`<${ActionDialog} ...${common} body=${body} text=${text} confirmLabel=${t("block.ok")} />`;
  }
  if (p.action === "open") {
    return html`<${OpenDialog}
      title=${title(p.action, p.scope)}
      selected=${selected}
      scope=${p.scope}
      onConfirm=${onConfirm}
      onCancel=${onCancel}
    />`;
  }
  const text = { label: t("message.text"), required: true, multiline: true };
  const recipients = { selected, choice: p.scope };
  return html`<${ActionDialog}
    ...${common}
    title=${t("message.title")}
    body=${t("message.body")}
    users=${null}
    text=${text}
    recipients=${recipients}
    confirmLabel=${t("message.ok")}
  />`;
}
