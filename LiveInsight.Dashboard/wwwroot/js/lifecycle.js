// Site settings → "Data" and "Danger zone" (issue 18), for the site's owner only (the proxy enforces it too):
// retention, a full export of the lake, erasing a period or an identified user, resetting the stats, deleting the site.
// The destructive ones ask for the site's exact name, typed; every text shown is set as text (el → textContent).
import { ApiError, deleteJson, patchJson, postJson } from "./api.js";
import { el } from "./dom.js";

const retentionChoices = [["", "Forever"], ["6", "6 months"], ["12", "12 months"], ["24", "24 months"], ["36", "36 months"]];

const describe = (removed) =>
  `${removed.items} stored items, ${removed.redis_keys} live keys and ${removed.lake_files} lake files removed`;

function problemText(e) {
  if (e instanceof ApiError && e.problem?.errors) return Object.values(e.problem.errors).flat().join(" ");
  return e.message;
}

export function lifecycleControl(site, { onDeleted }) {
  const n = encodeURIComponent(site.site_id);
  const status = el("p", { class: "text-sm", "aria-live": "polite", "data-lifecycle-status": "" });
  const say = (text) => { status.textContent = text; };
  // A deletion or an erasure can take a while (every table, the live keys and the lake): until it answers, the status
  // says it is under way and the button is off, so an earlier message (a refused name) does not stand as the answer
  // and a second click does not send it again.
  const working = async (button, text, action) => {
    button.disabled = true;
    say(text);
    try {
      await action();
    } finally {
      button.disabled = false;
    }
  };

  const retention = el("select", { class: "control", "aria-label": "Keep data for" },
    retentionChoices.map(([value, label]) => el("option", { value, selected: String(site.retention_months ?? "") === value }, label)));
  const saveRetention = el("button", { type: "button", class: "btn" }, "Save retention");
  saveRetention.addEventListener("click", async () => {
    try {
      await patchJson(`sites/${n}`, { retention_months: Number(retention.value || 0) });
      say(retention.value ? `Data older than ${retention.value} months is deleted every night.` : "Data is kept forever.");
    } catch (e) {
      say(`Retention not saved: ${problemText(e)}`);
    }
  });

  const format = el("select", { class: "control", "aria-label": "Export format" },
    el("option", { value: "parquet" }, "Parquet"), el("option", { value: "csv" }, "CSV"));
  const exportFrom = el("input", { type: "date", class: "control", "aria-label": "Export from" });
  const exportTo = el("input", { type: "date", class: "control", "aria-label": "Export to" });
  const download = el("a", { class: "btn", download: "" }, "Download export (zip)");
  const exportHref = () => {
    const params = new URLSearchParams({ format: format.value });
    if (exportFrom.value) params.set("from", exportFrom.value);
    if (exportTo.value) params.set("to", exportTo.value);
    download.setAttribute("href", `/proxy/api/sites/${n}/export?${params}`);
  };
  [format, exportFrom, exportTo].forEach((input) => input.addEventListener("change", exportHref));
  exportHref();

  const eraseFrom = el("input", { type: "date", class: "control", "aria-label": "Erase from" });
  const eraseTo = el("input", { type: "date", class: "control", "aria-label": "Erase to" });
  const erasePeriod = el("button", { type: "button", class: "btn" }, "Erase these days");
  erasePeriod.addEventListener("click", async () => {
    if (!confirm(`Erase every stat of ${site.name} from ${eraseFrom.value} to ${eraseTo.value}? This cannot be undone.`)) return;
    await working(erasePeriod, "Erasing…", async () => {
      try {
        const done = await postJson(`sites/${n}/erase`, { from: eraseFrom.value, to: eraseTo.value });
        say(`Erased: ${describe(done.removed)}.`);
      } catch (e) {
        say(`Nothing erased: ${problemText(e)}`);
      }
    });
  });
  const userId = el("input", { class: "control", maxlength: 256, "aria-label": "Identified user id", placeholder: "user id as passed to identify()" });
  const eraseUser = el("button", { type: "button", class: "btn" }, "Erase this user");
  eraseUser.addEventListener("click", async () => {
    if (!userId.value || !confirm(`Erase every event of this identified user from ${site.name}?`)) return;
    await working(eraseUser, "Erasing…", async () => {
      try {
        const done = await postJson(`sites/${n}/erase`, { user_id: userId.value });
        say(`Erased: ${describe(done.removed)}.`);
      } catch (e) {
        say(`Nothing erased: ${problemText(e)}`);
      }
    });
  });

  // Reset and delete: the owner types the site's name; a different name never reaches the Api.
  const typed = el("input", { class: "control w-full", autocomplete: "off", "aria-label": `Type ${site.name} to confirm` });
  const confirmed = () => typed.value === site.name;
  const refuse = (what) => say(`The name does not match “${site.name}”; nothing was ${what}.`);
  const reset = el("button", { type: "button", class: "btn" }, "Reset stats");
  reset.addEventListener("click", async () => {
    if (!confirmed()) return refuse("reset");
    await working(reset, "Resetting…", async () => {
      try {
        const done = await postJson(`sites/${n}/reset?confirm=${encodeURIComponent(typed.value)}`);
        say(`Stats reset: ${describe(done.removed)}.`);
      } catch (e) {
        say(`Not reset: ${problemText(e)}`);
      }
    });
  });
  const remove = el("button", { type: "button", class: "btn-danger" }, "Delete site");
  remove.addEventListener("click", async () => {
    if (!confirmed()) return refuse("deleted");
    await working(remove, "Deleting the site and all its data…", async () => {
      try {
        const done = await deleteJson(`sites/${n}?confirm=${encodeURIComponent(typed.value)}`);
        say(`Site deleted: ${describe(done.removed)}.`);
        onDeleted(`${site.name} deleted: ${describe(done.removed)}.`);
      } catch (e) {
        say(`Not deleted: ${problemText(e)}`);
      }
    });
  });

  return el("section", { class: "space-y-3 rounded-md border border-red-300 p-3 dark:border-red-800", "aria-label": `Data and danger zone of ${site.name}` },
    el("h4", { class: "text-sm font-medium" }, "Data"),
    el("div", { class: "flex flex-wrap items-center gap-2" }, el("span", { class: "text-sm" }, "Keep data for"), retention, saveRetention),
    el("div", { class: "flex flex-wrap items-center gap-2" }, format, exportFrom, exportTo, download),
    el("h4", { class: "text-sm font-medium text-red-700 dark:text-red-400" }, "Danger zone"),
    el("div", { class: "flex flex-wrap items-center gap-2" }, eraseFrom, eraseTo, erasePeriod),
    el("div", { class: "flex flex-wrap items-center gap-2" }, userId, eraseUser),
    el("p", { class: "text-sm" }, "To reset this site's stats or delete it with all its data, type its name:"),
    typed,
    el("div", { class: "flex flex-wrap items-center gap-2" }, reset, remove),
    status);
}
