// The CV Maker: a guided form, a live preview laid out like the document (right to left for Arabic), and
// DOCX/PDF made by the studio. A PDF that takes longer is followed through its job until it is ready.
import { get, post, upload } from "../api.js";
import { errorMessage, onLangChange, t } from "../i18n.js";
import { mountShell } from "../components/shell.js";
import { refreshUsage } from "../components/usage.js";
import { createStatus } from "../components/status.js";

const $ = (id) => document.getElementById(id);
const status = createStatus($("status"));
mountShell("cv").catch(() => { /* not signed in: sent to the sign-in page */ });

const lines = (text) => text.split("\n").map((line) => line.trim()).filter(Boolean);
let photoID = null; // the uploaded photo's file id once it has passed the check (Gulf/Jordan style)
const value = (id) => $(id).value.trim() || undefined;

function entry(container, fields) {
  const box = document.createElement("div");
  box.className = "entry grid2";
  for (const [name, key, wide] of fields) {
    const field = document.createElement("div");
    field.className = wide ? "field wide" : "field";
    const label = document.createElement("label");
    label.dataset.i18n = key;
    label.textContent = t(key);
    const input = document.createElement(wide ? "textarea" : "input");
    input.name = name;
    if (wide) input.rows = 3;
    else input.type = "text";
    input.addEventListener("input", renderPreview);
    field.append(label, input);
    box.append(field);
  }
  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "link-button";
  remove.dataset.i18n = "cv.remove";
  remove.textContent = t("cv.remove");
  remove.addEventListener("click", () => { box.remove(); renderPreview(); });
  box.append(remove);
  container.append(box);
}

const jobFields = [["title", "cv.jobTitle"], ["company", "cv.company"], ["start", "cv.start"], ["end", "cv.end"],
  ["bullets", "cv.bullets", true]];
const schoolFields = [["degree", "cv.degree"], ["school", "cv.school"], ["end", "cv.end"]];
$("add-job").addEventListener("click", () => entry($("jobs"), jobFields));
$("add-school").addEventListener("click", () => entry($("schools"), schoolFields));
entry($("jobs"), jobFields);
entry($("schools"), schoolFields);

function read(container) {
  return [...container.querySelectorAll(".entry")].map((box) => {
    const out = {};
    for (const input of box.querySelectorAll("input, textarea")) {
      if (input.name === "bullets") out.bullets = lines(input.value);
      else if (input.value.trim()) out[input.name] = input.value.trim();
    }
    return out;
  });
}

function form() {
  const style = $("style").value;
  return {
    full_name: $("full_name").value.trim(),
    headline: value("headline"), email: value("email"), phone: value("phone"), location: value("location"),
    summary: value("summary"), skills: lines($("skills").value),
    experience: read($("jobs")).filter((job) => job.title && job.company),
    education: read($("schools")).filter((school) => school.degree && school.school),
    languages: lines($("languages").value).map((line) => {
      const [name, ...level] = line.split(/[:：]/);
      return { name: name.trim(), level: level.join(":").trim() || undefined };
    }),
    nationality: style === "gulf" ? value("nationality") : undefined,
    date_of_birth: style === "gulf" ? value("date_of_birth") : undefined,
    photo_file_id: style === "gulf" && photoID ? photoID : undefined,
  };
}

// The preview follows the document: same sections, same order, the document's language and direction.
function renderPreview() {
  const data = form();
  const ar = $("language").value === "ar";
  const h = ar
    ? { summary: "الملخص المهني", experience: "الخبرة العملية", education: "التعليم", skills: "المهارات", languages: "اللغات", personal: "البيانات الشخصية" }
    : { summary: "Professional Summary", experience: "Work Experience", education: "Education", skills: "Skills", languages: "Languages", personal: "Personal Details" };
  const preview = $("preview");
  preview.dir = ar ? "rtl" : "ltr";
  preview.lang = ar ? "ar" : "en";
  const add = (tag, text, className) => {
    const node = document.createElement(tag);
    node.textContent = text;
    if (className) node.className = className;
    preview.append(node);
    return node;
  };
  preview.replaceChildren();
  if (data.photo_file_id && $("photo-preview").src) {
    const picture = document.createElement("img");
    picture.src = $("photo-preview").src;
    picture.alt = ar ? `صورة ${data.full_name}` : `Photo of ${data.full_name}`;
    picture.className = "cv-photo";
    preview.append(picture);
  }
  add("h3", data.full_name || (ar ? "الاسم الكامل" : "Full name"), "cv-name");
  if (data.headline) add("p", data.headline, "cv-headline");
  const contact = [data.email, data.phone, data.location].filter(Boolean).join(" | ");
  if (contact) add("p", contact);
  if (data.nationality || data.date_of_birth) {
    add("h4", h.personal);
    for (const item of [data.nationality, data.date_of_birth].filter(Boolean)) add("p", item);
  }
  if (data.summary) { add("h4", h.summary); add("p", data.summary); }
  if (data.experience.length) {
    add("h4", h.experience);
    for (const job of data.experience) {
      add("p", `${job.title} — ${job.company}`, "cv-role");
      const list = add("ul", "");
      for (const bullet of job.bullets ?? []) { const li = document.createElement("li"); li.textContent = bullet; list.append(li); }
    }
  }
  if (data.education.length) {
    add("h4", h.education);
    for (const school of data.education) add("p", `${school.degree} — ${school.school}${school.end ? ` (${school.end})` : ""}`);
  }
  if (data.skills.length) { add("h4", h.skills); add("p", data.skills.join(" · ")); }
  if (data.languages.length) {
    add("h4", h.languages);
    add("p", data.languages.map((l) => (l.level ? `${l.name}: ${l.level}` : l.name)).join(" · "));
  }
}

