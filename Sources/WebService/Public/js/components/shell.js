// The frame of every signed-in page: the sidebar (Chat, CV, Slides, Image, Video, Account), the top
// bar's UsageBadge and language toggle, the TokenMeter when the page has one, and the sign-in check.
import { get } from "../api.js";
import { apply, digits, lang, onLangChange, setDigits, setLang, t } from "../i18n.js";
import { mountLangToggle } from "./lang-toggle.js";
import { mountTokenMeter, mountUsageBadge, onUsage, refreshUsage } from "./usage.js";

// The plan feature each tool needs (GET /v1/usage/me → plan.features); a tool the plan lacks shows a lock.
const FEATURES = { chat: "chat", cv: "cv", slides: "slides", summary: "pdf_summary", image: "image", video: "video" };

function markLocks(nav, usage) {
  const features = usage?.plan?.features ?? {};
  for (const link of nav.querySelectorAll("a[data-tool]")) {
    const feature = FEATURES[link.dataset.tool];
    const locked = Boolean(feature) && features[feature] === false;
    link.toggleAttribute("data-locked", locked);
    link.title = locked ? t("nav.locked") : "";
  }
}

const TOOLS = [
  ["chat", "/app/chat/"], ["cv", "/app/cv/"], ["slides", "/app/slides/"], ["summary", "/app/summary/"],
  ["image", "/app/image/"], ["video", "/app/video/"], ["account", "/app/account/"],
];

function sidebar(nav, active) {
  nav.setAttribute("aria-label", t("nav.label"));
  const list = document.createElement("ul");
  for (const [tool, href] of TOOLS) {
    const link = document.createElement("a");
    link.href = href;
    link.dataset.tool = tool;
    link.dataset.i18n = `nav.${tool}`;
    link.textContent = t(`nav.${tool}`);
    if (tool === active) link.setAttribute("aria-current", "page");
    const item = document.createElement("li");
    item.append(link);
    list.append(item);
  }
  nav.replaceChildren(list);
}

// The top bar: the brand, the UsageBadge and the language toggle.
function topbar(header) {
  const brand = document.createElement("a");
  brand.className = "brand";
  brand.href = "/app/";
  brand.dataset.i18n = "common.brand";
  const badge = document.createElement("a");
  badge.id = "usage-badge";
  badge.className = "usage-badge";
  badge.href = "/app/account/";
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.id = "lang-toggle";
  toggle.className = "lang-toggle";
  const tools = document.createElement("div");
  tools.className = "topbar-tools";
  tools.append(badge, toggle);
  header.replaceChildren(brand, tools);
}

/** Mounts the frame; answers the signed-in user (or sends the visitor to sign in). */
export async function mountShell(active) {
  const header = document.getElementById("topbar");
  if (header) topbar(header);
  const nav = document.getElementById("sidebar");
  if (nav) {
    sidebar(nav, active);
    let latest = null;
    onUsage((usage) => { latest = usage; markLocks(nav, usage); });
    onLangChange(() => markLocks(nav, latest));
  }
  apply();
  mountLangToggle(document.getElementById("lang-toggle"));
  onLangChange(() => nav?.setAttribute("aria-label", t("nav.label")));
  const badge = document.getElementById("usage-badge");
  if (badge) mountUsageBadge(badge);
  const meter = document.getElementById("token-meter");
  if (meter) mountTokenMeter(meter);
  let me;
  try {
    me = await get("/v1/auth/me");
  } catch (error) {
    if (error.status === 401) location.replace(`/signin/?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw error;
  }
  // The account's own choices win over this browser's, the first time a page sees them.
  const saved = me?.user;
  try {
    if (saved && !sessionStorage.getItem("prefs-synced")) {
      sessionStorage.setItem("prefs-synced", "1");
      if (saved.digits && saved.digits !== digits()) setDigits(saved.digits);
      if (saved.locale && saved.locale !== lang()) setLang(saved.locale);
    }
  } catch { /* storage blocked: keep this page's choices */ }
  refreshUsage();
  return me;
}
