// A dossier taken in by the desk for an applicant without an account: #/desk/new lists the officer's agency's
// procedures, #/desk/new/:procedure is the citizen's form (../../dossier-form.js) filled by the officer, with how the
// dossier came: brought to the desk (channel 1) or by public post (channel 3, with the post's tracking number and the
// day it arrived, from which the statutory clock counts). Sent with the same POST /dossiers and an Idempotency-Key
// kept for the life of the form; then on to the desk's dossier page, where the officer receives it.
import { api } from "../../api.js";
import { hasGroup } from "../../auth.js";
import { t, today } from "../../i18n.js";
import { go, alive } from "../../router.js";
import { h, page, link, errorSummary, clearErrors, fieldId, loading, busy } from "../../ui.js";
import { dossierForm, procedureSummary } from "../../dossier-form.js";
import { localErrors, procedure, radios, textField, uuid } from "../citizen/common.js";
import { local } from "./common.js";

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

// Every procedure of the agency in effect today, following the catalogue's pages.
async function agencyProcedures(agency) {
  const items = [];
  let cursor;
  do {
    const res = await api.get("/procedures", { query: { agency, limit: 100, cursor } });
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
  const items = me.agency_code ? await agencyProcedures(me.agency_code) : [];
  if (!live()) return;
  page(
    title,
    h("p", { class: "govuk-body" }, link("#/desk", t("desk.back"))),
    h("p", { class: "govuk-body" }, t("desk.intake.pick_hint")),
    items.length
      ? h(
          "ul",
          { class: "govuk-list" },
          items.map((p) => h("li", {}, link(`#${PICKER}/${encodeURIComponent(p.code)}`, `${local(p, "name")} (${p.code})`))),
        )
      : h("p", { class: "govuk-body" }, t("desk.intake.no_procedures")),
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

  page(title, h("p", { class: "govuk-body" }, link(`#${PICKER}`, t("desk.intake.back"))), procedureSummary(p), form);
}
