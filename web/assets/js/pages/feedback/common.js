// What the feedback pages share (docs/feedback.md): the keys kept in the tab, names of kinds, statuses and steps,
// agencies, and the parts of an item that the person's page and the desk's page both show.
import { api } from "../../api.js";
import { isStaff } from "../../auth.js";
import { t, fmtDate, fmtDateTime } from "../../i18n.js";
import { h, tag, summaryList, link } from "../../ui.js";
import { local } from "../citizen/common.js";

export { local };

// Texts the API limits (chalicelib/api/schemas.py: Text, LongText, FeedbackText, OptionalNote).
export const MAX = { title: 200, long: 2000, text: 5000, name: 200, email: 254, phone: 20 };

// The keys of items filed in this tab without an account, by code. The key is shown once: the tab keeps it (never
// the address, never localStorage) so the follow-up page opens the item; it goes with the tab.
const KEYS = "motcua.feedback.keys";

function keys() {
  try {
    return JSON.parse(sessionStorage.getItem(KEYS) || "{}") || {};
  } catch {
    return {};
  }
}

export function keyFor(code) {
  return keys()[code] || null;
}

export function rememberKey(code, key) {
  try {
    sessionStorage.setItem(KEYS, JSON.stringify({ ...keys(), [code]: key }));
  } catch {
    /* storage disabled: the person types the key on the item's page */
  }
}

export function forgetKey(code) {
  const all = keys();
  delete all[code];
  try {
    sessionStorage.setItem(KEYS, JSON.stringify(all));
  } catch {
    /* nothing kept, nothing to forget */
  }
}

// The `Feedback-Key` header for a key, or none.
export function keyHeaders(key) {
  return key ? { "Feedback-Key": key } : {};
}

const STATUS_COLOURS = { received: "turquoise", info_requested: "yellow", answered: "blue", published: "green", refused: "red" };

export function statusTag(status) {
  return tag(t(`feedback.status.${status}`), STATUS_COLOURS[status] || "grey");
}

export function kindText(kind) {
  return t(`feedback.kind.${kind}`);
}

export function stepText(step) {
  return t(`feedback.step.${step}`);
}


export { agencies } from "../../agencies.js";

export function agencyName(list, code) {
  const a = (list || []).find((x) => x.code === code);
  return a ? `${local(a, "name")} (${code})` : code || "";
}

export function section(title, ...children) {
  return h("section", { class: "app-section" }, h("h2", { class: "govuk-heading-m" }, title), ...children);
}

// Text the person or the officer wrote, line breaks kept.
export function prose(text) {
  return h("p", { class: "govuk-body app-prewrap" }, text || "");
}

function listOf(steps) {
  return steps && steps.length ? steps.map(stepText).join(", ") : "";
}

// The item as its person or its agency's staff see it: what it is about, what was asked.
export function overview(item, agencyList, { contact = true } = {}) {
  const c = item.contact || {};
  return summaryList([
    [t("feedback.field.code"), h("span", { class: "app-hash" }, item.code)],
    [t("feedback.field.kind"), kindText(item.kind)],
    [t("feedback.field.status"), statusTag(item.status)],
    [t("feedback.field.agency"), agencyName(agencyList, item.agency_code)],
    item.procedure_code ? [t("feedback.field.procedure"), link(`#/procedures/${encodeURIComponent(item.procedure_code)}`, item.procedure_code)] : null,
    // Staff find the dossier through the desk's search; its person has it under their own dossiers.
    item.dossier_code ? [t("feedback.field.dossier"), isStaff() ? link(`#/desk?code=${encodeURIComponent(item.dossier_code)}`, item.dossier_code) : item.dossier_code] : null,
    [t("feedback.field.filed_at"), fmtDateTime(item.filed_at)],
    item.received_on ? [t("feedback.field.received_on"), fmtDate(item.received_on)] : null,
    [t("feedback.field.title"), item.title],
    [t("feedback.field.content"), prose(item.content)],
    contact ? [t("feedback.field.contact"), [c.name, c.email, c.phone].filter(Boolean).join(" · ")] : null,
  ]);
}

