// Images: a prompt becomes a grid of pictures (Nano Banana by default, the offline demo without a
// key); any of them, or a picture from the device, opens in the editor — crop by dragging, resize,
// Arabic or English text drawn with the browser's own shaping — and is saved as a new file. The Creator
// plan's advanced editor sends the picture to the worker: brightness, contrast and saturation, a social
// network's size, and text layers with their font, colour, outline and place, drawn by libass.
import { get, post, upload } from "../api.js";
import { apply as applyStrings, directionOf, formatNumber, onLangChange, t } from "../i18n.js";
import { createBanner } from "../components/banner.js";
import { mountModelSelector } from "../components/model-selector.js";
import { mountShell } from "../components/shell.js";
import { onUsage, refreshUsage } from "../components/usage.js";

const $ = (id) => document.getElementById(id);
const banner = createBanner($("banner"));
const canvas = $("canvas");
const ctx = canvas.getContext("2d");
const undoStack = [];
let selection = null; // { x, y, w, h } in canvas pixels
let dragStart = null;
let base = null; // the picture without the selection drawn on it
let inputFileID = null; // a picture the AI is asked to change (Nano Banana edits it)
let storedID = null; // the stored file the editor shows unchanged, if any

function editWithAI(fileID) {
  inputFileID = fileID;
  $("editing").hidden = !fileID;
  $("generate").textContent = t(fileID ? "image.applyEdit" : "image.generate");
  $("generate").dataset.i18n = fileID ? "image.applyEdit" : "image.generate";
  if (fileID) {
    $("prompt").focus();
    $("image-form").scrollIntoView({ behavior: "smooth", block: "start" });
  }
}
$("stop-editing").addEventListener("click", () => editWithAI(null));

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

function snapshot() {
  const copy = document.createElement("canvas");
  copy.width = canvas.width;
  copy.height = canvas.height;
  copy.getContext("2d").drawImage(canvas, 0, 0);
  return copy;
}

function setPicture(source, width = source.width, height = source.height) {
  canvas.width = Math.round(width);
  canvas.height = Math.round(height);
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  base = snapshot();
  selection = null;
  $("crop").disabled = true;
  $("width").value = canvas.width;
  $("size").textContent = `${formatNumber(canvas.width)} × ${formatNumber(canvas.height)}`;
  $("size").dataset.width = canvas.width;
  $("size").dataset.height = canvas.height;
}

function change(apply) {
  storedID = null;
  undoStack.push(base);
  if (undoStack.length > 20) undoStack.shift();
  $("undo").disabled = false;
  apply();
}

async function openInEditor(blob, fileID = null) {
  const bitmap = await createImageBitmap(blob);
  storedID = fileID;
  undoStack.length = 0;
  $("undo").disabled = true;
  setPicture(bitmap);
  bitmap.close?.();
  $("editor").hidden = false;
  $("saved-link").hidden = true;
  $("editor").scrollIntoView({ behavior: "smooth", block: "start" });
}

// Dragging a selection rectangle, in canvas pixels whatever the displayed size.
function point(event) {
  const box = canvas.getBoundingClientRect();
  return {
    x: Math.max(0, Math.min(canvas.width, ((event.clientX - box.left) / box.width) * canvas.width)),
    y: Math.max(0, Math.min(canvas.height, ((event.clientY - box.top) / box.height) * canvas.height)),
  };
}
function drawSelection() {
  ctx.drawImage(base, 0, 0);
  if (!selection) return;
  ctx.save();
  ctx.fillStyle = "rgba(0, 0, 0, 0.45)";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(base, selection.x, selection.y, selection.w, selection.h, selection.x, selection.y, selection.w, selection.h);
  ctx.strokeStyle = "#5eead4";
  ctx.lineWidth = Math.max(2, canvas.width / 300);
  ctx.strokeRect(selection.x, selection.y, selection.w, selection.h);
  ctx.restore();
}
canvas.addEventListener("pointerdown", (event) => {
  dragStart = point(event);
  canvas.setPointerCapture(event.pointerId);
});
canvas.addEventListener("pointermove", (event) => {
  if (!dragStart) return;
  const now = point(event);
  selection = {
    x: Math.min(dragStart.x, now.x), y: Math.min(dragStart.y, now.y),
    w: Math.abs(now.x - dragStart.x), h: Math.abs(now.y - dragStart.y),
  };
  drawSelection();
});
canvas.addEventListener("pointerup", () => {
  dragStart = null;
  if (selection && (selection.w < 4 || selection.h < 4)) selection = null;
  drawSelection();
  $("crop").disabled = !selection;
});

