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

export async function api(path, { method = "GET", body, headers = {}, signal } = {}) {
  method = method.toUpperCase();
  const sent = { Accept: "application/json", ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  if (WRITE_METHODS.has(method)) {
    const csrf = readCookie("csrf_token");
    if (csrf) sent["X-CSRF-Token"] = csrf;
  }
  let response;
  try {
    response = await fetch(path, {
      method, headers: sent, credentials: "same-origin", signal,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    if (cause?.name === "AbortError") throw cause;
    throw new ApiError({ status: 0, code: "network_error", message: String(cause?.message ?? cause) });
  }
  const isJSON = (response.headers.get("Content-Type") ?? "").includes("json");
  const data = isJSON ? await response.json().catch(() => null) : null;
  if (response.ok) return data;
  const error = data?.error ?? {};
  throw new ApiError({
    status: response.status,
    code: error.code ?? `http_${response.status}`,
    message: error.message ?? "",
    message_ar: error.message_ar ?? "",
    retryAfter: retryAfterSeconds(response.headers.get("Retry-After"), error.retry_after),
    details: error,
  });
}

export const get = (path, options) => api(path, { ...options, method: "GET" });
export const post = (path, body, options) => api(path, { ...options, method: "POST", body });
export const patch = (path, body, options) => api(path, { ...options, method: "PATCH", body });
export const del = (path, options) => api(path, { ...options, method: "DELETE" });
