// Shared by the queue pages: an agency's services (names and letters), the agency chooser, a ticket's status in
// words, and the refresh timer that stops once its page is left.
import { api } from "../../api.js";
import { lang, t } from "../../i18n.js";
import { h, link } from "../../ui.js";

const services = new Map();

// GET /queue/services?agency= once per agency and visit: {agency_code, name_vi, name_en, services: [...]}.
export async function agencyServices(agency) {
  if (!services.has(agency)) {
    const found = api.get("/queue/services", { query: { agency } });
    services.set(agency, found);
    found.catch(() => services.delete(agency));
  }
  return services.get(agency);
}

export function localName(obj) {
  if (!obj) return "";
  return lang() === "en" ? obj.name_en || obj.name_vi : obj.name_vi || obj.name_en;
}

// The service's name from a services answer (the id when unknown).
export function serviceName(list, id) {
  const found = ((list && list.services) || []).find((s) => s.id === id);
  return found ? localName(found) : id;
}

export function statusText(status) {
  return t(`queue.status.${status}`);
}

// The agencies that hand out numbers, each linking to `base?agency=<code>` (the kiosk's or the display's).
export async function agencyChooser(base) {
  const all = await api.get("/agencies");
  return h(
    "ul",
    { class: "govuk-list" },
    all.items.map((a) => h("li", {}, link(`#${base}?agency=${encodeURIComponent(a.code)}`, localName(a)))),
  );
}

// Runs `fn` every `ms` while the page that started it is shown (`live()` from the router's alive()); one timer per
// page kind, so going back and forth never stacks them.
const timers = new Map();
export function every(kind, ms, live, fn) {
  clearInterval(timers.get(kind));
  const id = setInterval(async () => {
    if (!live() || document.hidden) {
      if (!live()) clearInterval(id);
      return;
    }
    try {
      await fn();
    } catch (err) {
      console.error(err); // the next tick tries again; the page keeps what it showed
    }
  }, ms);
  timers.set(kind, id);
}

// A ticket's number, large: the text is the number itself, read as such.
export function bigNumber(number, attrs = {}) {
  return h("p", { class: "app-ticket-number", ...attrs }, number);
}

// After a page drawn without navigating (the router focuses the <h1> only on navigation): the new heading.
export function focusHeading() {
  const heading = document.querySelector("#main h1");
  if (heading) heading.focus();
}
