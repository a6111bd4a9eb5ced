// The applicant's own actions on a dossier: answer a supplement request, withdraw, rate the handling. Each sends
// If-Match with the version the page showed; ctx.conflict() reloads the page when the API answers 409.
import { api, ApiError } from "../../api.js";
import { t, fmtDateTime } from "../../i18n.js";
import { h, errorSummary, clearErrors, fieldId, summaryList, busy, button } from "../../ui.js";
import { componentFields, local, localErrors, radios, textField } from "./common.js";
import { fileField } from "./upload.js";

const CRITERIA = ["timeliness", "attitude", "guidance", "transparency"];
const RATINGS = ["satisfied", "neutral", "not_satisfied"];
// When the procedure version cannot be read, the upload still goes to the API, which judges type and size itself.
const ANY_FILE = { accepted_types: ["application/pdf", "image/jpeg", "image/png"], max_size_bytes: 10 * 1024 * 1024 };

async function send(ctx, form, submit, method, action, body, successText, fix = (e) => e) {
  clearErrors(form);
  try {
    await busy(api.request(method, `/dossiers/${encodeURIComponent(ctx.d.id)}/${action}`, { body, headers: { "If-Match": ctx.etag } }), { button: submit, scope: form });
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      ctx.conflict();
      return;
    }
    errorSummary(fix(err instanceof ApiError ? err : new ApiError({ title: t("error.unexpected"), detail: String(err) })), form);
    return;
  }
  ctx.done(successText);
}

// Form 02 answered: a new file for every requested component, with a note.
export function resubmitForm(ctx, request) {
  const { d, p } = ctx;
  const inputs = request.items.map((item) => {
    const spec = (p && p.components.find((c) => c.id === item.component_id)) || { ...ANY_FILE, ...item, id: item.component_id };
    return fileField({
      procedureCode: d.procedure_code,
      component: spec,
      name: `components.${item.component_id}`,
      label: local(item, "name") || local(spec, "name"),
      required: true,
      hintExtra: t("citizen.supplement.reason", { reason: item.reason }),
    });
  });
  const note = textField(fieldId("note"), t("citizen.supplement.note"), { optional: true, textarea: true, attrs: { maxlength: 2000, rows: 3 } });
  const submit = h("button", { type: "submit", class: "govuk-button" }, t("citizen.supplement.submit"));
  const form = h(
    "form",
    { novalidate: true, class: "app-action-form" },
    h("p", { class: "govuk-body" }, t("citizen.supplement.intro", { when: fmtDateTime(request.requested_at), name: (request.requested_by && request.requested_by.name) || "" })),
    request.note ? h("div", { class: "govuk-inset-text" }, request.note) : null,
    inputs.map((i) => i.el),
    note.group,
    submit,
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const waiting = inputs.filter((i) => i.busy());
    const empty = inputs.filter((i) => !i.busy() && !i.uploadIds().length);
    const errors = [
      ...waiting.map((i) => ({ field: `components.${i.component.id}`, message: t("citizen.new.wait_uploads") })),
      ...empty.map((i) => ({ field: `components.${i.component.id}`, message: t("citizen.new.file_required") })),
    ];
    if (errors.length) {
      errorSummary(localErrors(errors), form);
      return;
    }
    const chosen = inputs.map((i) => ({ component_id: i.component.id, upload_ids: i.uploadIds() }));
    const body = { components: chosen, note: note.input.value.trim() };
    send(ctx, form, submit, "POST", "resubmit", body, t("citizen.supplement.done"), (e) => componentFields(e, chosen.map((c) => c.component_id)));
  });
  return form;
}

// Two steps: the button, then a confirmation with the reason (the API requires one).
export function withdrawForm(ctx) {
  const box = h("div", {});
  const reason = textField(fieldId("reason"), t("citizen.withdraw.reason"), { hint: t("citizen.withdraw.reason_hint"), textarea: true, attrs: { maxlength: 2000, rows: 3 } });
  const confirm = h("button", { type: "submit", class: "govuk-button govuk-button--warning" }, t("citizen.withdraw.confirm"));
  const form = h(
    "form",
    { novalidate: true, class: "app-action-form" },
    h("div", { class: "govuk-warning-text" }, h("strong", {}, h("span", { class: "govuk-visually-hidden" }, `${t("ui.important")}: `), t("citizen.withdraw.warning"))),
    reason.group,
    h("div", { class: "govuk-button-group" }, confirm, button(t("citizen.withdraw.cancel"), () => first(true), { secondary: true })),
  );
  const start = button(t("citizen.withdraw.start"), () => {
    box.replaceChildren(form);
    reason.input.focus();
  }, { secondary: true });
  function first(focus) {
    clearErrors(form);
    box.replaceChildren(h("p", { class: "govuk-body" }, t("citizen.withdraw.intro")), start);
    if (focus) start.focus();
  }
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = reason.input.value.trim();
    if (!text) {
      errorSummary(localErrors([{ field: "reason", message: t("citizen.withdraw.reason_required") }]), form);
      return;
    }
    send(ctx, form, confirm, "POST", "withdraw", { reason: text }, t("citizen.withdraw.done"));
  });
  first(false);
  return box;
}

