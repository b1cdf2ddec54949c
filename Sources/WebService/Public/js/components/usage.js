// The wallet of this period (GET /v1/usage/me), shared by the TokenMeter and the UsageBadge of a
// page: a tool calls `refreshUsage()` after each use and both repaint.
import { get } from "../api.js";
import { formatDateTime, formatNumber, onLangChange, t } from "../i18n.js";

let latest = null;
const listeners = new Set();

export async function refreshUsage() {
  try {
    latest = await get("/v1/usage/me");
  } catch {
    return latest; // the meter keeps its last figures; the page shows the error of its own action
  }
  for (const listener of listeners) listener(latest);
  return latest;
}

export function onUsage(listener) {
  listeners.add(listener);
  if (latest) listener(latest);
}

const KINDS = ["tokens", "images", "videos"];

/** "ok", "warn" (80% or more) or "full" (nothing left) for one meter. */
export const meterState = (meter) => (meter.blocked || meter.percent >= 100 ? "full" : meter.warn || meter.percent >= 80 ? "warn" : "ok");

function worst(usage) {
  const states = KINDS.map((kind) => usage[kind]).filter(Boolean).map(meterState);
  return states.includes("full") ? "full" : states.includes("warn") ? "warn" : "ok";
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

/** The TokenMeter: tokens, images and videos against the plan, the reset date, 80% and 100% notes. */
export function mountTokenMeter(element) {
  element.classList.add("token-meter");
  const paint = () => {
    if (!latest) return;
    const rows = KINDS.filter((kind) => latest[kind]).map((kind) => {
      const meter = latest[kind];
      const bar = el("progress", { max: String(Math.max(meter.limit, 1)), value: String(Math.min(meter.used, meter.limit)) });
      bar.setAttribute("aria-label", t(`meter.${kind}`));
      return el("div", { class: "meter", "data-kind": kind, "data-state": meterState(meter) },
        el("span", { text: t(`meter.${kind}`) }), bar,
        el("span", { class: "figures", text: t("meter.figures", { used: formatNumber(meter.used), limit: formatNumber(meter.limit) }) }));
    });
    const state = worst(latest);
    element.dataset.state = state;
    const plan = latest.plan ? t("meter.plan", { plan: (document.documentElement.lang === "ar" ? latest.plan.name_ar : latest.plan.name) ?? latest.plan.id }) : t("meter.noPlan");
    const reset = latest.period?.resets_at ? t("meter.resets", { date: formatDateTime(new Date(latest.period.resets_at)) }) : "";
    const children = [el("p", { class: "meter-head", text: [plan, reset].filter(Boolean).join(" · ") }), ...rows];
    if (state !== "ok") {
      const note = el("p", { class: "meter-note", role: state === "full" ? "alert" : "status", text: t(state === "full" ? "meter.full" : "meter.warn") + " " });
      note.append(el("a", { href: "/app/account/", class: "button small", text: t("meter.upgrade") }));
      children.push(note);
    }
    element.replaceChildren(...children);
  };
  onUsage(paint);
  onLangChange(paint);
}

/** The UsageBadge in the top bar: the highest share used, linking to the account page. */
export function mountUsageBadge(element) {
  const paint = () => {
    if (!latest) return;
    const percent = Math.max(...KINDS.map((kind) => latest[kind]?.percent ?? 0));
    element.dataset.state = worst(latest);
    element.textContent = t("meter.badge", { percent: formatNumber(Math.min(percent, 100)) });
    element.title = t("meter.badgeTitle");
  };
  onUsage(paint);
  onLangChange(paint);
}
