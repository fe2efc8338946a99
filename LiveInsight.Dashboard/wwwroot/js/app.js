import { accountPanel } from "./account.js";
import { alertsPanel } from "./alerts.js";
import { getJson, logout, logoutEverywhere, session, setCsrfToken } from "./api.js";
import { $, el } from "./dom.js";
import { membersPanel } from "./members.js";
import { shareToken, startShared } from "./share.js";
import { canManage, sitesPanel } from "./sites.js";
import { dimensionLabel, MAX_FILTERS, readState, sameFilter, writeState } from "./state.js";
import { breakdownWidgets } from "./widgets/breakdowns.js";
import { cohortsWidget } from "./widgets/cohorts.js";
import { dailyWidget, timeseriesWidget } from "./widgets/charts.js";
import { propsPanel } from "./widgets/engagement.js";
import { funnelsWidget } from "./widgets/funnels.js";
import { goalsWidget } from "./widgets/goals.js";
import { realtimeWidget } from "./widgets/realtime.js";
import { summaryWidget } from "./widgets/summary.js";

const STATS_REFRESH_MS = 30000;
const state = readState();
let sites = []; // the user's sites, each with their role
let members = null;
let alerts = null;

const realtime = realtimeWidget($("#tables"));
const summary = summaryWidget($("#summary"));
const timeseries = timeseriesWidget();
const daily = dailyWidget();
/** Adds "dimension is value" to the view (once; the oldest filter goes beyond MAX_FILTERS). Picking a custom event
 * also opens its props in the props panel. */
function addFilter(filter) {
  if (!state.filters.some((f) => sameFilter(f, filter))) state.filters = [...state.filters, filter].slice(-MAX_FILTERS);
  if (filter.dimension === "event") {
    state.propsEvent = filter.value;
    state.propsKey = "";
  }
  changed();
}

let props = null;
const breakdowns = breakdownWidgets($("#tables"), addFilter, (names) => props?.setEvents(names));
const goals = goalsWidget($("#tables"), addFilter);
/** A pick inside one card (a funnel, the cohorts' period): kept in the URL as a history entry, without reloading the
 * other cards. */
function picked(change) {
  change();
  writeState(state);
}

// Funnels read through the proxy, or a share link's read-only forwarder (its site's funnels and their answers).
const funnels = funnelsWidget($("#tables"), (id) => picked(() => { state.funnel = id; }));
props = propsPanel($("#tables"), {
  onFilter: addFilter,
  onPick: ({ event, key }) => {
    state.propsEvent = event;
    state.propsKey = key;
    changed();
  },
});

// Retention cohorts (a shared view reads them through its link too), asked when the view changes, not every 30 s (a
// grid over the lake's whole history is the most expensive read the dashboard makes).
const cohorts = cohortsWidget($("#cohorts-slot"), (period) => picked(() => { state.cohort = period; }));

function showError(message) {
  const box = $("#global-error");
  box.hidden = !message;
  box.textContent = message || "";
}

async function loadStats() {
  if (!state.site) return;
  const version = state.version;
  await Promise.all([summary.load(state), timeseries.load(state), daily.load(state), breakdowns.load(state), goals.load(state), props.load(state), funnels.load(state)]);
  if (version !== state.version) return;
  if (!document.body.dataset.ready) performance.mark("li:ready"); // first load with every widget filled: bench/dashboard.mjs
  document.body.dataset.ready = "true";
}

function renderControls() {
  $("#range").value = state.range;
  $("#custom-range").hidden = state.range !== "custom";
  $("#from").value = state.from;
  $("#to").value = state.to;
  $("#site").value = state.site;
  $("#compare").value = state.compare;
  renderFilters();
}

/** The filter bar: one chip per filter ("Source is Google"), each with a remove button. Values are visitor text. */
function renderFilters() {
  $("#filter-bar").hidden = state.filters.length === 0;
  $("#filter-chips").replaceChildren(...state.filters.map((f) => {
    const label = `${dimensionLabel(f.dimension)} is ${f.value}`;
    return el("li", { class: "chip", "data-filter": f.dimension },
      el("span", { class: "max-w-[20rem] truncate", title: label }, label),
      el("button", { type: "button", class: "chip-remove", "aria-label": `Remove filter ${label}`, onclick: () => removeFilter(f) }, "×"));
  }));
}

