import { apiUrl, getJson } from "../api.js";
import { $, formatNumber } from "../dom.js";
import { tableWidget } from "./table.js";

const USERS_POLL_MS = 3000;
const PAGES_POLL_MS = 5000;
const STREAM_RETRY_MS = 30000;

/**
 * Current visitors and realtime pages, pushed by the Api's SSE stream (through the proxy). If the stream fails the
 * widget polls instead (users every 3 s, pages every 5 s) and tries the stream again every 30 s.
 */
export function realtimeWidget(container) {
  const counter = $("#current-visitors");
  const status = $("#live-status");
  const pages = tableWidget(container, { id: "realtime-pages", title: "Active pages (last 5 min)", labelHeader: "Page", columns: ["Visitors"] });
  let siteId = "";
  let source = null;
  let timers = [];

  const showUsers = (users) => {
    counter.textContent = formatNumber(users.active_users);
    counter.dataset.value = String(users.active_users);
  };
  const showPages = (data) =>
    pages.render(data.pages.map((p) => ({ label: p.path, values: [p.active_users] })), "Nobody is on the site right now.");

  function stopPolling() {
    timers.forEach(clearInterval);
    timers = [];
  }

  async function pollUsers() {
    try {
      showUsers(await getJson("realtime/users", { site_id: siteId }));
    } catch (e) {
      status.textContent = `Error: ${e.message}`;
    }
  }

  async function pollPages() {
    try {
      showPages(await getJson("realtime/pages", { site_id: siteId }));
    } catch (e) {
      pages.error(e.message);
    }
  }

  function startPolling() {
    if (timers.length) return;
    status.textContent = "Live (polling every 3 s)";
    status.dataset.mode = "polling";
    pollUsers();
    pollPages();
    timers = [setInterval(pollUsers, USERS_POLL_MS), setInterval(pollPages, PAGES_POLL_MS), setInterval(openStream, STREAM_RETRY_MS)];
  }

  function openStream() {
    if (source || !siteId || typeof EventSource === "undefined") return;
    const stream = new EventSource(apiUrl("realtime/stream", { site_id: siteId }));
    source = stream;
    stream.addEventListener("realtime", (event) => {
      const snapshot = JSON.parse(event.data);
      stopPolling();
      status.textContent = "Live (push)";
      status.dataset.mode = "push";
      showUsers(snapshot.users);
      showPages(snapshot.pages);
    });
    stream.onerror = () => {
      stream.close();
      if (source === stream) source = null;
      startPolling();
    };
  }

  return {
    show(site) {
      if (site === siteId) return;
      source?.close();
      source = null;
      stopPolling();
      siteId = site;
      counter.textContent = "–";
      status.textContent = "connecting…";
      pages.loading();
      openStream();
      if (!source) startPolling();
    },
  };
}