$("crop").addEventListener("click", () => {
  if (!selection) return;
  const { x, y, w, h } = selection;
  const cut = document.createElement("canvas");
  cut.width = Math.round(w);
  cut.height = Math.round(h);
  cut.getContext("2d").drawImage(base, x, y, w, h, 0, 0, cut.width, cut.height);
  change(() => setPicture(cut));
});

$("resize").addEventListener("click", () => {
  const width = Number.parseInt($("width").value, 10);
  if (!(width >= 16 && width <= 4096)) {
    banner.problem({ code: "invalid", message: t("image.badWidth", {}), message_ar: t("image.badWidth") });
    return;
  }
  const source = base;
  change(() => setPicture(source, width, (source.height * width) / source.width));
});

$("add-text").addEventListener("click", () => {
  const text = $("overlay").value.trim();
  if (!text) return;
  const size = Math.max(8, Math.min(400, Number.parseInt($("font-size").value, 10) || 48));
  change(() => {
    ctx.drawImage(base, 0, 0);
    ctx.save();
    const rtl = directionOf(text) === "rtl";
    ctx.direction = rtl ? "rtl" : "ltr";
    ctx.font = `700 ${size}px ${rtl ? '"Noto Naskh Arabic", "Noto Sans Arabic", "Amiri"' : '"Noto Sans"'}, sans-serif`;
    ctx.textAlign = "center";
    const position = $("position").value;
    ctx.textBaseline = position === "top" ? "top" : position === "middle" ? "middle" : "bottom";
    const margin = size * 0.6;
    const y = position === "top" ? margin : position === "middle" ? canvas.height / 2 : canvas.height - margin;
    ctx.lineJoin = "round";
    ctx.lineWidth = Math.max(2, size / 8);
    ctx.strokeStyle = "rgba(0, 0, 0, 0.75)";
    ctx.strokeText(text, canvas.width / 2, y, canvas.width - margin);
    ctx.fillStyle = $("color").value;
    ctx.fillText(text, canvas.width / 2, y, canvas.width - margin);
    ctx.restore();
    base = snapshot();
    selection = null;
  });
});

$("undo").addEventListener("click", () => {
  const previous = undoStack.pop();
  if (previous) setPicture(previous);
  $("undo").disabled = undoStack.length === 0;
  storedID = null;
});