// The time limits still ahead, and the steps taken late or flagged overdue: words, not colour alone.
export function limits(item) {
  const due = Object.entries(item.due || {});
  const overdue = new Set(item.overdue_steps || []);
  const rows = due.map(([step, day]) => [
    stepText(step),
    h("span", {}, t("feedback.due_by", { date: fmtDate(day) }), overdue.has(step) ? " " : null, overdue.has(step) ? tag(t("feedback.overdue"), "red") : null),
  ]);
  if ((item.late_steps || []).length) rows.push([t("feedback.late_steps"), listOf(item.late_steps)]);
  const flagged = (item.overdue_steps || []).filter((s) => !(s in (item.due || {})));
  if (flagged.length) rows.push([t("feedback.overdue_steps"), listOf(flagged)]);
  if (!rows.length) return null;
  return section(t("feedback.limits_title"), h("p", { class: "govuk-body" }, t("feedback.limits_intro")), summaryList(rows));
}

// Each question the agency asked, with the person's reply when given.
export function questions(item, { mine = false } = {}) {
  const asked = item.info_requests || [];
  if (!asked.length) return [];
  return asked.map((r) =>
    h(
      "div",
      { class: "govuk-inset-text" },
      h("p", { class: "govuk-body" }, h("strong", {}, t("feedback.asked")), " ", fmtDateTime(r.asked_at)),
      prose(r.question),
      r.answered_at
        ? [h("p", { class: "govuk-body" }, h("strong", {}, mine ? t("feedback.your_reply") : t("feedback.reply")), " ", fmtDateTime(r.answered_at)), prose(r.answer)]
        : h("p", { class: "govuk-body" }, t("feedback.not_replied")),
    ),
  );
}

function record(titleKey, r) {
  return h(
    "div",
    { class: "govuk-inset-text" },
    h("p", { class: "govuk-body" }, h("strong", {}, t(titleKey)), " ", fmtDateTime(r.at), r.by ? ` · ${r.by}` : ""),
    prose(r.text),
  );
}

// The agency's refusal or answer, as written (before personal data is taken out for publication).
export function outcome(item) {
  const out = [];
  if (item.refusal) out.push(record("feedback.refused", item.refusal));
  if (item.answer) out.push(record("feedback.answered", item.answer));
  return out.length ? section(t("feedback.outcome_title"), out) : null;
}

// The published text: what everyone reads on the public list.
export function published(pub, { heading = true } = {}) {
  if (!pub) return null;
  const body = [
    h("p", { class: "govuk-body app-muted" }, t("feedback.published_at", { when: fmtDateTime(pub.published_at) })),
    h("h3", { class: "govuk-heading-s" }, t("feedback.public.title")),
    h("p", { class: "govuk-body" }, pub.title),
    h("h3", { class: "govuk-heading-s" }, t("feedback.public.question")),
    prose(pub.question),
    h("h3", { class: "govuk-heading-s" }, t("feedback.public.answer")),
    prose(pub.answer),
  ];
  return heading ? section(t("feedback.public_title"), body) : body;
}

export function rating(r) {
  if (!r) return null;
  return summaryList([
    [t("feedback.rating.satisfied"), r.satisfied ? t("feedback.rating.yes") : t("feedback.rating.no")],
    [t("feedback.rating.comment"), r.comment],
    [t("feedback.rating.at"), fmtDateTime(r.at)],
  ]);
}

// "Trang đầu · Trang sau" from the API's cursor; `base` is the route with its other parameters.
export function pager(base, query, nextCursor, label) {
  const sep = base.includes("?") ? "&" : "?";
  const links = [];
  if (query.cursor) links.push(link(`#${base}`, t("feedback.first_page")));
  if (nextCursor) links.push(link(`#${base}${sep}cursor=${encodeURIComponent(nextCursor)}`, t("feedback.next_page")));
  return links.length ? h("nav", { class: "app-pagination", "aria-label": label }, links) : null;
}
