// The Arabic/English switch in the page header; it names the other language in that language.
import { lang, onLangChange, setLang, t } from "../i18n.js";

export function mountLangToggle(button) {
  const paint = () => {
    button.textContent = t("common.toggle");
    button.lang = lang() === "ar" ? "en" : "ar";
    button.setAttribute("aria-label", t("common.toggleLabel"));
  };
  button.addEventListener("click", () => setLang(lang() === "ar" ? "en" : "ar"));
  onLangChange(paint);
  paint();
}
