// Landing page: the tools, the plans (from the backend, never from the page), the FAQ, the demo clip.
import { get } from "./js/api.js";
import { apply, formatNumber, lang, onLangChange, t, tCount } from "./js/i18n.js";
import { mountLangToggle } from "./js/components/lang-toggle.js";

let plans = [];

function renderPlans() {
  const list = document.getElementById("plans");
  list.replaceChildren(...plans.map((plan) => {
    const card = document.createElement("article");
    card.className = "plan";
    card.dataset.plan = plan.id;
    const name = document.createElement("h3");
    name.textContent = lang() === "ar" ? plan.name_ar : plan.name;
    const price = document.createElement("div");
    price.className = "price";
    price.textContent = t("landing.price", { price: plan.price_jod });
    const limits = document.createElement("ul");
    const lines = [
      t("landing.tokens", { n: formatNumber(plan.token_limit) }),
      tCount("landing.images", plan.image_limit),
      tCount("landing.videos", plan.video_limit),
    ];
    if (plan.features?.slides) lines.push(t("landing.slidesFeature"));
    if (plan.features?.long_prompts) lines.push(t("landing.creatorFeature"));
    for (const line of lines) {
      const li = document.createElement("li");
      li.textContent = line;
      limits.append(li);
    }
    card.append(name, price, limits);
    return card;
  }));
}

apply();
document.title = t("landing.docTitle");
mountLangToggle(document.getElementById("lang-toggle"));
onLangChange(() => {
  document.title = t("landing.docTitle");
  renderPlans();
});
// Someone who prefers less motion gets the still picture.
if (matchMedia("(prefers-reduced-motion: reduce)").matches) document.getElementById("demo").removeAttribute("autoplay");
try {
  plans = (await get("/v1/plans")).plans;
  renderPlans();
} catch {
  document.getElementById("plans-error").hidden = false;
}
