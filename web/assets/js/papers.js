// Papers given once (docs/papers.md): the applicant's store as the forms and pages show it — the papers a new dossier
// could reuse (the citizen's own, or at the desk a walk-in applicant's by ID number), a "use a stored paper" choice
// per component, and how a paper's validity reads.
import { api } from "./api.js";
import { t, fmtDate } from "./i18n.js";
import { h, fieldId, tag } from "./ui.js";
import { local } from "./pages/citizen/common.js";

// The papers a dossier of `procedureCode` could reuse today, each with the components it `fits`: the signed-in
// citizen's (GET /me/papers), or with `idNumber` a walk-in applicant's, for a desk officer (recorded in the
// access log of the dossiers they came from).
export async function reusablePapers(procedureCode, { idNumber } = {}) {
  const path = idNumber ? `/desk/applicants/${encodeURIComponent(idNumber)}/papers` : "/me/papers";
  const res = await api.get(path, { query: { procedure: procedureCode } });
  return res.items || [];
}

// "Valid until 02/03/2027", or "No end date".
export function validityText(paper) {
  return paper.valid_until ? t("papers.valid_until", { date: fmtDate(paper.valid_until) }) : t("papers.no_end");
}

// A tag in words (not colour alone): still valid, or no longer.
export function validityTag(paper) {
  return paper.valid ? tag(t("papers.valid"), "green") : tag(t("papers.expired"), "red");
}

// paperChoice(component) → {el, paperIds(), offer(papers)}: checkboxes, one per stored paper that fits the
// component (hidden while there is none), so the applicant reuses it instead of uploading the same paper again.
export function paperChoice(component) {
  const base = fieldId(`papers.${component.id}`);
  const hint = h("div", { class: "govuk-hint", id: `${base}-hint` }, t("papers.use_hint"));
  const boxes = h("div", { class: "govuk-checkboxes" });
  const el = h(
    "div",
    { class: "govuk-form-group app-paper-choice", id: base, hidden: true },
    h("fieldset", { class: "govuk-fieldset", "aria-describedby": hint.id }, h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, t("papers.use_legend", { name: local(component, "name") })), hint, boxes),
  );
  let inputs = [];

  function offer(papers) {
    const fitting = (papers || []).filter((p) => (p.fits || []).includes(component.id));
    const kept = new Set(paperIds());
    inputs = fitting.map((p) => h("input", { class: "govuk-checkboxes__input", type: "checkbox", id: `${base}-${p.id}`, name: base, value: p.id, checked: kept.has(p.id) }));
    boxes.replaceChildren(
      ...fitting.map((p, i) =>
        h(
          "div",
          { class: "govuk-checkboxes__item" },
          inputs[i],
          h("label", { class: "govuk-label govuk-checkboxes__label", for: inputs[i].id }, t("papers.option", { name: local(p, "name"), file: p.file.file_name, code: p.dossier_code, validity: validityText(p) })),
        ),
      ),
    );
    el.hidden = !fitting.length;
  }

  function paperIds() {
    return inputs.filter((x) => x.checked).map((x) => x.value);
  }

  return { el, paperIds, offer };
}
