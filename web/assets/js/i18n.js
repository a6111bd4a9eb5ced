// Translation and local formatting. Dictionaries are plain objects so parallel additions merge easily.
import vi from "./i18n/vi.js";
import en from "./i18n/en.js";

const DICTS = { vi, en };
const STORE_KEY = "motcua.lang";
const TZ = "Asia/Ho_Chi_Minh";

function stored() {
  try {
    return localStorage.getItem(STORE_KEY);
  } catch {
    return null; // storage may be disabled; the default language still works
  }
}

let current = DICTS[stored()] ? stored() : "vi";

export function lang() {
  return current;
}

export function setLang(code) {
  if (!DICTS[code]) return;
  current = code;
  try {
    localStorage.setItem(STORE_KEY, code);
  } catch {
    /* not kept across visits, still applied now */
  }
  document.documentElement.lang = code;
  window.dispatchEvent(new CustomEvent("motcua:lang", { detail: code }));
}

// True when the key has a text in the chosen language or in Vietnamese (the fallback).
export function has(key) {
  return key in DICTS[current] || key in vi;
}

// t("key", {name: "An"}) replaces {name} in the text; an unknown key shows itself so it is noticed.
export function t(key, params) {
  let text = DICTS[current][key] ?? vi[key] ?? key;
  if (params) {
    text = text.replace(/\{(\w+)\}/g, (m, p) => (p in params && params[p] != null ? String(params[p]) : m));
  }
  return text;
}

// A local date (YYYY-MM-DD) is a calendar day, not an instant: format it without shifting time zones.
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date, opts) {
  const out = {};
  for (const p of new Intl.DateTimeFormat("en-GB", { timeZone: TZ, hourCycle: "h23", ...opts }).formatToParts(date)) {
    out[p.type] = p.value;
  }
  return out;
}

export function fmtDate(iso) {
  if (!iso) return "";
  const m = LOCAL_DATE.exec(iso);
  if (m) return `${m[3]}/${m[2]}/${m[1]}`;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = parts(d, { day: "2-digit", month: "2-digit", year: "numeric" });
  return `${p.day}/${p.month}/${p.year}`;
}

export function fmtDateTime(iso) {
  if (!iso) return "";
  if (LOCAL_DATE.test(iso)) return fmtDate(iso);
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const p = parts(d, { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" });
  return `${p.hour}:${p.minute} ${p.day}/${p.month}/${p.year}`;
}

// Vietnamese grouping (1.200.000 ₫) in both languages: the amount is in đồng either way.
const VND = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 0 });

export function fmtVnd(n) {
  if (n == null || n === "") return "";
  return `${VND.format(Number(n))} ₫`;
}

export function fmtNumber(n, digits = 0) {
  if (n == null || n === "") return "";
  return new Intl.NumberFormat(current === "vi" ? "vi-VN" : "en-GB", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(Number(n));
}

// Today's local date in Vietnam as YYYY-MM-DD (for date inputs' defaults and periods).
export function today() {
  const p = parts(new Date(), { day: "2-digit", month: "2-digit", year: "numeric" });
  return `${p.year}-${p.month}-${p.day}`;
}
