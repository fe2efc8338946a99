import { getJson } from "../api.js";
import { filtered, query } from "../query.js";
import { queryDimension, statsParams } from "../state.js";
import { PAGE_COLUMNS, pageRows } from "./engagement.js";
import { tableWidget } from "./table.js";

// With no filter, each breakdown answers from its rollup endpoint (/api/stats/<report>); with filters, from
// /api/v2/query on the report's dimension (`filter` is the filter's dimension name, see state.js DIMENSIONS) with the
// metrics in `queryMetrics`. Clicking a row adds the filter "<dimension> is <row>" to the view.
// Rows of session dimensions show unique visitors and visits (sessions), ranked by visitors, then visits.
const VISITS = { columns: ["Visitors", "Visits"], metrics: ["visitors", "sessions"], queryMetrics: ["visitors", "visits"] };
const REPORTS = [
  // Time on page and scroll depth are not answered by /api/v2/query yet: "–" while filtered.
  { id: "pages", path: "stats/pages", title: "Top pages", label: "Page", columns: PAGE_COLUMNS, filter: "page", rows: pageRows, queryMetrics: ["visitors", "pageviews"], queryPad: ["–", "–"] },
  { id: "sources", path: "stats/sources", title: "Sources", label: "Source", ...VISITS, filter: "source" },
  { id: "campaigns", path: "stats/campaigns", title: "UTM campaigns", label: "Campaign", ...VISITS, filter: "utm_campaign" },
  { id: "entry-pages", path: "stats/entry-pages", title: "Entry pages", label: "Page", columns: ["Entries"], filter: "entry_page", metric: "entries", queryMetrics: ["visits"] },
  { id: "exit-pages", path: "stats/exit-pages", title: "Exit pages", label: "Page", columns: ["Exits"], filter: "exit_page", metric: "exits", queryMetrics: ["visits"] },
  { id: "countries", path: "stats/countries", title: "Countries", label: "Country", ...VISITS, filter: "country" },
  { id: "devices", path: "stats/devices", title: "Devices", label: "Device", ...VISITS, filter: "device" },
  { id: "browsers", path: "stats/browsers", title: "Browsers", label: "Browser", ...VISITS, filter: "browser" },
  { id: "os", path: "stats/os", title: "Operating systems", label: "OS", ...VISITS, filter: "os" },
  // Page views are events named "pageview" in the lake: the custom events list leaves them out.
  { id: "events", path: "stats/events", title: "Custom events", label: "Event", columns: ["Count", "Visitors"], metrics: ["events", "visitors"], filter: "event", queryMetrics: ["events", "visitors"], queryFilters: [["is_not", "event:name", ["pageview"]]] },
];

export const LIMIT = 10;

/** The report's rows for a filtered view, from /api/v2/query. */
async function queryRows(report, state) {
  const { rows } = await query(state, {
    metrics: report.queryMetrics,
    dimensions: [queryDimension(report.filter)],
    filters: report.queryFilters ?? [],
    limit: LIMIT,
  });
  return rows.map((r) => ({ label: r.dimensions[0], values: [...r.metrics, ...(report.queryPad ?? [])] }));
}

async function rollupRows(report, state) {
  const data = await getJson(report.path, { ...statsParams(state), limit: LIMIT });
  return report.rows ? report.rows(data) : data.rows.map((r) => ({ label: r.value, values: (report.metrics ?? [report.metric]).map((m) => r[m]) }));
}

/**
 * @param onFilter called with {dimension, value} when a row is picked.
 * @param onEvents called with the custom events' names each time the list loads (the props panel offers them).
 */
export function breakdownWidgets(container, onFilter, onEvents = () => {}) {
  const widgets = REPORTS.map((report) => ({
    report,
    table: tableWidget(container, {
      id: report.id,
      title: report.title,
      labelHeader: report.label,
      columns: report.columns,
      onPick: (value) => onFilter({ dimension: report.filter, value }),
      pickHint: "Filter by",
    }),
  }));

  return {
    async load(state) {
      const version = state.version;
      await Promise.all(widgets.map(async ({ report, table }) => {
        table.loading();
        try {
          const rows = filtered(state) ? await queryRows(report, state) : await rollupRows(report, state);
          if (version !== state.version) return; // the view changed meanwhile
          table.render(rows);
          if (report.id === "events") onEvents(rows.map((r) => r.label));
        } catch (e) {
          if (version === state.version) table.error(e.message);
        }
      }));
    },
  };
}
