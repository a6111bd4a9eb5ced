// A dossier taken in by the desk for an applicant without an account: #/desk/new lists the officer's agency's
// procedures, and other agencies' procedures received regardless of administrative boundaries (which the desk takes
// in, receives and then forwards to the competent agency); #/desk/new/:procedure is the citizen's form (../../dossier-form.js) filled by the officer, with how the
// dossier came: brought to the desk (channel 1) or by public post (channel 3, with the post's tracking number and the
// day it arrived, from which the statutory clock counts), and the applicant's stored papers looked up by ID number to
// reuse (docs/papers.md). Sent with the same POST /dossiers and an Idempotency-Key
// kept for the life of the form; then on to the desk's dossier page, where the officer receives it.
import { api, ApiError } from "../../api.js";
import { hasGroup } from "../../auth.js";
import { t, today } from "../../i18n.js";
import { go, alive } from "../../router.js";
import { h, page, link, errorSummary, clearErrors, fieldId, loading, busy } from "../../ui.js";
import { dossierForm, procedureSummary } from "../../dossier-form.js";
import { localErrors, procedure, radios, textField, uuid } from "../citizen/common.js";
import { local } from "./common.js";
import { reusablePapers } from "../../papers.js";

const PICKER = "/desk/new";

// The link on the work queue, for desk officers (the API lets only them submit for an applicant).
export function intakeLink() {
  if (!hasGroup("officer")) return null;
  return h("p", { class: "govuk-body" }, link(`#${PICKER}`, t("desk.intake.link")));
}

// The signed-in officer as the API sees them ({roles, agency_code}), or null after saying on the page that only
// desk officers take dossiers in (or when the page was left meanwhile). Signed out, the API's 401 gives the
// router's sign-in page.
async function officer(title, live) {
  const me = await api.get("/me");
  if (!live()) return null;
  if ((me.roles || []).includes("officer")) return me;
  page(title, h("p", { class: "govuk-body" }, t("desk.intake.officers_only")), h("p", { class: "govuk-body" }, link("#/desk", t("desk.back"))));
  return null;
}

// Every procedure in effect today matching `filters` (an agency, or reception_anywhere), following the catalogue's pages.
async function catalogue(filters) {
  const items = [];
  let cursor;
  do {
    const res = await api.get("/procedures", { query: { ...filters, limit: 100, cursor } });
    items.push(...res.items);
    cursor = res.next_cursor;
  } while (cursor);
  return items;
}

export async function intakePickerPage() {
  const live = alive();
  const title = t("desk.intake.pick_title");
  loading(title);
  const me = await officer(title, live);
  if (!me) return;
  const [items, anywhere] = me.agency_code
    ? await Promise.all([catalogue({ agency: me.agency_code }), catalogue({ reception_anywhere: true })])
    : [[], []];
  if (!live()) return;
  const choice = (p) => h("li", {}, link(`#${PICKER}/${encodeURIComponent(p.code)}`, `${local(p, "name")} (${p.code})`));
  const elsewhere = anywhere.filter((p) => p.agency_code !== me.agency_code);
  page(
    title,
    h("p", { class: "govuk-body" }, link("#/desk", t("desk.back"))),
    h("h2", { class: "govuk-heading-m" }, t("desk.intake.own")),
    h("p", { class: "govuk-body" }, t("desk.intake.pick_hint")),
    items.length ? h("ul", { class: "govuk-list", id: "desk-intake-own" }, items.map(choice)) : h("p", { class: "govuk-body" }, t("desk.intake.no_procedures")),
    elsewhere.length ? h("h2", { class: "govuk-heading-m" }, t("desk.intake.elsewhere")) : null,
    elsewhere.length ? h("p", { class: "govuk-body" }, t("desk.intake.elsewhere_hint")) : null,
    elsewhere.length
      ? h(
          "ul",
          { class: "govuk-list", id: "desk-intake-elsewhere" },
          elsewhere.map((p) => h("li", {}, link(`#${PICKER}/${encodeURIComponent(p.code)}`, `${local(p, "name")} (${p.code})`), h("span", { class: "app-muted" }, ` — ${local(p, "agency_name")}`))),
        )
      : null,
  );
}

