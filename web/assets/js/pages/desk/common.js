// What the desk pages share: names in the chosen language, deadline marks, cached look-ups.
import { api } from "../../api.js";
import { t, has, lang, today, fmtDate } from "../../i18n.js";
import { h, tag } from "../../ui.js";

// Statuses whose statutory clock runs or is paused: only these can be late (the API's `overdue` filter).
const OPEN = new Set(["received", "forwarded", "transferred", "assigned", "at_other_agency", "proposed", "fee_requested"]);

// The name in the chosen language, with the other as a fallback.
export function local(obj, base) {
  if (!obj) return "";
  const vi = obj[`${base}_vi`];
  const en = obj[`${base}_en`];
  return lang() === "en" ? en || vi || "" : vi || en || "";
}

export function applicantName(a) {
  if (!a) return "";
  return a.type === "business" ? a.name : a.full_name;
}

export function applicantIdNumber(a) {
  if (!a) return "";
  return a.type === "business" ? a.tax_code : a.citizen_id;
}

// "overdue", "due_soon" or null. The hourly watch sets `deadline_alert`; a passed appointment date of an open
// dossier is late even before the watch has run.
export function deadlineState(d) {
  if (!OPEN.has(d.status)) return null;
  if (d.deadline_alert === "overdue" || (d.due_date && d.due_date < today())) return "overdue";
  return d.deadline_alert === "due_soon" ? "due_soon" : null;
}

export function deadlineTag(d) {
  const state = deadlineState(d);
  if (state === "overdue") return tag(t("desk.overdue"), "red");
  if (state === "due_soon") return tag(t("desk.due_soon"), "orange");
  return null;
}

// The appointment date with its deadline mark, e.g. "16/03/2026 Quá hạn".
export function dueCell(d) {
  const mark = deadlineTag(d);
  return h("span", {}, fmtDate(d.due_date) || "—", mark ? " " : null, mark);
}

export function actionLabel(action) {
  return has(`action.${action}`) ? t(`action.${action}`) : action;
}

export function roleLabel(role) {
  return role && has(`desk.role.${role}`) ? t(`desk.role.${role}`) : role || "";
}

// A staff member as printed on the forms: "Lê Thị Hoa (Cán bộ một cửa)".
export function staffText(ref) {
  if (!ref) return "";
  const role = roleLabel(ref.role);
  return role ? `${ref.name || ref.username || ref.id} (${role})` : ref.name || ref.username || ref.id || "";
}

export function yesNo(value) {
  if (value === null || value === undefined) return "";
  return value ? t("desk.yes") : t("desk.no");
}

export function fileSize(bytes) {
  if (bytes == null) return "";
  if (bytes < 1024) return t("desk.bytes", { n: bytes });
  if (bytes < 1024 * 1024) return t("desk.kib", { n: (bytes / 1024).toFixed(1) });
  return t("desk.mib", { n: (bytes / 1024 / 1024).toFixed(1) });
}

// Cached for the page's life: a failed look-up is forgotten so the next page tries again.
function cached(store, key, load) {
  if (!store.has(key)) {
    store.set(
      key,
      load().catch((err) => {
        store.delete(key);
        throw err;
      }),
    );
  }
  return store.get(key);
}

const procedures = new Map();

// The procedure a dossier is handled under (names, components); null when it cannot be read.
export function procedureOf(code, version) {
  return cached(procedures, `${code}@${version || ""}`, () =>
    api.get(`/procedures/${encodeURIComponent(code)}`, { query: { version } }),
  ).catch(() => null);
}

export { agencies } from "../../agencies.js";

export function unitName(agencyList, agencyCode, unitId) {
  if (!unitId) return "";
  const agency = (agencyList || []).find((a) => a.code === agencyCode);
  const unit = agency && agency.units.find((u) => u.id === unitId);
  return unit ? `${local(unit, "name")} (${unitId})` : unitId;
}

export function agencyName(agencyList, code) {
  const agency = (agencyList || []).find((a) => a.code === code);
  return agency ? local(agency, "name") : code || "";
}
