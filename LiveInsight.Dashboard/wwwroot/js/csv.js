// CSV downloads of what a widget shows (issue 23): built in the browser from the widget as it is on screen (a table's
// cells, a chart's series, the totals' cards), so the file holds exactly what the person sees. Cells are visitor text
// (paths, event names, referrers): one starting with = + - @ (or a tab or carriage return) is prefixed with ' so a
// spreadsheet shows it as text instead of running it as a formula.
import { el } from "./dom.js";

export function csvCell(value) {
  let text = value === null || value === undefined ? "" : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const toCsv = (rows) => rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";

// "1,234" on screen is the number 1234 in the file; anything else (a duration, "55.5%", "–") stays as shown.
const plain = (text) => (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text) ? text.replaceAll(",", "") : text);
const cellText = (cell) => plain((cell.getAttribute("title") ?? cell.textContent).trim());

/** The rows a widget shows now: header first. */
export function rowsOf(widget) {
  const canvas = widget.querySelector("canvas[data-series]");
  if (canvas) {
    const series = JSON.parse(canvas.dataset.series);
    return [[canvas.dataset.axis ?? "Period", ...series.datasets.map((d) => d.label)],
      ...series.labels.map((label, i) => [label, ...series.datasets.map((d) => d.data[i] ?? "")])];
  }
  const table = widget.querySelector("table");
  if (table) {
    const header = [...table.tHead.rows[0].cells].map((cell) => cell.textContent.trim());
    return table.hidden ? [header] : [header, ...[...table.tBodies[0].rows].map((row) => [...row.cells].map(cellText))];
  }
  const cards = widget.querySelectorAll("[data-metric], [data-widget=realtime-users]");
  return [["Metric", "Value", "Change"], ...[...cards].map((card) => [
    card.querySelector(".card-title").textContent.trim(),
    plain((card.querySelector("[data-value], #current-visitors")?.textContent ?? "").trim()),
    (card.querySelector("[data-change]")?.textContent ?? "").trim(),
  ])];
}

export function download(name, rows) {
  const url = URL.createObjectURL(new Blob([toCsv(rows)], { type: "text/csv;charset=utf-8" }));
  const link = el("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A "CSV" button for a widget; the file is named after the site, the widget and the range in the URL. */
export function csvButton(widget, id, title) {
  return el("button", {
    type: "button", class: "btn mt-2 text-xs", "data-csv": id, "aria-label": `Download ${title} as CSV`,
    onclick: () => {
      const params = new URLSearchParams(location.search);
      const name = [params.get("site"), id, params.get("range")].filter(Boolean).join("-").replace(/[^\w.-]+/g, "_");
      download(`${name}.csv`, rowsOf(widget));
    },
  }, "CSV");
}
