// The ModelSelector: one <select> filled from GET /v1/models for a modality (chat, image, video),
// in the page language, with models that cannot answer now disabled and the demo marked as such.
import { get } from "../api.js";
import { lang, onLangChange, t } from "../i18n.js";

let catalogue = null;

export async function loadModels() {
  catalogue ??= get("/v1/models");
  return catalogue;
}

export async function mountModelSelector(select, modality) {
  const models = (await loadModels())[modality] ?? [];
  const key = `model.${modality}`;
  let remembered = null;
  try { remembered = localStorage.getItem(key); } catch { /* not remembered */ }
  const usable = models.filter((model) => model.available);
  const initial = usable.find((model) => model.id === remembered) ?? usable.find((model) => model.default) ?? usable[0];

  const paint = () => {
    const chosen = select.value || initial?.id;
    select.replaceChildren(...models.map((model) => {
      const option = document.createElement("option");
      option.value = model.id;
      const name = lang() === "ar" ? model.name_ar ?? model.name : model.name;
      const label = model.demo ? `${name} — ${t("models.demo")}` : model.available ? name : `${name} — ${t("models.unavailable")}`;
      // Chat models that cannot take pictures say so (attachments of pictures need one that can).
      option.textContent = model.vision === false ? `${label} — ${t("models.textOnly")}` : label;
      option.dataset.vision = String(model.vision ?? "");
      option.disabled = !model.available;
      option.dataset.provider = model.provider;
      return option;
    }));
    if (chosen) select.value = chosen;
  };
  paint();
  onLangChange(paint);
  select.addEventListener("change", () => {
    try { localStorage.setItem(key, select.value); } catch { /* not remembered */ }
  });
  return {
    models,
    current: () => models.find((model) => model.id === select.value),
  };
}
