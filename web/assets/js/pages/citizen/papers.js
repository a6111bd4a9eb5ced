// #/my/papers: "Kho giấy tờ của tôi" — every verified file the citizen gave with a dossier and every result returned
// to them (GET /me/papers, newest first, a page at a time), with its type, the dossier it came from, how long it is
// valid, and a download. A new dossier's form offers the valid ones instead of an upload (docs/papers.md).
import { api } from "../../api.js";
import { t, fmtDate } from "../../i18n.js";
import { currentPath, isCurrent } from "../../router.js";
import { h, page, table, link, loading } from "../../ui.js";
import { validityTag, validityText } from "../../papers.js";
import { fmtSize, local, requireCitizen } from "./common.js";

const PAGE_SIZE = 20;

// A paper's link lives five minutes: asked for on the click, then opened; the link also stays on the page.
function download(paper) {
  const out = h("span", { class: "app-result-link", "aria-live": "polite" });
  const btn = h("button", { type: "button", class: "govuk-button govuk-button--secondary app-button--inline" }, t("papers.download"), h("span", { class: "govuk-visually-hidden" }, ` ${paper.file.file_name}`));
  btn.addEventListener("click", async () => {
    btn.disabled = true;
    out.replaceChildren(t("ui.loading"));
    try {
      const res = await api.get(`/me/papers/${encodeURIComponent(paper.id)}/file`);
      const a = h("a", { href: res.url, class: "govuk-link", target: "_blank", rel: "noopener" }, t("papers.open", { name: paper.file.file_name }));
      out.replaceChildren(a, " ", h("span", { class: "app-muted" }, t("papers.expires", { minutes: Math.max(1, Math.round(res.expires_in / 60)) })));
      window.open(res.url, "_blank", "noopener");
    } catch (err) {
      out.replaceChildren(h("span", { class: "app-files__error" }, (err && (err.detail || err.title)) || t("error.unexpected")));
    } finally {
      btn.disabled = false;
    }
  });
  return h("span", {}, btn, " ", out);
}

function paperCell(paper) {
  const kind = paper.source === "result" ? t("papers.source.result") : t("papers.source.component");
  return h("span", {}, local(paper, "name"), h("br"), h("span", { class: "app-muted" }, `${kind} · ${paper.file.file_name} (${fmtSize(paper.file.size)})`));
}

export async function myPapers(params, query) {
  const title = t("papers.title");
  if (!requireCitizen(title)) return;
  const here = currentPath();
  loading(title);
  const res = await api.get("/me/papers", { query: { limit: PAGE_SIZE, cursor: query.cursor } });
  if (!isCurrent(here)) return;

  const rows = res.items.map((p) => [
    paperCell(p),
    link(`#/my/dossiers/${encodeURIComponent(p.dossier_id)}`, p.dossier_code),
    fmtDate(p.accepted_at),
    validityText(p),
    validityTag(p),
    download(p),
  ]);
  const pager = [];
  if (query.cursor) pager.push(link("#/my/papers", t("papers.first_page")));
  if (res.next_cursor) pager.push(link(`#/my/papers?cursor=${encodeURIComponent(res.next_cursor)}`, t("papers.next_page")));

  page(
    title,
    h("p", { class: "govuk-body" }, t("papers.intro")),
    res.items.length
      ? table([t("papers.col.paper"), t("papers.col.dossier"), t("papers.col.given"), t("papers.col.validity"), t("papers.col.status"), t("papers.col.file")], rows, { caption: t("papers.caption") })
      : h("p", { class: "govuk-body" }, query.cursor ? t("papers.no_more") : t("papers.none")),
    pager.length ? h("nav", { class: "app-pagination", "aria-label": t("papers.pages") }, pager.flatMap((a, i) => (i ? [" · ", a] : [a]))) : null,
  );
}
