// Video: a prompt starts a job (Veo 3 by default, the offline demo without a key); an uploaded clip
// is trimmed and given burned-in Arabic or English captions by the worker, and with the Creator plan's
// advanced editor a caption style, clips joined after it and fades. The queue panel follows every job
// live until it is done, then plays it with its poster frame and offers the download.
import { get, post, upload } from "../api.js";
import { formatNumber, formatRelative, lang, onLangChange, t } from "../i18n.js";
import { createBanner } from "../components/banner.js";
import { mountModelSelector } from "../components/model-selector.js";
import { mountShell } from "../components/shell.js";
import { onUsage, refreshUsage } from "../components/usage.js";

const $ = (id) => document.getElementById(id);
const banner = createBanner($("banner"));
let selector = null;
let jobs = [];
let pollTimer = null;
let uploaded = null; // the clip's file id once it has passed the check
let joined = []; // clips to play after it: { id, name }
let advanced = false; // the plan has the advanced editors

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}

const ACTIVE = new Set(["queued", "running"]);

function jobTitle(job) {
  if (job.kind === "video_edit") return t("video.editJob");
  return job.prompt ?? t("video.video");
}

function paintQueue() {
  const list = $("queue");
  if (!jobs.length) {
    list.replaceChildren(el("li", { class: "hint", text: t("video.noJobs") }));
    return;
  }
  // Players already showing keep playing: an item is rebuilt only when its state changed.
  const existing = new Map([...list.children].map((item) => [item.dataset.jobId, item]));
  const items = jobs.map((job) => {
    const key = `${job.status}:${job.file?.file_id ?? ""}:${lang()}`;
    const old = existing.get(job.job_id);
    if (old && old.dataset.key === key) return old;
    const item = el("li", { class: "job", "data-job-id": job.job_id, "data-status": job.status, "data-key": key });
    const head = el("div", { class: "job-head" },
      el("strong", { dir: "auto", text: jobTitle(job) }),
      el("span", { class: "badge", "data-status": job.status, text: t(`video.status.${job.status}`) }));
    const meta = [formatRelative(new Date(job.created_at))];
    const model = selector?.models.find((m) => m.id === job.model);
    if (model) meta.push(lang() === "ar" ? model.name_ar ?? model.name : model.name);
    item.append(head, el("small", { class: "hint", text: meta.join(" · ") }));
    if (job.status === "failed") item.append(el("p", { class: "error", text: t("video.failed", { reason: job.error ?? "" }) }));
    if (job.status === "done" && job.file) {
      const player = el("video", { controls: "", preload: "metadata", src: job.file.url, class: "player" });
      if (job.file.thumbnail_url) player.setAttribute("poster", job.file.thumbnail_url);
      item.append(player, el("a", { href: job.file.url, download: "", class: "link-button", text: t("video.download") }));
    }
    return item;
  });
  list.replaceChildren(...items);
}

async function loadJobs() {
  clearTimeout(pollTimer);
  try {
    const before = new Map(jobs.map((job) => [job.job_id, job.status]));
    jobs = (await get("/v1/video/jobs")).jobs;
    paintQueue();
    if (jobs.some((job) => before.get(job.job_id) && ACTIVE.has(before.get(job.job_id)) && !ACTIVE.has(job.status))) {
      refreshUsage();
    }
  } catch (error) {
    banner.problem(error);
  }
  if (jobs.some((job) => ACTIVE.has(job.status))) pollTimer = setTimeout(loadJobs, 1500);
}

function limitDuration() {
  const model = selector?.current();
  const longest = model?.limits?.max_seconds ?? 8;
  $("duration").max = String(longest);
  if (Number($("duration").value) > longest) $("duration").value = String(longest);
  $("demo-note").hidden = !model?.demo;
}

$("video-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const prompt = $("prompt").value.trim();
  const duration = Number.parseInt($("duration").value, 10);
  const longest = Number($("duration").max);
  if (!prompt || !(duration >= 4 && duration <= longest)) {
    const text = () => t("video.invalid", { max: formatNumber(longest) });
    banner.problem({ code: "validation_failed", message: text(), message_ar: text() });
    return;
  }
  $("generate").disabled = true;
  try {
    await post("/v1/video/generate", { model: $("model").value, prompt, duration_s: duration, aspect_ratio: $("aspect").value });
    banner.success(() => t("video.started"), "started");
    refreshUsage();
    await loadJobs();
  } catch (error) {
    banner.problem(error);
  } finally {
    $("generate").disabled = false;
  }
});

