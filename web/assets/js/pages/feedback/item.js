// #/feedback/:code: one item (GET /feedback/{code}). Its person — signed in, or with its key (kept in the tab when
// filed here, or typed into the small "secret key" form) — sees it in full: status, limits, the agency's question
// with the reply form (POST /feedback/{code}/info), the refusal or the answer, the published text and, once
// published, the rating form (POST /feedback/{code}/rating). Anyone else sees a published answer, or "not found".
import { api, ApiError } from "../../api.js";
import { isStaff } from "../../auth.js";
import { t } from "../../i18n.js";
import { alive, refresh } from "../../router.js";
import { h, page, errorSummary, clearErrors, fieldId, link, loading, busy, notice } from "../../ui.js";
import { localErrors, radios, textField } from "../citizen/common.js";
import { MAX, agencies, agencyName, forgetKey, keyFor, keyHeaders, kindText, limits, outcome, overview, published, questions, rating, rememberKey, section, statusTag } from "./common.js";

// A message for the next render of this page (after a reply or a rating, or when the item changed meanwhile).
let flash = null;

// The item as this caller may see it, or null (404: unknown, or not theirs and not published).
async function read(code, key) {
  try {
    return await api.get(`/feedback/${encodeURIComponent(code)}`, { headers: keyHeaders(key) });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

// The small form for the key given when the item was filed: it opens the full view, and the tab keeps it.
function keyForm(code) {
  const key = textField(fieldId("key"), t("feedback.key.label"), { hint: t("feedback.key.hint"), attrs: { class: "govuk-input govuk-input--width-30 app-hash", autocomplete: "off", spellcheck: "false", autocapitalize: "none" } });
  const submit = h("button", { type: "submit", class: "govuk-button govuk-button--secondary" }, t("feedback.key.open"));
  const form = h("form", { novalidate: true, class: "app-action-form" }, key.group, submit);
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const value = key.input.value.trim();
    if (!value) {
      errorSummary(localErrors([{ field: "key", message: t("feedback.key.required") }]), form);
      return;
    }
    let item;
    try {
      item = await busy(read(code, value), { button: submit, scope: form });
    } catch (err) {
      errorSummary(err, form);
      return;
    }
    if (!item || item.view !== "full") {
      errorSummary(localErrors([{ field: "key", message: t("feedback.key.wrong") }]), form);
      return;
    }
    rememberKey(code, value);
    flash = { kind: "info", text: t("feedback.key.opened") };
    refresh();
  });
  return form;
}

async function send(ctx, form, submit, path, body, doneText) {
  clearErrors(form);
  try {
    await busy(api.post(`/feedback/${encodeURIComponent(ctx.code)}/${path}`, body, { headers: keyHeaders(ctx.key) }), { button: submit, scope: form });
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      // Someone acted first (the agency, or the person in another tab): show the item as it is now.
      flash = { kind: "info", text: t("feedback.changed") };
      refresh();
      return;
    }
    errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("error.unexpected"), detail: String(err) }), form);
    return;
  }
  flash = { kind: "success", text: doneText };
  refresh();
}

// The reply to the agency's question.
function replyForm(ctx) {
  const text = textField(fieldId("text"), t("feedback.reply_form.label"), { hint: t("feedback.reply_form.hint"), textarea: true, attrs: { maxlength: MAX.text, rows: 6 } });
  const submit = h("button", { type: "submit", class: "govuk-button" }, t("feedback.reply_form.submit"));
  const form = h("form", { novalidate: true, class: "app-action-form" }, text.group, submit);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    send(ctx, form, submit, "info", { text: text.input.value.trim() }, t("feedback.reply_form.done"));
  });
  return form;
}

