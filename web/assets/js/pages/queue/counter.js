// #/desk/queue: an officer's counter (docs/queue.md). The counter's name is kept in the tab (sessionStorage), so a
// reload or the next morning's tab keeps it until changed. "Gọi số tiếp theo" calls the oldest ticket waiting (of one
// service, or of any: POST /desk/queue/call-next); the ticket called here is then served, closed (with the dossier
// received, if any) or marked a no-show. Below, each service's line and the tickets at every counter
// (GET /desk/queue), read again every 15 seconds.
import { api, ApiError } from "../../api.js";
import { hasGroup } from "../../auth.js";
import { t, fmtDateTime } from "../../i18n.js";
import { alive } from "../../router.js";
import { h, page, link, table, button, errorSummary, clearErrors, fieldId, loading, busy } from "../../ui.js";
import { agencyServices, serviceName, localName, statusText, every, bigNumber } from "./common.js";

const COUNTER_KEY = "motcua.queue.counter";
const TICKET_KEY = "motcua.queue.ticket";
const REFRESH_MS = 15000;
const SHOWN_PER_LINE = 5;
const STEP_PATHS = { recall: "recall", serve: "serve", done: "done", no_show: "no-show" };

function stored(key) {
  try {
    return sessionStorage.getItem(key) || "";
  } catch {
    return "";
  }
}

function keep(key, value) {
  try {
    if (value) sessionStorage.setItem(key, value);
    else sessionStorage.removeItem(key);
  } catch {
    /* a private window without storage: the page still works, it just forgets */
  }
}

// The ticket this counter works on: the one this tab called, while it is still at a counter.
function currentTicket(queue) {
  const id = stored(TICKET_KEY);
  return queue.in_service.find((row) => row.id === id) || null;
}

