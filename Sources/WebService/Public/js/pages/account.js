// The Account page: subscription with cancel/renew, this period's meters, plans and add-ons to buy, invoices.
import { get, patch, post } from "../api.js";
import { digits, errorMessage, formatDateTime, formatNumber, lang, onLangChange, setDigits, setLang, t } from "../i18n.js";
import { mountShell } from "../components/shell.js";
import { createStatus } from "../components/status.js";

const $ = (id) => document.getElementById(id);
const status = createStatus($("status"));
let state = { subscription: null, usage: null, catalogue: { plans: [], addons: [] }, invoices: [] };

mountShell("account").catch(() => { /* not signed in: sent to the sign-in page */ });

const name = (item) => (lang() === "ar" ? item.name_ar : item.name) ?? item.name;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function renderSubscription() {
  const sub = state.subscription;
  $("cancel").hidden = !(sub?.status === "active" && !sub.cancel_at_period_end);
  $("renew").hidden = !(sub?.status === "active" && sub.cancel_at_period_end);
  if (!sub) {
    $("subscription").textContent = t("account.none");
    return;
  }
  const plan = lang() === "ar" ? sub.plan_name_ar : sub.plan_name;
  const parts = [t("account.plan", { plan: plan ?? sub.plan_id }), t(`account.status.${sub.status}`)];
  if (sub.renews_at && ["active", "trialing"].includes(sub.status)) {
    const date = formatDateTime(new Date(sub.renews_at));
    parts.push(sub.cancel_at_period_end || sub.status === "trialing" ? t("account.ends", { date }) : t("account.renews", { date }));
  }
  $("subscription").dataset.status = sub.status;
  $("subscription").textContent = parts.join(" · ");
}

function renderMeters() {
  const usage = state.usage;
  const box = $("meters");
  box.replaceChildren();
  if (!usage) return;
  for (const [key, meter] of [["tokens", usage.tokens], ["images", usage.images], ["videos", usage.videos]]) {
    if (!meter) continue;
    const bar = el("progress", { max: String(Math.max(meter.limit, 1)), value: String(Math.min(meter.used, meter.limit)) });
    box.append(el("div", { class: "meter", "data-kind": key },
      el("span", { text: t(`account.meter.${key}`) }), bar,
      el("span", { text: t("account.meter", { used: formatNumber(meter.used), limit: formatNumber(meter.limit) }) })));
  }
}

function renderCatalogue() {
  const plans = $("plans");
  plans.replaceChildren(...state.catalogue.plans.map((plan) => {
    const current = state.subscription?.plan_id === plan.id && state.subscription?.status === "active";
    const button = el("button", { type: "button", class: "button", "data-plan": plan.id, text: t("account.choose") });
    button.disabled = current;
    button.addEventListener("click", () => checkout({ plan_id: plan.id }, button));
    return el("article", { class: "plan" }, el("h3", { text: name(plan) }),
      el("p", { class: "price", text: t("account.perMonth", { price: plan.price_jod }) }), button);
  }));
  const addons = $("addons");
  addons.replaceChildren(...state.catalogue.addons.map((addon) => {
    const button = el("button", { type: "button", class: "button secondary", "data-addon": addon.id,
      text: t("account.buy", { price: addon.price_jod }) });
    button.addEventListener("click", () => checkout({ addon: addon.id }, button));
    return el("article", { class: "plan" }, el("h3", { text: name(addon) }), button);
  }));
}

function renderInvoices() {
  const list = $("invoices");
  if (!state.invoices.length) {
    list.replaceChildren(el("li", { text: t("account.noInvoices") }));
    return;
  }
  list.replaceChildren(...state.invoices.map((invoice) => el("li", { "data-invoice": invoice.number },
    el("bdi", { text: invoice.number }), " · ", formatDateTime(new Date(invoice.issued_at)), " · ",
    lang() === "ar" ? invoice.description_ar : invoice.description, " · ",
    el("bdi", { text: `${invoice.amount_jod} JOD` }), " · ",
    el("a", { href: invoice.html_url, target: "_blank", rel: "noopener", text: t("account.invoice.view") }), " · ",
    pdfButton(invoice))));
}

function pdfButton(invoice) {
  const button = el("button", { type: "button", class: "link-button", "data-pdf": invoice.id, text: t("account.invoice.pdf") });
  button.addEventListener("click", async () => {
    button.disabled = true;
    status.show("info", () => t("account.invoice.preparing"));
    try {
      const pdf = await post(`/v1/invoices/${invoice.id}/pdf`);
      if (pdf.status === "ready" && pdf.download_url) {
        status.clear();
        location.assign(pdf.download_url);
      } else {
        status.show(pdf.status === "failed" ? "error" : "info",
          () => t(pdf.status === "failed" ? "account.invoice.pdfFailed" : "account.invoice.pdfLater"), pdf.status);
      }
    } catch (error) {
      status.show("error", () => errorMessage(error), error.code);
    } finally {
      button.disabled = false;
    }
  });
  return button;
}

function render() {
  renderSubscription();
  renderMeters();
  renderCatalogue();
  renderInvoices();
}

async function checkout(body, button) {
  button.disabled = true;
  status.show("info", () => t("account.opening"));
  try {
    const session = await post("/v1/payments/session", body);
    location.assign(session.redirectUrl);
  } catch (error) {
    const key = `account.error.${error.code}`;
    status.show("error", () => (t(key) !== key ? t(key) : errorMessage(error)), error.code);
    button.disabled = false;
  }
}

async function setRenewal(action) {
  try {
    const result = await post(`/v1/subscription/${action}`);
    state.subscription = result.subscription;
    status.show("success", () => t(action === "cancel" ? "account.canceled" : "account.renewed"), action);
    render();
  } catch (error) {
    status.show("error", () => errorMessage(error), error.code);
  }
}

$("cancel").addEventListener("click", () => setRenewal("cancel"));
$("renew").addEventListener("click", () => setRenewal("renew"));
onLangChange(render);

async function load() {
  try {
    const [subscription, usage, catalogue, invoices] = await Promise.all([
      get("/v1/subscription"), get("/v1/usage/me"), get("/v1/plans"), get("/v1/invoices"),
    ]);
    state = { subscription: subscription.subscription ?? null, usage, catalogue, invoices: invoices.invoices ?? [] };
    render();
  } catch (error) {
    if (error.status === 401) {
      status.show("error", () => t("account.signInFirst"), error.code);
      location.replace(`/signin/?next=${encodeURIComponent("/app/account/")}`);
      return;
    }
    status.show("error", () => errorMessage(error), error.code);
  }
}

// Preferences: applied here at once and saved with the account (e-mails follow the language too).
async function savePreferences() {
  try {
    await patch("/v1/auth/me", { locale: $("pref-lang").value, digits: $("pref-digits").value });
    status.show("success", () => t("account.prefsSaved"), "prefs_saved");
  } catch (error) {
    status.show("error", () => errorMessage(error), error.code);
  }
}
$("pref-lang").value = lang();
$("pref-digits").value = digits();
$("pref-lang").addEventListener("change", () => { setLang($("pref-lang").value); savePreferences(); });
$("pref-digits").addEventListener("change", () => { setDigits($("pref-digits").value); savePreferences(); });
onLangChange(() => {
  $("pref-lang").value = lang();
  $("pref-digits").value = digits();
});

load();
