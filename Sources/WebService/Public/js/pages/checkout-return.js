// Where the provider sends the shopper back. The notification may arrive a moment later, so the page asks
// the backend (which also asks the provider) until the payment is paid or failed.
import { get } from "../api.js";
import { apply, errorMessage, t } from "../i18n.js";
import { mountLangToggle } from "../components/lang-toggle.js";
import { createStatus } from "../components/status.js";

const $ = (id) => document.getElementById(id);
const status = createStatus($("status"));
apply();
mountLangToggle($("lang-toggle"));

const paymentID = new URLSearchParams(location.search).get("payment") ?? "";
const started = Date.now();

async function poll() {
  try {
    const payment = await get(`/v1/payments/${encodeURIComponent(paymentID)}?refresh=1`);
    if (payment.status === "paid") {
      status.show("success", () => t("return.paid"), "paid");
      return;
    }
    if (payment.status === "failed" || payment.status === "canceled") {
      status.show("error", () => t("return.failed"), payment.status);
      return;
    }
    status.show("info", () => t(Date.now() - started > 30000 ? "return.slow" : "return.waiting"), "pending");
  } catch (error) {
    status.show("error", () => errorMessage(error), error.code);
    if (error.status === 404 || error.status === 401) return;
  }
  setTimeout(poll, Date.now() - started > 30000 ? 5000 : 1500);
}

poll();
