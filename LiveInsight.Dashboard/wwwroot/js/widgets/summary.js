import { csvButton } from "../csv.js";
import { ApiError, getJson } from "../api.js";
import { el, formatChange, formatDuration, formatNumber, formatPercent, setState } from "../dom.js";
import { filtered, query } from "../query.js";
import { statsParams } from "../state.js";

// For bounce rate and duration, lower is not always worse, but a rise in bounce rate is: colour follows "better".
// `query` is the Stats API v2 metric a card shows when the view is filtered (and how its value converts); time on page
// is not answered by /api/v2/query yet, so a filtered view shows "–" there.
const METRICS = [
  { key: "visitors", label: "Visitors", format: formatNumber, higherIsBetter: true, query: "visitors" },
  { key: "pageviews", label: "Pageviews", format: formatNumber, higherIsBetter: true, query: "pageviews" },
  { key: "sessions", label: "Visits", format: formatNumber, higherIsBetter: true, query: "visits" },
  { key: "views_per_visit", label: "Views per visit", format: (v) => (v === null ? "–" : String(v)), higherIsBetter: true, query: "views_per_visit" },
  { key: "bounce_rate", label: "Bounce rate", format: formatPercent, higherIsBetter: false, query: "bounce_rate", convert: (percent) => percent / 100 },
  { key: "avg_duration_seconds", label: "Visit duration", format: formatDuration, higherIsBetter: true, query: "visit_duration" },
  { key: "time_on_page_seconds", label: "Time on page", format: formatDuration, higherIsBetter: true },
];
const QUERY_METRICS = METRICS.filter((m) => m.query).map((m) => m.query);

/**
 * The filtered view's totals from /api/v2/query, in the shape /api/stats/summary answers. With a comparison mode the
 * change is against the compared period (Plausible's `comparison.change`, in percent); if the Api cannot compare, the
 * cards show the period alone (the main chart says why).
 */
async function filteredSummary(state) {
  let answer;
  try {
    answer = await query(state, { metrics: QUERY_METRICS, comparison: state.compare || undefined });
  } catch (e) {
    if (!state.compare || !(e instanceof ApiError) || e.status !== 400) throw e;
    answer = await query(state, { metrics: QUERY_METRICS });
  }
  const row = answer.rows[0];
  const values = row?.metrics ?? [];
  const convert = (m, v) => (v === undefined || v === null ? null : m.convert ? m.convert(v) : v);
  return Object.fromEntries(METRICS.map((m) => {
    const at = QUERY_METRICS.indexOf(m.query);
    if (at < 0) return [m.key, { value: null, change: null, previous: null }];
    const change = row?.comparison?.change?.[at];
    return [m.key, {
      value: convert(m, values[at]),
      change: typeof change === "number" ? change / 100 : null,
      previous: convert(m, row?.comparison?.metrics?.[at]),
    }];
  }));
}

/** Summary cards with the change against the previous period of the same length. */
export function summaryWidget(container) {
  const cards = METRICS.map((m) => {
    const value = el("span", { "data-value": true }, "–");
    const change = el("span", { class: "text-xs", "data-change": true });
    const card = el("div", { class: "card", "data-metric": m.key },
      el("h2", { class: "card-title" }, m.label),
      el("p", { class: "text-2xl font-bold tabular-nums" }, value),
      el("p", { class: "mt-1 min-h-4" }, change),
      el("p", { class: "state", "data-state": true, hidden: true }));
    container.append(card);
    return { m, card, value, change };
  });
  const totals = container.closest("section") ?? container;
  container.append(el("div", { class: "flex items-end" }, csvButton(totals, "totals", "Totals")));

  return {
    async load(state) {
      cards.forEach((c) => c.card.dataset.status !== "ready" && setState(c.card, "loading"));
      try {
        const version = state.version;
        const summary = filtered(state) ? await filteredSummary(state) : await getJson("stats/summary", statsParams(state));
        if (version !== state.version) return; // the view changed meanwhile: its own load shows it
        for (const { m, card, value, change } of cards) {
          const metric = summary[m.key];
          value.textContent = m.format(metric.value);
          change.textContent = formatChange(metric.change);
          const better = metric.change === null ? null : (metric.change > 0) === m.higherIsBetter;
          change.className = `text-xs ${better === null || metric.change === 0 ? "text-slate-600 dark:text-slate-400" : better ? "text-green-700 dark:text-green-400" : "text-red-700 dark:text-red-400"}`;
          change.title = metric.previous === null ? "" : `Previous period: ${m.format(metric.previous)}`;
          setState(card, "ready");
        }
      } catch (e) {
        cards.forEach(({ card, value }) => {
          value.textContent = "–";
          setState(card, "error", e.message);
        });
      }
    },
  };
}
