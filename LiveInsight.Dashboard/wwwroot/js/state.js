// The view lives in the URL (?site=…&range=…&from=…&to=…&filter=page:/pricing) so it can be shared and reloaded.
export const FILTERS = ["page", "source", "country", "device"];
const RANGES = ["today", "7d", "30d", "month", "custom"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function readState() {
  const q = new URLSearchParams(location.search);
  const range = RANGES.includes(q.get("range")) ? q.get("range") : "30d";
  const [dimension, ...rest] = (q.get("filter") || "").split(":");
  return {
    site: q.get("site") || "",
    range,
    from: DATE.test(q.get("from") || "") ? q.get("from") : "",
    to: DATE.test(q.get("to") || "") ? q.get("to") : "",
    filter: FILTERS.includes(dimension) && rest.length ? { dimension, value: rest.join(":") } : null,
  };
}

export function writeState(state) {
  const q = new URLSearchParams();
  if (state.site) q.set("site", state.site);
  q.set("range", state.range);
  if (state.range === "custom") {
    q.set("from", state.from);
    q.set("to", state.to);
  }
  if (state.filter) q.set("filter", `${state.filter.dimension}:${state.filter.value}`);
  history.replaceState(null, "", `${location.pathname}?${q}`);
}

/** Query parameters for the stats endpoints. */
export function statsParams(state, { withFilter = false } = {}) {
  const params = { site_id: state.site };
  if (state.range === "custom" && state.from && state.to) {
    params.from = state.from;
    params.to = state.to;
  } else {
    params.range = state.range === "custom" ? "30d" : state.range;
  }
  if (withFilter && state.filter) params[state.filter.dimension] = state.filter.value;
  return params;
}
