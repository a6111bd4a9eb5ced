// Public pages: home, the procedure catalogue, one procedure, lookup by code, the service-quality scorecard, and
// the check of a signed document (./public/verify.js).
import { api, ApiError, apiUrl } from "../api.js";
import { isCitizen, isStaff, session } from "../auth.js";
import { t, lang, fmtDate, fmtDateTime, fmtVnd, fmtNumber, today } from "../i18n.js";
import { go, alive } from "../router.js";
import { h, add, main, page, summaryList, table, link, tag, errorSummary, fieldId, loading, download } from "../ui.js";
import { barChart } from "../chart.js";
import { register as registerVerify } from "./public/verify.js";

// The name in the chosen language, with the other as a fallback.
export function local(obj, base) {
  if (!obj) return "";
  const vi = obj[`${base}_vi`];
  const en = obj[`${base}_en`];
  return lang() === "en" ? en || vi || "" : vi || en || "";
}

// heading: the label is the section's <h2> (GOV.UK: one question per section, no repeated heading).
function textInput(name, labelText, hint, value, attrs = {}, heading = false) {
  const id = fieldId(name);
  const label = h("label", { class: `govuk-label ${heading ? "govuk-label--m" : "govuk-label--s"}`, for: id }, labelText);
  const input = h("input", { class: "govuk-input", id, name, type: "text", value: value || "", "aria-describedby": hint ? `${id}-hint` : null, ...attrs });
  return {
    input,
    group: h(
      "div",
      { class: "govuk-form-group" },
      heading ? h("h2", { class: "govuk-label-wrapper" }, label) : label,
      hint ? h("div", { class: "govuk-hint", id: `${id}-hint` }, hint) : null,
      input,
    ),
  };
}

