import { account } from "./api.js";
import { el } from "./dom.js";

const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** The site's audit log for its owners, newest first. Every cell is text: actors, targets and details are user input. */
export function auditTable(container) {
  const body = el("tbody");
  const state = el("p", { class: "state", role: "status" });
  const table = el("table", { class: "data-table table-auto", "aria-labelledby": "audit-title" },
    el("thead", {}, el("tr", {},
      ["When", "Who", "What", "About", "Details", "From"].map((h) => el("th", { scope: "col" }, h)))),
    body);
  container.append(el("h3", { id: "audit-title", class: "mb-2 mt-6 text-sm font-semibold" }, "Activity (audit log)"),
    el("div", { class: "overflow-x-auto" }, table), state);

  async function load(siteId) {
    state.hidden = false;
    state.textContent = "Loading…";
    try {
      const { entries } = await account("GET", `sites/${encodeURIComponent(siteId)}/audit`);
      body.replaceChildren(...entries.map((e) => el("tr", { "data-action": e.action },
        el("td", {}, when.format(new Date(e.at))),
        el("td", { class: "break-all" }, e.actor),
        el("td", {}, e.action),
        el("td", { class: "break-all" }, e.target ?? ""),
        el("td", {}, e.details ?? ""),
        el("td", {}, e.ip))));
      state.hidden = entries.length > 0;
      state.textContent = entries.length ? "" : "Nothing recorded yet.";
    } catch (e) {
      body.replaceChildren();
      state.textContent = `The audit log could not be read: ${e.message}`;
    }
  }

  return { load };
}
