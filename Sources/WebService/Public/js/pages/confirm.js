// The page behind the e-mailed link. Mail scanners open links on their own, so the token is
// spent only when a person presses the button, never on load.
import { post } from "../api.js";
import { apply, errorMessage, t } from "../i18n.js";
import { mountLangToggle } from "../components/lang-toggle.js";
import { createStatus } from "../components/status.js";

const $ = (id) => document.getElementById(id);
const button = $("confirm");
const status = createStatus($("status"));

apply();
mountLangToggle($("lang-toggle"));

const FINAL = new Set(["token_used", "token_expired", "invalid_token", "token_locked"]);
const token = new URLSearchParams(location.search).get("token")?.trim() ?? "";

function giveUp(render, code) {
  $("ready").hidden = true;
  status.show("error", render, code);
  $("back").hidden = false;
}

if (!token) giveUp(() => t("confirm.missing"), "missing_token");

button.addEventListener("click", async () => {
  button.disabled = true;
  button.dataset.i18n = "confirm.working";
  button.textContent = t("confirm.working");
  status.clear();
  try {
    await post("/v1/auth/magic-link/verify", { token });
    status.show("success", () => t("confirm.success"), "signed_in");
    location.replace("/app/");
  } catch (error) {
    if (FINAL.has(error.code)) {
      giveUp(() => t(`confirm.error.${error.code}`), error.code);
      return;
    }
    // A network or server failure: the link may still be good, so the button stays.
    status.show("error", () => errorMessage(error), error.code);
    button.disabled = false;
  } finally {
    button.dataset.i18n = "confirm.button";
    button.textContent = t("confirm.button");
  }
});
