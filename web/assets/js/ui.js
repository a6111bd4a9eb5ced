// DOM helpers following the GOV.UK Frontend patterns. Data goes in as text nodes, never as HTML.
import { t, has } from "./i18n.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const SVG_TAGS = new Set(["svg", "g", "rect", "line", "text", "title", "desc", "path", "circle", "tspan"]);

function append(el, child) {
  if (child === null || child === undefined || child === false || child === true) return;
  if (Array.isArray(child)) {
    for (const c of child) append(el, c);
  } else if (child instanceof Node) {
    el.appendChild(child);
  } else {
    el.appendChild(document.createTextNode(String(child)));
  }
}

// h("a", {href: "#/", class: "govuk-link", onClick: fn}, "text", node, [more]).
// Attributes: on<Event> adds a listener; true sets a boolean attribute, false/null/undefined leaves it out.
export function h(tag, attrs, ...children) {
  const el = SVG_TAGS.has(tag) ? document.createElementNS(SVG_NS, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (/^on[A-Z]/.test(k) && typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === "value" && "value" in el && !SVG_TAGS.has(tag)) el.value = v;
    else if (k === "checked" || k === "selected") el[k] = !!v;
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) append(el, c);
  return el;
}

// Appends children (text, nodes, nested arrays; null and booleans skipped) to an element.
export function add(el, ...children) {
  append(el, children);
  return el;
}

export function main() {
  return document.getElementById("main");
}

// Clears #main and shows a new page: title in the tab and an <h1> the router focuses.
export function page(title, ...children) {
  const m = main();
  m.replaceChildren();
  document.title = title === t("app.short_name") ? t("app.name") : `${title} – ${t("app.name")}`;
  m.appendChild(h("h1", { class: "govuk-heading-l", tabindex: "-1" }, title));
  append(m, children);
  return m;
}

// The id an input has for the API's field name: "applicant.full_name" → "field-applicant-full-name".
export function fieldId(name) {
  return `field-${String(name).replace(/[^A-Za-z0-9]/g, "-")}`;
}

// The element for a field, or for its nearest enclosing field ("components[0].upload_ids" → "components").
function findField(name, scope) {
  let n = String(name || "");
  while (n) {
    const el = (scope || document).querySelector(`#${CSS.escape(fieldId(n))}`) || document.getElementById(fieldId(n));
    if (el) return el;
    const cut = Math.max(n.lastIndexOf("."), n.lastIndexOf("["));
    if (cut <= 0) break;
    n = n.slice(0, cut);
  }
  return null;
}

// Removes an error summary and the field errors inside `scope` (default #main).
export function clearErrors(scope) {
  const root = scope || main();
  root.querySelectorAll(".govuk-error-summary").forEach((e) => e.remove());
  root.querySelectorAll(".govuk-error-message").forEach((e) => e.remove());
  root.querySelectorAll(".govuk-form-group--error").forEach((e) => e.classList.remove("govuk-form-group--error"));
  root.querySelectorAll("[aria-invalid]").forEach((e) => {
    e.removeAttribute("aria-invalid");
    const ids = (e.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && !x.endsWith("-error"));
    if (ids.length) e.setAttribute("aria-describedby", ids.join(" "));
    else e.removeAttribute("aria-describedby");
  });
}

