// #/verify (check a PDF anyone holds: POST /public/verifications with its bytes) and #/verify/:id (where the QR
// code on a signed result leads: GET /public/verifications/{id}). Both show the same answer in plain words.
import { api, ApiError } from "../../api.js";
import { t, fmtDate, fmtDateTime } from "../../i18n.js";
import { alive } from "../../router.js";
import { h, page, summaryList, link, errorSummary, clearErrors, busy, loading } from "../../ui.js";
import { PDF, signerText } from "../../documents.js";

const MAX_BYTES = 4 * 1024 * 1024; // the API's limit for a document to verify
// The API names the uploaded document "body": the file input carries that field's id, so its errors land on it.
const FILE_FIELD = "body";

const VERDICT_STYLE = { valid: "good", unsigned: "warn", untrusted: "warn", invalid: "bad", modified: "bad" };

function yesNo(flag, yes, no) {
  return t(flag ? yes : no);
}

// One signature: who, when, whether the bytes are the ones signed, and whether the certificate is trusted.
function signatureRows(s) {
  const unchanged = s.intact && s.covers_whole_file && !s.modified_after_signing;
  return summaryList([
    [t("verify.signer"), signerText(s.signed_by)],
    s.signed_by && s.signed_by.serial_number ? [t("verify.serial"), h("span", { class: "app-hash" }, s.signed_by.serial_number)] : null,
    [t("verify.signed_at"), s.signed_at ? fmtDateTime(s.signed_at) : t("verify.signed_at_unknown")],
    [t("verify.timestamp"), yesNo(s.timestamped, "verify.timestamped", "verify.not_timestamped")],
    [t("verify.content"), yesNo(unchanged, "verify.unchanged", "verify.changed")],
    [t("verify.signature_math"), yesNo(s.valid, "verify.math_ok", "verify.math_bad")],
    [t("verify.certificate"), yesNo(s.trusted, "verify.trusted", "verify.not_trusted")],
  ]);
}

function issuedText(v) {
  const r = v.result;
  if (!v.issued_here || !r) return h("p", { class: "govuk-body" }, t("verify.not_issued_here"));
  return [
    h("p", { class: "govuk-body" }, t("verify.issued_here", { code: r.dossier_code, agency: r.agency_name || r.agency_code, date: fmtDate(r.issued_at) })),
    h("p", { class: "govuk-body" }, link(`#/lookup?code=${encodeURIComponent(r.dossier_code)}`, t("verify.lookup", { code: r.dossier_code }))),
  ];
}

// The answer: the verdict first (as a heading that takes the focus, so a screen reader reads it), then each
// signature, where the document comes from, and its SHA-256 for whoever wants to compare.
function answer(v) {
  const style = VERDICT_STYLE[v.verdict] || "warn";
  const title = h("h2", { class: "govuk-heading-m", id: "verify-verdict", tabindex: "-1" }, t(`verify.verdict.${v.verdict}`));
  const sigs = v.signatures || [];
  return h(
    "section",
    { class: "app-section", "aria-labelledby": "verify-verdict" },
    h(
      "div",
      { class: `app-verdict app-verdict--${style}` },
      title,
      h("p", { class: "govuk-body" }, t(`verify.verdict_detail.${v.verdict}`)),
      issuedText(v),
    ),
    sigs.map((s, i) => [h("h3", { class: "govuk-heading-s" }, sigs.length > 1 ? t("verify.signature_n", { n: i + 1 }) : t("verify.signature")), signatureRows(s)]),
    summaryList([[t("verify.sha256"), h("span", { class: "app-hash" }, v.sha256)]]),
  );
}

function uploadForm(out) {
  const input = h("input", {
    class: "govuk-file-upload govuk-input",
    type: "file",
    id: `field-${FILE_FIELD}`,
    name: FILE_FIELD,
    accept: `.pdf,${PDF}`,
    "aria-describedby": `field-${FILE_FIELD}-hint`,
  });
  const submit = h("button", { type: "submit", class: "govuk-button" }, t("verify.check"));
  const form = h(
    "form",
    { novalidate: true, class: "app-verify-form" },
    h(
      "div",
      { class: "govuk-form-group" },
      h("label", { class: "govuk-label govuk-label--s", for: input.id }, t("verify.file")),
      h("div", { class: "govuk-hint", id: `field-${FILE_FIELD}-hint` }, t("verify.file_hint")),
      input,
    ),
    submit,
  );
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const file = input.files && input.files[0];
    const local = !file ? "verify.file_required" : file.size > MAX_BYTES ? "verify.file_too_big" : null;
    if (local) {
      out.replaceChildren();
      errorSummary(new ApiError({ status: 422, errors: [{ field: FILE_FIELD, message: t(local) }] }));
      return;
    }
    try {
      // Sent as PDF whatever the browser thinks the file is: the API judges the bytes and says when it is not one.
      const v = await busy(api.post("/public/verifications", file, { headers: { "Content-Type": PDF } }), { button: submit });
      clearErrors();
      out.replaceChildren(answer(v));
      document.getElementById("verify-verdict").focus();
    } catch (err) {
      out.replaceChildren();
      errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("error.unexpected") }));
    }
  });
  return form;
}

function verifyPage() {
  const out = h("div", {});
  page(t("verify.title"), h("p", { class: "govuk-body" }, t("verify.intro")), uploadForm(out), out);
}

async function verifyResultPage(params) {
  const live = alive();
  loading(t("verify.title"));
  let v;
  try {
    v = await api.get(`/public/verifications/${encodeURIComponent(params.id)}`);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 404) throw err;
    if (!live()) return;
    // The QR code's address with an id the platform never issued: say so in the page's own words.
    page(t("verify.title"), h("p", { class: "govuk-body" }, t("verify.unknown_result")), h("p", { class: "govuk-body" }, link("#/verify", t("verify.check_another"))));
    return;
  }
  if (!live()) return;
  page(
    t("verify.title"),
    h("p", { class: "govuk-body" }, t("verify.intro_result")),
    answer(v),
    h("p", { class: "govuk-body" }, link("#/verify", t("verify.check_another"))),
  );
}

export function register(route) {
  route("/verify", verifyPage);
  route("/verify/:id", verifyResultPage);
}