// Satisfied or not with the published answer, with a comment: once.
function ratingForm(ctx) {
  const satisfied = radios(fieldId("satisfied"), t("feedback.rating.satisfied"), [["true", t("feedback.rating.yes")], ["false", t("feedback.rating.no")]]);
  const comment = textField(fieldId("comment"), t("feedback.rating.comment"), { optional: true, textarea: true, attrs: { maxlength: MAX.long, rows: 3 } });
  const submit = h("button", { type: "submit", class: "govuk-button" }, t("feedback.rating.submit"));
  const form = h("form", { novalidate: true, class: "app-action-form" }, h("p", { class: "govuk-body" }, t("feedback.rating.intro")), satisfied.el, comment.group, submit);
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const choice = satisfied.value();
    if (!choice) {
      errorSummary(localErrors([{ field: "satisfied", message: t("feedback.rating.required") }]), form);
      return;
    }
    send(ctx, form, submit, "rating", { satisfied: choice === "true", comment: comment.input.value.trim() }, t("feedback.rating.done"));
  });
  return form;
}

function fullView(item, ctx, agencyList, message) {
  const steps = item.allowed_steps || [];
  const handler = isStaff() && !steps.includes("rate") && !steps.includes("provide_info");
  page(
    t("feedback.item.title", { code: item.code }),
    message ? notice(message.text, message.kind) : null,
    handler ? h("p", { class: "govuk-body" }, link(`#/desk/feedback/${encodeURIComponent(item.code)}`, t("feedback.item.handle"))) : null,
    overview(item, agencyList),
    limits(item),
    (item.info_requests || []).length
      ? section(t("feedback.questions_title"), questions(item, { mine: true }), steps.includes("provide_info") ? replyForm(ctx) : null)
      : null,
    outcome(item),
    published(item.public),
    steps.includes("rate") || item.rating ? section(t("feedback.rating.title"), rating(item.rating), steps.includes("rate") ? ratingForm(ctx) : null) : null,
    h("p", { class: "govuk-body" }, link(`#/feedback?agency=${encodeURIComponent(item.agency_code)}`, t("feedback.list.title"))),
  );
}

function publicView(item, agencyList, message) {
  page(
    item.public.title,
    message ? notice(message.text, message.kind) : null,
    h("p", { class: "govuk-caption-m" }, `${kindText(item.kind)} · ${item.code}`),
    h("p", { class: "govuk-body" }, statusTag(item.status), " ", agencyName(agencyList, item.agency_code)),
    published(item.public, { heading: false }),
    h("details", { class: "app-details" }, h("summary", {}, t("feedback.key.yours")), keyForm(item.code)),
    h("p", { class: "govuk-body" }, link(`#/feedback?agency=${encodeURIComponent(item.agency_code)}`, t("feedback.list.title"))),
  );
}

function notFound(code, hadKey) {
  page(
    t("feedback.item.not_found"),
    h("p", { class: "govuk-body" }, t("feedback.item.not_found_detail", { code })),
    hadKey ? h("p", { class: "govuk-body" }, t("feedback.key.forgotten")) : null,
    section(t("feedback.key.title"), keyForm(code)),
    h("p", { class: "govuk-body" }, link("#/feedback", t("feedback.list.title"))),
  );
}

export async function itemPage(params) {
  const live = alive();
  const code = params.code;
  loading(t("feedback.item.title", { code }));
  const key = keyFor(code);
  const [found, agencyList] = await Promise.all([read(code, key), agencies().catch(() => [])]);
  // A kept key that no longer opens the item (another stack, a typo) is dropped: the page asks for it again.
  const item = found;
  if (key && (!item || item.view !== "full")) forgetKey(code);
  if (!live()) return;
  const message = flash;
  flash = null;
  if (!item) {
    notFound(code, !!key);
    return;
  }
  const ctx = { code, key: item.view === "full" ? key : null };
  if (item.view === "full") fullView(item, ctx, agencyList, message);
  else publicView(item, agencyList, message);
  const banner = document.querySelector("#main .govuk-notification-banner");
  if (banner && message) {
    banner.setAttribute("tabindex", "-1");
    banner.focus();
  }
}
