// #/queue/take?agency=: the kiosk in the hall (or a phone) — one large button per desk service; pressing one takes a
// ticket (POST /queue/tickets) and shows its number, the people ahead and where to follow it, with a print button.
// Without an agency, the agencies to choose from.
import { ApiError, api } from "../../api.js";
import { t } from "../../i18n.js";
import { alive } from "../../router.js";
import { h, page, link, button, errorSummary, loading, busy } from "../../ui.js";
import { agencyServices, agencyChooser, localName, bigNumber, focusHeading } from "./common.js";

export async function takePage(params, query) {
  const live = alive();
  const title = t("queue.take.title");
  loading(title);
  if (!query.agency) {
    const chooser = await agencyChooser("/queue/take");
    if (!live()) return;
    page(title, h("p", { class: "govuk-body" }, t("queue.choose_agency")), chooser);
    return;
  }
  let found;
  try {
    found = await agencyServices(query.agency);
  } catch (err) {
    if (!(err instanceof ApiError) || ![400, 422].includes(err.status)) throw err;
    if (!live()) return;
    page(title, h("p", { class: "govuk-body" }, t("queue.no_queue")), h("p", { class: "govuk-body" }, link("#/queue/take", t("queue.choose_agency"))));
    return;
  }
  if (!live()) return;
  showServices(found);
}

function showServices(found) {
  const buttons = found.services.map((s) =>
    h(
      "li",
      {},
      h(
        "button",
        { type: "button", class: "govuk-button app-kiosk__button", "data-service": s.id, onClick: (ev) => take(found, s, ev.currentTarget) },
        h("span", { class: "app-kiosk__letter", "aria-hidden": "true" }, s.prefix),
        h("span", {}, localName(s)),
      ),
    ),
  );
  page(
    t("queue.take.title"),
    h("p", { class: "govuk-body-l" }, localName(found)),
    h("p", { class: "govuk-body" }, t("queue.take.intro")),
    h("ul", { class: "govuk-list app-kiosk", "aria-label": t("queue.take.services") }, buttons),
  );
}

async function take(found, service, btn) {
  let ticket;
  try {
    ticket = await busy(api.post("/queue/tickets", { agency_code: found.agency_code, service: service.id }), { button: btn });
  } catch (err) {
    errorSummary(err);
    return;
  }
  showTicket(found, service, ticket);
}

function showTicket(found, service, ticket) {
  const follow = `#/queue/tickets/${encodeURIComponent(ticket.id)}`;
  page(
    t("queue.take.your_number"),
    h(
      "div",
      { class: "app-ticket", id: "queue-ticket" },
      bigNumber(ticket.number, { id: "queue-ticket-number" }),
      h("p", { class: "govuk-body-l" }, localName(service)),
      h("p", { class: "govuk-body-l", id: "queue-ticket-ahead" }, t("queue.ahead", { n: ticket.people_ahead ?? 0 })),
      h("p", { class: "govuk-body" }, localName(found)),
      h("p", { class: "govuk-body" }, t("queue.take.follow"), " ", link(follow, t("queue.take.follow_link"))),
    ),
    h(
      "div",
      { class: "govuk-button-group app-no-print" },
      button(t("queue.take.print"), () => window.print(), { secondary: true }),
      button(t("queue.take.another"), () => { showServices(found); focusHeading(); }, { id: "queue-take-another" }),
    ),
  );
  focusHeading();
}
