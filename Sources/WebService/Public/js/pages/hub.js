// The signed-in start page: who is signed in, and the tools.
import { get } from "../api.js";
import { apply, t } from "../i18n.js";
import { mountLangToggle } from "../components/lang-toggle.js";

apply();
mountLangToggle(document.getElementById("lang-toggle"));
get("/v1/auth/me").catch((error) => {
  if (error.status === 401) location.replace(`/signin/?next=${encodeURIComponent("/app/")}`);
});
document.title = t("hub.docTitle");
