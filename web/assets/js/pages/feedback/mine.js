// #/my/feedback: the feedback a citizen filed signed in (GET /me/feedback), newest first, a page at a time.
import { api } from "../../api.js";
import { t, fmtDate } from "../../i18n.js";
import { alive } from "../../router.js";
import { h, page, table, link, loading } from "../../ui.js";
import { requireCitizen } from "../citizen/common.js";
import { kindText, pager, statusTag } from "./common.js";

const PAGE_SIZE = 20;

export async function myFeedbackPage(params, query) {
  const title = t("feedback.mine.title");
  if (!requireCitizen(title)) return;
  const live = alive();
  loading(title);
  const res = await api.get("/me/feedback", { query: { limit: PAGE_SIZE, cursor: query.cursor } });
  if (!live()) return;
  page(
    title,
    h("p", { class: "govuk-body" }, t("feedback.mine.intro"), " ", link("#/feedback/new", t("feedback.list.file"))),
    res.items.length
      ? table(
          [t("feedback.field.code"), t("feedback.field.title"), t("feedback.field.kind"), t("feedback.field.status"), t("feedback.field.filed_at")],
          res.items.map((r) => [link(`#/feedback/${encodeURIComponent(r.code)}`, r.code), r.title || "", kindText(r.kind), statusTag(r.status), fmtDate(r.filed_at)]),
          { caption: title, hideCaption: true },
        )
      : h("p", { class: "govuk-body" }, query.cursor ? t("feedback.list.no_more") : t("feedback.mine.none")),
    pager("/my/feedback", query, res.next_cursor, t("feedback.list.pages")),
    h("p", { class: "govuk-body" }, link("#/my/dossiers", t("citizen.list.title"))),
  );
}
