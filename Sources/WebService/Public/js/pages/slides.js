// The Slide Maker: a topic becomes an outline (from the AI, through the gateway), every slide of which can be
// edited here before the deck is made as PPTX and PDF.
import { get, post } from "../api.js";
import { errorMessage, t } from "../i18n.js";
import { mountShell } from "../components/shell.js";
import { refreshUsage } from "../components/usage.js";
import { createStatus } from "../components/status.js";

const $ = (id) => document.getElementById(id);
const status = createStatus($("status"));
mountShell("slides").catch(() => { /* not signed in: sent to the sign-in page */ });

const lines = (text) => text.split("\n").map((line) => line.trim()).filter(Boolean);
const refusal = (error) => (error.code === "plan_feature_required" ? t("slides.upgrade") : errorMessage(error));

function field(labelKey, value, multiline, name) {
  const box = document.createElement("div");
  box.className = "field";
  const label = document.createElement("label");
  label.textContent = t(labelKey);
  const input = document.createElement(multiline ? "textarea" : "input");
  if (multiline) input.rows = 4; else input.type = "text";
  input.name = name;
  input.value = value ?? "";
  label.append(input);
  box.append(label);
  return box;
}

function showOutline(outline, source) {
  $("editor").hidden = false;
  $("source-note").textContent = t(source === "ai" ? "slides.fromAI" : "slides.fromTemplate");
  $("deck-title").value = outline.title ?? "";
  $("deck-subtitle").value = outline.subtitle ?? "";
  const dir = $("language").value === "ar" ? "rtl" : "ltr";
  $("slides").replaceChildren(...outline.slides.map((slide, index) => {
    const card = document.createElement("fieldset");
    card.className = "slide-card stack";
    card.dir = dir;
    const legend = document.createElement("legend");
    legend.textContent = t("slides.slide", { number: index + 2 });
    card.append(legend, field("slides.slideTitle", slide.title, false, "title"),
      field("slides.bullets", (slide.bullets ?? []).join("\n"), true, "bullets"),
      field("slides.notes", slide.notes ?? "", true, "notes"));
    return card;
  }));
}

$("topic-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const count = Number.parseInt($("count").value.replace(/[٠-٩]/g, (d) => "٠١٢٣٤٥٦٧٨٩".indexOf(d)), 10);
  if (!$("topic").value.trim() || !(count >= 3 && count <= 20)) {
    status.show("error", () => t("slides.invalid"), "invalid");
    return;
  }
  $("outline-button").disabled = true;
  status.show("info", () => t("slides.writing"));
  try {
    const result = await post("/v1/slides/outline", {
      topic: $("topic").value.trim(), audience: $("audience").value.trim() || undefined, slide_count: count,
      language: $("language").value, points: lines($("points").value),
    });
    showOutline(result.outline, result.source);
    status.show("success", () => t("slides.outlineReady"), "outline_ready");
  } catch (error) {
    status.show("error", () => refusal(error), error.code);
  } finally {
    $("outline-button").disabled = false;
    refreshUsage();
  }
});

function currentOutline() {
  return {
    title: $("deck-title").value.trim(), subtitle: $("deck-subtitle").value.trim() || undefined,
    slides: [...document.querySelectorAll(".slide-card")].map((card) => ({
      title: card.querySelector('[name="title"]').value.trim(),
      bullets: lines(card.querySelector('[name="bullets"]').value),
      notes: card.querySelector('[name="notes"]').value.trim() || undefined,
    })),
  };
}

function link(format, url) {
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = url;
  a.dataset.format = format;
  a.textContent = t(`slides.download.${format}`);
  li.append(a);
  $("downloads").append(li);
}

$("generate").addEventListener("click", async () => {
  $("generate").disabled = true;
  $("downloads").replaceChildren();
  status.show("info", () => t("slides.making"));
  try {
    const result = await post("/v1/slides/generate", {
      outline: currentOutline(), language: $("language").value, theme: $("theme").value, formats: ["pptx", "pdf"],
    });
    let pending = null;
    for (const file of result.files) {
      if (file.status === "ready" && file.download_url) link(file.format, file.download_url);
      else if (file.status === "pending") pending = file.job_id;
    }
    for (let round = 0; pending && round < 60; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const { job } = await get(`/v1/jobs/${pending}`);
      if (job.status === "done" && job.result_file_id) {
        link("pdf", (await get(`/v1/files/${job.result_file_id}/signed-url`)).url);
        pending = null;
      } else if (job.status === "failed") {
        throw Object.assign(new Error("pdf"), { code: "pdf_failed" });
      }
    }
    status.show("success", () => t("slides.ready"), "ready");
  } catch (error) {
    status.show("error", () => (error.code === "pdf_failed" ? t("slides.pdfFailed") : refusal(error)), error.code);
  } finally {
    $("generate").disabled = false;
  }
});
