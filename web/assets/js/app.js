// Boot: config, session and language; the header follows them; then the router shows the page.
import { t, lang, setLang } from "./i18n.js";
import { session, signOut, isStaff, isCitizen } from "./auth.js";
import { route, start, refresh, go, current, currentPath } from "./router.js";
import { h, page } from "./ui.js";
import { apiUrl } from "./api.js";
import { takeCallback, completeNationalSignIn, rememberNationalError } from "./national.js";

// The page modules, loaded so that one that fails (a bug, a missing file) leaves the others working.
const PAGE_MODULES = ["./pages/public.js", "./pages/citizen.js", "./pages/desk.js", "./pages/feedback.js", "./pages/queue.js"];

function navLinks() {
  const links = [
    ["#/procedures", t("nav.procedures"), "/procedures"],
    ["#/lookup", t("nav.lookup"), "/lookup"],
    ["#/scorecard", t("nav.scorecard"), "/scorecard"],
    ["#/verify", t("nav.verify"), "/verify"],
    ["#/feedback", t("nav.feedback"), ["/feedback", "/my/feedback"]],
    ["#/queue/take", t("nav.queue"), "/queue"],
  ];
  if (isCitizen()) links.push(["#/my/dossiers", t("nav.my_dossiers"), "/my", ["/my/profile", "/my/feedback", "/my/papers"]]);
  if (isCitizen()) links.push(["#/my/papers", t("nav.my_papers"), "/my/papers"]);
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
    ...navLinks().map(([href, text, prefix, except]) => {
      // A prefix or an exception may be a list: #/my/feedback is under "Phản ánh, kiến nghị", not "Hồ sơ của tôi".
      const under = (p) => path === p || path.startsWith(`${p}/`);
      const here = [].concat(prefix).some(under) && ![].concat(except || []).some((x) => path.startsWith(x));
      return h("li", { class: "app-nav__item" }, h("a", { href, class: "app-nav__link", "aria-current": here ? "page" : null }, text));
    }),
  );
  const account = document.getElementById("account");
  if (s) {
    const parts = [
      h("span", { class: "app-account__name" }, t("auth.signed_in_as", { name: s.name })),
      isCitizen() ? h("a", { href: "#/my/profile", class: "app-account__link", "aria-current": path === "/my/profile" ? "page" : null }, t("nav.my_profile")) : null,
      h("button", { type: "button", class: "app-account__button", onClick: onSignOut }, t("nav.sign_out")),
    ];
    account.replaceChildren(...parts.filter(Boolean));
  } else {
    const next = path === "/sign-in" || path === "/staff/sign-in" || path.startsWith("/sign-up") ? "" : `?next=${encodeURIComponent(currentPath())}`;
    account.replaceChildren(h("a", { href: `#${signInRoute(path)}${next}`, class: "app-account__link" }, t("nav.sign_in")));
  }
  document.getElementById("footer-text").textContent = t("app.footer");
  const api = document.getElementById("footer-api");
  api.textContent = t("app.footer_api");
  api.href = apiUrl("/docs");
}

// The desk's pages lead staff to their own sign-in (the staff pool, with a TOTP code); everyone else to citizens'.
function signInRoute(path) {
  return path === "/desk" || path.startsWith("/desk/") || path === "/staff/sign-in" ? "/staff/sign-in" : "/sign-in";
}

// A session whose token could not be renewed has ended: to its sign-in page, which says so, and back here after.
function onSessionEnded(ev) {
  const path = current().path || "/";
  if (path === "/sign-in" || path === "/staff/sign-in") return refresh();
  const where = ev.detail && ev.detail.staff ? "/staff/sign-in" : "/sign-in";
  return go(`${where}?next=${encodeURIComponent(currentPath())}`);
}

function onSignOut() {
  signOut();
  go("/");
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
  window.addEventListener("motcua:session-ended", onSessionEnded);
  window.addEventListener("motcua:route", renderHeader);

  await loadPages();

  renderHeader();
  if (!window.MOTCUA_CONFIG) {
    page(t("error.unexpected"), h("p", { class: "govuk-body" }, "config.js is missing: window.MOTCUA_CONFIG is not set."));
    return;
  }
  await finishNationalSignIn();
  start();
}

// Back from the national identity's sign-in page (?code=&state= on this page's address, before the hash): the
// session starts here, before the router reads the hash, and the address keeps only the route to show.
async function finishNationalSignIn() {
  const callback = takeCallback();
  if (!callback) return;
  page(t("auth.national.completing"), h("p", { class: "govuk-body" }, t("ui.loading")));
  let target;
  try {
    const { next } = await completeNationalSignIn(callback);
    target = next || "/my/dossiers";
  } catch (err) {
    rememberNationalError(err);
    target = "/sign-in";
  }
  window.history.replaceState(null, "", `${window.location.pathname}#${target}`);
  renderHeader();
}

boot();