function toggleGulf() {
  for (const field of document.querySelectorAll(".gulf-only")) field.hidden = $("style").value !== "gulf";
}
$("style").addEventListener("change", () => { toggleGulf(); renderPreview(); });
// The photo is uploaded (and checked) as soon as it is chosen; the CV names it by its file id.
$("photo").addEventListener("change", async () => {
  const file = $("photo").files?.[0];
  photoID = null;
  $("photo-preview").hidden = true;
  if (!file) { renderPreview(); return; }
  status.show("info", () => t("cv.photoUploading"), "photo_uploading");
  try {
    const { file: stored } = await upload(file);
    for (let round = 0; round < 30 && !photoID; round += 1) {
      const current = (await get(`/v1/files/${stored.id}`)).file;
      if (current.status === "ready") photoID = stored.id;
      else if (current.status === "rejected") throw Object.assign(new Error("rejected"), { status: 409, code: "file_rejected" });
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    if (!photoID) throw Object.assign(new Error("slow"), { status: 409, code: "file_not_ready" });
    $("photo-preview").src = URL.createObjectURL(file);
    $("photo-preview").hidden = false;
    status.show("success", () => t("cv.photoReady"), "photo_ready");
  } catch (error) {
    status.show("error", () => errorMessage(error), error.code);
  }
  renderPreview();
});
$("cv-form").addEventListener("input", renderPreview);
onLangChange(renderPreview);
toggleGulf();
renderPreview();

function link(format, url) {
  const li = document.createElement("li");
  const a = document.createElement("a");
  a.href = url;
  a.dataset.format = format;
  a.textContent = t(`cv.download.${format}`);
  li.append(a);
  $("downloads").append(li);
}

async function followPDF(jobID) {
  for (let round = 0; round < 60; round += 1) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const { job } = await get(`/v1/jobs/${jobID}`);
    if (job.status === "done" && job.result_file_id) {
      const { url } = await get(`/v1/files/${job.result_file_id}/signed-url`);
      link("pdf", url);
      status.show("success", () => t("cv.ready"), "ready");
      return;
    }
    if (job.status === "failed") { status.show("error", () => t("cv.pdfFailed"), "pdf_failed"); return; }
  }
}

$("cv-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const data = form();
  if (!data.full_name) {
    $("full_name").setAttribute("aria-invalid", "true");
    status.show("error", () => t("cv.nameMissing"), "name_missing");
    return;
  }
  $("full_name").removeAttribute("aria-invalid");
  $("generate").disabled = true;
  $("downloads").replaceChildren();
  status.show("info", () => t("cv.working"));
  try {
    const result = await post("/v1/cv/generate", {
      form: data, language: $("language").value, style: $("style").value, formats: ["docx", "pdf"],
      polish: $("polish").checked,
    });
    let pending = null;
    for (const file of result.files) {
      if (file.status === "ready" && file.download_url) link(file.format, file.download_url);
      else if (file.status === "pending") pending = file.job_id;
    }
    if (result.polished === false) status.show("info", () => t("cv.notPolished"), "not_polished");
    if (pending) {
      status.show("info", () => t("cv.pdfLater"), "pdf_pending");
      await followPDF(pending);
    } else {
      status.show("success", () => t("cv.ready"), "ready");
    }
  } catch (error) {
    status.show("error", () => (error.code === "plan_feature_required" ? t("cv.upgrade") : errorMessage(error)), error.code);
  } finally {
    $("generate").disabled = false;
    refreshUsage();
  }
});
