// The officers' side (docs/feedback.md): #/desk/feedback, the agency's items with a step due, soonest first, with the
// working days left and the overdue ones marked (GET /desk/feedback); #/desk/feedback/:code, one item in full with a
// form for each step in its allowed_steps — refuse, ask for information, answer, publish
// (POST /desk/feedback/{code}/refuse|request-info|answer|publish).
import { api, ApiError } from "../../api.js";
import { hasGroup } from "../../auth.js";
import { t, fmtDate } from "../../i18n.js";
import { alive } from "../../router.js";
import { h, page, table, link, tag, button, notice, errorSummary, clearErrors, fieldId, loading, busy } from "../../ui.js";
import { textField } from "../citizen/common.js";
import { MAX, agencies, kindText, limits, outcome, overview, pager, published, questions, rating, section, statusTag, stepText } from "./common.js";

const PAGE_SIZE = 50;
const QUEUE = "/desk/feedback";
const HANDLERS = ["officer", "leader"];

// The link on the desk's work queue, for those who handle feedback.
export function feedbackQueueLink() {
  if (!HANDLERS.some(hasGroup)) return null;
  return h("p", { class: "govuk-body" }, link(`#${QUEUE}`, t("feedback.desk.link")));
}

// Overdue once the due day has passed (or the hourly check flagged a step); due soon on its last working day or the
// one before. Said in words beside the date, so colour is never the only sign.
function dueCell(row) {
  if (!row.due_on) return "—";
  const n = row.days_left;
  const overdue = (n != null && n < 0) || (row.overdue_steps || []).length > 0;
  const left = n == null ? "" : n < 0 ? t("feedback.desk.days_over", { n: -n }) : n === 0 ? t("feedback.desk.due_today") : t("feedback.desk.days_left", { n });
  const mark = overdue ? tag(t("feedback.overdue"), "red") : n != null && n <= 1 ? tag(t("feedback.due_soon"), "orange") : null;
  return h("span", {}, fmtDate(row.due_on), mark ? " " : null, mark, left ? h("br") : null, left ? h("span", { class: "app-muted" }, left) : null);
}

export async function deskQueuePage(params, query) {
  const live = alive();
  const title = t("feedback.desk.title");
  loading(title);
  const res = await api.get(QUEUE, { query: { limit: PAGE_SIZE, cursor: query.cursor } });
  if (!live()) return;
  page(
    title,
    h("p", { class: "govuk-body" }, link("#/desk", t("desk.back"))),
    h("p", { class: "govuk-body" }, t("feedback.desk.intro")),
    h("p", { class: "govuk-body", role: "status" }, t("feedback.desk.count", { n: res.items.length })),
    res.items.length
      ? table(
          [t("feedback.field.code"), t("feedback.desk.due"), t("feedback.field.title"), t("feedback.field.kind"), t("feedback.desk.next")],
          res.items.map((r) => [
            link(`#${QUEUE}/${encodeURIComponent(r.code)}`, r.code),
            dueCell(r),
            r.title || "",
            kindText(r.kind),
            h("span", {}, statusTag(r.status), h("br"), t(`feedback.desk.next_step.${r.status}`)),
          ]),
          { caption: title, hideCaption: true },
        )
      : h("p", { class: "govuk-body" }, query.cursor ? t("feedback.list.no_more") : t("feedback.desk.none")),
    pager(QUEUE, query, res.next_cursor, t("feedback.list.pages")),
    h("p", { class: "govuk-body" }, link("#/feedback", t("feedback.desk.public_list"))),
  );
}

// ---------- one item ----------

const STEP_PATHS = { refuse: "refuse", request_info: "request-info", answer: "answer", publish: "publish" };

// The fields of each step, their ids the API's names (the error summary links to them); publishing starts from the
// item's own texts.
function stepFields(step, item) {
  switch (step) {
    case "refuse":
      return [textField(fieldId("reason"), t("feedback.desk.form.reason"), { hint: t("feedback.desk.form.reason_hint"), textarea: true, attrs: { maxlength: MAX.long, rows: 4 } })];
    case "request_info":
      return [textField(fieldId("question"), t("feedback.desk.form.question"), { hint: t("feedback.desk.form.question_hint"), textarea: true, attrs: { maxlength: MAX.long, rows: 4 } })];
    case "answer":
      return [textField(fieldId("text"), t("feedback.desk.form.text"), { hint: t("feedback.desk.form.text_hint"), textarea: true, attrs: { maxlength: MAX.text, rows: 8 } })];
    case "publish":
      return [
        textField(fieldId("title"), t("feedback.public.title"), { value: item.title, attrs: { maxlength: MAX.title } }),
        textField(fieldId("question"), t("feedback.public.question"), { value: item.content, textarea: true, attrs: { maxlength: MAX.text, rows: 6 } }),
        textField(fieldId("answer"), t("feedback.public.answer"), { value: item.answer ? item.answer.text : "", textarea: true, attrs: { maxlength: MAX.text, rows: 8 } }),
      ];
    default:
      return [];
  }
}

