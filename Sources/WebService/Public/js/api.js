// JSON in and out, same-origin cookies, the CSRF header on writes, one error type.

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** An API refusal or a failed request; `status` is 0 when the server could not be reached. */
export class ApiError extends Error {
  constructor({ status, code, message = "", message_ar = "", retryAfter = null, details = {} }) {
    super(message || code);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.message_ar = message_ar;
    this.retryAfter = retryAfter;
    this.details = details;
  }
}

export function readCookie(name) {
  for (const part of document.cookie.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

// Retry-After is either seconds or an HTTP date.
function retryAfterSeconds(header, fallback) {
  const raw = header ?? fallback;
  if (raw == null || raw === "") return null;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(raw);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function send(path, { method = "GET", body, headers = {}, signal, accept = "application/json" } = {}) {
  method = method.toUpperCase();
  const sent = { Accept: accept, ...headers };
  const isForm = body instanceof FormData;
  if (body !== undefined && !isForm) sent["Content-Type"] = "application/json";
  if (WRITE_METHODS.has(method)) {
    const csrf = readCookie("csrf_token");
    if (csrf) sent["X-CSRF-Token"] = csrf;
  }
  try {
    return await fetch(path, {
      method, headers: sent, credentials: "same-origin", signal,
      body: body === undefined || isForm ? body : JSON.stringify(body),
    });
  } catch (cause) {
    if (cause?.name === "AbortError") throw cause;
    throw new ApiError({ status: 0, code: "network_error", message: String(cause?.message ?? cause) });
  }
}

async function refusal(response) {
  const isJSON = (response.headers.get("Content-Type") ?? "").includes("json");
  const data = isJSON ? await response.json().catch(() => null) : null;
  const error = data?.error ?? {};
  return new ApiError({
    status: response.status,
    code: error.code ?? `http_${response.status}`,
    message: error.message ?? "",
    message_ar: error.message_ar ?? "",
    retryAfter: retryAfterSeconds(response.headers.get("Retry-After"), error.retry_after),
    details: error,
  });
}

export async function api(path, options = {}) {
  const response = await send(path, options);
  if (!response.ok) throw await refusal(response);
  const isJSON = (response.headers.get("Content-Type") ?? "").includes("json");
  return isJSON ? response.json().catch(() => null) : null;
}

/**
 * POSTs `body` and yields the Server-Sent Events of the answer as `{ event, data }` (data parsed as
 * JSON when it is JSON), as they arrive. A refusal before the stream starts throws an ApiError;
 * `headers` receives the response headers (e.g. X-Quota-Warning).
 */
export async function* stream(path, body, { signal, onHeaders } = {}) {
  const response = await send(path, { method: "POST", body, signal, accept: "text/event-stream" });
  if (!response.ok) throw await refusal(response);
  onHeaders?.(response.headers);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
      const parsed = parseEvent(block);
      if (parsed) yield parsed;
    }
  }
  const last = parseEvent(buffer);
  if (last) yield last;
}

function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  if (!data.length) return null;
  const text = data.join("\n");
  try {
    return { event, data: JSON.parse(text) };
  } catch {
    return { event, data: text };
  }
}

/** Uploads one file (multipart field `file`) and answers the stored file. */
export const upload = (file, name = file.name) => {
  const form = new FormData();
  form.append("file", file, name);
  return api("/v1/files", { method: "POST", body: form });
};

export const get = (path, options) => api(path, { ...options, method: "GET" });
export const post = (path, body, options) => api(path, { ...options, method: "POST", body });
export const patch = (path, body, options) => api(path, { ...options, method: "PATCH", body });
export const del = (path, options) => api(path, { ...options, method: "DELETE" });
