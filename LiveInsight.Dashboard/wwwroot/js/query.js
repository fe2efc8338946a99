// Stats API v2 queries (POST /api/v2/query, answered from the event lake) for the dashboard's current view.
// Widgets ask the rollups (/api/stats/*) while no filter is set and come here once one is: the lake answers any
// combination of filters, the rollups only all traffic.
import { queryJson } from "./api.js";
import { queryDimension } from "./state.js";

const RANGES = { today: "day", "7d": "7d", "30d": "30d", month: "month" };

/** True when the widgets must answer from /api/v2/query (one filter or more). */
export const filtered = (state) => state.filters.length > 0;

export function dateRange(state) {
  if (state.range === "custom" && state.from && state.to) return [state.from, state.to];
  return RANGES[state.range] ?? "30d";
}

/** The view's filters, each an "is" on its dimension; a list of filters is combined with "and" by the Api. */
export function queryFilters(state, extra = []) {
  return [...state.filters.map((f) => ["is", queryDimension(f.dimension), [f.value]]), ...extra];
}

/**
 * One query for the view: {metrics, dimensions?, filters? (added to the view's), order_by?, limit?, comparison?}.
 * Answers {rows: [{dimensions, metrics, comparison}], query} (Plausible's results, renamed).
 */
export async function query(state, { metrics, dimensions = [], filters = [], orderBy, limit, comparison, range }) {
  const body = { site_id: state.site, metrics, date_range: range ?? dateRange(state), dimensions, filters: queryFilters(state, filters) };
  if (orderBy) body.order_by = orderBy;
  if (limit) body.pagination = { limit };
  if (comparison) body.include = { comparisons: { mode: comparison } };
  const answer = await queryJson(body);
  return { rows: answer.results ?? [], query: answer.query ?? {}, meta: answer.meta ?? {} };
}

/** The time bucket the main chart uses: hours for one day, else days. */
export const timeDimension = (state) => (dateRange(state) === "day" || (state.range === "custom" && state.from === state.to) ? "time:hour" : "time:day");

/**
 * Every bucket of the answered period (the Api echoes it as two local date-times), so the chart has a point for
 * each hour or day, with or without events. Null when the echo is not two dates.
 */
export function buckets(answerQuery, dimension) {
  const range = answerQuery?.date_range;
  if (!Array.isArray(range) || range.length !== 2) return null;
  const first = String(range[0]).slice(0, 10);
  const last = String(range[1]).slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(first) || !/^\d{4}-\d{2}-\d{2}$/.test(last)) return null;
  const out = [];
  const day = new Date(`${first}T00:00:00Z`);
  const end = new Date(`${last}T00:00:00Z`);
  for (let n = 0; day <= end && n < 800; n++, day.setUTCDate(day.getUTCDate() + 1)) {
    const date = day.toISOString().slice(0, 10);
    if (dimension === "time:hour") for (let h = 0; h < 24; h++) out.push(`${date} ${String(h).padStart(2, "0")}:00:00`);
    else out.push(date);
  }
  return out;
}

/**
 * The days a comparison mode compares the answered period with, as a date_range of two dates: the same number of days
 * just before (previous_period) or the same dates a year before (year_over_year). Null when the answer has no dates.
 */
export function comparedRange(answerQuery, mode) {
  const range = answerQuery?.date_range;
  if (!Array.isArray(range) || range.length !== 2) return null;
  const first = new Date(`${String(range[0]).slice(0, 10)}T00:00:00Z`);
  const last = new Date(`${String(range[1]).slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(first.getTime()) || Number.isNaN(last.getTime())) return null;
  const iso = (d) => d.toISOString().slice(0, 10);
  if (mode === "year_over_year") {
    const shift = (d) => { const c = new Date(d); c.setUTCFullYear(c.getUTCFullYear() - 1); return c; };
    return [iso(shift(first)), iso(shift(last))];
  }
  const days = Math.round((last - first) / 86_400_000) + 1;
  const start = new Date(first); start.setUTCDate(start.getUTCDate() - days);
  const end = new Date(first); end.setUTCDate(end.getUTCDate() - 1);
  return [iso(start), iso(end)];
}

/** The label a comparison mode has on the chart and the summary. */
export const COMPARISON_LABELS = { previous_period: "previous period", year_over_year: "a year before" };
