// #/queue/display?agency=: the hall's screen (GET /queue/display every 5 seconds) — the numbers at the counters now,
// large, with their counter, and the latest calls. The board is a polite live region: a new call is read out without
// taking the focus. Without an agency, the agencies to choose from.
import { api, ApiError } from "../../api.js";
import { t, fmtDateTime } from "../../i18n.js";
import { alive } from "../../router.js";
import { h, page, link, table, loading } from "../../ui.js";
import { agencyServices, agencyChooser, serviceName, localName, statusText, every } from "./common.js";

const REFRESH_MS = 5000;

function board(shown, found) {
  const now = shown.now.length
    ? h(
        "ul",
        { class: "app-display", "aria-label": t("queue.display.now") },
        shown.now.map((row) =>
          h(
            "li",
            { class: `app-display__item app-display__item--${row.status}` },
            h("span", { class: "app-display__number" }, row.number),
            h("span", { class: "app-display__counter" }, t("queue.display.counter", { counter: row.counter })),
            h("span", { class: "app-display__status" }, `${statusText(row.status)} · ${serviceName(found, row.service)}`),
          ),
        ),
      )
    : h("p", { class: "govuk-body-l" }, t("queue.display.nobody"));
  const recent = shown.recent.length
    ? table(
        [t("queue.field.number"), t("queue.field.counter"), t("queue.field.service"), t("queue.field.called_at")],
        shown.recent.map((row) => [row.number, row.counter || "", serviceName(found, row.service), fmtDateTime(row.last_called_at || row.called_at)]),
        { caption: t("queue.display.recent") },
      )
    : null;
  return [h("h2", { class: "govuk-heading-m" }, t("queue.display.now")), now, recent];
}

export async function displayPage(params, query) {
  const live = alive();
  const title = t("queue.display.title");
  loading(title);
  if (!query.agency) {
    const chooser = await agencyChooser("/queue/display");
    if (!live()) return;
    page(title, h("p", { class: "govuk-body" }, t("queue.choose_agency")), chooser);
    return;
  }
  let found;
  let shown;
  try {
    [found, shown] = await Promise.all([agencyServices(query.agency), api.get("/queue/display", { query: { agency: query.agency } })]);
  } catch (err) {
    if (!(err instanceof ApiError) || ![400, 422].includes(err.status)) throw err;
    if (!live()) return;
    page(title, h("p", { class: "govuk-body" }, t("queue.no_queue")), h("p", { class: "govuk-body" }, link("#/queue/display", t("queue.choose_agency"))));
    return;
  }
  if (!live()) return;
  const region = h("div", { id: "queue-board", "aria-live": "polite" }, board(shown, found));
  page(
    title,
    h("p", { class: "govuk-body-l" }, localName(found)),
    region,
    h("p", { class: "govuk-body app-muted app-no-print" }, t("queue.display.refreshes"), " ", link(`#/queue/take?agency=${encodeURIComponent(query.agency)}`, t("queue.take.title"))),
  );
  let last = JSON.stringify(shown);
  every("display", REFRESH_MS, live, async () => {
    const fresh = await api.get("/queue/display", { query: { agency: query.agency } });
    const text = JSON.stringify(fresh);
    if (!live() || text === last) return; // nothing new: the live region stays quiet
    last = text;
    region.replaceChildren(...board(fresh, found).filter(Boolean));
  });
}