export async function counterPage() {
  const live = alive();
  const title = t("queue.counter.title");
  loading(title);
  let queue = await api.get("/desk/queue");
  const found = await agencyServices(queue.agency_code);
  if (!live()) return;

  const counterInput = h("input", { class: "govuk-input govuk-input--width-4", id: fieldId("counter"), name: "counter", type: "text", maxlength: 16, autocomplete: "off", "aria-describedby": `${fieldId("counter")}-hint`, value: stored(COUNTER_KEY) });
  const serviceSelect = h(
    "select",
    { class: "govuk-select", id: fieldId("service"), name: "service" },
    h("option", { value: "" }, t("queue.counter.any_service")),
    found.services.map((s) => h("option", { value: s.id }, `${s.prefix} — ${localName(s)}`)),
  );
  const callButton = h("button", { type: "submit", class: "govuk-button", id: "queue-call-next" }, t("queue.counter.call_next"));
  const status = h("p", { class: "govuk-body", id: "queue-desk-status", role: "status", "aria-live": "polite" });
  const current = h("section", { id: "queue-current", "aria-labelledby": "queue-current-title" });
  const lines = h("section", { id: "queue-lines", "aria-labelledby": "queue-lines-title" });
  const form = h(
    "form",
    { id: "queue-call-form", novalidate: true, onSubmit: (ev) => { ev.preventDefault(); callNext(); } },
    h(
      "div",
      { class: "govuk-form-group" },
      h("label", { class: "govuk-label govuk-label--s", for: counterInput.id }, t("queue.counter.counter")),
      h("div", { class: "govuk-hint", id: `${counterInput.id}-hint` }, t("queue.counter.counter_hint")),
      counterInput,
    ),
    h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label govuk-label--s", for: serviceSelect.id }, t("queue.counter.service")), serviceSelect),
    callButton,
  );

  const say = (text) => {
    status.textContent = text;
  };

  async function reload() {
    queue = await api.get("/desk/queue");
    if (!live()) return;
    draw();
  }

  function draw({ focus = false } = {}) {
    drawCurrent(focus);
    drawLines();
  }

  function drawCurrent(focus) {
    const ticket = currentTicket(queue);
    if (!ticket) {
      delete current.dataset.ticket;
      current.replaceChildren(
        h("h2", { class: "govuk-heading-m", id: "queue-current-title", tabindex: "-1" }, t("queue.counter.current")),
        h("p", { class: "govuk-body" }, t("queue.counter.none")),
      );
      return;
    }
    const dossier = h("input", { class: "govuk-input govuk-input--width-20", id: fieldId("dossier_code"), name: "dossier_code", type: "text", maxlength: 64, autocomplete: "off", spellcheck: "false", "aria-describedby": `${fieldId("dossier_code")}-hint` });
    // A refresh redraws the panel: what the officer typed for the same ticket stays.
    const typed = current.dataset.ticket === ticket.id ? current.querySelector("input[name=dossier_code]") : null;
    if (typed) dossier.value = typed.value;
    current.dataset.ticket = ticket.id;
    const stepButton = (step, label, opts = {}) => button(label, (ev) => takeStep(ticket, step, ev.currentTarget, step === "done" ? dossier.value.trim() : ""), { id: `queue-${STEP_PATHS[step]}`, ...opts });
    const called = ticket.status === "called";
    current.replaceChildren(
      h("h2", { class: "govuk-heading-m", id: "queue-current-title", tabindex: "-1" }, t("queue.counter.current_number", { number: ticket.number })),
      h("div", { class: "app-ticket app-ticket--desk" }, bigNumber(ticket.number), h("p", { class: "govuk-body-l" }, `${statusText(ticket.status)} · ${serviceName(found, ticket.service)}`)),
      called ? h("div", { class: "govuk-button-group" }, stepButton("serve", t("queue.counter.serve")), stepButton("recall", t("queue.counter.recall"), { secondary: true }), stepButton("no_show", t("queue.counter.no_show"), { warning: true })) : null,
      h(
        "div",
        { class: "govuk-form-group" },
        h("label", { class: "govuk-label", for: dossier.id }, t("queue.counter.dossier_code"), h("span", { class: "app-muted" }, ` ${t("form.optional")}`)),
        h("div", { class: "govuk-hint", id: `${dossier.id}-hint` }, t("queue.counter.dossier_code_hint")),
        dossier,
      ),
      stepButton("done", t("queue.counter.done")),
    );
    if (focus) current.querySelector("h2").focus();
  }

  function drawLines() {
    const rows = queue.lines.map((line) => [
      serviceName(found, line.service),
      String(line.waiting_count),
      line.waiting.slice(0, SHOWN_PER_LINE).map((r) => r.number).join(", ") || "—",
    ]);
    const busyRows = queue.in_service.map((row) => [row.number, row.counter || "", statusText(row.status), serviceName(found, row.service), fmtDateTime(row.last_called_at || row.called_at)]);
    lines.replaceChildren(
      h("h2", { class: "govuk-heading-m", id: "queue-lines-title" }, t("queue.counter.lines")),
      table([t("queue.field.service"), t("queue.counter.waiting"), t("queue.counter.next_numbers")], rows, { caption: t("queue.counter.lines"), hideCaption: true, numeric: [1] }),
      h("h2", { class: "govuk-heading-m" }, t("queue.counter.in_service")),
      busyRows.length
        ? table([t("queue.field.number"), t("queue.field.counter"), t("queue.field.status"), t("queue.field.service"), t("queue.field.called_at")], busyRows, { caption: t("queue.counter.in_service"), hideCaption: true })
        : h("p", { class: "govuk-body" }, t("queue.counter.nobody_in_service")),
    );
  }

  async function callNext() {
    clearErrors();
    const counter = counterInput.value.trim();
    keep(COUNTER_KEY, counter);
    try {
      const ticket = await busy(api.post("/desk/queue/call-next", { counter, service: serviceSelect.value || undefined }), { button: callButton });
      keep(TICKET_KEY, ticket.id);
      say(t("queue.counter.called", { number: ticket.number, counter: ticket.counter }));
      queue = await api.get("/desk/queue");
      if (!live()) return;
      draw({ focus: true });
    } catch (err) {
      if (err instanceof ApiError && err.code === "queue_empty") {
        say(err.detail || t("queue.counter.empty"));
        return;
      }
      errorSummary(err);
    }
  }

  async function takeStep(ticket, step, btn, dossierCode) {
    clearErrors();
    const body = step === "done" ? { dossier_code: dossierCode || undefined } : undefined;
    try {
      const changed = await busy(api.post(`/desk/queue/tickets/${encodeURIComponent(ticket.id)}/${STEP_PATHS[step]}`, body), { button: btn });
      say(t(`queue.counter.said.${step}`, { number: changed.number }));
      if (changed.status === "done" || changed.status === "no_show") keep(TICKET_KEY, "");
      queue = await api.get("/desk/queue");
      if (!live()) return;
      draw({ focus: true });
      if (changed.status === "done" || changed.status === "no_show") callButton.focus();
    } catch (err) {
      errorSummary(err);
    }
  }

  page(
    title,
    h("p", { class: "govuk-body" }, link("#/desk", t("desk.back"))),
    h("p", { class: "govuk-body" }, t("queue.counter.intro", { agency: localName(found) })),
    form,
    status,
    current,
    lines,
    h("p", { class: "govuk-body" }, link(`#/queue/display?agency=${encodeURIComponent(queue.agency_code)}`, t("queue.display.link")), " · ", link(`#/queue/take?agency=${encodeURIComponent(queue.agency_code)}`, t("queue.take.title"))),
  );
  draw();
  every("counter", REFRESH_MS, live, async () => {
    if (document.activeElement && current.contains(document.activeElement)) {
      queue = await api.get("/desk/queue");
      if (live()) drawLines(); // the officer is at the ticket's buttons: only the lists move
      return;
    }
    await reload();
  });
}

// The link on the desk's work queue, for the officers and leaders who call tickets.
export function counterLink() {
  if (!["officer", "leader"].some(hasGroup)) return null;
  return h("p", { class: "govuk-body" }, link("#/desk/queue", t("queue.counter.link")));
}
