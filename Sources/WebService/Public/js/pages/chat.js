// The chat: a model from the one dropdown, answers streamed in as they are written (Markdown, code
// left-to-right, each paragraph in its own direction), stop, copy, a per-message direction switch,
// retry with another model, and the saved conversations with Arabic search.
import { del, get, post, stream, upload } from "../api.js";
import { formatRelative, lang, onLangChange, t } from "../i18n.js";
import { createBanner } from "../components/banner.js";
import { renderMarkdown } from "../components/markdown.js";
import { mountModelSelector } from "../components/model-selector.js";
import { mountShell } from "../components/shell.js";
import { refreshUsage } from "../components/usage.js";

const $ = (id) => document.getElementById(id);
const banner = createBanner($("banner"));
let selector = null;
let conversationID = null;
let history = []; // { role, content, model, node }
let controller = null;
let attachments = []; // { id, name, state: "reading" | "ready" | "failed", node }

const DIRECTIONS = ["auto", "rtl", "ltr"];
const same = (id) => String(id).toLowerCase();

function button(key, action) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "link-button";
  b.dataset.action = action;
  b.dataset.i18n = key;
  b.textContent = t(key);
  return b;
}

function modelName(id) {
  const model = selector?.models.find((m) => m.id === id);
  if (!model) return id ?? "";
  return lang() === "ar" ? model.name_ar ?? model.name : model.name;
}

function paint(message) {
  const body = message.node.querySelector(".msg-body");
  body.replaceChildren(renderMarkdown(message.content));
  const label = message.node.querySelector(".msg-who");
  label.textContent = message.role === "user" ? t("chat.you") : modelName(message.model) || t("chat.assistant");
}

function addMessage(role, content, model) {
  const node = document.createElement("article");
  node.className = "msg";
  node.dataset.role = role;
  const head = document.createElement("header");
  const who = document.createElement("span");
  who.className = "msg-who";
  head.append(who);
  const body = document.createElement("div");
  body.className = "msg-body";
  body.dir = "auto";
  const tools = document.createElement("div");
  tools.className = "msg-tools";
  const message = { role, content, model, node };
  const copy = button("chat.copy", "copy");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(message.content);
      copy.textContent = t("chat.copied");
    } catch {
      copy.textContent = t("chat.copyFailed");
    }
    setTimeout(() => { copy.textContent = t("chat.copy"); }, 1500);
  });
  const direction = button("chat.direction.auto", "direction");
  direction.addEventListener("click", () => {
    const next = DIRECTIONS[(DIRECTIONS.indexOf(body.dir) + 1) % DIRECTIONS.length];
    body.dir = next;
    body.dataset.forced = next === "auto" ? "" : "true";
    direction.dataset.i18n = `chat.direction.${next}`;
    direction.textContent = t(`chat.direction.${next}`);
  });
  tools.append(copy, direction);
  if (role === "assistant") {
    const other = document.createElement("select");
    other.className = "retry-model";
    other.setAttribute("aria-label", t("chat.retryWith"));
    for (const option of $("model").options) other.append(option.cloneNode(true));
    other.value = $("model").value;
    const retry = button("chat.retry", "retry");
    retry.addEventListener("click", () => answer(message, other.value));
    tools.append(other, retry);
  }
  node.append(head, body, tools);
  $("messages").append(node);
  $("empty").hidden = true;
  history.push(message);
  paint(message);
  return message;
}

function busy(on) {
  $("send").disabled = on || attachments.some((a) => a.state === "reading");
  $("stop").hidden = !on;
  for (const b of document.querySelectorAll('[data-action="retry"]')) b.disabled = on;
}

/** Streams an answer into `message` (new, or one being retried) from the turns before it. */
async function answer(message, model) {
  const index = history.indexOf(message);
  const turns = history.slice(0, index).map(({ role, content }) => ({ role, content }));
  message.content = "";
  message.model = model;
  message.node.dataset.state = "streaming";
  paint(message);
  banner.clear();
  busy(true);
  controller = new AbortController();
  let pending = false;
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; paint(message); });
  };
  try {
    const events = stream("/v1/chat/complete", {
      model, messages: turns, stream: true, conversation_id: conversationID ?? undefined,
      attachments: message.attachments?.length ? message.attachments : undefined,
    }, {
      signal: controller.signal,
      onHeaders: (headers) => {
        const warning = headers.get("X-Quota-Warning");
        if (warning) banner.info(() => t("chat.quotaWarning", { percent: warning }), "quota_warning");
        if (headers.get("X-Attachment-Trimmed")) banner.info(() => t("chat.attachmentTrimmed"), "attachment_trimmed");
      },
    });
    for await (const { event, data } of events) {
      if (event === "delta") {
        message.content += data.text ?? "";
        schedule();
      } else if (event === "done") {
        message.model = data.model ?? model;
        if (data.conversation_id && conversationID !== same(data.conversation_id)) {
          conversationID = same(data.conversation_id);
          loadConversations();
        }
        if (data.quota?.warn && !data.quota?.blocked) {
          banner.info(() => t("chat.quotaWarning", { percent: data.quota.percent }), "quota_warning");
        }
      } else if (event === "error") {
        const error = data.error ?? data;
        banner.problem({ status: error.status ?? 502, code: error.code, message: error.message, message_ar: error.message_ar, details: error });
      }
    }
    message.node.dataset.state = "done";
  } catch (error) {
    if (error?.name === "AbortError") {
      message.node.dataset.state = "stopped";
      banner.info(() => t("chat.stopped"), "stopped");
    } else {
      message.node.dataset.state = "failed";
      banner.problem(error);
    }
  } finally {
    controller = null;
    paint(message);
    busy(false);
    refreshUsage();
  }
}

