// Our checkout page: loads HyperPay's COPYandPAY widget for the payment's checkout id (with its SRI hash);
// the widget posts the shopper back to the return page. Hosted-page providers are redirected instead.
import { get } from "../api.js";
import { apply, errorMessage, t } from "../i18n.js";
import { mountLangToggle } from "../components/lang-toggle.js";
import { createStatus } from "../components/status.js";

const $ = (id) => document.getElementById(id);
const status = createStatus($("status"));
apply();
mountLangToggle($("lang-toggle"));

const paymentID = new URLSearchParams(location.search).get("payment") ?? "";

async function start() {
  let payment;
  try {
    payment = await get(`/v1/payments/${encodeURIComponent(paymentID)}`);
  } catch (error) {
    status.show("error", () => errorMessage(error), error.code);
    return;
  }
  $("amount").textContent = t("checkout.amount", { amount: payment.amount_jod });
  const checkout = payment.checkout;
  if (payment.status !== "pending" || !checkout) {
    status.show("info", () => t("checkout.notPending"), payment.status);
    return;
  }
  if (checkout.hosted_page_url) {
    location.assign(checkout.hosted_page_url);
    return;
  }
  status.show("info", () => t("checkout.loading"));
  const form = document.createElement("form");
  form.className = "paymentWidgets";
  form.action = checkout.result_url;
  form.dataset.brands = checkout.brands ?? "VISA MASTER MADA";
  $("widget").append(form);
  const script = document.createElement("script");
  script.src = checkout.script_url;
  if (checkout.integrity) {
    script.integrity = checkout.integrity;
    script.crossOrigin = "anonymous";
  }
  script.addEventListener("load", () => status.clear());
  script.addEventListener("error", () => status.show("error", () => t("checkout.widgetFailed"), "widget_failed"));
  document.head.append(script);
}

start();
