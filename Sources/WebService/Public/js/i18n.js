// The page language (Arabic unless the visitor chose English), text from strings.js, numbers and dates.
import { strings } from "./strings.js";

const STORAGE_KEY = "lang";
const listeners = new Set();
let current = stored();

function stored() {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "ar";
  } catch {
    return "ar";
  }
}

export const lang = () => current;

/** The Intl locale: Western digits unless the visitor asked for Eastern Arabic ones. */
export function locale() {
  if (current === "en") return "en-JO";
  let digits = "latn";
  try {
    if (localStorage.getItem("digits") === "arab") digits = "arab";
  } catch { /* storage blocked: keep the default */ }
  return `ar-JO-u-nu-${digits}`;
}

// Inserted values are wrapped in FSI…PDI so an address or a number keeps its own direction.
const isolate = (value) => `\u2068${value}\u2069`;

export function t(key, vars = {}) {
  const text = strings[current][key] ?? strings.ar[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (match, name) => (name in vars ? isolate(vars[name]) : match));
}

/**
 * `t` for a count: the key's plural form for `count` in the current language (`key.one`, `key.two`,
 * `key.few`, … as Intl.PluralRules names them: Arabic says 10 صور but 30 صورة), else the key itself;
 * `{n}` is the count in the chosen digits.
 */
export function tCount(key, count, vars = {}) {
  const category = new Intl.PluralRules(current === "ar" ? "ar" : "en").select(count);
  const chosen = strings[current][`${key}.${category}`] ? `${key}.${category}` : key;
  return t(chosen, { n: formatNumber(count), ...vars });
}

/** Like `t`, but a value may be a Node; returns strings and nodes to append. */
export function tParts(key, vars = {}) {
  const text = strings[current][key] ?? strings.ar[key] ?? key;
  return text.split(/(\{\w+\})/).filter(Boolean).map((piece) => {
    const name = piece.match(/^\{(\w+)\}$/)?.[1];
    if (!name || !(name in vars)) return piece;
    const value = vars[name];
    if (!(value instanceof Node)) return isolate(value);
    const bdi = document.createElement("bdi");
    bdi.append(value);
    return bdi;
  });
}

export function apply(root = document) {
  const html = document.documentElement;
  html.lang = current;
  html.dir = current === "ar" ? "rtl" : "ltr";
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll("meta[data-i18n-content]")) el.setAttribute("content", t(el.dataset.i18nContent));
}

export function setLang(next) {
  current = next === "en" ? "en" : "ar";
  try {
    localStorage.setItem(STORAGE_KEY, current);
  } catch { /* the choice lasts for this page only */ }
  apply();
  for (const listener of listeners) listener(current);
}

/** Western (`latn`, the default) or Eastern Arabic (`arab`) digits on Arabic pages. */
export function digits() {
  try {
    return localStorage.getItem("digits") === "arab" ? "arab" : "latn";
  } catch {
    return "latn";
  }
}

export function setDigits(next) {
  try {
    localStorage.setItem("digits", next === "arab" ? "arab" : "latn");
  } catch { /* the choice lasts for this page only */ }
  for (const listener of listeners) listener(current);
}

export function onLangChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

// Another tab switched language.
window.addEventListener("storage", (event) => {
  if (event.key === STORAGE_KEY && stored() !== current) setLang(stored());
});

/** The server's message in the page language, or a generic one when there is none. */
export function errorMessage(error) {
  if (error?.code === "network_error") return t("error.network");
  const ar = error?.message_ar;
  const en = error?.code && error.message !== error.code ? error.message : "";
  const text = current === "ar" ? ar || en : en || ar;
  return text || t("error.generic");
}

export const formatNumber = (n, options) => new Intl.NumberFormat(locale(), options).format(n);

export const formatDateTime = (date) =>
  new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);

const UNITS = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];

export function formatRelative(date, now = Date.now()) {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const [unit, size] = UNITS.find(([, size]) => Math.abs(seconds) >= size) ?? ["second", 1];
  return new Intl.RelativeTimeFormat(locale(), { numeric: "auto" }).format(Math.round(seconds / size), unit);
}

/** A wait such as 14:05 (or 0:42), in the page's digits. */
export function formatClock(totalSeconds) {
  const minutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  return `${formatNumber(minutes)}:${formatNumber(seconds, { minimumIntegerDigits: 2 })}`;
}

/** Direction of a paragraph by the majority of its strong characters, not only the first one. */
export function directionOf(text) {
  const rtl = (text.match(/[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/g) ?? []).length;
  const ltr = (text.match(/[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF]/g) ?? []).length;
  if (rtl === 0 && ltr === 0) return current === "ar" ? "rtl" : "ltr";
  return rtl >= ltr ? "rtl" : "ltr";
}