function selectInput(name, labelText, options, value) {
  const id = fieldId(name);
  const select = h(
    "select",
    { class: "govuk-select", id, name },
    options.map(([v, text]) => h("option", { value: v, selected: String(v) === String(value ?? "") }, text)),
  );
  return { select, group: h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label govuk-label--s", for: id }, labelText), select) };
}

function queryString(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : "";
}

// ---------- home ----------

function home() {
  const search = textInput("q", t("home.search_title"), t("home.search_hint"), "", { type: "search" }, true);
  const code = textInput("code", t("home.lookup_title"), t("home.lookup_hint"), "", { spellcheck: "false", autocapitalize: "none" }, true);
  page(
    t("home.title"),
    h("p", { class: "govuk-body-l" }, t("home.intro")),
    h(
      "div",
      { class: "app-grid app-grid--halves" },
      h(
        "form",
        { role: "search", onSubmit: (ev) => { ev.preventDefault(); go(`/procedures${queryString({ q: search.input.value.trim() })}`); } },
        search.group,
        h("button", { type: "submit", class: "govuk-button" }, t("procedures.search")),
      ),
      h(
        "form",
        { onSubmit: (ev) => { ev.preventDefault(); go(`/lookup${queryString({ code: code.input.value.trim() })}`); } },
        code.group,
        h("button", { type: "submit", class: "govuk-button" }, t("lookup.button")),
      ),
    ),
    h("p", { class: "govuk-body" }, link("#/procedures", t("procedures.title")), " · ", link("#/scorecard", t("home.scorecard_link"))),
  );
}

// ---------- the catalogue ----------

let facetsPromise = null;

// Fields come from the procedures themselves (there is no list of fields), agencies from GET /agencies.
function facets() {
  if (!facetsPromise) {
    facetsPromise = (async () => {
      const fields = new Map();
      let cursor = null;
      for (let pageNo = 0; pageNo < 20; pageNo++) {
        const res = await api.get("/procedures", { query: { limit: 100, cursor } });
        for (const p of res.items) fields.set(p.field_code, p);
        cursor = res.next_cursor;
        if (!cursor) break;
      }
      const agencies = (await api.get("/agencies")).items;
      return { fields: [...fields.values()], agencies };
    })().catch((err) => {
      facetsPromise = null;
      throw err;
    });
  }
  return facetsPromise;
}

function processingTime(p) {
  const pt = p.processing_time;
  return pt ? `${pt.value} ${t(`enum.${pt.unit}`)}` : "";
}

async function procedures(params, query) {
  const live = alive();
  loading(t("procedures.title"));
  const filters = { q: query.q || "", field: query.field || "", agency: query.agency || "", online_level: query.online_level || "" };
  let res;
  let failure = null;
  const [f] = await Promise.all([
    facets(),
    api.get("/procedures", { query: { ...filters, limit: 20, cursor: query.cursor } }).then(
      (r) => (res = r),
      (err) => {
        if (!(err instanceof ApiError) || err.status !== 400) throw err;
        failure = err;
      },
    ),
  ]);
  if (!live()) return;
  const byName = (a, b) => a[1].localeCompare(b[1], lang());
  const q = textInput("q", t("procedures.q"), t("procedures.q_hint"), filters.q, { type: "search" });
  const field = selectInput("field", t("procedures.field"), [["", t("procedures.all")], ...f.fields.map((x) => [x.field_code, local(x, "field")]).sort(byName)], filters.field);
  const agency = selectInput("agency", t("procedures.agency"), [["", t("procedures.all")], ...f.agencies.map((a) => [a.code, local(a, "name")]).sort(byName)], filters.agency);
  const level = selectInput("online_level", t("procedures.online_level"), [["", t("procedures.all")], ["full", t("enum.full")], ["partial", t("enum.partial")]], filters.online_level);
  const form = h(
    "form",
    {
      role: "search",
      onSubmit: (ev) => {
        ev.preventDefault();
        go(`/procedures${queryString({ q: q.input.value.trim(), field: field.select.value, agency: agency.select.value, online_level: level.select.value })}`);
      },
    },
    q.group,
    h("div", { class: "app-filters" }, field.group, agency.group, level.group),
    h("button", { type: "submit", class: "govuk-button" }, t("procedures.search")),
  );
  page(t("procedures.title"), form);
  if (failure) {
    errorSummary(failure);
    return;
  }
  const items = res.items;
  const list = items.length
    ? h(
        "ul",
        { class: "app-results", "aria-label": t("procedures.count", { n: items.length }) },
        items.map((p) =>
          h(
            "li",
            { class: "app-results__item" },
            h("h2", { class: "app-results__title" }, link(`#/procedures/${encodeURIComponent(p.code)}`, local(p, "name"))),
            h("p", { class: "app-results__meta" }, `${t("procedure.code")}: ${p.code} · ${local(p, "agency_name")}`),
            h("p", { class: "app-results__meta" }, `${local(p, "field")} · ${t("procedure.online_level")}: ${t(`enum.${p.online_level}`)} · ${processingTime(p)}`),
          ),
        ),
      )
    : h("p", { class: "govuk-body" }, t("procedures.none"));
  const nav = h(
    "nav",
    { class: "app-pagination", "aria-label": t("procedures.pages") },
    query.cursor ? link(`#/procedures${queryString(filters)}`, t("procedures.first_page")) : null,
    res.next_cursor ? link(`#/procedures${queryString({ ...filters, cursor: res.next_cursor })}`, t("procedures.next_page")) : null,
  );
  add(main(), h("p", { class: "govuk-body", role: "status" }, t("procedures.count", { n: items.length })), list, nav);
}

// ---------- one procedure ----------

const TYPE_NAMES = { "application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG" };

function fileTypes(types) {
  return (types || []).map((x) => TYPE_NAMES[x] || x).join(", ");
}

export function fileSize(bytes) {
  if (!bytes && bytes !== 0) return "";
  if (bytes >= 1024 * 1024) return `${fmtNumber(bytes / (1024 * 1024), bytes % (1024 * 1024) ? 1 : 0)} MB`;
  return `${fmtNumber(Math.ceil(bytes / 1024))} KB`;
}

function applyBlock(code) {
  if (isCitizen()) {
    return h("a", { href: `#/my/new/${encodeURIComponent(code)}`, class: "govuk-button govuk-button--start", role: "button", draggable: "false" }, t("procedure.apply"));
  }
  if (session() && isStaff()) return h("p", { class: "govuk-inset-text" }, t("procedure.apply_staff"));
  const next = encodeURIComponent(`/my/new/${code}`);
  return h("a", { href: `#/sign-in?next=${next}`, class: "govuk-button govuk-button--start", role: "button", draggable: "false" }, t("procedure.apply_sign_in"));
}

async function procedure(params, query) {
  const live = alive();
  loading(t("procedures.title"));
  const p = await api.get(`/procedures/${encodeURIComponent(params.code)}`, { query: { version: query.version } });
  if (!live()) return;
  const fees = p.fees && p.fees.length
    ? h("ul", { class: "govuk-list" }, p.fees.map((f) => h("li", {}, `${fmtVnd(f.amount_vnd)}${local(f, "description") ? ` — ${local(f, "description")}` : ""}`)))
    : t("procedure.fee_free");
  const legal = p.legal_basis && p.legal_basis.length ? h("ul", { class: "govuk-list govuk-list--bullet" }, p.legal_basis.map((x) => h("li", {}, x))) : null;
  page(
    local(p, "name"),
    h("p", { class: "govuk-caption-m" }, `${t("procedure.code")} ${p.code} · ${t("procedure.version", { version: p.version })}`),
    applyBlock(p.code),
    summaryList([
      [t("procedure.code"), p.code],
      [t("procedure.agency"), local(p, "agency_name")],
      [t("procedure.field"), local(p, "field")],
      [t("procedure.processing_time"), processingTime(p)],
      [t("procedure.online_level"), t(`enum.${p.online_level}`)],
      [t("procedure.fees"), fees],
      [t("procedure.applicant_types"), (p.applicant_types || []).map((x) => t(`enum.${x}`)).join(", ")],
      [t("procedure.effective_date"), fmtDate(p.effective_date)],
    ]),
    h("h2", { class: "govuk-heading-m" }, t("procedure.components")),
    table(
      [t("procedure.component"), t("procedure.required"), t("procedure.accepted_types"), t("procedure.max_size")],
      (p.components || []).map((c) => [local(c, "name"), c.required ? t("procedure.required") : t("procedure.optional"), fileTypes(c.accepted_types), fileSize(c.max_size_bytes)]),
      { caption: t("procedure.components"), numeric: [3], hideCaption: true },
    ),
    h("h2", { class: "govuk-heading-m" }, t("procedure.legal_basis")),
    legal || h("p", { class: "govuk-body" }, "—"),
  );
}

// ---------- lookup by code ----------

const NATIONAL_COLOURS = { 1: "blue", 2: "turquoise", 3: "red", 4: "light-blue", 5: "yellow", 6: "yellow", 7: "grey", 8: "red", 9: "green", 10: "green" };

async function lookup(params, query) {
  const live = alive();
  const code = (query.code || "").trim();
  const box = textInput("code", t("lookup.code"), t("home.lookup_hint"), code, { spellcheck: "false", autocapitalize: "none", class: "govuk-input govuk-input--width-30" });
  const form = h(
    "form",
    {
      novalidate: true,
      onSubmit: (ev) => {
        ev.preventDefault();
        const v = box.input.value.trim();
        if (!v) {
          errorSummary(new ApiError({ status: 400, errors: [{ field: "code", message: t("lookup.code_required") }] }));
          return;
        }
        go(`/lookup${queryString({ code: v })}`);
      },
    },
    box.group,
    h("button", { type: "submit", class: "govuk-button" }, t("lookup.button")),
  );
  page(t("lookup.title"), h("p", { class: "govuk-body" }, t("lookup.intro")), form);
  if (!code) return;
  let d;
  try {
    d = await api.get(`/public/dossiers/${encodeURIComponent(code)}`);
  } catch (err) {
    if (!live()) return;
    if (err instanceof ApiError && err.status === 404) {
      errorSummary(new ApiError({ status: 404, title: t("lookup.not_found", { code }), detail: t("lookup.not_found_detail"), errors: [{ field: "code", message: t("lookup.not_found_detail") }] }));
      return;
    }
    throw err;
  }
  if (!live()) return;
  add(
    main(),
    h("h2", { class: "govuk-heading-m" }, t("lookup.result_title", { code: d.code })),
    summaryList([
      [t("lookup.status"), tag(d.status_name, NATIONAL_COLOURS[d.national_status])],
      [t("lookup.procedure"), d.procedure ? `${local(d.procedure, "name")} (${d.procedure.code})` : ""],
      [t("lookup.agency"), local(d.agency, "name")],
      [t("lookup.applicant"), d.applicant_name],
      [t("lookup.submitted_at"), fmtDateTime(d.submitted_at)],
      [t("lookup.received_at"), fmtDateTime(d.received_at)],
      [t("lookup.appointment_date"), fmtDate(d.appointment_date)],
      [t("lookup.returned_at"), fmtDateTime(d.returned_at)],
    ]),
  );
}

// ---------- scorecard ----------

function periods() {
  const [y, m] = today().split("-").map(Number);
  return [
    ["rolling-30d", t("scorecard.period_rolling")],
    [`${y}-${String(m).padStart(2, "0")}`, t("scorecard.period_month")],
    [`${y}-Q${Math.floor((m - 1) / 3) + 1}`, t("scorecard.period_quarter")],
    [String(y), t("scorecard.period_year")],
  ];
}

function pct(x) {
  return x == null ? "" : `${fmtNumber(x * 100, x * 100 === Math.round(x * 100) ? 0 : 1)}%`;
}

function score(x) {
  return x == null ? "—" : fmtNumber(x, x === Math.round(x) ? 0 : 1);
}

// "No data", and why: what the platform does not measure yet, or nothing to measure in the period.
function noData(x) {
  const why = x.why_no_data;
  return h("span", {}, tag(t("scorecard.no_data"), "grey"), why ? h("span", { class: "govuk-body-s app-no-data" }, " ", lang() === "en" ? why.en : why.vi) : null);
}

function indicatorValue(i) {
  if (!i.has_data) return t("scorecard.no_data");
  if (i.kind === "average_hours") return t("scorecard.unit_hours", { n: fmtNumber(i.rate, 1) });
  return pct(i.rate);
}

function targetValue(x, value) {
  if (value == null) return "";
  if (x.kind === "per_officer_year") return fmtNumber(value);
  if (x.kind === "at_most") return t("scorecard.unit_minutes", { n: fmtNumber(value) });
  return pct(value);
}

async function downloadExcel(query, button) {
  button.disabled = true;
  try {
    const res = await api.request("GET", "/metrics/scorecard", {
      query: { ...query, format: "xlsx" },
      headers: { Accept: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
      as: "blob",
      full: true,
    });
    const cd = res.headers.get("Content-Disposition") || "";
    const m = /filename="?([^";]+)"?/.exec(cd);
    download(res.body, m ? m[1] : `scorecard-${query.agency}-${query.period}.xlsx`);
  } catch (err) {
    errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("error.unexpected") }));
  } finally {
    button.disabled = false;
  }
}

