// Forms built from the request schemas in /openapi.json, so a new action needs no new client code.
import { api, ApiError } from "./api.js";
import { t, has, lang } from "./i18n.js";
import { h, fieldId, clearErrors, errorSummary, busy } from "./ui.js";

const LONG_TEXT = /note|reason|assessment|request|reply|comment|summary|address/i;

// The method and path of an action on a dossier: "request_supplement" → POST /dossiers/{dossier_id}/request-supplement.
export function actionPath(action) {
  const slug = String(action).replace(/_/g, "-");
  return slug === "evaluate" ? "/dossiers/{dossier_id}/evaluation" : `/dossiers/{dossier_id}/${slug}`;
}

// The request body schema of an action (null when the action takes no body or is unknown).
export async function schemaFor(action) {
  const doc = await api.openapi();
  const item = (doc.paths || {})[actionPath(action)] || {};
  const op = item.post || item.put;
  const schema = op && op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
  return schema ? schema.schema : null;
}

// Follows $ref (against the contract's components) and unwraps "X or null" into an optional X.
export function resolve(schema, doc = api.openapiCached()) {
  let s = schema || {};
  let nullable = false;
  for (let guard = 0; guard < 20; guard++) {
    if (s.$ref) {
      const name = s.$ref.split("/").pop();
      const target = doc && doc.components && doc.components.schemas && doc.components.schemas[name];
      if (!target) throw new Error(`unresolved ${s.$ref}`);
      const { $ref, ...rest } = s;
      s = { ...target, ...rest };
      continue;
    }
    const alt = s.anyOf || (s.oneOf && !s.discriminator ? s.oneOf : null);
    if (alt) {
      const notNull = alt.filter((x) => x.type !== "null");
      nullable = nullable || notNull.length < alt.length;
      if (notNull.length === 1) {
        const { anyOf, oneOf, ...rest } = s;
        s = { ...notNull[0], ...rest };
        continue;
      }
    }
    break;
  }
  return nullable ? { ...s, nullable: true } : s;
}

function needsDoc(schema) {
  return JSON.stringify(schema || {}).includes("$ref");
}

function propName(path) {
  return path.replace(/\[\d+\]/g, "").split(".").pop();
}

function labelFor(path, schema) {
  const plain = path.replace(/\[\d+\]/g, "");
  if (has(`field.${plain}`)) return t(`field.${plain}`);
  const name = propName(path);
  if (has(`field.${name}`)) return t(`field.${name}`);
  return schema.title || name;
}

function hintFor(path, schema) {
  const name = propName(path);
  if (has(`hint.${name}`)) return t(`hint.${name}`);
  // Descriptions in the contract are English; show them only to English readers.
  return lang() === "en" && schema.description ? schema.description : null;
}

function enumLabel(name, value) {
  if (has(`enum.${name}.${value}`)) return t(`enum.${name}.${value}`);
  if (has(`enum.${value}`)) return t(`enum.${value}`);
  return String(value);
}

function componentLabel(c) {
  const name = lang() === "en" ? c.name_en || c.name_vi : c.name_vi || c.name_en;
  return name || c.name || c.id || c.component_id;
}

function labelEl(id, text, required, { legend = false, bold = false } = {}) {
  const mark = h("span", { class: "app-muted" }, ` ${required ? t("form.required") : t("form.optional")}`);
  if (legend) return h("legend", { class: `govuk-fieldset__legend${bold ? " govuk-fieldset__legend--s" : ""}` }, text, mark);
  return h("label", { class: "govuk-label", for: id }, text, mark);
}

function group(id, label, hint, control) {
  const hintEl = hint ? h("div", { class: "govuk-hint", id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "govuk-form-group" }, label, hintEl, control);
}

