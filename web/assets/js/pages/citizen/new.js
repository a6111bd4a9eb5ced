// #/my/new/:procedure: the applicant (a person pre-filled from the citizen's profile), a summary, a file input per
// component (uploaded as soon as chosen) with, where the citizen's store holds one, a stored paper to reuse instead
// (docs/papers.md), how the result comes back; submitted once with an Idempotency-Key kept for
// the life of the form, so a retry is harmless. Once submitted, a person's details are kept in the profile for next
// time unless the citizen unticks that. The form itself is ../../dossier-form.js, which the desk's intake shares.
import { api, ApiError } from "../../api.js";
import { session } from "../../auth.js";
import { t } from "../../i18n.js";
import { currentPath, isCurrent } from "../../router.js";
import { h, page, errorSummary, clearErrors, fieldId, link, loading, busy } from "../../ui.js";
import { dossierForm, procedureSummary } from "../../dossier-form.js";
import { procedure, requireCitizen, uuid } from "./common.js";
import { keepApplicant, loadProfile } from "./profile.js";
import { reusablePapers } from "../../papers.js";

// What the confirmation says about keeping the applicant's details: kept, or why not (the API's own words).
function keptNotice(kept) {
  if (!kept) return null;
  if (kept.ok) return h("p", { class: "govuk-body" }, t("citizen.new.kept"), " ", link("#/my/profile", t("profile.title")));
  const why = kept.error instanceof ApiError && kept.error.errors.length ? kept.error.errors.map((e) => e.message || e.code).join("; ") : (kept.error && (kept.error.detail || kept.error.title)) || "";
  return h("div", { class: "govuk-warning-text" }, t("citizen.new.not_kept", { why }), " ", link("#/my/profile", t("profile.title")));
}

// The GOV.UK confirmation panel: the dossier code, large, and where to follow it.
function confirmation(dossier, kept) {
  const m = page(t("citizen.new.done_title"));
  const h1 = m.querySelector("h1");
  h1.className = "govuk-panel__title";
  m.prepend(h("div", { class: "govuk-panel govuk-panel--confirmation" }, h1, h("div", { class: "govuk-panel__body" }, t("citizen.new.your_code"), h("br"), h("strong", { class: "app-code" }, dossier.code))));
  m.append(
    h("p", { class: "govuk-body" }, t("citizen.new.done_next")),
    keptNotice(kept),
    h("p", { class: "govuk-body" }, link(`#/my/dossiers/${encodeURIComponent(dossier.id)}`, t("citizen.new.view_dossier", { code: dossier.code }))),
    h("p", { class: "govuk-body" }, link("#/my/dossiers", t("citizen.list.title"))),
  );
  h1.focus();
}

export async function newDossier(params) {
  const title = t("citizen.new.title");
  if (!requireCitizen(title)) return;
  const here = currentPath();
  loading(title);
  // The profile pre-fills a person applicant; without one (or when it cannot be read) the account's name does.
  // The store's papers this procedure could reuse; without them (or when they cannot be read) every file is uploaded.
  const [p, profile, papers] = await Promise.all([procedure(params.procedure), loadProfile().catch(() => null), reusablePapers(params.procedure).catch(() => [])]);
  if (!isCurrent(here)) return;

  // One key for this form: a retry after a lost answer returns the dossier already created, not a second one.
  const idempotencyKey = uuid();
  const known = profile || {};
  const keep = h("input", { class: "govuk-checkboxes__input", type: "checkbox", id: fieldId("keep_profile"), name: "keep_profile", checked: true, "aria-describedby": `${fieldId("keep_profile")}-hint` });
  const keepGroup = h(
    "div",
    { class: "govuk-form-group" },
    h("div", { class: "govuk-checkboxes__item" }, keep, h("label", { class: "govuk-checkboxes__label", for: keep.id }, t("citizen.new.keep_profile"))),
    h("div", { class: "govuk-hint", id: `${keep.id}-hint` }, t("citizen.new.keep_profile_hint")),
  );
  const parts = dossierForm(p, {
    prefill: { ...known, full_name: known.full_name || (session() || {}).name },
    papers,
    onKind: (kind) => {
      keepGroup.hidden = kind !== "person"; // the profile is a person's
    },
  });

  const submit = h("button", { type: "submit", class: "govuk-button" }, t("citizen.new.submit"));
  const form = h(
    "form",
    { novalidate: true, onSubmit },
    parts.applicant,
    keepGroup,
    parts.request,
    parts.components,
    parts.result,
    h("p", { class: "govuk-body" }, t("citizen.new.declaration")),
    submit,
  );

  async function onSubmit(ev) {
    ev.preventDefault();
    clearErrors();
    const waiting = parts.waiting();
    if (waiting) {
      errorSummary(waiting);
      return;
    }
    const { body: payload, sentIds } = parts.body();
    try {
      const dossier = await busy(api.post("/dossiers", payload, { headers: { "Idempotency-Key": idempotencyKey } }), { button: submit });
      confirmation(dossier, await keepDetails(payload.applicant));
    } catch (err) {
      errorSummary(parts.explain(err, sentIds));
    }
  }

  // After the dossier is in: the person's details into the profile, if the citizen left the box ticked. A refusal
  // here does not undo the submission; the confirmation says what was not kept.
  async function keepDetails(applicant) {
    if (applicant.type !== "person" || !keep.checked) return null;
    try {
      await busy(keepApplicant(applicant, profile), { button: submit });
      return { ok: true };
    } catch (error) {
      return { ok: false, error };
    }
  }

  page(title, procedureSummary(p), form);
}
