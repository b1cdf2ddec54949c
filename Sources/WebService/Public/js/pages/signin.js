// Sign-in: e-mail → magic link and 6-digit code → session, then on to `next` or the app.
import { get, post } from "../api.js";
import { apply, errorMessage, formatClock, lang, t, tParts } from "../i18n.js";
import { mountLangToggle } from "../components/lang-toggle.js";
import { createStatus } from "../components/status.js";

const $ = (id) => document.getElementById(id);
const emailForm = $("email-form");
const codeForm = $("code-form");
const emailInput = $("email");
const codeInput = $("code");
const actionButtons = [$("send"), $("verify"), $("resend")];

apply();
mountLangToggle($("lang-toggle"));
const status = createStatus($("status"));
const sentText = createStatus($("sent-text"));
const signedInText = createStatus($("signed-in-text"));

// Codes whose wording depends on this page (a code, not a link); others use the server's message.
const OWN_WORDING = new Set([
  "invalid_email", "mail_unavailable", "invalid_code", "token_expired", "token_used", "token_locked", "invalid_token",
]);

let email = "";
let busy = false;
let coolingDown = false;
let cooldownTimer = null;

/** A same-origin path from `?next=`, or null: never another site, never `//host`. */
function safeNext(raw) {
  if (!raw || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return null;
  try {
    const url = new URL(raw, location.origin);
    return url.origin === location.origin ? url.pathname + url.search + url.hash : null;
  } catch {
    return null;
  }
}

const destination = safeNext(new URLSearchParams(location.search).get("next")) ?? "/app/";
$("continue").href = destination;

// Arabic-Indic and Persian digits count as digits; spaces and dashes from a paste are dropped.
function normalizeCode(value) {
  return value
    .replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (digit) => String(digit.charCodeAt(0) & 0xf))
    .replace(/\D/g, "")
    .slice(0, 6);
}

function syncButtons() {
  for (const button of actionButtons) button.disabled = busy || coolingDown;
  $("change-email").disabled = busy;
}

async function whileBusy(button, labelKey, work) {
  const restingKey = button.dataset.i18n;
  busy = true;
  button.dataset.i18n = labelKey;
  button.textContent = t(labelKey);
  syncButtons();
  try {
    await work();
  } finally {
    busy = false;
    button.dataset.i18n = restingKey;
    button.textContent = t(restingKey);
    syncButtons();
  }
}

function startCooldown(seconds) {
  clearInterval(cooldownTimer);
  const until = Date.now() + seconds * 1000;
  const left = () => Math.max(0, Math.ceil((until - Date.now()) / 1000));
  // Only the first sentence is announced; the ticking clock is not read out every second.
  const clock = document.createElement("span");
  clock.className = "countdown";
  clock.setAttribute("aria-live", "off");
  coolingDown = true;
  syncButtons();
  status.show("error", () => {
    clock.textContent = formatClock(left());
    return tParts("signin.error.rate_limited", { time: clock });
  }, "rate_limited");
  cooldownTimer = setInterval(() => {
    if (left() > 0) {
      clock.textContent = formatClock(left());
      return;
    }
    clearInterval(cooldownTimer);
    coolingDown = false;
    syncButtons();
    status.show("info", () => t("signin.error.rate_limited_done"), "rate_limited_done");
  }, 1000);
}

function showError(error, field) {
  if (error.code === "rate_limited") {
    startCooldown(error.retryAfter ?? 60);
    return;
  }
  const own = OWN_WORDING.has(error.code);
  status.show("error", () => (own ? t(`signin.error.${error.code}`) : errorMessage(error)), error.code);
  if (field && ["invalid_email", "invalid_code", "validation_failed"].includes(error.code)) {
    field.setAttribute("aria-invalid", "true");
    field.focus();
  }
}

function showFieldProblem(field, key) {
  status.show("error", () => t(key), "client_validation");
  field.setAttribute("aria-invalid", "true");
  field.focus();
}

function showCodeStep(resent) {
  emailForm.hidden = true;
  codeForm.hidden = false;
  sentText.show("info", () => t(resent ? "signin.resent" : "signin.sent", { email }));
  codeInput.value = "";
  codeInput.removeAttribute("aria-invalid");
  codeInput.focus();
}

async function requestLink(button, resent) {
  status.clear();
  await whileBusy(button, "signin.sending", async () => {
    try {
      await post("/v1/auth/magic-link", { email, locale: lang() });
      showCodeStep(resent);
    } catch (error) {
      showError(error, resent ? null : emailInput);
    }
  });
}

emailForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (busy || coolingDown) return;
  emailInput.removeAttribute("aria-invalid");
  email = emailInput.value.trim();
  if (!email) return showFieldProblem(emailInput, "signin.emailMissing");
  if (emailInput.validity.typeMismatch) return showFieldProblem(emailInput, "signin.error.invalid_email");
  requestLink($("send"), false);
});

emailInput.addEventListener("input", () => emailInput.removeAttribute("aria-invalid"));

codeInput.addEventListener("input", () => {
  const clean = normalizeCode(codeInput.value);
  if (clean !== codeInput.value) codeInput.value = clean;
  codeInput.removeAttribute("aria-invalid");
});

codeForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  if (busy || coolingDown) return;
  const code = normalizeCode(codeInput.value);
  if (code.length !== 6) return showFieldProblem(codeInput, "signin.codeFormat");
  status.clear();
  await whileBusy($("verify"), "signin.verifying", async () => {
    try {
      await post("/v1/auth/magic-link/verify", { email, code });
      status.show("success", () => t("signin.success"), "signed_in");
      location.assign(destination);
    } catch (error) {
      showError(error, codeInput);
    }
  });
});

$("resend").addEventListener("click", () => {
  if (!busy && !coolingDown) requestLink($("resend"), true);
});

$("change-email").addEventListener("click", () => {
  codeForm.hidden = true;
  emailForm.hidden = false;
  status.clear();
  emailInput.focus();
  emailInput.select();
});

$("sign-out").addEventListener("click", async () => {
  try {
    await post("/v1/auth/logout", {});
    $("signed-in").hidden = true;
    emailForm.hidden = false;
    status.show("success", () => t("signin.signedOut"), "signed_out");
  } catch (error) {
    showError(error, null);
  }
});

get("/v1/auth/me").then(({ user }) => {
  signedInText.show("info", () => t("signin.already", { email: user.email }));
  $("signed-in").hidden = false;
  emailForm.hidden = true;
  codeForm.hidden = true;
}, () => { /* not signed in: the form stays */ });

get("/v1/dev/outbox").then(() => { $("dev-mailbox").hidden = false; }, () => {});