async function send(text) {
  const model = $("model").value;
  const attached = attachments.filter((a) => a.state === "ready");
  addMessage("user", attached.length ? `${text}\n\n${attached.map((a) => `📎 ${a.name}`).join("\n")}` : text);
  const reply = addMessage("assistant", "", model);
  reply.attachments = attached.map((a) => a.id);
  attachments = [];
  paintAttachments();
  await answer(reply, model);
}

function paintAttachments() {
  $("attachments").replaceChildren(...attachments.map((item) => {
    const chip = document.createElement("li");
    chip.className = "chip";
    chip.dataset.state = item.state;
    const name = document.createElement("span");
    name.dir = "auto";
    name.textContent = `📎 ${item.name} — ${t(`chat.attachment.${item.state}`)}`;
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link-button";
    remove.textContent = "×";
    remove.setAttribute("aria-label", t("chat.removeAttachment", { name: item.name }));
    remove.addEventListener("click", () => {
      attachments = attachments.filter((a) => a !== item);
      paintAttachments();
    });
    chip.append(name, remove);
    return chip;
  }));
  $("send").disabled = Boolean(controller) || attachments.some((a) => a.state === "reading");
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Upload → checked → its text read once by the worker; only then can the message go.
async function attach(file) {
  const item = { id: null, name: file.name, state: "reading" };
  attachments.push(item);
  paintAttachments();
  try {
    const { file: stored } = await upload(file);
    item.id = stored.id;
    for (let round = 0; round < 120; round += 1) {
      const current = (await get(`/v1/files/${stored.id}`)).file;
      if (current.status === "ready") break;
      if (current.status === "rejected") throw Object.assign(new Error("rejected"), { status: 409, code: "file_rejected" });
      await pause(1000);
    }
    // Pictures go as they are (to a model that can see); documents are read first.
    const first = file.type.startsWith("image/") ? { text: true } : await post(`/v1/files/${stored.id}/extract`, {});
    if (!first.text) {
      for (let round = 0; round < 300; round += 1) {
        const { job } = await get(`/v1/jobs/${first.job.id}`);
        if (job.status === "done") break;
        if (job.status === "failed") throw Object.assign(new Error("failed"), { code: "extract_failed", message: job.error ?? "", message_ar: job.error ?? "" });
        await pause(1000);
      }
    }
    item.state = "ready";
  } catch (error) {
    item.state = "failed";
    banner.problem(error);
  }
  paintAttachments();
}
$("attach").addEventListener("change", () => {
  const file = $("attach").files?.[0];
  $("attach").value = "";
  if (file) attach(file);
});

$("composer").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("prompt").value.trim();
  if (!text || controller) return;
  $("prompt").value = "";
  send(text);
});
$("prompt").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});
$("stop").addEventListener("click", () => controller?.abort());

function clearChat() {
  controller?.abort();
  conversationID = null;
  history = [];
  $("messages").replaceChildren();
  $("empty").hidden = false;
  banner.clear();
  for (const item of document.querySelectorAll(".conversation-list [aria-current]")) item.removeAttribute("aria-current");
}
$("new-chat").addEventListener("click", () => {
  clearChat();
  $("prompt").focus();
});

async function openConversation(id) {
  try {
    const { conversation, messages } = await get(`/v1/conversations/${id}`);
    clearChat();
    conversationID = same(conversation.id);
    for (const m of messages) addMessage(m.role, m.content, m.model ?? conversation.model);
    for (const item of document.querySelectorAll(".conversation-list button")) {
      if (same(item.dataset.id) === same(id)) item.setAttribute("aria-current", "true");
    }
  } catch (error) {
    banner.problem(error);
  }
}

let listed = [];
function paintConversations() {
  const list = $("conversation-list");
  if (!listed.length) {
    const empty = document.createElement("li");
    empty.className = "hint";
    empty.textContent = t($("search").value.trim() ? "chat.noMatches" : "chat.noConversations");
    list.replaceChildren(empty);
    return;
  }
  list.replaceChildren(...listed.map((c) => {
    const item = document.createElement("li");
    const open = document.createElement("button");
    open.type = "button";
    open.className = "conversation";
    open.dataset.id = c.id;
    if (same(c.id) === conversationID) open.setAttribute("aria-current", "true");
    const title = document.createElement("span");
    title.dir = "auto";
    title.textContent = c.title;
    const when = document.createElement("small");
    when.textContent = formatRelative(new Date(c.updated_at));
    open.append(title, when);
    open.addEventListener("click", () => openConversation(c.id));
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link-button delete";
    remove.textContent = "×";
    remove.setAttribute("aria-label", t("chat.delete", { title: c.title }));
    remove.addEventListener("click", async () => {
      if (!confirm(t("chat.confirmDelete"))) return;
      try {
        await del(`/v1/conversations/${c.id}`);
        if (same(c.id) === conversationID) clearChat();
        loadConversations();
      } catch (error) {
        banner.problem(error);
      }
    });
    item.append(open, remove);
    return item;
  }));
}

async function loadConversations() {
  const q = $("search").value.trim();
  try {
    const { conversations } = await get(`/v1/conversations${q ? `?q=${encodeURIComponent(q)}` : ""}`);
    listed = conversations;
    paintConversations();
  } catch (error) {
    banner.problem(error);
  }
}
let searchTimer = null;
$("search").addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(loadConversations, 250);
});

onLangChange(() => {
  document.title = t("chat.docTitle");
  for (const message of history) paint(message);
  paintConversations();
});

try {
  await mountShell("chat");
  document.title = t("chat.docTitle");
  selector = await mountModelSelector($("model"), "chat");
  loadConversations();
} catch (error) {
  if (error?.status !== 401) banner.problem(error);
}
