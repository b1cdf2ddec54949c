// Document summaries (Pro and Creator): upload a PDF (scanned pages are read by OCR), DOCX or TXT; the worker
// reads its text once; the summary is written part by part and streamed in; then it downloads as DOCX and PDF.
import { get, post, stream, upload } from "../api.js";
import { formatNumber, onLangChange, t } from "../i18n.js";
import { createBanner } from "../components/banner.js";
import { mountShell } from "../components/shell.js";
import { onUsage, refreshUsage } from "../components/usage.js";

const $ = (id) => document.getElementById(id);
const banner = createBanner($("banner"));
let summary = null;
let lastStep = null;

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function step(key, vars = {}) {
  lastStep?.setAttribute("data-done", "true");
  const item = document.createElement("li");
  item.dataset.key = key;
  item.dataset.vars = JSON.stringify(vars);
  item.textContent = t(key, vars);
  $("steps").append(item);
  lastStep = item;
  return item;
}

function list(element, items) {
  element.replaceChildren(...items.map((text) => {
    const li = document.createElement("li");
    li.dir = "auto";
    li.textContent = text;
    return li;
  }));
}

function show(result, source) {
  summary = result;
  $("result").hidden = false;
  $("result").dir = $("language").value === "ar" ? "rtl" : "ltr";
  $("result").lang = $("language").value;
  $("source-note").textContent = t(source === "ai" ? "summary.fromAI" : "summary.fromText");
  $("source-note").dataset.source = source;
  $("s-title").textContent = result.title;
  $("s-overview").textContent = result.overview;
  list($("s-points"), result.key_points ?? []);
  $("s-sections").replaceChildren(...(result.sections ?? []).filter((s) => s.points?.length).map((section) => {
    const box = document.createElement("section");
    const heading = document.createElement("h3");
    heading.dir = "auto";
    heading.textContent = section.heading;
    const ul = document.createElement("ul");
    list(ul, section.points);
    box.append(heading, ul);
    return box;
  }));
  list($("s-actions"), result.action_items ?? []);
  $("s-actions-box").hidden = !(result.action_items ?? []).length;
}

async function until(check, rounds = 180, every = 1000) {
  for (let round = 0; round < rounds; round += 1) {
    const value = await check();
    if (value) return value;
    await wait(every);
  }
  throw Object.assign(new Error("slow"), { status: 504, code: "timeout" });
}

async function readText(fileID) {
  const first = await post(`/v1/files/${fileID}/extract`, {});
  if (first.text) return first.text;
  step("summary.stepReading");
  await until(async () => {
    const { job } = await get(`/v1/jobs/${first.job.id}`);
    if (job.status === "failed") throw Object.assign(new Error("failed"), { code: "extract_failed", message: job.error, message_ar: t("summary.extractFailed", { reason: job.error ?? "" }) });
    return job.status === "done";
  });
  return (await get(`/v1/files/${fileID}/text`)).text;
}

$("summary-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const file = $("document").files?.[0];
  if (!file) {
    banner.problem({ code: "validation_failed", message: t("summary.pickFile"), message_ar: t("summary.pickFile") });
    return;
  }
  $("summarise").disabled = true;
  $("steps").replaceChildren();
  lastStep = null;
  $("result").hidden = true;
  banner.clear();
  try {
    step("summary.stepUpload");
    const { file: stored } = await upload(file);
    await until(async () => {
      const current = (await get(`/v1/files/${stored.id}`)).file;
      if (current.status === "rejected") throw Object.assign(new Error("rejected"), { status: 409, code: "file_rejected" });
      return current.status === "ready";
    });
    const text = await readText(stored.id);
    step("summary.stepRead", { pages: formatNumber(text.pages), ocr: formatNumber(text.ocr_pages.length) });
    const events = stream("/v1/documents/summary", { file_id: stored.id, language: $("language").value });
    for await (const { event: name, data } of events) {
      if (name === "progress") {
        step(data.step === "combine" ? "summary.stepCombine" : "summary.stepPart", { part: formatNumber(data.part), of: formatNumber(data.of) });
      } else if (name === "summary") {
        show(data.summary, data.source);
      } else if (name === "error") {
        banner.problem({ status: 502, ...data.error, details: data.error });
      } else if (name === "done") {
        lastStep?.setAttribute("data-done", "true");
        banner.success(() => t("summary.ready"), "summary_ready");
      }
    }
  } catch (error) {
    banner.problem(error);
  } finally {
    $("summarise").disabled = false;
    refreshUsage();
  }
});

function link(format, url) {
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = url;
  a.dataset.format = format;
  a.textContent = t(`summary.download.${format}`);
  li.append(a);
  $("downloads").append(li);
}

$("export").addEventListener("click", async () => {
  if (!summary) return;
  $("export").disabled = true;
  $("downloads").replaceChildren();
  try {
    const result = await post("/v1/documents/summary/export", { summary, language: $("language").value, formats: ["docx", "pdf"] });
    let pending = null;
    for (const file of result.files) {
      if (file.status === "ready" && file.download_url) link(file.format, file.download_url);
      else if (file.status === "pending") pending = file.job_id;
    }
    if (pending) {
      const job = await until(async () => {
        const { job: current } = await get(`/v1/jobs/${pending}`);
        if (current.status === "failed") throw Object.assign(new Error("pdf"), { code: "pdf_failed", message: t("slides.pdfFailed"), message_ar: t("slides.pdfFailed") });
        return current.status === "done" ? current : null;
      }, 60, 1500);
      link("pdf", (await get(`/v1/files/${job.result_file_id}/signed-url`)).url);
    }
  } catch (error) {
    banner.problem(error);
  } finally {
    $("export").disabled = false;
  }
});

onUsage((usage) => {
  const allowed = usage?.plan?.features?.pdf_summary !== false;
  $("locked").hidden = allowed;
  $("summarise").disabled = !allowed;
});
onLangChange(() => {
  document.title = t("summary.docTitle");
  for (const item of $("steps").children) item.textContent = t(item.dataset.key, JSON.parse(item.dataset.vars ?? "{}"));
});

try {
  await mountShell("summary");
  document.title = t("summary.docTitle");
} catch (error) {
  if (error?.status !== 401) banner.problem(error);
}
