// Hash routes (#/path?query). A render gets (params, query), fills #main and may be async.
import { ApiError } from "./api.js";
import { t } from "./i18n.js";
import { h, page, link } from "./ui.js";

const routes = [];
let state = { path: "/", params: {}, query: {}, pattern: null };
let renderCount = 0;

function compile(pattern) {
  const names = [];
  const re = pattern.replace(/[.+*?^$()[\]{}|\\]/g, "\\$&").replace(/:(\w+)/g, (_, n) => {
    names.push(n);
    return "([^/]+)";
  });
  return { re: new RegExp(`^${re}/?$`), names };
}

// route("/procedures/:code", render). A later route with the same pattern replaces the earlier one.
export function route(pattern, render) {
  const existing = routes.findIndex((r) => r.pattern === pattern);
  const entry = { pattern, render, ...compile(pattern) };
  if (existing >= 0) routes[existing] = entry;
  else routes.push(entry);
}

// go("/procedures?q=x") navigates; going to the page already shown renders it again.
export function go(path) {
  const target = `#${path.startsWith("/") ? path : `/${path}`}`;
  if (window.location.hash === target) refresh();
  else window.location.hash = target;
}

// {path, params, query, pattern} of the page shown.
export function current() {
  return { ...state };
}

// The current address as a path with its query ("/procedures?q=x"), e.g. for a sign-in's `next`.
export function currentPath() {
  const hash = window.location.hash;
  return hash.startsWith("#/") ? hash.slice(1) : "/";
}

function parse() {
  const raw = currentPath();
  const [pathPart, queryPart = ""] = raw.split("?");
  const query = Object.fromEntries(new URLSearchParams(queryPart));
  let path;
  try {
    path = decodeURI(pathPart) || "/";
  } catch {
    path = pathPart || "/";
  }
  return { path, query };
}

function notFound() {
  page(t("error.page_not_found"), h("p", { class: "govuk-body" }, t("error.page_not_found_detail")), h("p", { class: "govuk-body" }, link("#/", t("nav.home"))));
}

// Staff sign in at their own page (the staff pool): the desk's pages lead there.
function signInRoute() {
  return /^\/desk([/?]|$)/.test(currentPath()) ? "/staff/sign-in" : "/sign-in";
}

// A render that throws gets a page saying what went wrong, in words, with a way on.
function failure(err) {
  if (err instanceof ApiError && err.status === 404) return notFound();
  if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
    return page(
      err.status === 401 ? t("error.sign_in_needed") : t("error.forbidden"),
      h("p", { class: "govuk-body" }, err.detail || err.title),
      err.status === 401 ? h("p", { class: "govuk-body" }, link(`#${signInRoute()}?next=${encodeURIComponent(currentPath())}`, t("nav.sign_in"))) : null,
    );
  }
  console.error(err);
  const title = err instanceof ApiError ? err.title || t("error.unexpected") : t("error.unexpected");
  return page(title, h("p", { class: "govuk-body" }, (err && err.detail) || t("error.try_again")));
}

let firstRender = true;

export async function refresh() {
  // "#main" and the like are in-page anchors (the skip link), not routes: leave the page as it is.
  const hash = window.location.hash;
  if (hash && !hash.startsWith("#/") && !firstRender) return;
  const { path, query } = parse();
  const mine = ++renderCount;
  let match = null;
  let params = {};
  for (const r of routes) {
    const m = r.re.exec(path);
    if (m) {
      match = r;
      r.names.forEach((n, i) => {
        params[n] = decodeURIComponent(m[i + 1]);
      });
      break;
    }
  }
  state = { path, params, query, pattern: match ? match.pattern : null };
  window.dispatchEvent(new CustomEvent("motcua:route", { detail: current() }));
  try {
    if (match) await match.render(params, query);
    else notFound();
  } catch (err) {
    if (mine === renderCount) failure(err);
  }
  // Only the latest navigation moves focus; screen readers hear the new page's heading. The first page of
  // a visit keeps the browser's own start (the skip link comes first).
  const initial = firstRender;
  firstRender = false;
  if (mine === renderCount && !initial) {
    const h1 = document.querySelector("#main h1");
    const active = document.activeElement;
    // A render that already moved focus inside the page (e.g. to an error summary) keeps it there.
    const placed = active && active !== document.body && active.id !== "main" && active.tagName !== "H1" && document.getElementById("main").contains(active);
    if (h1 && !placed) {
      if (!h1.hasAttribute("tabindex")) h1.setAttribute("tabindex", "-1");
      h1.focus({ preventScroll: false });
    }
    window.scrollTo(0, 0);
  }
}

// True while the address is still `path` (a path with its query, as currentPath() gives it).
export function isCurrent(path) {
  return currentPath() === path;
}

// For an async render: const live = alive(); ... await ...; if (!live()) return;
// false once another navigation (or a language switch) has started a newer render, so a late answer
// never draws over the page now shown.
export function alive() {
  const mine = renderCount;
  return () => mine === renderCount;
}

export function start() {
  window.addEventListener("hashchange", refresh);
  return refresh();
}
