import { csvButton } from "../csv.js";
import { getJson } from "../api.js";
import { el, formatDuration, formatNumber, setState } from "../dom.js";
import { query } from "../query.js";
import { statsParams } from "../state.js";

/** Mean deepest scroll in percent (the Api's scroll_depth is already 0–100), one decimal. */
export function formatScroll(percent) {
  return percent === null || percent === undefined ? "–" : `${Math.round(percent * 10) / 10}%`;
}

/** Top pages: visitors, views, then time on page and scroll depth as text ("–" where no page view reported one). */
export const PAGE_COLUMNS = ["Visitors", "Views", "Time on page", "Scroll depth"];

export function pageRows(data) {
  return data.pages.map((p) => ({
    label: p.path,
    values: [p.visitors, p.pageviews, formatDuration(p.time_on_page_seconds), formatScroll(p.scroll_depth)],
  }));
}

/**
 * The props panel: pick a custom event and one of its prop keys; the key's values (events and visitors per value) come
 * from /api/v2/query (`event:props:<key>`, the view's filters and "event is <name>"). The keys offered are those the
 * rollups saw for the event in the period (/api/stats/event-props). Clicking a value adds the filter "prop <key> is
 * <value>". Names, keys and values are visitor-supplied: text nodes only.
 */
export function propsPanel(container, { onFilter, onPick }) {
  const eventSelect = el("select", { id: "props-event", class: "control max-w-[12rem]" });
  const keySelect = el("select", { id: "props-key", class: "control max-w-[12rem]" });
  const body = el("tbody");
  const table = el("table", { class: "data-table", "aria-labelledby": "props-panel-title" },
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Value"), el("th", { scope: "col", class: "num" }, "Events"), el("th", { scope: "col", class: "num" }, "Visitors"))),
    body);
  const card = el("div", { class: "card", id: "props-panel", "data-widget": "props-panel" },
    el("h2", { class: "card-title", id: "props-panel-title" }, "Event props"),
    el("div", { class: "mb-2 flex flex-wrap gap-2" },
      el("label", { for: "props-event", class: "sr-only" }, "Custom event"), eventSelect,
      el("label", { for: "props-key", class: "sr-only" }, "Prop key"), keySelect),
    table,
    el("p", { class: "state", "data-state": true }));
  card.append(csvButton(card, "props-panel", "Event props"));
  container.append(card);
  let current = null;
  let events = [];
  let keys = [];

  const options = (select, names, chosen, none) => select.replaceChildren(
    ...(names.length ? names : [""]).map((n) => el("option", { value: n, selected: n === chosen }, n || none)));

  eventSelect.addEventListener("change", () => onPick({ event: eventSelect.value, key: "" }));
  keySelect.addEventListener("change", () => onPick({ event: current.propsEvent, key: keySelect.value }));

  async function load(state) {
    current = state;
    const version = state.version;
    const names = state.propsEvent && !events.includes(state.propsEvent) ? [state.propsEvent, ...events] : events;
    options(eventSelect, ["", ...names], state.propsEvent, "Pick an event…");
    if (!state.propsEvent) {
      options(keySelect, [], "", "No prop keys");
      table.hidden = true;
      setState(card, "empty", events.length ? "Pick a custom event to see its props." : "No custom events in this period.");
      return;
    }
    setState(card, "loading");
    try {
      const data = await getJson("stats/event-props", { ...statsParams(state), name: state.propsEvent, limit: 10 });
      keys = data.props.map((p) => p.key);
      if (version !== state.version) return;
      const key = state.propsKey && keys.includes(state.propsKey) ? state.propsKey : state.propsKey || keys[0] || "";
      options(keySelect, key && !keys.includes(key) ? [key, ...keys] : keys, key, "No prop keys");
      if (!key) {
        table.hidden = true;
        setState(card, "empty", "No props for this event in this period.");
        return;
      }
      const { rows } = await query(state, {
        metrics: ["events", "visitors"],
        dimensions: [`event:props:${key}`],
        filters: [["is", "event:name", [state.propsEvent]]],
        limit: 10,
      });
      if (version !== state.version) return;
      body.replaceChildren(...rows.map((r) => el("tr", {},
        el("td", { title: r.dimensions[0] },
          el("button", { type: "button", class: "row-link", title: `Filter by ${key}: ${r.dimensions[0]}`, onclick: () => onFilter({ dimension: `props:${key}`, value: r.dimensions[0] }) }, r.dimensions[0])),
        r.metrics.map((v) => el("td", { class: "num" }, formatNumber(v))))));
      table.hidden = rows.length === 0;
      if (rows.length === 0) setState(card, "empty", "No values of this prop in this period.");
      else setState(card, "ready");
    } catch (e) {
      if (version !== state.version) return;
      body.replaceChildren();
      table.hidden = true;
      setState(card, "error", e.message);
    }
  }

  return {
    load,
    /** The custom events of the view (from the events breakdown), offered in the event picker. */
    setEvents(names) {
      events = names;
      if (current) {
        const all = current.propsEvent && !events.includes(current.propsEvent) ? [current.propsEvent, ...events] : events;
        options(eventSelect, ["", ...all], current.propsEvent, "Pick an event…");
        if (!current.propsEvent) setState(card, "empty", events.length ? "Pick a custom event to see its props." : "No custom events in this period.");
      }
    },
  };
}
