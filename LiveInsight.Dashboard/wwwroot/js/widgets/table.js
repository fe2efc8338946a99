import { csvButton } from "../csv.js";
import { el, formatNumber, setState } from "../dom.js";

/**
 * A card with a table of rows: [{label, values: [numbers…]}]. With onPick, each label is a button that filters the
 * dashboard by it. Labels are visitor-supplied (paths, referrers, event names): they go in as text only.
 */
export function tableWidget(container, { id, title, labelHeader, columns, onPick, pickHint }) {
  const body = el("tbody");
  const table = el("table", { class: "data-table", "aria-labelledby": `${id}-title` },
    el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, labelHeader),
      columns.map((c) => el("th", { scope: "col", class: "num" }, c)))),
    body);
  const card = el("div", { class: "card", id, "data-widget": id },
    el("h2", { class: "card-title", id: `${id}-title` }, title),
    table,
    el("p", { class: "state", "data-state": true }, "Loading…"));
  card.append(csvButton(card, id, title));
  container.append(card);
  setState(card, "loading");

  return {
    card,
    loading() {
      if (card.dataset.status !== "ready") setState(card, "loading");
    },
    error(message) {
      body.replaceChildren();
      table.hidden = true;
      setState(card, "error", message);
    },
    render(rows, emptyMessage = "No data for this period.") {
      table.hidden = rows.length === 0;
      body.replaceChildren(...rows.map((row) => el("tr", {},
        el("td", { title: row.label },
          onPick
            ? el("button", { type: "button", class: "row-link", title: `${pickHint}: ${row.label}`, onclick: () => onPick(row.label) }, row.label)
            : el("span", { class: "cell-text" }, row.label)),
        row.values.map((v) => el("td", { class: "num" }, formatCell(v))))));
      if (rows.length === 0) setState(card, "empty", emptyMessage);
      else setState(card, "ready");
    },
  };
}

/** Numbers are formatted here; a widget may pass a value already formatted as text (a duration, a percentage). */
function formatCell(value) {
  return typeof value === "string" ? value : formatNumber(value);
}