// Captions: SRT as it is, or lines of "0:01-0:04 text" / "1.5-3 text".
function seconds(text) {
  const parts = text.split(":").map(Number);
  if (parts.some(Number.isNaN)) return Number.NaN;
  return parts.reduce((total, part) => total * 60 + part, 0);
}
function parseCaptions(text) {
  const captions = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const match = line.match(/^([\d:.]+)\s*[-–]\s*([\d:.]+)\s+(.+)$/);
    if (!match) return null;
    captions.push({ start: seconds(match[1]), end: seconds(match[2]), text: match[3] });
  }
  return captions;
}

// Uploads a clip and waits for the upload check; returns its file id.
async function uploadReady(file) {
  const { file: stored } = await upload(file);
  for (let round = 0; round < 60; round += 1) {
    const current = (await get(`/v1/files/${stored.id}`)).file;
    if (current.status === "ready") return stored.id;
    if (current.status === "rejected") throw Object.assign(new Error("rejected"), { status: 409, code: "file_rejected" });
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw Object.assign(new Error("slow"), { status: 409, code: "file_not_ready" });
}

function paintJoined() {
  $("join-list").replaceChildren(...joined.map((clip, index) => {
    const remove = el("button", { type: "button", class: "link-button", text: t("editor.remove") });
    remove.addEventListener("click", () => {
      joined.splice(index, 1);
      paintJoined();
    });
    return el("li", { "data-file-id": clip.id }, el("span", { dir: "auto", text: `${formatNumber(index + 1)}. ${clip.name}` }), " ", remove);
  }));
}

$("join").addEventListener("change", async () => {
  const chosen = [...($("join").files ?? [])].slice(0, Math.max(0, 5 - joined.length));
  $("join").value = "";
  if (!chosen.length) return;
  banner.info(() => t("video.uploading"));
  try {
    for (const file of chosen) {
      joined.push({ id: await uploadReady(file), name: file.name });
      paintJoined();
    }
    banner.success(() => t("video.uploaded"), "joined_uploaded");
  } catch (error) {
    banner.problem(error);
  }
});

$("clip").addEventListener("change", async () => {
  const file = $("clip").files?.[0];
  uploaded = null;
  $("edit").disabled = true;
  if (!file) return;
  $("preview").src = URL.createObjectURL(file);
  $("preview").hidden = false;
  banner.info(() => t("video.uploading"));
  try {
    uploaded = await uploadReady(file);
    $("edit").disabled = false;
    banner.success(() => t("video.uploaded"), "uploaded");
  } catch (error) {
    banner.problem(error);
  }
});
$("preview").addEventListener("loadedmetadata", () => {
  if (!$("end").value) $("end").value = $("preview").duration.toFixed(1);
});
$("mark-start").addEventListener("click", () => { $("start").value = $("preview").currentTime.toFixed(1); });
$("mark-end").addEventListener("click", () => { $("end").value = $("preview").currentTime.toFixed(1); });

$("edit-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!uploaded) return;
  const body = { start: Number($("start").value) || 0 };
  if ($("end").value) body.end = Number($("end").value);
  const text = $("captions").value.trim();
  if (text) {
    if (/-->/.test(text)) body.srt = text;
    else {
      const captions = parseCaptions(text);
      if (!captions) {
        banner.problem({ code: "validation_failed", message: t("video.badCaptions"), message_ar: t("video.badCaptions") });
        return;
      }
      body.captions = captions;
    }
  }
  if (advanced) {
    if (body.captions || body.srt) {
      body.caption_style = {
        size: Number($("cap-size").value) || 7, color: $("cap-color").value, background: $("cap-background").value,
        background_color: $("cap-background-color").value, position: $("cap-position").value, font: $("cap-font").value,
      };
    }
    if (joined.length) body.join = joined.map((clip) => clip.id);
    for (const [field, key] of [["fade-in", "fade_in"], ["fade-out", "fade_out"]]) {
      const value = Number($(field).value);
      if (value > 0) body[key] = value;
    }
  }
  $("edit").disabled = true;
  try {
    await post(`/v1/files/${uploaded}/edit`, body);
    banner.success(() => t("video.editStarted"), "edit_started");
    await loadJobs();
  } catch (error) {
    banner.problem(error);
  } finally {
    $("edit").disabled = false;
  }
});

onUsage((usage) => {
  advanced = usage?.plan?.features?.advanced_editors === true;
  $("advanced").disabled = !advanced;
  $("advanced-lock").hidden = advanced;
});
onLangChange(() => {
  document.title = t("video.docTitle");
  paintQueue();
  paintJoined();
});

try {
  await mountShell("video");
  document.title = t("video.docTitle");
  selector = await mountModelSelector($("model"), "video");
  $("model").addEventListener("change", limitDuration);
  limitDuration();
  await loadJobs();
} catch (error) {
  if (error?.status !== 401) banner.problem(error);
}
