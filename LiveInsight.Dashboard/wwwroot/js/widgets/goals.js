import { ApiError, deleteJson, getJson, postJson } from "../api.js";
import { el } from "../dom.js";
import { query } from "../query.js";
import { tableWidget } from "./table.js";

const goalsPath = (siteId) => `sites/${encodeURIComponent(siteId)}/goals`;

/** The site's goals ({goals: [...]}, GET /api/sites/{siteId}/goals through the proxy or a share link). */
export const listGoals = (siteId) => getJson(goalsPath(siteId));

const rate = (percent) => (percent === null || percent === undefined ? "–" : `${Math.round(percent * 10) / 10}%`);

/**
 * The goal panel: every goal of the site with its unique converters, total conversions and conversion rate in the
 * current view, from /api/v2/query (dimension event:goal, the view's filters). Clicking a goal adds the filter
 * "goal is <name>". Goal names come from site admins, but they are shown as text like every other label.
 */
export function goalsWidget(container, onFilter) {
  const table = tableWidget(container, {
    id: "goals",
    title: "Goals",
    labelHeader: "Goal",
    columns: ["Visitors", "Conversions", "Conversion rate"],
    onPick: (value) => onFilter({ dimension: "goal", value }),
    pickHint: "Filter by",
  });

  return {
    async load(state) {
      const version = state.version;
      table.loading();
      try {
        const { goals } = await listGoals(state.site);
        if (version !== state.version) return;
        if (goals.length === 0) {
          table.render([], "No goals yet: a site administrator adds them in the site's settings (Sites).");
          return;
        }
        const { rows } = await query(state, { metrics: ["visitors", "events", "conversion_rate"], dimensions: ["event:goal"], limit: goals.length });
        if (version !== state.version) return;
        const byName = new Map(rows.map((r) => [r.dimensions[0], r.metrics]));
        table.render(goals.map((g) => {
          const [visitors, events, conversion] = byName.get(g.display_name) ?? [0, 0, 0];
          return { label: g.display_name, values: [visitors, events, rate(conversion)] };
        }));
      } catch (e) {
        if (version !== state.version) return;
        table.error(e instanceof ApiError && e.status === 404 ? "Goals are not available from this Api." : e.message);
      }
    },
  };
}

/**
 * Site settings: the site's goals with a Delete button each, and a form to add a page goal (a path pattern such as
 * /signup/**) or a custom-event goal (an event name, optionally one prop's value). Site administrators only.
 */
export function goalsControl(site) {
  const status = el("p", { class: "text-sm", "aria-live": "polite", "data-goals-status": true });
  const list = el("ul", { class: "space-y-1 text-sm", "data-goals": site.site_id });
  const id = (name) => `goal-${name}-${site.site_id}`;
  const kind = el("select", { id: id("kind"), class: "control" },
    el("option", { value: "page" }, "Page visit"), el("option", { value: "event" }, "Custom event"));
  const path = el("input", { id: id("path"), class: "control w-full", placeholder: "/signup/**", maxlength: 2000 });
  const eventName = el("input", { id: id("event"), class: "control w-full", placeholder: "Signup", maxlength: 300 });
  const propKey = el("input", { id: id("prop-key"), class: "control w-full", placeholder: "plan (optional)", maxlength: 300 });
  const propValue = el("input", { id: id("prop-value"), class: "control w-full", placeholder: "pro (optional)", maxlength: 2000 });
  const displayName = el("input", { id: id("name"), class: "control w-full", placeholder: "Visit /signup", maxlength: 300 });
  const label = (input, text) => el("label", { for: input.id, class: "mb-1 block text-xs font-medium" }, text);
  const pageFields = el("div", {}, label(path, "Page path"), path);
  const eventFields = el("div", { class: "grid gap-2 sm:grid-cols-3", hidden: true },
    el("div", {}, label(eventName, "Event name"), eventName),
    el("div", {}, label(propKey, "Prop key"), propKey),
    el("div", {}, label(propValue, "Prop value"), propValue));
  kind.addEventListener("change", () => {
    pageFields.hidden = kind.value !== "page";
    eventFields.hidden = kind.value !== "event";
  });

  function show(goals) {
    list.replaceChildren(...goals.map((g) => el("li", { class: "flex items-center gap-2", "data-goal": g.id },
      el("span", { class: "min-w-0 flex-1 truncate", title: g.display_name }, g.display_name),
      el("span", { class: "text-xs text-slate-600 dark:text-slate-400" },
        g.kind === "page" ? g.path : g.prop_key ? `${g.event_name} (${g.prop_key} = ${g.prop_value})` : g.event_name),
      el("button", { type: "button", class: "btn", "aria-label": `Delete goal ${g.display_name}`, onclick: () => remove(g) }, "Delete"))));
    if (goals.length === 0) list.replaceChildren(el("li", { class: "text-slate-600 dark:text-slate-400" }, "No goals yet."));
  }

  async function refresh() {
    try {
      show((await listGoals(site.site_id)).goals);
    } catch (e) {
      status.textContent = `Goals: ${e.message}`;
    }
  }

  async function remove(goal) {
    if (!confirm(`Delete the goal “${goal.display_name}”?`)) return;
    try {
      await deleteJson(`${goalsPath(site.site_id)}/${encodeURIComponent(goal.id)}`);
      status.textContent = "Goal deleted.";
      await refresh();
    } catch (e) {
      status.textContent = `Goal not deleted: ${e.message}`;
    }
  }

  const form = el("form", { class: "space-y-2", "aria-label": `Add a goal to ${site.name}` },
    el("div", { class: "grid gap-2 sm:grid-cols-2" }, el("div", {}, label(kind, "Goal type"), kind), el("div", {}, label(displayName, "Display name (optional)"), displayName)),
    pageFields, eventFields,
    el("button", { type: "submit", class: "btn" }, "Add goal"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { kind: kind.value };
    if (displayName.value.trim()) body.display_name = displayName.value.trim();
    if (kind.value === "page") body.path = path.value.trim();
    else {
      body.event_name = eventName.value.trim();
      if (propKey.value.trim()) {
        body.prop_key = propKey.value.trim();
        body.prop_value = propValue.value;
      }
    }
    try {
      const made = await postJson(goalsPath(site.site_id), body);
      status.textContent = `Goal “${made.display_name}” added.`;
      form.reset();
      pageFields.hidden = false;
      eventFields.hidden = true;
      await refresh();
    } catch (e) {
      status.textContent = `Goal not added: ${e.message}`;
    }
  });

  refresh();
  return el("section", { class: "space-y-2 border-t border-slate-200 pt-3 dark:border-slate-700", "aria-label": `Goals of ${site.name}` },
    el("h4", { class: "text-sm font-semibold" }, "Goals"),
    el("p", { class: "text-xs text-slate-600 dark:text-slate-400" },
      "A goal counts visitors who reached a page or sent a custom event; the dashboard's Goals panel shows conversions and conversion rate."),
    list, form, status);
}

