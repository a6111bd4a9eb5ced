// A file input for one component: every chosen file is uploaded at once (POST /uploads, the presigned POST with a
// progress bar, POST /uploads/{id}/complete) and shows whether the API verified it or why it refused it.
import { api, ApiError } from "../../api.js";
import { t } from "../../i18n.js";
import { h, fieldId, tag } from "../../ui.js";
import { acceptAttr, contentTypeOf, fmtSize, local, typesLabel } from "./common.js";

// The presigned POST: every field the API gave, the file last (S3 reads the policy fields before the file).
function sendToStorage(ticket, file, contentType, onProgress) {
  let xhr = null;
  const done = new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(ticket.upload.fields || {})) form.append(k, v);
    form.append("file", new File([file], file.name, { type: contentType }));
    xhr = new XMLHttpRequest();
    xhr.open(ticket.upload.method || "POST", ticket.upload.url);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new ApiError({ status: xhr.status, code: "upload.storage", title: t("citizen.upload.storage_failed") }));
    });
    xhr.addEventListener("error", () => reject(new ApiError({ status: 0, code: "network", title: t("citizen.upload.storage_failed") })));
    xhr.addEventListener("abort", () => reject(new ApiError({ status: 0, code: "aborted", title: t("citizen.upload.aborted") })));
    xhr.send(form);
  });
  return { done, abort: () => xhr && xhr.abort() };
}

// The API's own words for a refused file, else its title.
function messagesOf(err) {
  if (err instanceof ApiError && err.errors.length) return err.errors.map((e) => e.message || e.code);
  return [(err && (err.detail || err.title || err.message)) || t("error.unexpected")];
}

// fileField({procedureCode, component, name, label, required}) → {el, input, uploadIds(), busy(), reset()}
//   name: the API field the errors are reported on ("components.<id>"), which gives the input its id.
export function fileField({ procedureCode, component, name, label, required = component.required, hintExtra }) {
  const id = fieldId(name);
  const files = [];
  const list = h("ul", { class: "govuk-list app-files", id: `${id}-files`, "aria-live": "polite" });
  const hint = h(
    "div",
    { class: "govuk-hint", id: `${id}-hint` },
    hintExtra ? h("span", { class: "app-supplement-reason" }, hintExtra, h("br")) : null,
    t("citizen.upload.hint", { types: typesLabel(component.accepted_types), max: fmtSize(component.max_size_bytes) }),
  );
  const input = h("input", {
    class: "govuk-input",
    type: "file",
    id,
    name,
    multiple: true,
    accept: acceptAttr(component.accepted_types),
    "aria-describedby": `${hint.id} ${list.id}`,
    onChange: () => {
      for (const f of Array.from(input.files || [])) add(f);
      input.value = ""; // the same file may be chosen again after a refusal
    },
  });
  const el = h(
    "div",
    { class: "govuk-form-group app-file-field" },
    h(
      "label",
      { class: "govuk-label govuk-label--s", for: id },
      label || local(component, "name"),
      h("span", { class: "app-muted" }, ` ${required ? t("form.required") : t("form.optional")}`),
    ),
    hint,
    input,
    list,
  );

  function add(file) {
    const entry = { file, state: "uploading", id: null, abort: null };
    const progress = h("progress", { class: "app-progress", max: "100", value: "0", "aria-label": t("citizen.upload.progress_label", { name: file.name }) }, "0%");
    const status = h("span", { class: "app-files__status" }, t("citizen.upload.uploading"));
    const problems = h("div", { class: "app-files__problems" });
    const remove = h(
      "button",
      { type: "button", class: "app-link-button", onClick: () => drop(entry) },
      t("citizen.upload.remove"),
      h("span", { class: "govuk-visually-hidden" }, ` ${file.name}`),
    );
    entry.item = h(
      "li",
      { class: "app-files__item" },
      h("span", { class: "app-files__name" }, `${file.name} (${fmtSize(file.size)})`),
      " ",
      status,
      progress,
      problems,
      remove,
    );
    entry.show = (state, messages = []) => {
      entry.state = state;
      if (state !== "uploading") progress.remove();
      if (state === "verified") status.replaceChildren(tag(t("citizen.upload.verified"), "green"));
      else if (state === "failed") status.replaceChildren(tag(t("citizen.upload.refused"), "red"));
      else status.textContent = t(`citizen.upload.${state}`);
      problems.replaceChildren(...messages.map((m) => h("p", { class: "app-files__error" }, h("span", { class: "govuk-visually-hidden" }, `${t("ui.error_prefix")}: `), m)));
    };
    entry.progress = (fraction) => {
      const pct = Math.round(fraction * 100);
      progress.value = pct;
      progress.textContent = `${pct}%`;
    };
    files.push(entry);
    list.append(entry.item);
    upload(entry);
  }

  async function upload(entry) {
    const contentType = contentTypeOf(entry.file);
    try {
      const ticket = await api.post("/uploads", {
        procedure_code: procedureCode,
        component_id: component.id,
        file_name: entry.file.name,
        content_type: contentType,
        size: entry.file.size,
      });
      if (entry.state === "removed") return;
      entry.id = ticket.id;
      const sending = sendToStorage(ticket, entry.file, contentType, entry.progress);
      entry.abort = sending.abort;
      await sending.done;
      entry.progress(1);
      entry.show("verifying");
      const record = await api.post(`/uploads/${encodeURIComponent(ticket.id)}/complete`, {});
      if (entry.state !== "removed") entry.show(record.status === "verified" ? "verified" : "failed");
    } catch (err) {
      if (entry.state !== "removed") entry.show("failed", messagesOf(err));
    }
  }

  function drop(entry) {
    entry.state = "removed";
    if (entry.abort) entry.abort();
    files.splice(files.indexOf(entry), 1);
    entry.item.remove();
    input.focus();
  }

  return {
    el,
    input,
    component,
    // Only verified files are sent; a refused one stays listed with its reason until removed.
    uploadIds: () => files.filter((f) => f.state === "verified").map((f) => f.id),
    busy: () => files.some((f) => f.state === "uploading" || f.state === "verifying"),
    reset() {
      files.splice(0).forEach((f) => f.item.remove());
    },
  };
}