// How the dossier came, and for post its tracking number and arrival day (shown only when "by post" is chosen).
// The radios carry the id of the API's `postal` field, the two inputs those of `postal.tracking_number` and
// `postal.received_on`, so the API's errors land on them.
function channelPart() {
  const tracking = textField(fieldId("postal.tracking_number"), t("desk.intake.tracking_number"), {
    hint: t("desk.intake.tracking_number_hint"),
    attrs: { class: "govuk-input govuk-input--width-20", autocapitalize: "characters", autocomplete: "off", spellcheck: "false", maxlength: 64 },
  });
  const dayId = fieldId("postal.received_on");
  const day = h("input", { class: "govuk-input govuk-input--width-10", id: dayId, name: dayId, type: "date", value: today(), max: today(), "aria-describedby": `${dayId}-hint` });
  const dayGroup = h(
    "div",
    { class: "govuk-form-group" },
    h("label", { class: "govuk-label", for: dayId }, t("desk.intake.received_on")),
    h("div", { class: "govuk-hint", id: `${dayId}-hint` }, t("desk.intake.received_on_hint")),
    day,
  );
  const postBox = h("div", { class: "govuk-inset-text", id: "desk-intake-postal" }, tracking.group, dayGroup);
  const choice = radios(fieldId("postal"), t("desk.intake.how"), [["desk", t("desk.intake.how.desk")], ["post", t("desk.intake.how.post")]], {
    value: "desk",
    hint: t("desk.intake.how_hint"),
    onChange: () => show(),
  });
  const byPost = () => choice.value() === "post";
  const show = () => {
    postBox.hidden = !byPost();
  };
  choice.inputs[1].setAttribute("aria-controls", postBox.id);
  show();
  return {
    nodes: [h("h2", { class: "govuk-heading-m" }, t("desk.intake.arrival")), choice.el, postBox],
    // The postal record to send (null for a walk-in); a space typed inside the number is not part of it.
    postal: () => (byPost() ? { tracking_number: tracking.input.value.replace(/\s+/g, ""), received_on: day.value } : null),
    // Both are required by post; the API judges the rest (a day after today, a malformed number).
    missing: () => {
      if (!byPost()) return [];
      const errors = [];
      if (!tracking.input.value.trim()) errors.push({ field: "postal.tracking_number", message: t("desk.intake.tracking_number_required") });
      if (!day.value) errors.push({ field: "postal.received_on", message: t("desk.intake.received_on_required") });
      return errors;
    },
  };
}

// Papers given once (docs/papers.md): with the applicant in front of them, the officer looks up the papers held for
// the ID number typed above (a citizen ID, or a business's tax code) and may tick them at each component instead of
// scanning the same papers again. Every look-up is recorded in the access log of the dossiers they came from.
function papersPart(parts, p) {
  const status = h("p", { class: "govuk-body", id: "desk-intake-papers-status", "aria-live": "polite" });
  const idField = () => (parts.kind() === "person" ? "applicant.citizen_id" : "applicant.tax_code");
  const find = h("button", { type: "button", class: "govuk-button govuk-button--secondary", id: "desk-intake-papers-find" }, t("desk.intake.papers_find"));
  find.addEventListener("click", async () => {
    clearErrors();
    const idNumber = parts.idNumber();
    if (!idNumber) {
      errorSummary(localErrors([{ field: idField(), message: t("desk.intake.papers_id_required") }]));
      return;
    }
    try {
      const items = await busy(reusablePapers(p.code, { idNumber }), { button: find });
      parts.offerPapers(items);
      status.textContent = items.length ? t("desk.intake.papers_found", { n: items.length }) : t("desk.intake.papers_none");
    } catch (err) {
      // The API names the path's `id_number`: the applicant's field above is where it was typed.
      const errors = err instanceof ApiError ? err.errors.map((e) => ({ ...e, field: idField() })) : [];
      errorSummary(errors.length ? Object.assign(new ApiError(err), { errors }) : err);
    }
  });
  return [h("h2", { class: "govuk-heading-m" }, t("desk.intake.papers_title")), h("p", { class: "govuk-body" }, t("desk.intake.papers_hint")), find, status];
}

export async function intakePage(params) {
  const live = alive();
  const title = t("desk.intake.title");
  loading(title);
  const me = await officer(title, live);
  if (!me) return;
  const p = await procedure(params.procedure);
  if (!live()) return;

  // One key for this form: a retry after a lost answer returns the dossier already created, not a second one.
  const idempotencyKey = uuid();
  const channel = channelPart();
  // A walk-in applicant has no account to download a result from: the desk or the post returns it.
  const parts = dossierForm(p, { methods: ["desk", "post"], methodsHint: null, summaryHint: "desk.intake.summary_hint", smsHint: "desk.intake.sms_hint" });
  const submit = h("button", { type: "submit", class: "govuk-button" }, t("desk.intake.submit"));
  const form = h(
    "form",
    { novalidate: true, onSubmit },
    channel.nodes,
    parts.applicant,
    parts.request,
    papersPart(parts, p),
    parts.components,
    parts.result,
    h("p", { class: "govuk-body" }, t("desk.intake.next")),
    submit,
  );

  async function onSubmit(ev) {
    ev.preventDefault();
    clearErrors();
    const waiting = parts.waiting();
    const missing = channel.missing();
    if (waiting || missing.length) {
      errorSummary(localErrors([...missing, ...(waiting ? waiting.errors : [])]));
      return;
    }
    const { body, sentIds } = parts.body();
    const postal = channel.postal();
    try {
      const dossier = await busy(api.post("/dossiers", postal ? { ...body, postal } : body, { headers: { "Idempotency-Key": idempotencyKey } }), { button: submit });
      go(`/desk/dossiers/${encodeURIComponent(dossier.id)}`);
    } catch (err) {
      errorSummary(parts.explain(err, sentIds));
    }
  }

  // Another agency's procedure, received here regardless of administrative boundaries: the desk forwards it once
  // received (the API refuses one not on that list).
  const elsewhere =
    p.agency_code !== me.agency_code
      ? h("div", { class: "govuk-inset-text", id: "desk-intake-elsewhere-notice" }, t("desk.intake.elsewhere_notice", { agency: local(p, "agency_name") }))
      : null;
  page(title, h("p", { class: "govuk-body" }, link(`#${PICKER}`, t("desk.intake.back"))), procedureSummary(p), elsewhere, form);
}
