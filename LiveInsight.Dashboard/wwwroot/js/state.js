// The whole view lives in the URL so it can be shared, reloaded and stepped through with Back:
// ?site=…&range=…&from=…&to=…&f=page:/pricing&f=source:Google&compare=previous_period&props_event=Signup&props_key=plan
//   &funnel=f_…&cohort=month
// Each f= is one filter "is" on a dimension; several are combined with "and". The single filter=dimension:value of
// earlier links is still read.

/** The dimensions a filter may name: the URL's short name → the Stats API v2 dimension and the chip's label. */
export const DIMENSIONS = {
  page: { query: "event:page", label: "Page" },
  entry_page: { query: "visit:entry_page", label: "Entry page" },
  exit_page: { query: "visit:exit_page", label: "Exit page" },
  source: { query: "visit:source", label: "Source" },
  referrer: { query: "visit:referrer", label: "Referrer" },
  utm_source: { query: "visit:utm_source", label: "UTM source" },
  utm_medium: { query: "visit:utm_medium", label: "UTM medium" },
  utm_campaign: { query: "visit:utm_campaign", label: "UTM campaign" },
  utm_content: { query: "visit:utm_content", label: "UTM content" },
  utm_term: { query: "visit:utm_term", label: "UTM term" },
  country: { query: "visit:country", label: "Country" },
  device: { query: "visit:device", label: "Device" },
  browser: { query: "visit:browser", label: "Browser" },
  os: { query: "visit:os", label: "OS" },
  event: { query: "event:name", label: "Event" },
  goal: { query: "event:goal", label: "Goal" },
};
const PROPS = "props:";

/** At most this many filters (the Api allows 50 nodes; a bar of 10 chips is already more than anyone reads). */
export const MAX_FILTERS = 10;
/** A filter value longer than the Api accepts (2,000 characters per clause) is not read from a URL. */
const MAX_VALUE = 2000;
const MAX_PROP_KEY = 300;
const RANGES = ["today", "7d", "30d", "month", "custom"];
export const COMPARISONS = ["previous_period", "year_over_year"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A funnel id as the Api makes them (f_ and 8 letters or digits); anything else in the URL is ignored. */
const FUNNEL_ID = /^f_[A-Za-z0-9]{8}$/;
export const COHORT_PERIODS = ["day", "week", "month"];

/** The Stats API v2 dimension of a filter's dimension name (page, source…, props:<key>), or null if unknown. */
export function queryDimension(dimension) {
  if (dimension.startsWith(PROPS)) {
    const key = dimension.slice(PROPS.length);
    return key.length > 0 && key.length <= MAX_PROP_KEY ? `event:props:${key}` : null;
  }
  return Object.hasOwn(DIMENSIONS, dimension) ? DIMENSIONS[dimension].query : null;
}

/** The chip's label of a dimension. */
export function dimensionLabel(dimension) {
  return dimension.startsWith(PROPS) ? `Prop ${dimension.slice(PROPS.length)}` : DIMENSIONS[dimension]?.label ?? dimension;
}

function parseFilter(text) {
  const at = text.indexOf(":", text.startsWith(PROPS) ? PROPS.length : 0);
  if (at <= 0) return null;
  const dimension = text.slice(0, at);
  const value = text.slice(at + 1);
  return queryDimension(dimension) && value.length > 0 && value.length <= MAX_VALUE ? { dimension, value } : null;
}

export function readState() {
  const q = new URLSearchParams(location.search);
  const range = RANGES.includes(q.get("range")) ? q.get("range") : "30d";
  const filters = [];
  for (const text of [...q.getAll("filter"), ...q.getAll("f")]) {
    const filter = parseFilter(text);
    if (filter && filters.length < MAX_FILTERS && !filters.some((f) => sameFilter(f, filter))) filters.push(filter);
  }
  return {
    site: q.get("site") || "",
    range,
    from: DATE.test(q.get("from") || "") ? q.get("from") : "",
    to: DATE.test(q.get("to") || "") ? q.get("to") : "",
    filters,
    compare: COMPARISONS.includes(q.get("compare")) ? q.get("compare") : "",
    // The props panel's event and key (visitor-supplied names, capped like filter values).
    propsEvent: (q.get("props_event") || "").slice(0, MAX_PROP_KEY),
    propsKey: (q.get("props_key") || "").slice(0, MAX_PROP_KEY),
    // The funnel picked in the Funnels card and the Retention card's period ("" = the first funnel, weeks).
    funnel: FUNNEL_ID.test(q.get("funnel") || "") ? q.get("funnel") : "",
    cohort: COHORT_PERIODS.includes(q.get("cohort")) ? q.get("cohort") : "",
    version: 0, // bumped on every change: a widget drops an answer that arrives for an older view
  };
}

export const sameFilter = (a, b) => a.dimension === b.dimension && a.value === b.value;

export function stateUrl(state) {
  const q = new URLSearchParams();
  if (state.site) q.set("site", state.site);
  q.set("range", state.range);
  if (state.range === "custom") {
    q.set("from", state.from);
    q.set("to", state.to);
  }
  for (const f of state.filters) q.append("f", `${f.dimension}:${f.value}`);
  if (state.compare) q.set("compare", state.compare);
  if (state.propsEvent) q.set("props_event", state.propsEvent);
  if (state.propsEvent && state.propsKey) q.set("props_key", state.propsKey);
  if (state.funnel) q.set("funnel", state.funnel);
  if (state.cohort) q.set("cohort", state.cohort);
  return `${location.pathname}?${q}`;
}

/** Writes the view to the URL: a new history entry when it changed (so Back returns to the previous view). */
export function writeState(state, { replace = false } = {}) {
  const url = stateUrl(state);
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
}

/** Query parameters for the stats endpoints (the rollups: no filters). */
export function statsParams(state) {
  const params = { site_id: state.site };
  if (state.range === "custom" && state.from && state.to) {
    params.from = state.from;
    params.to = state.to;
  } else {
    params.range = state.range === "custom" ? "30d" : state.range;
  }
  return params;
}