// Marks an input (element, or an API field name) as wrong and puts the message above it, inside its form group.
export function fieldError(input, message) {
  const el = typeof input === "string" ? findField(input) : input;
  if (!el) return null;
  const group = el.closest(".govuk-form-group") || el.parentElement;
  group.classList.add("govuk-form-group--error");
  const id = `${el.id || fieldId("x")}-error`;
  let msg = document.getElementById(id);
  if (msg) {
    msg.append(h("br"), message);
  } else {
    msg = h("p", { class: "govuk-error-message", id }, h("span", { class: "govuk-visually-hidden" }, `${t("ui.error_prefix")}: `), message);
    // Above the input (or its checkbox row); in a fieldset, right under its legend.
    const legend = el.tagName === "FIELDSET" ? el.querySelector(":scope > legend") : null;
    const anchor = legend ? legend.nextSibling : el.closest(".govuk-checkboxes__item, .govuk-radios__item, .govuk-checkboxes, .govuk-radios, .govuk-date-input") || el;
    (legend ? el : anchor.parentElement).insertBefore(msg, anchor);
  }
  el.setAttribute("aria-invalid", "true");
  const described = (el.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  if (!described.includes(id)) el.setAttribute("aria-describedby", [...described, id].join(" "));
  return msg;
}

// The GOV.UK error summary for an ApiError (or any Error): placed at the top of `scope` (default #main, after its
// <h1>), focused, each field error linked to its input (#field-<name>) and shown next to it too.
export function errorSummary(apiError, scope) {
  const root = scope || main();
  clearErrors(root);
  const errors = (apiError && apiError.errors) || [];
  const items = [];
  for (const e of errors) {
    const text = e.message || (has(`error.${e.code}`) ? t(`error.${e.code}`) : e.code);
    const el = e.field ? findField(e.field, root) : null;
    if (el) {
      fieldError(el, text);
      const name = fieldName(el);
      items.push(h("li", {}, h("a", { href: `#${el.id}`, onClick: (ev) => focusField(ev, el) }, name ? `${name}: ${text}` : text)));
    } else {
      items.push(h("li", {}, text));
    }
  }
  // Invalid input gets the usual "There is a problem"; other problems (not found, conflict) keep their own title.
  const generic = errors.length && (!(apiError && apiError.title) || [400, 422].includes(apiError.status));
  const title = generic ? t("ui.error_summary_title") : (apiError && apiError.title) || t("error.unexpected");
  const detail = !errors.length && apiError && apiError.detail && apiError.detail !== title ? apiError.detail : null;
  const box = h(
    "div",
    { class: "govuk-error-summary", role: "alert", tabindex: "-1", "aria-labelledby": "error-summary-title" },
    h("h2", { class: "govuk-error-summary__title", id: "error-summary-title" }, title),
    h(
      "div",
      { class: "govuk-error-summary__body" },
      detail ? h("p", {}, detail) : null,
      items.length ? h("ul", { class: "govuk-list govuk-error-summary__list" }, items) : null,
    ),
  );
  const h1 = root === main() ? root.querySelector("h1") : null;
  if (h1) h1.after(box);
  else root.prepend(box);
  box.focus();
  return box;
}

// The words that name a field in the summary: its label (or legend), after its row's legend in a repeated group.
function fieldName(el) {
  // A radio or a date's day box is named by its group's legend, not by its own label ("Yes", "Day").
  const group = el.tagName !== "FIELDSET" && el.closest(".govuk-radios, .govuk-date-input") ? el.closest("fieldset") : null;
  const own = el.tagName === "FIELDSET" ? el.querySelector("legend") : group ? group.querySelector("legend") : document.querySelector(`label[for="${CSS.escape(el.id)}"]`);
  const first = (node) => (node && node.firstChild && node.firstChild.nodeType === Node.TEXT_NODE ? node.firstChild.textContent.trim() : node ? node.textContent.trim() : "");
  const row = el.closest(".app-repeat__row");
  const rowName = row && row !== el ? first(row.querySelector("legend")) : "";
  return [rowName, first(own)].filter(Boolean).join(" – ");
}

// The links in the summary point at the input; the hash must not change (it is the router's).
function focusField(ev, el) {
  ev.preventDefault();
  const label = document.querySelector(`label[for="${el.id}"]`) || el;
  label.scrollIntoView({ block: "start" });
  el.focus();
}

const TAG_COLOURS = {
  submitted: "blue",
  received: "turquoise",
  supplement_requested: "yellow",
  fee_requested: "yellow",
  refused: "red",
  rejected: "red",
  stopped: "red",
  withdrawn: "grey",
  forwarded: "light-blue",
  transferred: "light-blue",
  assigned: "light-blue",
  at_other_agency: "purple",
  proposed: "purple",
  approved: "green",
  result_issued: "green",
  in_post: "turquoise",
  returned: "green",
};

// The status as a tag that carries its text (never colour alone). `name` is the API's status_name when known.
export function statusTag(status, name) {
  const colour = TAG_COLOURS[status] || "grey";
  return h("strong", { class: `govuk-tag govuk-tag--${colour}` }, name || t(`status.${status}`));
}

// A tag for any short label: tag("Late", "red").
export function tag(text, colour = "grey") {
  return h("strong", { class: `govuk-tag govuk-tag--${colour}` }, text);
}

// rows: [[key, value], ...]; an empty value shows a dash.
export function summaryList(rows) {
  return h(
    "dl",
    { class: "govuk-summary-list" },
    rows
      .filter(Boolean)
      .map(([k, v]) =>
        h(
          "div",
          { class: "govuk-summary-list__row" },
          h("dt", { class: "govuk-summary-list__key" }, k),
          h("dd", { class: "govuk-summary-list__value" }, v === null || v === undefined || v === "" ? "—" : v),
        ),
      ),
  );
}

// headers: [text]; rows: [[cell]]; hideCaption when a heading above already says it; the table scrolls inside its own box on narrow screens, the page does not.
export function table(headers, rows, { caption, numeric = [], hideCaption = false } = {}) {
  const cls = (i, base) => (numeric.includes(i) ? `${base} govuk-table__${base.endsWith("header") ? "header" : "cell"}--numeric` : base);
  return h(
    "div",
    { class: "app-table-wrap", tabindex: "0", role: "region", "aria-label": caption || t("ui.table") },
    h(
      "table",
      { class: "govuk-table" },
      caption ? h("caption", { class: hideCaption ? "govuk-visually-hidden" : "govuk-table__caption" }, caption) : null,
      h("thead", { class: "govuk-table__head" }, h("tr", { class: "govuk-table__row" }, headers.map((x, i) => h("th", { scope: "col", class: cls(i, "govuk-table__header") }, x)))),
      h(
        "tbody",
        { class: "govuk-table__body" },
        rows.map((r) => h("tr", { class: "govuk-table__row" }, r.map((c, i) => h("td", { class: cls(i, "govuk-table__cell") }, c)))),
      ),
    ),
  );
}

export function button(label, onClick, { secondary = false, warning = false, type = "button", id } = {}) {
  const cls = ["govuk-button", secondary ? "govuk-button--secondary" : "", warning ? "govuk-button--warning" : ""];
  return h("button", { type, id, class: cls.filter(Boolean).join(" "), onClick }, label);
}

export function link(href, text, attrs = {}) {
  return h("a", { href, class: "govuk-link", ...attrs }, text);
}

// A notice in the page: kind "info" or "success" (a GOV.UK notification banner) — text, not colour, says which.
export function notice(text, kind = "info") {
  const title = kind === "success" ? t("ui.success") : t("ui.important");
  return h(
    "div",
    { class: `govuk-notification-banner${kind === "success" ? " govuk-notification-banner--success" : ""}`, role: kind === "success" ? "alert" : "region", "aria-label": title },
    h("div", { class: "govuk-notification-banner__header" }, h("h2", { class: "govuk-notification-banner__title" }, title)),
    h("div", { class: "govuk-notification-banner__content" }, h("p", { class: "govuk-body" }, text)),
  );
}

// Waits for a promise while telling assistive technology the page is busy; a given button is disabled meanwhile.
export async function busy(promise, { button: btn, scope } = {}) {
  const root = scope || main();
  root.setAttribute("aria-busy", "true");
  const status = document.getElementById("app-status");
  if (status) status.textContent = t("ui.loading");
  if (btn) btn.disabled = true;
  try {
    return await promise;
  } finally {
    root.removeAttribute("aria-busy");
    if (status) status.textContent = "";
    if (btn) btn.disabled = false;
  }
}

// A "Loading…" page while the data comes.
export function loading(title) {
  return page(title || t("ui.loading"), h("p", { class: "govuk-body" }, t("ui.loading")));
}

// Saves a Blob as a file through a temporary link.
export function download(blob, fileName) {
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: fileName, class: "govuk-visually-hidden" }, fileName);
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
