// Retention cohorts (issue 18): users first seen in each day, week or month of the view's range (identified with
// liveinsight.identify on a site with identify on), and the share of each cohort active in every later period, as a
// triangle grid of shaded percent cells. Asks POST /api/sites/{site}/cohorts/query with the view's range and filters.
import { ApiError, askJson } from "../api.js";
import { el, formatNumber, setState } from "../dom.js";
import { dateRange, queryFilters } from "../query.js";

const PERIODS = { day: "Day", week: "Week", month: "Month" };

/** onPeriod(period) is told when the reader picks another period; the view's state.cohort (in the URL) is the pick. */
export function cohortsWidget(container, onPeriod = () => {}) {
  const period = el("select", { id: "cohort-period", class: "control", "aria-label": "Cohort period" },
    Object.entries(PERIODS).map(([value, label]) => el("option", { value, selected: value === "week" }, `By ${label.toLowerCase()}`)));
  const grid = el("div", { class: "overflow-x-auto" });
  const card = el("section", { id: "cohorts", class: "card", "aria-labelledby": "cohorts-title", "data-status": "loading" },
    el("div", { class: "mb-2 flex flex-wrap items-center justify-between gap-2" },
      el("h2", { id: "cohorts-title", class: "card-title mb-0" }, "Retention cohorts"), period),
    el("p", { class: "state", "data-state": "" }, "Loading…"),
    grid);
  container.append(card);
  let last = null;
  period.addEventListener("change", () => {
    onPeriod(period.value);
    if (last) load(last);
  });

  async function load(state) {
    last = state;
    period.value = state.cohort || "week";
    const version = state.version;
    setState(card, "loading");
    try {
      const answer = await askJson(`sites/${encodeURIComponent(state.site)}/cohorts/query`, {
        date_range: dateRange(state), period: period.value, filters: queryFilters(state),
      });
      if (version !== state.version) return;
      render(answer);
      setState(card, answer.meta?.identified_users ? "ready" : "empty", "No identified users in this range.");
      if (!answer.meta?.identified_users) grid.replaceChildren();
    } catch (e) {
      if (version !== state.version) return;
      grid.replaceChildren();
      // 409: identify is off for the site; the Api's own words say what to do.
      setState(card, e instanceof ApiError && e.status === 409 ? "off" : "error", e.message);
    }
  }

  function render(answer) {
    const label = PERIODS[answer.period] ?? "Period";
    const width = answer.periods.length;
    const head = el("tr", {},
      el("th", { scope: "col", class: "px-2 py-1 text-left" }, "Cohort"),
      el("th", { scope: "col", class: "num px-2 py-1" }, "Users"),
      Array.from({ length: width }, (_, i) => el("th", { scope: "col", class: "num px-2 py-1" }, `${label} ${i}`)));
    const rows = answer.cohorts.map((c) => el("tr", { "data-cohort": c.cohort },
      el("th", { scope: "row", class: "px-2 py-1 text-left font-normal whitespace-nowrap" }, c.cohort),
      el("td", { class: "num px-2 py-1" }, formatNumber(c.size)),
      Array.from({ length: width }, (_, i) => cell(c, i))));
    grid.replaceChildren(el("table", { class: "cohort-grid text-sm" }, el("thead", {}, head), el("tbody", {}, rows)));
  }

  function cell(cohort, i) {
    if (i >= cohort.users.length) return el("td", { "aria-hidden": "true" });
    const percent = cohort.percent[i];
    const td = el("td", { class: "num px-2 py-1", "data-percent": percent, title: `${formatNumber(cohort.users[i])} of ${formatNumber(cohort.size)} users` },
      cohort.size ? `${percent}%` : "–");
    // Shading through the CSSOM (not a style attribute, which the CSP refuses): darker for a larger share.
    if (cohort.size) td.style.backgroundColor = `rgba(79, 70, 229, ${(0.08 + 0.72 * percent / 100).toFixed(2)})`;
    if (percent >= 55) td.style.color = "white";
    return td;
  }

  return { load };
}
