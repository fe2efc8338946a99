import { alertsPanel } from "./alerts.js";
import { getJson, logout, logoutEverywhere, session, setCsrfToken } from "./api.js";
import { $, el } from "./dom.js";
import { membersPanel } from "./members.js";
import { shareToken, startShared } from "./share.js";
import { canManage, sitesPanel } from "./sites.js";
import { readState, writeState } from "./state.js";
import { breakdownWidgets } from "./widgets/breakdowns.js";
import { dailyWidget, timeseriesWidget } from "./widgets/charts.js";
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
const breakdowns = breakdownWidgets($("#tables"), (filter) => {
  state.filter = filter;
  changed();
});

function showError(message) {
  const box = $("#global-error");
  box.hidden = !message;
  box.textContent = message || "";
}

async function loadStats() {
  if (!state.site) return;
  await Promise.all([summary.load(state), timeseries.load(state), daily.load(state), breakdowns.load(state)]);
  if (!document.body.dataset.ready) performance.mark("li:ready"); // first load with every widget filled: bench/dashboard.mjs
  document.body.dataset.ready = "true";
}

function renderControls() {
  $("#range").value = state.range;
  $("#custom-range").hidden = state.range !== "custom";
  $("#from").value = state.from;
  $("#to").value = state.to;
  $("#site").value = state.site;
  $("#filter-bar").hidden = !state.filter;
  $("#filter-label").textContent = state.filter ? `${state.filter.dimension}: ${state.filter.value}` : "";
}

function changed() {
  writeState(state);
  renderControls();
  members?.show(sites.find((s) => s.site_id === state.site));
  alerts?.show(sites.find((s) => s.site_id === state.site));
  realtime.show(state.site);
  loadStats();
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
    state.filter = null;
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
    state.filter = null;
    changed();
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
  if (!shareToken) members = membersPanel($("#members-body"), $("#manage-members"), { isAdmin: me.is_admin, singleSignOn: me.single_sign_on });
  wireControls(me, panel);
  changed();
  setInterval(() => document.hidden || loadStats(), STATS_REFRESH_MS);
}

main().catch((e) => showError(`The dashboard could not start: ${e.message}`));
