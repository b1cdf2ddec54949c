// The signed-in start page: the tools, with this month's meter.
import { onLangChange, t } from "../i18n.js";
import { mountShell } from "../components/shell.js";

mountShell("").catch(() => { /* a visitor who is not signed in is sent to the sign-in page */ });
document.title = t("hub.docTitle");
onLangChange(() => { document.title = t("hub.docTitle"); });
