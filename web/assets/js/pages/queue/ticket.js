// #/queue/tickets/:id: the person's phone follows their ticket (GET /queue/tickets/{id}) — the people still ahead
// while it waits, the counter once called — read again every 10 seconds; the sentence that changes is a polite live
// region, so a screen reader says it without moving the focus.
import { api } from "../../api.js";
import { t, fmtDateTime } from "../../i18n.js";
import { alive } from "../../router.js";
import { h, page, link, summaryList, loading } from "../../ui.js";
import { agencyServices, serviceName, localName, statusText, every, bigNumber } from "./common.js";

const REFRESH_MS = 10000;

function sentence(ticket) {
  if (ticket.status === "waiting") return t("queue.ahead", { n: ticket.people_ahead ?? 0 });
  if (ticket.status === "called" || ticket.status === "serving") return t("queue.ticket.go_to", { counter: ticket.counter });
  return statusText(ticket.status);
}

export async function ticketPage(params) {
  const live = alive();
  loading(t("queue.ticket.title"));
  let ticket = await api.get(`/queue/tickets/${encodeURIComponent(params.id)}`);
  const found = await agencyServices(ticket.agency_code).catch(() => null);
  if (!live()) return;
  const news = h("p", { class: "govuk-body-l app-ticket__news", id: "queue-ticket-status", role: "status", "aria-live": "polite" }, sentence(ticket));
  const details = h("div", {});
  const fill = () => {
    details.replaceChildren(
      summaryList([
        [t("queue.field.service"), serviceName(found, ticket.service)],
        [t("queue.field.agency"), found ? localName(found) : ticket.agency_code],
        [t("queue.field.status"), statusText(ticket.status)],
        [t("queue.field.taken_at"), fmtDateTime(ticket.taken_at)],
        ticket.called_at ? [t("queue.field.called_at"), fmtDateTime(ticket.called_at)] : null,
      ]),
    );
  };
  fill();
  page(
    t("queue.ticket.title"),
    h("div", { class: "app-ticket" }, bigNumber(ticket.number, { id: "queue-ticket-number" }), news),
    details,
    h("p", { class: "govuk-body app-muted" }, t("queue.ticket.refreshes")),
    h("p", { class: "govuk-body" }, link(`#/queue/display?agency=${encodeURIComponent(ticket.agency_code)}`, t("queue.display.link"))),
  );
  if (ticket.status === "done" || ticket.status === "no_show") return;
  every("ticket", REFRESH_MS, live, async () => {
    const fresh = await api.get(`/queue/tickets/${encodeURIComponent(params.id)}`);
    if (!live()) return;
    const said = sentence(fresh);
    ticket = fresh;
    if (news.textContent !== said) news.textContent = said;
    fill();
  });
}
