// Friendly banners for refusals: 402 with the upgrade button, 429 with a countdown, 422 content
// blocked, provider failures with "nothing was charged", never a raw error.
import { errorMessage, formatClock, t, tParts } from "../i18n.js";
import { createStatus } from "./status.js";

export function createBanner(element) {
  const status = createStatus(element);
  let timer = null;

  function link(href, key) {
    const a = document.createElement("a");
    a.href = href;
    a.className = "button small";
    a.dataset.action = "upgrade";
    a.textContent = t(key);
    return a;
  }

  function problem(error) {
    clearInterval(timer);
    if (error?.status === 401) {
      location.assign(`/signin/?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    const code = error?.code ?? "error";
    if (error?.status === 402) {
      const target = error.details?.upgrade_url ?? "/app/account/";
      const key = code === "plan_feature_required" ? "banner.planFeature" : code === "quota_exceeded" ? "banner.quota" : null;
      status.show("error", () => [key ? t(key) : errorMessage(error), " ", link(target, "banner.upgrade")], code);
      return;
    }
    if (error?.status === 429) {
      const until = Date.now() + (error.retryAfter ?? 60) * 1000;
      const left = () => Math.max(0, Math.ceil((until - Date.now()) / 1000));
      const clock = document.createElement("span");
      clock.className = "countdown";
      clock.setAttribute("aria-live", "off");
      status.show("error", () => {
        clock.textContent = formatClock(left());
        return tParts("banner.wait", { time: clock });
      }, code);
      timer = setInterval(() => {
        if (left() > 0) clock.textContent = formatClock(left());
        else {
          clearInterval(timer);
          status.show("info", () => t("banner.waitOver"), "rate_limited_done");
        }
      }, 1000);
      return;
    }
    if (code === "content_blocked") {
      status.show("error", () => t("banner.blocked"), code);
      return;
    }
    status.show("error", () => errorMessage(error), code);
  }

  return {
    problem,
    info: (render, code) => { clearInterval(timer); status.show("info", render, code); },
    success: (render, code) => { clearInterval(timer); status.show("success", render, code); },
    clear: () => { clearInterval(timer); status.clear(); },
  };
}