function removeFilter(filter) {
  const at = state.filters.findIndex((f) => sameFilter(f, filter));
  state.filters = state.filters.filter((f) => !sameFilter(f, filter));
  changed();
  // Keyboard users keep their place: focus moves to the next chip's button, or to the range when none is left.
  const buttons = document.querySelectorAll("#filter-chips button");
  (buttons[Math.min(at, buttons.length - 1)] ?? $("#range")).focus();
}

/** Renders and loads the view; a user's change also becomes a history entry (Back returns to the view before). */
function changed({ fromHistory = false } = {}) {
  state.version++;
  writeState(state, { replace: fromHistory });
  renderControls();
  members?.show(sites.find((s) => s.site_id === state.site));
  alerts?.show(sites.find((s) => s.site_id === state.site));
  realtime.show(state.site);
  loadStats();
  if (state.site) cohorts.load(state);
}

async function loadSites(select) {
  ({ sites } = await getJson("sites"));
  $("#site").replaceChildren(...sites.map((s) => el("option", { value: s.site_id }, s.name)));
  if (select) state.site = select;
  if (!sites.some((s) => s.site_id === state.site)) state.site = sites[0]?.site_id ?? "";
  $("#no-sites").hidden = sites.length > 0;
  $("#dashboard").hidden = sites.length === 0;
  return sites;
}

function wireControls(me, panel) {
  $("#site").addEventListener("change", (e) => {
    state.site = e.target.value;
    state.filters = [];
    state.propsEvent = "";
    state.propsKey = "";
    state.funnel = ""; // another site's funnels
    changed();
  });
  $("#range").addEventListener("change", (e) => {
    state.range = e.target.value;
    renderControls();
    if (state.range !== "custom") changed();
  });
  $("#controls").addEventListener("submit", (e) => {
    e.preventDefault();
    state.from = $("#from").value;
    state.to = $("#to").value;
    if (state.from && state.to) changed();
  });
  $("#clear-filter").addEventListener("click", () => {
    state.filters = [];
    changed();
    $("#range").focus();
  });
  $("#compare").addEventListener("change", (e) => {
    state.compare = e.target.value;
    changed();
  });
  // Back and Forward restore the view of that history entry (filters, period, comparison).
  window.addEventListener("popstate", () => {
    const { site, version } = state;
    Object.assign(state, readState(), { version });
    if (shareToken || !state.site) state.site = site;
    changed({ fromHistory: true });
  });
  $("#logout").addEventListener("click", async () => {
    await logout().catch(() => {});
    location.assign("/login");
  });
  $("#logout-everywhere").addEventListener("click", async () => {
    await logoutEverywhere().catch(() => {});
    location.assign("/login");
  });
  $("#theme").addEventListener("click", () => {
    const dark = !document.documentElement.classList.contains("dark");
    document.documentElement.classList.toggle("dark", dark);
    try { localStorage.setItem("li_theme", dark ? "dark" : "light"); } catch { /* private mode */ }
    loadStats();
  });
  if (me.is_admin) $("#no-sites-admin").hidden = false;
  if (panel) {
    const button = $("#manage-sites");
    button.hidden = false;
    button.addEventListener("click", () => {
      const panelBox = $("#sites-panel");
      panelBox.hidden = !panelBox.hidden;
      button.setAttribute("aria-expanded", String(!panelBox.hidden));
      if (!panelBox.hidden) panel.refresh();
    });
  }
}

async function main() {
  const me = shareToken ? await startShared(state) : await session();
  setCsrfToken(me.csrf_token);
  $("#user").textContent = me.email;
  if (!shareToken) await loadSites();
  const panel = !shareToken && (me.is_admin || sites.some(canManage))
    ? sitesPanel($("#sites-body"), { apiUrl: me.api_url, canCreate: me.is_admin, onChanged: async (newSite) => { await loadSites(newSite); changed(); } })
    : null;
  if (!shareToken) alerts = alertsPanel($("#alerts-body"), $("#manage-alerts"));
  if (!shareToken) accountPanel($("#account-body"), $("#manage-account"), { sites: () => sites, singleSignOn: me.single_sign_on });
  if (!shareToken) members = membersPanel($("#members-body"), $("#manage-members"), { isAdmin: me.is_admin, singleSignOn: me.single_sign_on });
  wireControls(me, panel);
  changed({ fromHistory: true }); // the first view replaces the entry the page was opened with
  setInterval(() => document.hidden || loadStats(), STATS_REFRESH_MS);
}

main().catch((e) => showError(`The dashboard could not start: ${e.message}`));