function bodyOf(step, fields) {
  const value = (i) => fields[i].input.value.trim();
  switch (step) {
    case "refuse":
      return { reason: value(0) };
    case "request_info":
      return { question: value(0) };
    case "answer":
      return { text: value(0) };
    default: {
      // Publishing: a part left empty is the item's own text (the API's default), redacted all the same.
      const out = {};
      ["title", "question", "answer"].forEach((k, i) => {
        if (value(i)) out[k] = value(i);
      });
      return out;
    }
  }
}

// One button per step allowed; each opens its form below the buttons (one form at a time: the field ids are the
// API's names). `reload({flash, conflict})` shows the item again after the step, or after a 409.
function stepsSection(item, reload) {
  const steps = (item.allowed_steps || []).filter((s) => s in STEP_PATHS);
  const heading = h("h2", { class: "govuk-heading-m", tabindex: "-1" }, t("feedback.desk.steps"));
  if (!steps.length) return h("section", { class: "app-section", id: "feedback-steps" }, heading, h("p", { class: "govuk-body" }, t(item.status === "info_requested" ? "feedback.desk.waiting" : "feedback.desk.no_steps")));
  const panel = h("div", { id: "feedback-step-panel" });
  const buttons = steps.map((s) => {
    const b = button(stepText(s), () => open(s, b), { secondary: true });
    b.setAttribute("aria-controls", panel.id);
    b.setAttribute("aria-expanded", "false");
    return b;
  });

  function close(opener) {
    panel.replaceChildren();
    for (const b of buttons) b.setAttribute("aria-expanded", "false");
    opener.focus();
  }

  function open(step, opener) {
    document.querySelectorAll("#main .govuk-notification-banner--success").forEach((b) => b.remove());
    for (const b of buttons) b.setAttribute("aria-expanded", String(b === opener));
    const fields = stepFields(step, item);
    const submit = h("button", { type: "submit", class: `govuk-button${step === "refuse" ? " govuk-button--warning" : ""}` }, stepText(step));
    const form = h(
      "form",
      { novalidate: true, class: "app-action-form" },
      fields.map((f) => f.group),
      h("div", { class: "govuk-button-group" }, submit, button(t("desk.cancel"), () => close(opener), { secondary: true })),
    );
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      try {
        await busy(api.post(`/desk/feedback/${encodeURIComponent(item.code)}/${STEP_PATHS[step]}`, bodyOf(step, fields)), { button: submit, scope: form });
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) {
          await reload({ conflict: err });
          return;
        }
        errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("error.unexpected"), detail: String(err) }), form);
        return;
      }
      await reload({ flash: t("desk.done", { action: stepText(step) }) });
    });
    const title = h("h3", { class: "govuk-heading-m", tabindex: "-1" }, stepText(step));
    const intro = h("p", { class: "govuk-body" }, t(`feedback.desk.form.intro.${step}`));
    panel.replaceChildren(title, intro, form);
    title.focus();
  }

  return h(
    "section",
    { class: "app-section", id: "feedback-steps" },
    heading,
    h("div", { class: "govuk-button-group" }, buttons),
    panel,
  );
}

async function show(code, { flash, conflict } = {}) {
  const live = alive();
  const [item, agencyList] = await Promise.all([api.get(`/feedback/${encodeURIComponent(code)}`), agencies().catch(() => [])]);
  if (!live()) return null;
  const reload = async (next) => {
    const focus = await show(code, next);
    if (focus) focus.focus();
  };
  const back = h("p", { class: "govuk-body" }, link(`#${QUEUE}`, t("feedback.desk.back")));
  if (item.view !== "full") {
    // Another agency's item: only what the public reads.
    page(t("feedback.item.title", { code }), back, h("div", { class: "govuk-inset-text" }, t("feedback.desk.not_ours")), published(item.public));
    return null;
  }
  const banner = flash ? notice(t("feedback.desk.flash", { done: flash, status: t(`feedback.status.${item.status}`) }), "success") : null;
  if (banner) banner.setAttribute("tabindex", "-1");
  page(
    t("feedback.item.title", { code }),
    back,
    banner,
    overview(item, agencyList),
    limits(item),
    (item.info_requests || []).length ? section(t("feedback.questions_title"), questions(item)) : null,
    outcome(item),
    published(item.public),
    item.rating ? section(t("feedback.rating.title"), rating(item.rating)) : null,
    stepsSection(item, reload),
  );
  if (conflict) {
    const why = conflict.detail ? `${conflict.detail} ${t("feedback.desk.conflict_reloaded")}` : t("feedback.desk.conflict_reloaded");
    return errorSummary(new ApiError({ status: 409, title: t("feedback.desk.conflict_title"), detail: why }));
  }
  return banner;
}

export async function deskItemPage(params) {
  loading(t("feedback.item.title", { code: params.code }));
  await show(params.code);
}
