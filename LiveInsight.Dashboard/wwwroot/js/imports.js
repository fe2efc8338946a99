// Site settings → "Imported history" (issue 20): upload Plausible's CSV export (zip) or Umami's data export, list the
// imports with their days, delete one. Everything shown comes from the Api and is set as text (el → textContent).
import { deleteJson, getJson, postFile } from "./api.js";
import { el } from "./dom.js";

const describe = (i) =>
  `${i.source === "plausible" ? "Plausible" : "Umami"}: ${i.from} to ${i.to} (${i.days} days${i.clipped_days ? `, ${i.clipped_days} clipped` : ""})${i.status === "done" ? "" : ` — ${i.status}`}`;

export function importsControl(site) {
  const n = encodeURIComponent(site.site_id);
  const list = el("ul", { class: "space-y-1 text-sm", "aria-label": `Imports of ${site.name}` });
  // aria-live rather than role=status: the site's settings form owns the editor's one status.
  const status = el("p", { class: "text-sm", "aria-live": "polite", "data-import-status": "" });
  const source = el("select", { class: "control", "aria-label": "Export from" },
    el("option", { value: "plausible" }, "Plausible (the CSV export zip)"),
    el("option", { value: "umami" }, "Umami (the data export CSV)"));
  const file = el("input", { type: "file", class: "text-sm", accept: ".zip,.csv", "aria-label": "Export file" });
  const upload = el("button", { type: "button", class: "btn" }, "Import");

  async function refresh() {
    try {
      const { imports } = await getJson(`sites/${n}/imports`);
      list.replaceChildren(...(imports.length === 0
        ? [el("li", { class: "text-slate-500" }, "No imports.")]
        : imports.map((i) => el("li", { class: "flex flex-wrap items-center gap-2" },
          el("span", {}, describe(i)),
          el("button", { type: "button", class: "btn", "aria-label": `Delete import ${i.import_id}`, onclick: () => remove(i) }, "Delete")))));
    } catch (e) {
      status.textContent = `Imports not listed: ${e.message}`;
    }
  }

  async function remove(i) {
    if (!confirm(`Delete the imported history ${describe(i)}? Those days will show only what LiveInsight counted itself.`)) return;
    try {
      await deleteJson(`sites/${n}/imports/${encodeURIComponent(i.import_id)}`);
      status.textContent = "Import deleted.";
    } catch (e) {
      status.textContent = `Import not deleted: ${e.message}`;
    }
    await refresh();
  }

  upload.addEventListener("click", async () => {
    const chosen = file.files?.[0];
    if (!chosen) {
      status.textContent = "Choose the export file first.";
      return;
    }
    status.textContent = "Importing…";
    try {
      const made = await postFile(`sites/${n}/imports`, { source: source.value }, chosen);
      status.textContent = `Imported ${describe(made)}.`;
      file.value = "";
    } catch (e) {
      status.textContent = `Not imported: ${e.message}`;
    }
    await refresh();
  });

  const show = el("button", { type: "button", class: "btn" }, "Show imports");
  show.addEventListener("click", () => refresh());
  // A section, not a <details>: the site's settings are one <details> each, and stay the only ones in the panel.
  return el("section", { class: "space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-700", "aria-label": `Imported history of ${site.name}` },
    el("h4", { class: "text-sm font-medium" }, "Imported history (Plausible, Umami)"),
    el("p", { class: "text-sm text-slate-600 dark:text-slate-400" },
      "Only days before this site's own data are imported; an import overlapping another is refused."),
    el("div", { class: "flex flex-wrap items-center gap-2" }, source, file, upload, show),
    status, list);
}
