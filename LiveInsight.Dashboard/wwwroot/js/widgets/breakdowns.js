import { getJson } from "../api.js";
import { statsParams } from "../state.js";
import { eventPropsWidget, PAGE_COLUMNS, pageRows } from "./engagement.js";
import { tableWidget } from "./table.js";

// Breakdowns are not filtered (the Api keeps rollups per single dimension): they always show all traffic.
// Rows of session dimensions show unique visitors and visits (sessions), ranked by the Api by visitors, then visits.
const VISITS = { columns: ["Visitors", "Visits"], metrics: ["visitors", "sessions"] };
const REPORTS = [
  { id: "pages", path: "stats/pages", title: "Top pages", label: "Page", columns: PAGE_COLUMNS, filter: "page", rows: pageRows },
  { id: "sources", path: "stats/sources", title: "Sources", label: "Source", ...VISITS, filter: "source" },
  { id: "campaigns", path: "stats/campaigns", title: "UTM campaigns", label: "Campaign", ...VISITS },
  { id: "entry-pages", path: "stats/entry-pages", title: "Entry pages", label: "Page", columns: ["Entries"], filter: "page", metric: "entries" },
  { id: "exit-pages", path: "stats/exit-pages", title: "Exit pages", label: "Page", columns: ["Exits"], filter: "page", metric: "exits" },
  { id: "countries", path: "stats/countries", title: "Countries", label: "Country", ...VISITS, filter: "country" },
  { id: "devices", path: "stats/devices", title: "Devices", label: "Device", ...VISITS, filter: "device" },
  { id: "browsers", path: "stats/browsers", title: "Browsers", label: "Browser", ...VISITS },
  { id: "os", path: "stats/os", title: "Operating systems", label: "OS", ...VISITS },
  { id: "events", path: "stats/events", title: "Custom events", label: "Event", columns: ["Count", "Visitors"], metrics: ["events", "visitors"], props: true },
];

export function breakdownWidgets(container, onFilter) {
  let current;
  const eventProps = eventPropsWidget(container);
  const pick = (report) =>
    report.props ? (name) => eventProps.show(name, current) : report.filter ? (value) => onFilter({ dimension: report.filter, value }) : null;
  const widgets = REPORTS.map((report) => ({
    report,
    table: tableWidget(container, {
      id: report.id,
      title: report.title,
      labelHeader: report.label,
      columns: report.columns,
      onPick: pick(report),
      pickHint: report.props ? "Show the props of" : "Filter by",
    }),
  }));

  return {
    async load(state) {
      current = state;
      eventProps.load(state);
      await Promise.all(widgets.map(async ({ report, table }) => {
        table.loading();
        try {
          const data = await getJson(report.path, { ...statsParams(state), limit: 10 });
          const rows = report.rows ? report.rows(data) : data.rows.map((r) => ({ label: r.value, values: (report.metrics ?? [report.metric]).map((m) => r[m]) }));
          table.render(rows);
        } catch (e) {
          table.error(e.message);
        }
      }));
    },
  };
}
