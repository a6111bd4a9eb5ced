// #/feedback?agency=&cursor=: an agency's published answers (GET /public/feedback), newest first, a page at a time,
// as everyone reads them (personal data taken out by the API); the way to file feedback and to follow one's own.
import { t, fmtDate } from "../../i18n.js";
import { api } from "../../api.js";
import { isCitizen, isStaff } from "../../auth.js";
import { go, alive } from "../../router.js";
import { h, page, link, fieldId, loading, errorSummary } from "../../ui.js";
import { localErrors } from "../citizen/common.js";
import { agencies, kindText, local, pager, prose } from "./common.js";

const PAGE_SIZE = 10;

function agencyForm(list, chosen) {
  const id = fieldId("agency");
  const select = h(
    "select",
    { class: "govuk-select", id, name: "agency" },
    list.map((a) => h("option", { value: a.code, selected: a.code === chosen }, local(a, "name"))),
  );
  return h(
    "form",
    { onSubmit: (ev) => { ev.preventDefault(); go(`/feedback?agency=${encodeURIComponent(select.value)}`); } },
    h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label govuk-label--s", for: id }, t("feedback.list.agency")), select),
    h("button", { type: "submit", class: "govuk-button govuk-button--secondary" }, t("feedback.list.show")),
  );
}

// Someone who filed feedback opens it by its code (the key is asked for on its page).
function followForm() {
  const id = fieldId("code");
  const input = h("input", { class: "govuk-input govuk-input--width-30", id, name: "code", type: "text", spellcheck: "false", autocapitalize: "characters", "aria-describedby": `${id}-hint` });
  const form = h(
    "form",
    {
      novalidate: true,
      onSubmit: (ev) => {
        ev.preventDefault();
        const code = input.value.trim();
        if (!code) {
          errorSummary(localErrors([{ field: "code", message: t("feedback.follow.code_required") }]), form);
          return;
        }
        go(`/feedback/${encodeURIComponent(code)}`);
      },
    },
    h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label govuk-label--s", for: id }, t("feedback.follow.code")), h("div", { class: "govuk-hint", id: `${id}-hint` }, t("feedback.follow.code_hint")), input),
    h("button", { type: "submit", class: "govuk-button govuk-button--secondary" }, t("feedback.follow.open")),
  );
  return form;
}

function entry(row) {
  const pub = row.public || {};
  return h(
    "li",
    { class: "app-results__item" },
    h("h2", { class: "app-results__title" }, link(`#/feedback/${encodeURIComponent(row.code)}`, pub.title || row.code)),
    h("p", { class: "app-results__meta" }, `${kindText(row.kind)} · ${row.code} · ${t("feedback.list.filed", { date: fmtDate(row.filed_at) })} · ${t("feedback.list.published", { date: fmtDate(pub.published_at) })}`),
    h("h3", { class: "govuk-heading-s" }, t("feedback.public.question")),
    prose(pub.question),
    h("h3", { class: "govuk-heading-s" }, t("feedback.public.answer")),
    prose(pub.answer),
  );
}

export async function publicListPage(params, query) {
  const live = alive();
  loading(t("feedback.list.title"));
  const list = await agencies();
  const chosen = list.some((a) => a.code === query.agency) ? query.agency : list[0] && list[0].code;
  const res = chosen ? await api.get("/public/feedback", { query: { agency: chosen, limit: PAGE_SIZE, cursor: query.cursor } }) : { items: [], next_cursor: null };
  if (!live()) return;
  const agency = list.find((a) => a.code === chosen);
  const base = `/feedback?agency=${encodeURIComponent(chosen || "")}`;
  page(
    t("feedback.list.title"),
    h("p", { class: "govuk-body" }, t("feedback.list.intro")),
    h("a", { href: `#/feedback/new${chosen ? `?agency=${encodeURIComponent(chosen)}` : ""}`, class: "govuk-button govuk-button--start", role: "button", draggable: "false" }, t("feedback.list.file")),
    isCitizen() ? h("p", { class: "govuk-body" }, link("#/my/feedback", t("feedback.mine.title"))) : null,
    isStaff() ? h("p", { class: "govuk-body" }, link("#/desk/feedback", t("feedback.desk.title"))) : null,
    agencyForm(list, chosen),
    h("h2", { class: "govuk-heading-m" }, t("feedback.list.answers_of", { agency: agency ? local(agency, "name") : "" })),
    res.items.length
      ? h("ul", { class: "app-results", "aria-label": t("feedback.list.answers_of", { agency: agency ? local(agency, "name") : "" }) }, res.items.map(entry))
      : h("p", { class: "govuk-body" }, query.cursor ? t("feedback.list.no_more") : t("feedback.list.none")),
    pager(base, query, res.next_cursor, t("feedback.list.pages")),
    h("section", { class: "app-section" }, h("details", { class: "app-details" }, h("summary", {}, t("feedback.follow.title")), followForm())),
  );
}