// Stores the canvas as a new file and waits for the upload check; null while the check is still going.
async function storeCanvas() {
  ctx.drawImage(base, 0, 0);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
  const { file } = await upload(blob, `edited-${Date.now()}.png`);
  for (let round = 0; round < 30; round += 1) {
    const current = (await get(`/v1/files/${file.id}`)).file;
    if (current.status === "ready") {
      storedID = file.id;
      return file.id;
    }
    if (current.status === "rejected") throw Object.assign(new Error("rejected"), { code: "file_rejected", status: 409 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return null;
}

$("save").addEventListener("click", async () => {
  $("save").disabled = true;
  banner.info(() => t("image.saving"));
  try {
    const id = await storeCanvas();
    if (!id) {
      banner.info(() => t("image.savedChecking"), "saved_checking");
      return;
    }
    const { url } = await get(`/v1/files/${id}/signed-url`);
    $("saved-link").href = url;
    $("saved-link").hidden = false;
    $("saved-link").dataset.fileId = id;
    $("saved-ai-edit").hidden = false;
    $("saved-ai-edit").onclick = () => editWithAI(id);
    banner.success(() => t("image.saved"), "saved");
  } catch (error) {
    banner.problem(error);
  } finally {
    $("save").disabled = false;
  }
});

// The advanced editor. The sliders preview on the canvas with CSS filters; the worker applies them.
const adjustments = ["brightness", "contrast", "saturation"];
function previewAdjustments() {
  const [b, c, s] = adjustments.map((id) => Number($(id).value));
  canvas.style.filter = b || c || s ? `brightness(${1 + b / 250}) contrast(${1 + c / 100}) saturate(${1 + s / 100})` : "";
}
for (const id of adjustments) $(id).addEventListener("input", previewAdjustments);

function layerField(kind, attrs, label) {
  return el(kind, { ...attrs, "data-i18n-label": label });
}
function addLayer() {
  if ($("layers").children.length >= 10) return;
  const fonts = el("select", { "data-field": "font", "data-i18n-label": "editor.font" },
    ...[["naskh", "editor.fontNaskh"], ["sans", "editor.fontSans"], ["kufi", "editor.fontKufi"]]
      .map(([value, key]) => el("option", { value, "data-i18n": key, text: t(key) })));
  const remove = el("button", { type: "button", class: "link-button", "data-i18n": "editor.remove", text: t("editor.remove") });
  const row = el("li", { class: "layer" },
    layerField("input", { type: "text", dir: "auto", maxlength: "200", "data-field": "text" }, "image.textLabel"),
    fonts,
    layerField("input", { type: "number", min: "2", max: "30", step: "0.5", value: "8", dir: "ltr", "data-field": "size" }, "image.layerSize"),
    layerField("input", { type: "color", value: "#ffffff", "data-field": "color" }, "image.color"),
    layerField("input", { type: "color", value: "#000000", "data-field": "outline_color" }, "image.outlineColor"),
    layerField("input", { type: "number", min: "0", max: "25", value: "8", dir: "ltr", "data-field": "outline" }, "image.outline"),
    layerField("input", { type: "number", min: "0", max: "100", value: "50", dir: "ltr", "data-field": "x" }, "image.layerX"),
    layerField("input", { type: "number", min: "0", max: "100", value: String(Math.min(90, 15 + 20 * $("layers").children.length)), dir: "ltr", "data-field": "y" }, "image.layerY"),
    remove);
  remove.addEventListener("click", () => row.remove());
  applyStrings(row);
  $("layers").append(row);
  row.querySelector("[data-field=text]").focus();
}
$("add-layer").addEventListener("click", addLayer);

function layers() {
  return [...$("layers").children].map((row) => {
    const value = (field) => row.querySelector(`[data-field=${field}]`).value;
    return {
      text: value("text"), font: value("font"), size: Number(value("size")), color: value("color"),
      outline: Number(value("outline")), outline_color: value("outline_color"), x: Number(value("x")), y: Number(value("y")),
    };
  }).filter((layer) => layer.text.trim());
}

$("apply-advanced").addEventListener("click", async () => {
  const body = { layers: layers(), fit: $("fit").value, background: $("band-color").value, format: $("format").value };
  for (const id of adjustments) body[id] = Number($(id).value);
  if ($("preset").value) body.preset = $("preset").value;
  $("apply-advanced").disabled = true;
  banner.info(() => t("image.applying"));
  try {
    const id = storedID ?? (await storeCanvas());
    if (!id) {
      banner.info(() => t("image.savedChecking"), "saved_checking");
      return;
    }
    const { job } = await post(`/v1/files/${id}/image-edit`, body);
    let done = null;
    for (let round = 0; round < 90 && !done; round += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const { job: current } = await get(`/v1/jobs/${job.id}`);
      if (current.status === "failed") throw Object.assign(new Error("failed"), { code: "edit_failed", message: t("image.editFailed"), message_ar: t("image.editFailed") });
      if (current.status === "done") done = current;
    }
    if (!done) throw Object.assign(new Error("slow"), { code: "edit_slow", message: t("image.editSlow"), message_ar: t("image.editSlow") });
    const { url } = await get(`/v1/files/${done.result_file_id}/signed-url`);
    const response = await fetch(url);
    if (!response.ok) throw new Error(String(response.status));
    for (const name of adjustments) $(name).value = "0";
    previewAdjustments();
    await openInEditor(await response.blob(), done.result_file_id);
    $("advanced-link").href = url;
    $("advanced-link").hidden = false;
    $("advanced-link").dataset.fileId = done.result_file_id;
    banner.success(() => t("image.applied"), "applied");
  } catch (error) {
    banner.problem(error);
  } finally {
    $("apply-advanced").disabled = false;
  }
});

onUsage((usage) => {
  const allowed = usage?.plan?.features?.advanced_editors === true;
  $("advanced").disabled = !allowed;
  $("advanced-lock").hidden = allowed;
});

$("local-file").addEventListener("change", async () => {
  const file = $("local-file").files?.[0];
  if (!file) return;
  try {
    await openInEditor(file);
  } catch {
    banner.problem({ code: "unsupported_file_type", message: t("image.unreadable"), message_ar: t("image.unreadable") });
  }
});

function showImages(images, demo) {
  $("grid").replaceChildren(...images.map((image, index) => {
    const picture = el("img", { src: image.url, alt: t("image.alt", { number: formatNumber(index + 1) }), loading: "lazy" });
    const edit = el("button", { type: "button", class: "button secondary small", "data-action": "edit", text: t("image.edit") });
    edit.addEventListener("click", async () => {
      try {
        const response = await fetch(image.url);
        if (!response.ok) throw new Error(String(response.status));
        await openInEditor(await response.blob(), image.file_id);
      } catch {
        banner.problem({ code: "link_expired", message: t("image.unreadable"), message_ar: t("image.unreadable") });
      }
    });
    const download = el("a", { href: image.url, class: "link-button", download: "", text: t("image.download") });
    const ask = el("button", { type: "button", class: "link-button", "data-action": "ai-edit", text: t("image.aiEdit") });
    ask.addEventListener("click", () => editWithAI(image.file_id));
    return el("figure", { class: "image-card", "data-file-id": image.file_id }, picture,
      el("figcaption", {}, download, ask, edit, demo ? el("span", { class: "tag", text: t("models.demo") }) : ""));
  }));
}

$("image-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const prompt = $("prompt").value.trim();
  if (!prompt) {
    $("prompt").setAttribute("aria-invalid", "true");
    banner.problem({ code: "validation_failed", message: t("image.needPrompt"), message_ar: t("image.needPrompt") });
    return;
  }
  $("prompt").removeAttribute("aria-invalid");
  $("generate").disabled = true;
  banner.info(() => t("image.drawing"));
  try {
    const result = await post("/v1/images/generate", {
      model: $("model").value, prompt, count: Number($("count").value), aspect_ratio: $("aspect").value,
      input_file_id: inputFileID ?? undefined,
    });
    showImages(result.images, result.demo);
    banner.success(() => t("image.done", { count: formatNumber(result.images.length) }), "generated");
  } catch (error) {
    banner.problem(error);
  } finally {
    $("generate").disabled = false;
    refreshUsage();
  }
});

onLangChange(() => { document.title = t("image.docTitle"); });

try {
  await mountShell("image");
  document.title = t("image.docTitle");
  await mountModelSelector($("model"), "image");
} catch (error) {
  if (error?.status !== 401) banner.problem(error);
}
