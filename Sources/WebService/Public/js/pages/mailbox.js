// Local mode only: the sign-in e-mails the backend wrote to its outbox folder, newest first.
import { get } from "../api.js";
import {
  apply, directionOf, errorMessage, formatDateTime, formatNumber, formatRelative, onLangChange, t,
} from "../i18n.js";
import { mountLangToggle } from "../components/lang-toggle.js";
import { createStatus } from "../components/status.js";

const $ = (id) => document.getElementById(id);
const list = $("messages");
const status = createStatus($("status"));
const count = createStatus($("count"));
let messages = [];

apply();
mountLangToggle($("lang-toggle"));

// Only web links may become a button; anything else in the outbox is shown as text.
function safeLink(raw) {
  try {
    const url = new URL(raw, location.origin);
    return ["http:", "https:"].includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function row(labelKey, value, options = {}) {
  const wrap = document.createElement("div");
  wrap.className = "mail-row";
  const term = document.createElement("dt");
  term.textContent = t(labelKey);
  const detail = document.createElement("dd");
  if (options.className) detail.className = options.className;
  if (options.dir) detail.dir = options.dir;
  if (options.isolate) {
    // Addresses and codes run left-to-right but keep the row's alignment.
    const run = document.createElement("bdi");
    run.dir = "ltr";
    run.textContent = value;
    detail.append(run);
  } else if (value instanceof Node) detail.append(value);
  else detail.textContent = value;
  wrap.append(term, detail);
  return wrap;
}

function card(message) {
  const item = document.createElement("li");
  item.className = "mail card";
  item.dataset.to = message.to;
  const sent = new Date(message.sent_at);
  const time = document.createElement("time");
  time.dateTime = message.sent_at;
  time.textContent = `${formatDateTime(sent)} · ${formatRelative(sent)}`;
  const fields = document.createElement("dl");
  fields.append(
    row("mailbox.to", message.to, { isolate: true }),
    row("mailbox.subject", message.subject, { dir: directionOf(message.subject) }),
    row("mailbox.sent", time),
  );
  const code = message.notes?.code;
  if (code) fields.append(row("mailbox.code", code, { isolate: true, className: "code" }));
  item.append(fields);
  const link = safeLink(message.notes?.link ?? "");
  if (link) {
    const open = document.createElement("a");
    open.className = "button";
    open.href = link;
    open.textContent = t("mailbox.open");
    item.append(open);
  }
  return item;
}

function render() {
  list.replaceChildren(...messages.map(card));
}

async function load() {
  $("refresh").disabled = true;
  try {
    messages = (await get("/v1/dev/outbox")).messages ?? [];
    render();
    if (messages.length) {
      status.clear();
      count.show("info", () => t("mailbox.count", { count: formatNumber(messages.length) }));
    } else {
      count.clear();
      status.show("info", () => t("mailbox.empty"), "empty");
    }
  } catch (error) {
    messages = [];
    render();
    count.clear();
    if (error.status === 404) status.show("info", () => t("mailbox.localOnly"), "local_only");
    else status.show("error", () => errorMessage(error), error.code);
  } finally {
    $("refresh").disabled = false;
  }
}

onLangChange(render);
$("refresh").addEventListener("click", load);
// Coming back from a mail client or another tab: show what arrived meanwhile.
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") load();
});
load();
