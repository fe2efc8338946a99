import { account } from "./api.js";
import { el } from "./dom.js";

const when = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * An audit log, newest first: a site's for its owners (load(siteId)) or the installation's for its administrators
 * (load(null): users created). Every cell is text: actors, targets and details are user input.
 */
export function auditTable(container, title = "Activity (audit log)") {
  const titleId = `audit-title-${Math.random().toString(36).slice(2, 8)}`;
  const body = el("tbody");
  const state = el("p", { class: "state", role: "status" });
  const table = el("table", { class: "data-table table-auto", "aria-labelledby": titleId },
    el("thead", {}, el("tr", {},
      ["When", "Who", "What", "About", "Details", "From"].map((h) => el("th", { scope: "col" }, h)))),
    body);
  container.append(el("h3", { id: titleId, class: "mb-2 mt-6 text-sm font-semibold" }, title),
    el("div", { class: "overflow-x-auto" }, table), state);

  async function load(siteId) {
    state.hidden = false;
    state.textContent = "Loading…";
    try {
      const { entries } = await account("GET", siteId ? `sites/${encodeURIComponent(siteId)}/audit` : "audit");
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