// Each builder returns {el, collect()}: collect gives the value to send, or undefined to leave it out.
function build(path, raw, required, ctx, value) {
  const schema = resolve(raw, ctx.doc);
  const name = propName(path);
  const id = fieldId(path);
  const label = labelFor(path, schema);
  const hint = hintFor(path, schema);
  const choices = ctx.choices[name] || ctx.choices[path.replace(/\[\d+\]/g, "")];

  if (name === "upload_ids" && schema.type === "array") {
    const input = h("input", { class: "govuk-input", type: "file", id, name: path, multiple: (schema.maxItems || 2) > 1, accept: ctx.accept || null });
    if (required) input.setAttribute("aria-required", "true");
    return { el: group(id, labelEl(id, label, required), hint, input), collect: () => Array.from(input.files || []) };
  }

  if (schema.type === "object" && schema.properties) {
    const req = new Set(schema.required || []);
    const kids = Object.entries(schema.properties)
      .filter(([k]) => !(ctx.hidden || []).includes(k))
      .map(([k, s]) => [k, build(`${path}.${k}`, s, req.has(k), ctx, value && value[k])]);
    const el = h("fieldset", { class: "govuk-fieldset govuk-form-group", id }, labelEl(id, label, required, { legend: true, bold: true }), kids.map(([, b]) => b.el));
    return {
      el,
      collect() {
        const out = {};
        for (const [k, b] of kids) {
          const v = b.collect();
          if (v !== undefined) out[k] = v;
        }
        return Object.keys(out).length || required ? out : undefined;
      },
    };
  }

  if (schema.type === "array" && schema.items) {
    const items = resolve(schema.items, ctx.doc);
    if (items.type === "object") return repeatable(path, schema, items, required, ctx, value, label, hint);
    if (items.enum) {
      const boxes = items.enum.map((v, i) =>
        h("input", { class: "govuk-checkboxes__input", type: "checkbox", id: i ? `${id}-${i}` : id, value: v, checked: (value || []).includes(v) }),
      );
      const el = h(
        "fieldset",
        { class: "govuk-fieldset govuk-form-group" },
        labelEl(id, label, required, { legend: true }),
        hint ? h("div", { class: "govuk-hint" }, hint) : null,
        boxes.map((b) => h("div", { class: "govuk-checkboxes__item" }, b, h("label", { class: "govuk-checkboxes__label", for: b.id }, enumLabel(name, b.value)))),
      );
      return { el, collect: () => boxes.filter((b) => b.checked).map((b) => b.value) };
    }
    // A list of plain values: one per line.
    const area = h("textarea", { class: "govuk-textarea", id, name: path, rows: 4 });
    area.value = (value || []).join("\n");
    return {
      el: group(id, labelEl(id, label, required), hint || t("form.one_per_line"), area),
      collect: () => {
        const lines = area.value.split("\n").map((x) => x.trim()).filter(Boolean);
        return lines.length || required ? lines : undefined;
      },
    };
  }

  if (schema.type === "boolean") {
    const box = h("input", { class: "govuk-checkboxes__input", type: "checkbox", id, name: path, checked: value ?? schema.default ?? false });
    const el = h(
      "div",
      { class: "govuk-form-group" },
      hint ? h("div", { class: "govuk-hint", id: `${id}-hint` }, hint) : null,
      h("div", { class: "govuk-checkboxes__item" }, box, h("label", { class: "govuk-checkboxes__label", for: id }, label)),
    );
    if (hint) box.setAttribute("aria-describedby", `${id}-hint`);
    return { el, collect: () => box.checked };
  }

  const options = choices
    ? choices.map((c) => ({ value: c.value, label: c.label }))
    : name === "component_id" && ctx.components.length
      ? ctx.components.map((c) => ({ value: c.id || c.component_id, label: componentLabel(c) }))
      : schema.enum
        ? schema.enum.map((v) => ({ value: v, label: enumLabel(name, v) }))
        : schema.const !== undefined
          ? [{ value: schema.const, label: enumLabel(name, schema.const) }]
          : null;
  if (options) {
    const select = h(
      "select",
      { class: "govuk-select", id, name: path },
      h("option", { value: "" }, t("form.choose")),
      options.map((o) => h("option", { value: o.value, selected: value !== undefined && String(value) === String(o.value) }, o.label)),
    );
    if (required) select.setAttribute("aria-required", "true");
    return { el: group(id, labelEl(id, label, required), hint, select), collect: () => (select.value === "" ? (required ? "" : undefined) : select.value) };
  }

  if (schema.type === "integer" || schema.type === "number") {
    const input = h("input", {
      class: "govuk-input govuk-input--width-10",
      type: "number",
      id,
      name: path,
      inputmode: schema.type === "integer" ? "numeric" : "decimal",
      min: schema.minimum ?? null,
      max: schema.maximum ?? null,
      step: schema.type === "integer" ? "1" : "any",
      value: value ?? null,
    });
    if (required) input.setAttribute("aria-required", "true");
    return { el: group(id, labelEl(id, label, required), hint, input), collect: () => (input.value === "" ? undefined : Number(input.value)) };
  }

  const long = (schema.maxLength || 0) > 300 || LONG_TEXT.test(name);
  const attrs = { id, name: path, maxlength: schema.maxLength ?? null, spellcheck: long ? "true" : "false" };
  let input;
  if (schema.format === "date") input = h("input", { ...attrs, class: "govuk-input govuk-input--width-10", type: "date" });
  else if (long) input = h("textarea", { ...attrs, class: "govuk-textarea", rows: 5 });
  else input = h("input", { ...attrs, class: "govuk-input", type: schema.format === "email" ? "email" : "text" });
  input.value = value ?? (typeof schema.default === "string" ? schema.default : "");
  if (required) input.setAttribute("aria-required", "true");
  return {
    el: group(id, labelEl(id, label, required), hint, input),
    collect: () => {
      const v = input.value.trim();
      return v === "" && !required ? undefined : v;
    },
  };
}

