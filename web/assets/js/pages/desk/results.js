// The result documents of issue_result: each PDF gets a presigned POST from
// POST /dossiers/{id}/results/uploads, goes straight to storage, and is verified by POST /uploads/{id}/complete.
import { api, ApiError } from "../../api.js";
import { t } from "../../i18n.js";
import { h } from "../../ui.js";

// A file already uploaded and verified keeps its id, so resending the form after an error does not upload it again.
const done = new WeakMap();

// Sends the file as multipart/form-data with every presigned field first and the file last; reports progress.
function post(target, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(target.fields || {})) form.append(k, v);
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", target.url);
    xhr.upload.addEventListener("progress", (ev) => {
      if (ev.lengthComputable) onProgress(ev.loaded / ev.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(new ApiError({ status: xhr.status, title: t("desk.upload.refused", { name: file.name, status: xhr.status }) }));
    });
    xhr.addEventListener("error", () => reject(new ApiError({ status: 0, title: t("desk.upload.network", { name: file.name }) })));
    xhr.send(form);
  });
}

// The API's errors about one file, moved onto the file input and prefixed with the file's name.
function aboutFile(err, file) {
  if (!(err instanceof ApiError)) return err;
  const errors = err.errors.length ? err.errors : [{ code: err.code, message: err.detail || err.title }];
  return new ApiError({
    status: err.status,
    code: err.code,
    title: err.title,
    detail: err.detail,
    errors: errors.map((e) => ({ ...e, field: "upload_ids", message: `${file.name}: ${e.message || e.code}` })),
  });
}

// A progress bar per file, labelled with the file's name, in `box`.
function progressRow(box, file) {
  const bar = h("progress", { class: "app-progress", max: "100", value: "0" });
  const text = h("span", {}, "0%");
  const row = h("p", { class: "govuk-body" }, h("label", {}, `${file.name} `, bar), " ", text);
  box.append(row);
  return (share) => {
    const pct = Math.round(share * 100);
    bar.value = pct;
    text.textContent = `${pct}%`;
  };
}

// Uploads every file (in order) and returns their upload ids; an ApiError names the file that failed.
export async function uploadResults(dossierId, files, box) {
  if (!files.length) {
    throw new ApiError({ status: 422, errors: [{ field: "upload_ids", message: t("desk.upload.required") }] });
  }
  const ids = [];
  box.replaceChildren();
  for (const file of files) {
    const progress = progressRow(box, file);
    if (done.has(file)) {
      progress(1);
      ids.push(done.get(file));
      continue;
    }
    try {
      const ticket = await api.post(`/dossiers/${encodeURIComponent(dossierId)}/results/uploads`, {
        file_name: file.name,
        content_type: "application/pdf",
        size: file.size,
      });
      await post(ticket.upload, file, progress);
      await api.post(`/uploads/${encodeURIComponent(ticket.id)}/complete`, {});
      done.set(file, ticket.id);
      ids.push(ticket.id);
    } catch (err) {
      // A 409 (the dossier moved on meanwhile) is the caller's to handle as such.
      throw err instanceof ApiError && err.status === 409 ? err : aboutFile(err, file);
    }
  }
  return ids;
}
