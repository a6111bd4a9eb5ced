// One button per action the API allows this caller; each opens the action's form, built from its request schema
// in /openapi.json. Every action is sent with If-Match, so it only acts on the version the officer read.
import { api, ApiError } from "../../api.js";
import { t, today } from "../../i18n.js";
import { actionForm, actionPath } from "../../forms.js";
import { h, button } from "../../ui.js";
import { actionLabel, local } from "./common.js";
import { uploadResults } from "./results.js";

export const ACTIONS_ID = "desk-actions";

// A link at the top of the page to the actions, which come after everything else. The address is the router's,
// so the link moves the focus itself instead of changing the hash.
export function jumpToActions(d) {
  const n = d.allowed_actions.filter((a) => !a.startsWith("flag_")).length;
  if (!n) return null;
  const go = (ev) => {
    ev.preventDefault();
    const heading = document.querySelector(`#${ACTIONS_ID} h2`);
    if (heading) {
      heading.scrollIntoView({ block: "start" });
      heading.focus();
    }
  };
  return h("p", { class: "govuk-body" }, h("a", { href: `#${ACTIONS_ID}`, class: "govuk-link", onClick: go }, t("desk.jump_to_actions", { n })));
}

// Actions that end or turn down a dossier get the warning button.
const WARNING = new Set(["refuse", "reject", "stop"]);

// What a few actions need beyond their schema: selects filled from GET /agencies, defaults, accepted files.
function optionsFor(action, d, ctx) {
  const own = ctx.agencies.find((a) => a.code === d.agency_code);
  switch (action) {
    case "transfer":
      return { choices: { unit: ((own && own.units) || []).map((u) => ({ value: u.id, label: local(u, "name") })) } };
    case "send_to_agency":
      return { choices: { to_agency: ctx.agencies.filter((a) => a.code !== d.agency_code).map((a) => ({ value: a.code, label: `${local(a, "name")} (${a.code})` })) } };
    case "request_supplement": {
      // Every component of the procedure may be asked for, also one the applicant did not give.
      const list = ctx.procedure && ctx.procedure.components.length ? ctx.procedure.components : d.components;
      return { components: list };
    }
    case "record_payment":
      return { values: d.fee ? { amount_vnd: d.fee.amount_vnd } : {} };
    case "record_delivery":
      return { values: { delivered_on: today() } };
    case "issue_result":
      return { accept: "application/pdf,.pdf" };
    default:
      return {};
  }
}

function send(action, d, body, etag) {
  const path = actionPath(action).replace("{dossier_id}", encodeURIComponent(d.id));
  const opts = { headers: { "If-Match": etag || `"${d.version}"` } };
  return action === "evaluate" ? api.put(path, body, opts) : api.post(path, body, opts);
}

// The actions section. `reload({flash, conflict})` shows the dossier again: with a success banner after an action,
// with the conflict explained after a 409.
export function actionsSection(d, ctx, reload) {
  const actions = d.allowed_actions.filter((a) => !a.startsWith("flag_"));
  const panel = h("div", { id: "desk-action-panel" });
  if (!actions.length) {
    return h(
      "section",
      { class: "app-desk-section", id: ACTIONS_ID },
      h("h2", { class: "govuk-heading-m", tabindex: "-1" }, t("desk.section.actions")),
      h("p", { class: "govuk-body" }, t("desk.no_actions")),
    );
  }
  const buttons = actions.map((a) => {
    const b = button(actionLabel(a), () => open(a, b), { secondary: true });
    b.setAttribute("aria-controls", panel.id);
    b.setAttribute("aria-expanded", "false");
    return b;
  });

  function close(focusBack) {
    panel.replaceChildren();
    for (const b of buttons) b.setAttribute("aria-expanded", "false");
    if (focusBack) focusBack.focus();
  }

  function open(action, opener) {
    // The banner of the last action would read as this one's outcome.
    document.querySelectorAll("#main .govuk-notification-banner--success").forEach((b) => b.remove());
    for (const b of buttons) b.setAttribute("aria-expanded", String(b === opener));
    const progress = h("div", { class: "app-upload-progress" });
    const onSubmit = async (values) => {
      const body = { ...values };
      try {
        if (action === "issue_result") body.upload_ids = await uploadResults(d.id, values.upload_ids || [], progress);
        await send(action, d, body, ctx.etag);
      } catch (err) {
        if (err instanceof ApiError && err.status === 409) {
          await reload({ conflict: err });
          return;
        }
        throw err;
      }
      await reload({ flash: t("desk.done", { action: actionLabel(action) }) });
    };
    const cancel = button(t("desk.cancel"), () => close(opener), { secondary: true });
    const form = actionForm(action, null, { onSubmit, warning: WARNING.has(action), extraButtons: cancel, ...optionsFor(action, d, ctx) });
    const heading = h("h3", { class: "govuk-heading-m", tabindex: "-1" }, actionLabel(action));
    const intro = action === "issue_result" ? h("p", { class: "govuk-body" }, t("desk.issue_result_intro")) : "";
    panel.replaceChildren(heading, intro, form, progress);
    heading.focus();
  }

  return h(
    "section",
    { class: "app-desk-section", id: ACTIONS_ID },
    h("h2", { class: "govuk-heading-m", tabindex: "-1" }, t("desk.section.actions")),
    h("p", { class: "govuk-body" }, t("desk.actions_intro")),
    h("div", { class: "govuk-button-group" }, buttons),
    panel,
  );
}