// An array of objects: one fieldset per row, rows added and removed by buttons, ids renumbered so the API's
// field names ("items[1].reason") still point at the right input.
function repeatable(path, schema, items, required, ctx, value, label, hint) {
  const id = fieldId(path);
  const rowsBox = h("div", { class: "app-repeat__rows" });
  let rows = [];
  const min = Math.max(schema.minItems || 0, required ? 1 : 0);
  const max = schema.maxItems || 100;

  function render(values) {
    rows = values.map((v, i) => {
      const rowPath = `${path}[${i}]`;
      const req = new Set(items.required || []);
      const kids = Object.entries(items.properties || {}).map(([k, s]) => [k, build(`${rowPath}.${k}`, s, req.has(k), ctx, v && v[k])]);
      const remove = h(
        "button",
        { type: "button", class: "govuk-button govuk-button--secondary", disabled: values.length <= min, onClick: () => render(collectRows().filter((_, j) => j !== i)) },
        t("form.remove_row", { n: i + 1 }),
      );
      const el = h(
        "fieldset",
        { class: "govuk-fieldset app-repeat__row", id: fieldId(rowPath) },
        h("legend", { class: "govuk-fieldset__legend" }, t("form.row", { n: i + 1 })),
        kids.map(([, b]) => b.el),
        remove,
      );
      return {
        el,
        collect() {
          const out = {};
          for (const [k, b] of kids) {
            const x = b.collect();
            if (x !== undefined) out[k] = x;
          }
          return out;
        },
      };
    });
    rowsBox.replaceChildren(...rows.map((r) => r.el));
    add.disabled = rows.length >= max;
  }

  function collectRows() {
    return rows.map((r) => r.collect());
  }

  const add = h(
    "button",
    {
      type: "button",
      class: "govuk-button govuk-button--secondary",
      onClick: () => {
        render([...collectRows(), {}]);
        const last = rows[rows.length - 1];
        const first = last && last.el.querySelector("input, select, textarea");
        if (first) first.focus();
      },
    },
    t("form.add_row"),
  );
  const el = h(
    "fieldset",
    { class: "govuk-fieldset govuk-form-group app-repeat", id },
    labelEl(id, label, required, { legend: true, bold: true }),
    hint ? h("div", { class: "govuk-hint" }, hint) : null,
    rowsBox,
    add,
  );
  const initial = Array.isArray(value) && value.length ? value : Array.from({ length: min }, () => ({}));
  render(initial);
  return { el, collect: () => (rows.length || required ? collectRows() : undefined) };
}

function fill(form, action, schema, opts) {
  const doc = api.openapiCached();
  const root = resolve(schema, doc);
  const ctx = { doc, components: opts.components || [], choices: opts.choices || {}, hidden: opts.hidden || [], accept: opts.accept };
  const req = new Set(root.required || []);
  const fields = Object.entries(root.properties || {})
    .filter(([k]) => !ctx.hidden.includes(k))
    .map(([k, s]) => [k, build(k, s, req.has(k), ctx, (opts.values || {})[k])]);
  const submitLabel = opts.submitLabel || (has(`action.${action}`) ? t(`action.${action}`) : t("form.submit"));
  const submit = h("button", { type: "submit", class: `govuk-button${opts.warning ? " govuk-button--warning" : ""}` }, submitLabel);
  form.replaceChildren(...fields.map(([, b]) => b.el), h("div", { class: "govuk-button-group" }, submit, opts.extraButtons || null));
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const values = {};
    for (const [k, b] of fields) {
      const v = b.collect();
      if (v !== undefined) values[k] = v;
    }
    try {
      await busy(Promise.resolve(opts.onSubmit ? opts.onSubmit(values) : values), { button: submit, scope: form });
    } catch (err) {
      const e = err instanceof ApiError ? err : new ApiError({ title: t("error.unexpected"), detail: (err && err.message) || "" });
      errorSummary(e, form);
    }
  };
}

// actionForm("request_supplement", schemaOrNull, {onSubmit, components, choices, values, hidden, submitLabel, accept})
//   schema: the request body schema ($refs allowed) or null to take the action's own from /openapi.json.
//   onSubmit(values): a plain object (upload_ids as File arrays); an ApiError it throws is shown in the form.
//   components: the dossier's or procedure's components, offered for every component_id.
//   choices: {fieldName: [{value, label}]} turns a field into a select (e.g. unit, to_agency, specialist).
// Returns the <form> at once; it fills itself when the contract has to be fetched first.
export function actionForm(action, schema, opts = {}) {
  const form = h("form", { class: "app-action-form", novalidate: true, "data-action": action });
  const ready = schema && !(needsDoc(schema) && !api.openapiCached());
  if (ready) {
    fill(form, action, schema, opts);
    return form;
  }
  form.append(h("p", { class: "govuk-body" }, t("form.loading")));
  (schema ? api.openapi().then(() => schema) : schemaFor(action))
    .then((s) => fill(form, action, s || { type: "object", properties: {} }, opts))
    .catch((err) => errorSummary(err instanceof ApiError ? err : new ApiError({ title: t("error.unexpected"), detail: String(err) }), form));
  return form;
}
