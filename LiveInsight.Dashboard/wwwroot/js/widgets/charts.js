import { csvButton } from "../csv.js";
import { ApiError, getJson } from "../api.js";
import { $, setState } from "../dom.js";
import { buckets, comparedRange, COMPARISON_LABELS, filtered, query, timeDimension } from "../query.js";
import { statsParams } from "../state.js";

/** Chart.js is loaded by a deferred classic script (built from npm into /build): wait for it if needed. */
function chartLibrary() {
  return window.Chart
    ? Promise.resolve(window.Chart)
    : new Promise((resolve) => window.addEventListener("load", () => resolve(window.Chart), { once: true }));
}

function colors() {
  const dark = document.documentElement.classList.contains("dark");
  return { text: dark ? "#cbd5e1" : "#334155", grid: dark ? "rgba(148,163,184,0.2)" : "rgba(100,116,139,0.2)" };
}

function chartWidget(canvasId, type, datasetsOf) {
  const canvas = $(`#${canvasId}`);
  const card = canvas.closest("[data-widget]");
  canvas.dataset.axis = canvasId === "daily-chart" ? "Date" : "Time";
  card.append(csvButton(card, card.dataset.widget, card.querySelector(".card-title").textContent));
  let chart = null;

  async function draw(labels, datasets) {
    const Chart = await chartLibrary();
    const { text, grid } = colors();
    if (!chart) {
      chart = new Chart(canvas, {
        type,
        data: { labels, datasets },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: "index", intersect: false },
          plugins: { legend: { labels: { color: text } } },
          scales: {
            x: { ticks: { color: text, maxRotation: 0, autoSkip: true }, grid: { color: grid } },
            y: { beginAtZero: true, ticks: { color: text, precision: 0 }, grid: { color: grid } },
          },
        },
      });
    } else {
      chart.data.labels = labels;
      chart.data.datasets = datasets;
      chart.update();
    }
  }

  return {
    async show(load, state) {
      if (card.dataset.status !== "ready") setState(card, "loading");
      const version = state?.version;
      try {
        const data = await load();
        if (version !== state?.version) return; // the view changed meanwhile
        const { labels, datasets, empty } = datasetsOf(data);
        // What the chart shows, as data (a canvas has no text of its own): read by the browser tests.
        canvas.dataset.series = JSON.stringify({ labels, datasets: datasets.map((d) => ({ label: d.label, data: d.data })) });
        await draw(labels, datasets);
        setState(card, empty ? "empty" : "ready", empty ? "No visits in this period." : "");
      } catch (e) {
        if (version !== state?.version) return;
        setState(card, "error", e.message);
      }
    },
  };
}

const shortTime = (time) => (time.length > 10 ? time.slice(11, 16) : time.slice(5));

/**
 * The view's series from /api/v2/query as [{time, visitors, pageviews, previous?: {visitors, pageviews}}], one point per
 * bucket of the period. With a comparison mode, the same query runs over the compared days (comparedRange) and its
 * buckets are laid over the period's by position: the first day beside the first day, hour beside hour.
 */
async function querySeries(state, dimension, metrics, comparison) {
  const answer = await query(state, { metrics, dimensions: [dimension] });
  const byTime = new Map(answer.rows.map((r) => [r.dimensions[0], r]));
  const times = buckets(answer.query, dimension) ?? [...byTime.keys()];
  let previous = null;
  const range = comparison ? comparedRange(answer.query, comparison) : null;
  if (range) {
    const before = await query(state, { metrics, dimensions: [dimension], range });
    const beforeByTime = new Map(before.rows.map((r) => [r.dimensions[0], r]));
    previous = (buckets({ date_range: range }, dimension) ?? []).map((time) => beforeByTime.get(time));
  }
  return times.map((time, index) => {
    const row = byTime.get(time);
    const point = { time };
    metrics.forEach((m, i) => { point[m] = row?.metrics[i] ?? 0; });
    if (previous) {
      const earlier = previous[index];
      point.previous = Object.fromEntries(metrics.map((m, i) => [m, index < previous.length ? earlier?.metrics[i] ?? 0 : null]));
    }
    return point;
  });
}

export function timeseriesWidget() {
  const widget = chartWidget("timeseries-chart", "line", (data) => {
    const datasets = [
      { label: "Visitors", data: data.points.map((p) => p.visitors ?? 0), borderColor: "#4f46e5", backgroundColor: "#4f46e5", tension: 0.25 },
      { label: "Pageviews", data: data.points.map((p) => p.pageviews), borderColor: "#0d9488", backgroundColor: "#0d9488", tension: 0.25 },
    ];
    if (data.comparison) {
      const label = COMPARISON_LABELS[data.comparison];
      datasets.push(
        { label: `Visitors (${label})`, data: data.points.map((p) => p.previous?.visitors ?? null), borderColor: "#a5b4fc", backgroundColor: "#a5b4fc", borderDash: [6, 4], tension: 0.25 },
        { label: `Pageviews (${label})`, data: data.points.map((p) => p.previous?.pageviews ?? null), borderColor: "#5eead4", backgroundColor: "#5eead4", borderDash: [6, 4], tension: 0.25 });
    }
    return { labels: data.points.map((p) => shortTime(p.time)), datasets, empty: data.points.every((p) => !p.pageviews && !p.previous?.pageviews) };
  });
  const note = $("#compare-note");
  async function load(state) {
    note.hidden = true;
    if (!filtered(state) && !state.compare) return getJson("stats/timeseries", statsParams(state));
    const metrics = ["visitors", "pageviews"];
    if (!state.compare) return { points: await querySeries(state, timeDimension(state), metrics) };
    try {
      return { points: await querySeries(state, timeDimension(state), metrics, state.compare), comparison: state.compare };
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 400) throw e;
      // The compared period cannot be read: the chart still shows the period, and says why the overlay is missing.
      note.textContent = `No comparison: ${e.message}`;
      note.hidden = false;
      return { points: await querySeries(state, timeDimension(state), metrics) };
    }
  }
  return { load: (state) => widget.show(() => load(state), state) };
}

export function dailyWidget() {
  const widget = chartWidget("daily-chart", "bar", (data) => ({
    labels: data.days.map((d) => d.date.slice(5)),
    datasets: [{ label: "Visitors", data: data.days.map((d) => d.visitors ?? 0), backgroundColor: "#6366f1" }],
    empty: data.days.every((d) => !d.visitors && !d.pageviews),
  }));
  return {
    load: (state) => widget.show(async () => filtered(state)
      ? { days: (await querySeries(state, "time:day", ["visitors", "pageviews"])).map((p) => ({ date: p.time, visitors: p.visitors, pageviews: p.pageviews })) }
      : getJson("stats/daily", statsParams(state)), state),
  };
}