async function scorecard(params, query) {
  const live = alive();
  loading(t("scorecard.title"));
  const agencies = (await api.get("/agencies")).items;
  if (!live()) return;
  const agencyCode = query.agency || (agencies[0] && agencies[0].code);
  const periodOpts = periods();
  const period = query.period || "rolling-30d";
  if (!periodOpts.some(([v]) => v === period)) periodOpts.push([period, period]);
  const agency = selectInput("agency", t("scorecard.agency"), agencies.map((a) => [a.code, local(a, "name")]), agencyCode);
  const per = selectInput("period", t("scorecard.period"), periodOpts, period);
  const form = h(
    "form",
    { onSubmit: (ev) => { ev.preventDefault(); go(`/scorecard${queryString({ agency: agency.select.value, period: per.select.value })}`); } },
    h("div", { class: "app-filters" }, agency.group, per.group),
    h("button", { type: "submit", class: "govuk-button" }, t("scorecard.show")),
  );
  const wait = h("p", { class: "govuk-body", role: "status" }, t("ui.loading"));
  page(t("scorecard.title"), form, wait);
  const q = { agency: agencyCode, period };
  let sc;
  try {
    sc = await api.get("/metrics/scorecard", { query: q });
    wait.remove();
  } catch (err) {
    if (!live()) return;
    wait.remove();
    if (err instanceof ApiError && err.status === 400) {
      errorSummary(err);
      return;
    }
    throw err;
  }
  if (!live()) return;
  const xlsxButton = h("button", { type: "button", class: "app-link-button", onClick: (ev) => downloadExcel(q, ev.currentTarget) }, t("scorecard.download_xlsx"));
  add(
    main(),
    h(
      "div",
      { class: "app-panel" },
      h("h2", { class: "govuk-heading-m" }, t("scorecard.total")),
      h("p", { class: "app-score" }, t("scorecard.score_of", { score: score(sc.total.score), max: score(sc.total.max) })),
      h("p", { class: "govuk-body" }, `${t("scorecard.measured_max")}: ${score(sc.total.measured_max)}`),
      h("p", { class: "govuk-body" }, `${local(agencies.find((a) => a.code === agencyCode), "name")} · ${t("scorecard.period_range", { from: fmtDate(sc.period.from), to: fmtDate(sc.period.to) })}`),
    ),
    h("h2", { class: "govuk-heading-m" }, t("scorecard.groups")),
    barChart(sc.groups.map((g) => ({ name: local(g, "name"), value: g.score, max: g.max })), { title: t("scorecard.chart_title"), desc: t("scorecard.chart_desc") }),
    table(
      [t("scorecard.group"), t("scorecard.score"), t("scorecard.max"), t("scorecard.measured_max")],
      sc.groups.map((g) => [local(g, "name"), g.score == null ? t("scorecard.no_data") : score(g.score), score(g.max), score(g.measured_max)]),
      { caption: t("scorecard.groups"), numeric: [1, 2, 3], hideCaption: true },
    ),
    sc.groups.map((g) => [
      h("h3", { class: "govuk-heading-s" }, local(g, "name")),
      table(
        [t("scorecard.indicator"), t("scorecard.rate"), t("scorecard.threshold"), t("scorecard.points")],
        g.indicators.map((i) => [
          local(i, "name"),
          i.has_data ? indicatorValue(i) : noData(i),
          i.threshold == null ? "—" : pct(i.threshold),
          i.has_data && i.points != null ? `${score(i.points)} / ${score(i.max_points)}` : `— / ${score(i.max_points)}`,
        ]),
        { caption: local(g, "name"), numeric: [1, 2, 3], hideCaption: true },
      ),
    ]),
    h("h2", { class: "govuk-heading-m" }, t("scorecard.targets")),
    table(
      [t("scorecard.indicator"), t("scorecard.actual"), t("scorecard.target"), t("scorecard.result")],
      sc.targets.map((x) => [
        local(x, "name"),
        x.has_data ? targetValue(x, x.actual) : noData(x),
        targetValue(x, x.target),
        !x.has_data || x.met == null ? tag(t("scorecard.no_data"), "grey") : x.met ? tag(t("scorecard.met"), "green") : tag(t("scorecard.not_met"), "red"),
      ]),
      { caption: t("scorecard.targets"), numeric: [1, 2], hideCaption: true },
    ),
    h("h2", { class: "govuk-heading-m" }, t("scorecard.downloads")),
    h(
      "ul",
      { class: "govuk-list" },
      h("li", {}, h("a", { class: "govuk-link", href: apiUrl("/metrics/scorecard", { ...q, format: "csv" }), download: "" }, t("scorecard.download_csv"))),
      h("li", {}, xlsxButton),
    ),
  );
}

export function register(route) {
  route("/", home);
  route("/procedures", procedures);
  route("/procedures/:code", procedure);
  route("/lookup", lookup);
  route("/scorecard", scorecard);
  registerVerify(route);
}
