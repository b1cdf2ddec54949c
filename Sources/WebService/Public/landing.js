// Landing page: plans come from the backend, never from the page itself.
const text = {
  ar: {
    title: "استوديو الذكاء الاصطناعي",
    tagline: "مساحة عمل عربية واحدة: محادثة، سيرة ذاتية، عروض تقديمية، صور وفيديو — باشتراك شهري يبدأ من 3 دنانير.",
    signIn: "تسجيل الدخول", plans: "الباقات", plansError: "تعذّر تحميل الباقات الآن.", toggle: "English",
    tokens: "رمز شهريًا", images: "صورة", videos: "فيديو قصير", currency: "د.أ", perMonth: "شهريًا",
  },
  en: {
    title: "AI Studio",
    tagline: "One Arabic-first workspace: chat, CVs, slides, images and video — monthly plans from 3 JOD.",
    signIn: "Sign in", plans: "Plans", plansError: "The plans could not be loaded right now.", toggle: "العربية",
    tokens: "tokens a month", images: "images", videos: "short videos", currency: "JOD", perMonth: "a month",
  },
};

let lang = localStorage.getItem("lang") === "en" ? "en" : "ar";
let plans = [];

const number = (n) => new Intl.NumberFormat(lang === "ar" ? "ar-JO-u-nu-latn" : "en-JO").format(n);

function render() {
  const t = text[lang];
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === "ar" ? "rtl" : "ltr";
  document.title = t.title;
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t[el.dataset.i18n];
  const toggle = document.getElementById("lang-toggle");
  toggle.textContent = t.toggle;
  toggle.lang = lang === "ar" ? "en" : "ar";
  const list = document.getElementById("plans");
  list.replaceChildren(...plans.map((p) => {
    const card = document.createElement("article");
    card.className = "plan";
    const name = document.createElement("h3");
    name.textContent = lang === "ar" ? p.name_ar : p.name;
    const price = document.createElement("div");
    price.className = "price";
    price.textContent = `${p.price_jod} ${t.currency} ${t.perMonth}`;
    const limits = document.createElement("ul");
    for (const line of [`${number(p.token_limit)} ${t.tokens}`, `${number(p.image_limit)} ${t.images}`, `${number(p.video_limit)} ${t.videos}`]) {
      const li = document.createElement("li");
      li.textContent = line;
      limits.append(li);
    }
    card.append(name, price, limits);
    return card;
  }));
}

document.getElementById("lang-toggle").addEventListener("click", () => {
  lang = lang === "ar" ? "en" : "ar";
  localStorage.setItem("lang", lang);
  render();
});

render();
try {
  const response = await fetch("/v1/plans", { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  plans = (await response.json()).plans;
  render();
} catch {
  document.getElementById("plans-error").hidden = false;
}
