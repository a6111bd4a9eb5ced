// Documents on the dossier pages: the one-stop forms as PDFs (opened to print, or saved) and whether each result
// carries a digital signature, with a link to its public verification page. Shared by the citizen's and the desk's
// dossier pages.
import { api, ApiError } from "./api.js";
import { t, lang, fmtDateTime } from "./i18n.js";
import { h, link, tag } from "./ui.js";

export const PDF = "application/pdf";
export const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

// Object URLs of fetched files live until the next page: the links that use them go with the page they are on.
const objectUrls = new Set();
window.addEventListener("motcua:route", () => {
  const stale = [...objectUrls];
  objectUrls.clear();
  // Later rather than now: a tab just opened on one may still be reading it.
  setTimeout(() => stale.forEach((u) => URL.revokeObjectURL(u)), 60_000);
});

// The file name a Content-Disposition header gives (plain or RFC 5987 form), else `fallback`.
export function fileNameOf(headers, fallback) {
  const cd = (headers && headers.get("Content-Disposition")) || "";
  const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(cd);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ""));
    } catch {
      /* a malformed encoded name: take the plain one */
    }
  }
  const plain = /filename="?([^";]+)"?/i.exec(cd);
  return plain ? plain[1].trim() : fallback;
}

// GET a file from the API with the bearer token: {blob, fileName}. `accept` picks the format (the API Gateway
// returns binary bodies only to a request that asks for them).
export async function fetchFile(path, accept, { query, fallbackName = "document" } = {}) {
  const res = await api.request("GET", path, { query, headers: { Accept: accept }, as: "blob", full: true });
  return { blob: res.body, fileName: fileNameOf(res.headers, fallbackName) };
}

export function objectUrl(blob) {
  const url = URL.createObjectURL(blob);
  objectUrls.add(url);
  return url;
}

// "GIẤY TIẾP NHẬN HỒ SƠ" → "Giấy tiếp nhận hồ sơ": the official titles are printed in capitals.
function sentenceCase(text) {
  const lower = String(text || "").toLocaleLowerCase("vi");
  return lower.charAt(0).toLocaleUpperCase("vi") + lower.slice(1);
}

// "Mẫu số 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả". In Vietnamese the API's title is the one printed on the
// form (it follows the circular the form was issued under); in English, our translation of it. A paper no circular
// numbers (the receipt of a fee paid: empty `number`) goes by its title alone.
export function formLabel(f) {
  const title = lang() === "en" ? t(`documents.form.${f.form}`) : sentenceCase(f.title);
  return f.number ? t("documents.form_label", { number: f.number, title }) : title;
}

export function formButtonId(form) {
  return `form-${String(form).replace(/[^A-Za-z0-9-]/g, "-")}`;
}

function problemText(err) {
  if (err instanceof ApiError) return err.detail || err.title || t("error.unexpected");
  return t("error.unexpected");
}

// One form: a button that fetches the PDF and opens it in a new tab (to print), then leaves links to open it again
// and to save it. `id` for a second button of the same form elsewhere on the page (the fee panel's receipt).
export function formControls(f, { id = formButtonId(f.form) } = {}) {
  const label = formLabel(f);
  const out = h("span", { class: "app-form-links", "aria-live": "polite" });
  const btn = h("button", { type: "button", id, class: "govuk-button govuk-button--secondary app-button--inline" }, label);
  btn.addEventListener("click", async () => {
    btn.disabled = true;
    out.replaceChildren(t("ui.loading"));
    try {
      const { blob, fileName } = await fetchFile(f.href, PDF, { fallbackName: `${f.form}.pdf` });
      const url = objectUrl(new Blob([blob], { type: PDF }));
      const open = h("a", { href: url, class: "govuk-link", target: "_blank", rel: "noopener" }, t("documents.open"), h("span", { class: "govuk-visually-hidden" }, ` ${label}`));
      const save = h("a", { href: url, class: "govuk-link", download: fileName }, t("documents.save", { name: fileName }));
      out.replaceChildren(open, " · ", save);
      open.click();
    } catch (err) {
      out.replaceChildren(h("span", { class: "app-files__error" }, problemText(err)));
    } finally {
      btn.disabled = false;
    }
  });
  return [btn, " ", out];
}

function formRow(f) {
  return h("li", { class: "app-form-item" }, formControls(f));
}

// The "Giấy tờ" section: one button per form the dossier has (`dossier.forms`); null when it has none yet.
export function formsSection(d) {
  const forms = d.forms || [];
  if (!forms.length) return null;
  return h(
    "section",
    { class: "app-section", id: "dossier-forms", "aria-labelledby": "dossier-forms-title" },
    h("h2", { class: "govuk-heading-m", id: "dossier-forms-title" }, t("documents.forms_title")),
    h("p", { class: "govuk-body" }, t("documents.forms_hint")),
    h("ul", { class: "govuk-list app-form-list" }, forms.map(formRow)),
  );
}

// With `#/...?form=receipt` (the link in a message): bring that form's button into view and focus it, after the
// router has finished placing the page (it scrolls to the top after a render).
export function focusForm(form) {
  if (!form) return;
  setTimeout(() => {
    const btn = document.getElementById(formButtonId(form));
    if (!btn) return;
    btn.focus({ preventScroll: true });
    btn.scrollIntoView({ block: "center" });
  }, 0);
}

// Who a certificate names: the common name, with the organisation when it says more (a long name is cut short in
// the common name, which certificates limit to 64 characters).
// Certificates often carry a long Vietnamese name without diacritics, or cut, in the common name: compare folded.
function folded(text) {
  return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
}

export function signerText(holder) {
  if (!holder) return "";
  const cn = holder.common_name || "";
  const org = holder.organisation || "";
  if (cn && org && org !== cn) return folded(org).startsWith(folded(cn)) ? org : `${cn} (${org})`;
  return cn || org || holder.serial_number || "";
}

export function verifyHref(resultId) {
  return `#/verify/${encodeURIComponent(resultId)}`;
}

// A result's signature in a table cell: signed (by whom, when) with the link to its verification page, or not.
export function signatureCell(r) {
  const s = r.signature;
  if (!s) return h("span", {}, tag(t("documents.unsigned"), "grey"));
  return h(
    "span",
    { class: "app-signature" },
    tag(t("documents.signed"), "green"),
    h("br"),
    t("documents.signed_by", { name: signerText(s.signed_by) }),
    s.signed_at ? h("br") : null,
    s.signed_at ? t(s.timestamped ? "documents.signed_at_timestamped" : "documents.signed_at", { at: fmtDateTime(s.signed_at) }) : null,
    h("br"),
    link(verifyHref(r.upload_id), [t("documents.verify_link"), h("span", { class: "govuk-visually-hidden" }, ` ${r.file_name}`)]),
  );
}
