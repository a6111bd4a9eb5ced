// #/my/dossiers: the signed-in user's dossiers, newest first, a page at a time (the API's cursor).
import { api } from "../../api.js";
import { t, fmtDate } from "../../i18n.js";
import { currentPath, isCurrent } from "../../router.js";
import { h, page, table, link, statusTag, loading } from "../../ui.js";
import { local, procedure, requireSignIn } from "./common.js";

const PAGE_SIZE = 20;

// Procedure names for the codes on the page; a name that cannot be read leaves the code alone.
async function procedureNames(items) {
  const codes = [...new Set(items.map((d) => d.procedure_code))];
  const names = new Map();
  await Promise.all(
    codes.map((code) =>
      procedure(code).then(
        (p) => names.set(code, local(p, "name")),
        () => null,
      ),
    ),
  );
  return names;
}

export async function myDossiers(params, query) {
  if (!requireSignIn()) return;
  const here = currentPath();
  loading(t("citizen.list.title"));
  const res = await api.get("/dossiers", { query: { limit: PAGE_SIZE, cursor: query.cursor } });
  const names = await procedureNames(res.items);
  if (!isCurrent(here)) return;

  const rows = res.items.map((d) => [
    link(`#/my/dossiers/${encodeURIComponent(d.id)}`, d.code),
    h("span", {}, names.get(d.procedure_code) || d.procedure_code, h("br"), h("span", { class: "app-muted" }, d.procedure_code)),
    statusTag(d.status, d.status_name),
    fmtDate(d.submitted_at),
    d.due_date ? fmtDate(d.due_date) : t("citizen.list.no_date"),
  ]);
  const pager = [];
  if (query.cursor) pager.push(link("#/my/dossiers", t("citizen.list.first_page")));
  if (res.next_cursor) pager.push(link(`#/my/dossiers?cursor=${encodeURIComponent(res.next_cursor)}`, t("citizen.list.next_page")));

  page(
    t("citizen.list.title"),
    h("p", { class: "govuk-body" }, t("citizen.list.intro"), " ", link("#/procedures", t("citizen.list.find_procedure"))),
    h("p", { class: "govuk-body" }, link("#/my/feedback", t("feedback.mine.title"))),
    res.items.length
      ? table(
          [t("citizen.list.code"), t("citizen.list.procedure"), t("citizen.list.status"), t("citizen.list.submitted"), t("citizen.list.appointment")],
          rows,
          { caption: t("citizen.list.caption") },
        )
      : h("p", { class: "govuk-body" }, query.cursor ? t("citizen.list.no_more") : t("citizen.list.none")),
    pager.length ? h("nav", { class: "app-pagination", "aria-label": t("citizen.list.pages") }, pager.flatMap((a, i) => (i ? [" · ", a] : [a]))) : null,
  );
}