function ratingText(v) {
  return v ? t(`enum.${v}`) : t("citizen.evaluation.not_rated");
}

function given(ev) {
  const c = ev.criteria || {};
  return summaryList([
    [t("citizen.evaluation.satisfied"), ev.satisfied ? t("citizen.evaluation.yes") : t("citizen.evaluation.no")],
    ...CRITERIA.map((k) => [t(`citizen.evaluation.${k}`), ratingText(c[k])]),
    [t("citizen.evaluation.visits"), c.visits ?? t("citizen.evaluation.not_rated")],
    [t("citizen.evaluation.comment"), ev.comment],
    [t("citizen.evaluation.given_at"), fmtDateTime(ev.updated_at || ev.evaluated_at)],
  ]);
}

// The national rating form: satisfied or not, four criteria, how many visits, a comment. Amendable for a while.
export function evaluateForm(ctx, editable) {
  const ev = ctx.d.evaluation;
  const prior = ev ? [given(ev), editable ? h("p", { class: "govuk-body" }, t("citizen.evaluation.amend_until", { when: fmtDateTime(ev.amend_until) })) : null] : [];
  if (!editable) return h("div", {}, prior);
  const c = (ev && ev.criteria) || {};
  const satisfied = radios(fieldId("satisfied"), t("citizen.evaluation.satisfied"), [["true", t("citizen.evaluation.yes")], ["false", t("citizen.evaluation.no")]], {
    value: ev ? String(ev.satisfied) : undefined,
  });
  const selects = CRITERIA.map((k) => {
    const id = fieldId(`criteria.${k}`);
    const select = h(
      "select",
      { class: "govuk-select", id, name: id },
      h("option", { value: "" }, t("citizen.evaluation.not_rated")),
      RATINGS.map((r) => h("option", { value: r, selected: c[k] === r }, t(`enum.${r}`))),
    );
    return { k, select, group: h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label", for: id }, t(`citizen.evaluation.${k}`)), select) };
  });
  const visits = textField(fieldId("criteria.visits"), t("citizen.evaluation.visits"), {
    optional: true,
    hint: t("citizen.evaluation.visits_hint"),
    value: c.visits != null ? String(c.visits) : "",
    attrs: { class: "govuk-input govuk-input--width-10", type: "number", inputmode: "numeric", min: 0, max: 50, step: 1 },
  });
  const comment = textField(fieldId("comment"), t("citizen.evaluation.comment"), { optional: true, textarea: true, value: ev ? ev.comment : "", attrs: { maxlength: 2000, rows: 3 } });
  const submit = h("button", { type: "submit", class: "govuk-button" }, ev ? t("citizen.evaluation.amend") : t("citizen.evaluation.submit"));
  const form = h(
    "form",
    { novalidate: true, class: "app-action-form" },
    ev ? null : h("p", { class: "govuk-body" }, t("citizen.evaluation.intro")),
    satisfied.el,
    h("fieldset", { class: "govuk-fieldset govuk-form-group" }, h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, t("citizen.evaluation.criteria")), selects.map((s) => s.group), visits.group),
    comment.group,
    submit,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const choice = satisfied.value();
    if (!choice) {
      errorSummary(localErrors([{ field: "satisfied", message: t("citizen.evaluation.satisfied_required") }]), form);
      return;
    }
    const criteria = {};
    for (const s of selects) if (s.select.value) criteria[s.k] = s.select.value;
    const v = visits.input.value.trim();
    if (v !== "") criteria.visits = Number(v);
    const body = { satisfied: choice === "true", criteria, comment: comment.input.value.trim() };
    send(ctx, form, submit, "PUT", "evaluation", body, t("citizen.evaluation.done"));
  });
  // Once rated, the form to amend it stays folded under the rating given.
  return h("div", {}, prior, ev ? h("details", { class: "app-details" }, h("summary", {}, t("citizen.evaluation.amend")), form) : form);
}
