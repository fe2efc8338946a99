import { getJson } from "../api.js";
import { el, formatDuration, formatNumber, setState } from "../dom.js";
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
 * One custom event's props, opened from the custom events list: each key with its top values (events per value).
 * Keys and values are visitor-supplied: text nodes only.
 */
export function eventPropsWidget(container) {
  const title = el("h2", { class: "card-title", id: "event-props-title" }, "Event props");
  const list = el("div", { "data-props": true });
  const close = el("button", { type: "button", class: "row-link", onclick: () => hide() }, "Close");
  const card = el("div", { class: "card", id: "event-props", "data-widget": "event-props", hidden: true },
    el("div", { class: "flex items-center justify-between" }, title, close),
    list,
    el("p", { class: "state", "data-state": true }));
  container.append(card);
  let name = null;

  function hide() {
    name = null;
    card.hidden = true;
  }

  async function load(state) {
    if (name === null) return;
    const asked = name;
    setState(card, "loading");
    try {
      const data = await getJson("stats/event-props", { ...statsParams(state), name: asked, limit: 10 });
      if (asked !== name) return; // another event was opened meanwhile
      list.replaceChildren(...data.props.map((key) => el("table", { class: "data-table", "data-prop-key": true },
        el("caption", { class: "text-left font-semibold" }, key.key),
        el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Value"), el("th", { scope: "col", class: "num" }, "Events"))),
        el("tbody", {}, key.values.map((v) => el("tr", {},
          el("td", { title: v.value }, el("span", { class: "cell-text" }, v.value)),
          el("td", { class: "num" }, formatNumber(v.events))))))));
      if (data.props.length === 0) setState(card, "empty", "No props for this event in this period.");
      else setState(card, "ready");
    } catch (e) {
      list.replaceChildren();
      setState(card, "error", e.message);
    }
  }

  return {
    load,
    async show(eventName, state) {
      name = eventName;
      title.textContent = `Props of “${eventName}”`;
      card.hidden = false;
      await load(state);
      card.scrollIntoView({ block: "nearest" });
    },
  };
}
