import { getJson } from "../api.js";
import { $, setState } from "../dom.js";
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
    async show(load) {
      if (card.dataset.status !== "ready") setState(card, "loading");
      try {
        const { labels, datasets, empty } = datasetsOf(await load());
        await draw(labels, datasets);
        setState(card, empty ? "empty" : "ready", empty ? "No visits in this period." : "");
      } catch (e) {
        setState(card, "error", e.message);
      }
    },
  };
}

const shortTime = (time) => (time.length > 10 ? time.slice(11, 16) : time.slice(5));

export function timeseriesWidget() {
  const widget = chartWidget("timeseries-chart", "line", (data) => ({
    labels: data.points.map((p) => shortTime(p.time)),
    datasets: [
      { label: "Visitors", data: data.points.map((p) => p.visitors ?? 0), borderColor: "#4f46e5", backgroundColor: "#4f46e5", tension: 0.25 },
      { label: "Pageviews", data: data.points.map((p) => p.pageviews), borderColor: "#0d9488", backgroundColor: "#0d9488", tension: 0.25 },
    ],
    empty: data.points.every((p) => !p.pageviews),
  }));
  return { load: (state) => widget.show(() => getJson("stats/timeseries", statsParams(state, { withFilter: true }))) };
}

export function dailyWidget() {
  const widget = chartWidget("daily-chart", "bar", (data) => ({
    labels: data.days.map((d) => d.date.slice(5)),
    datasets: [{ label: "Visitors", data: data.days.map((d) => d.visitors ?? 0), backgroundColor: "#6366f1" }],
    empty: data.days.every((d) => !d.visitors && !d.pageviews),
  }));
  return { load: (state) => widget.show(() => getJson("stats/daily", statsParams(state, { withFilter: true }))) };
}
