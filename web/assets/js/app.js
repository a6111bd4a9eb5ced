// Boot: config, session and language; the header follows them; then the router shows the page.
import { t, lang, setLang } from "./i18n.js";
import { session, signOut, signIn, isStaff, isCitizen } from "./auth.js";
import { route, start, refresh, go, current, currentPath } from "./router.js";
import { h, page, errorSummary, clearErrors, fieldId } from "./ui.js";
import { ApiError, apiUrl } from "./api.js";

// The page modules, loaded so that one that fails (a bug, a missing file) leaves the others working.
const PAGE_MODULES = ["./pages/public.js", "./pages/citizen.js", "./pages/desk.js"];

function navLinks() {
  const links = [
    ["#/procedures", t("nav.procedures"), "/procedures"],
    ["#/lookup", t("nav.lookup"), "/lookup"],
    ["#/scorecard", t("nav.scorecard"), "/scorecard"],
  ];
  if (isCitizen()) links.push(["#/my/dossiers", t("nav.my_dossiers"), "/my"]);
  if (isStaff()) links.push(["#/desk", t("nav.desk"), "/desk"]);
  return links;
}

function renderHeader() {
  const s = session();
  document.documentElement.lang = lang();
  const service = document.getElementById("service-name");
  service.textContent = t("app.name");
  document.getElementById("skip-link").textContent = t("app.skip_link");
  document.getElementById("nav").setAttribute("aria-label", t("nav.label"));
  const switcher = document.getElementById("lang-switch");
  switcher.setAttribute("aria-label", t("lang.label"));
  for (const b of switcher.querySelectorAll("button[data-lang]")) {
    b.setAttribute("aria-pressed", String(b.dataset.lang === lang()));
  }
  const path = current().path || "/";
  document.getElementById("nav-list").replaceChildren(
    ...navLinks().map(([href, text, prefix]) => {
      const here = path === prefix || path.startsWith(`${prefix}/`);
      return h("li", { class: "app-nav__item" }, h("a", { href, class: "app-nav__link", "aria-current": here ? "page" : null }, text));
    }),
  );
  const account = document.getElementById("account");
  if (s) {
    account.replaceChildren(
      h("span", { class: "app-account__name" }, t("auth.signed_in_as", { name: s.name })),
      h("button", { type: "button", class: "app-account__button", onClick: onSignOut }, t("nav.sign_out")),
    );
  } else {
    const next = path === "/sign-in" ? "" : `?next=${encodeURIComponent(currentPath())}`;
    account.replaceChildren(h("a", { href: `#/sign-in${next}`, class: "app-account__link" }, t("nav.sign_in")));
  }
  document.getElementById("footer-text").textContent = t("app.footer");
  const api = document.getElementById("footer-api");
  api.textContent = t("app.footer_api");
  api.href = apiUrl("/docs");
}

function onSignOut() {
  signOut();
  go("/");
}

// Where a signed-in user starts when no `next` was asked for.
function landing() {
  if (isStaff()) return "/desk";
  if (isCitizen()) return "/my/dossiers";
  return "/";
}

// A plain sign-in page; pages/citizen.js may register its own `/sign-in`, which replaces this one.
function signInPage(params, query) {
  const user = h("input", { class: "govuk-input", id: fieldId("username"), name: "username", autocomplete: "username", spellcheck: "false", autocapitalize: "none" });
  const pass = h("input", { class: "govuk-input", id: fieldId("password"), name: "password", type: "password", autocomplete: "current-password" });
  const submit = h("button", { type: "submit", class: "govuk-button" }, t("auth.sign_in_button"));
  const form = h(
    "form",
    { novalidate: true, onSubmit },
    h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label", for: user.id }, t("auth.username")), user),
    h("div", { class: "govuk-form-group" }, h("label", { class: "govuk-label", for: pass.id }, t("auth.password")), pass),
    submit,
  );
  async function onSubmit(ev) {
    ev.preventDefault();
    clearErrors();
    const errors = [];
    if (!user.value.trim()) errors.push({ field: "username", message: t("auth.username_required") });
    if (!pass.value) errors.push({ field: "password", message: t("auth.password_required") });
    if (errors.length) {
      errorSummary(new ApiError({ status: 400, errors }));
      return;
    }
    submit.disabled = true;
    try {
      await signIn(user.value.trim(), pass.value);
      const next = query.next && query.next.startsWith("/") && !query.next.startsWith("/sign-in") ? query.next : landing();
      go(next);
    } catch (err) {
      pass.value = "";
      errorSummary(err);
    } finally {
      submit.disabled = false;
    }
  }
  page(t("nav.sign_in"), h("p", { class: "govuk-body" }, t("auth.sign_in_intro")), form);
}

async function loadPages() {
  const loaded = await Promise.allSettled(PAGE_MODULES.map((m) => import(m)));
  loaded.forEach((r, i) => {
    if (r.status === "fulfilled" && typeof r.value.register === "function") r.value.register(route);
    else console.error(`${PAGE_MODULES[i]} did not load`, r.reason);
  });
}

// The skip link moves focus to the page's content without touching the address (the router owns the hash).
function skipToMain(ev) {
  ev.preventDefault();
  const m = document.getElementById("main");
  m.focus();
  m.scrollIntoView();
}

async function boot() {
  document.getElementById("skip-link").addEventListener("click", skipToMain);
  document.getElementById("lang-switch").addEventListener("click", (ev) => {
    const b = ev.target.closest("button[data-lang]");
    if (b && b.dataset.lang !== lang()) setLang(b.dataset.lang);
  });
  // A new language re-renders the page: texts come from t() and the API answers in the chosen language.
  window.addEventListener("motcua:lang", () => {
    renderHeader();
    refresh();
  });
  window.addEventListener("motcua:session", renderHeader);
  window.addEventListener("motcua:route", renderHeader);

  route("/sign-in", signInPage);
  await loadPages();

  renderHeader();
  if (!window.MOTCUA_CONFIG) {
    page(t("error.unexpected"), h("p", { class: "govuk-body" }, "config.js is missing: window.MOTCUA_CONFIG is not set."));
    return;
  }
  start();
}

boot();
