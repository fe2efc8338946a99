// Site settings → "Installation check" (issue 23): the last events the Api received for the site and the last ones it
// dropped or refused, with the reason and what to do about it, refreshed every 3 s while open. Everything shown comes
// from visitors' requests and is set as text (el → textContent).
import { getJson } from "./api.js";
import { el } from "./dom.js";

const REFRESH_MS = 3000;
const LIVE_FOR_MS = 10 * 60 * 1000; // then it stops polling until opened again

const hints = {
  bot: "the browser looks automated or headless (Playwright, Puppeteer, Cypress, HeadlessChrome): use a normal browser window",
  dnt: "the visitor's browser asks not to be tracked and this site honours it",
  excluded_ip: "the address is in this site's excluded IP ranges",
  excluded_path: "the path is in this site's excluded paths",
  foreign_host: "the page's host is not one of this site's domains: add it above",
  origin_not_allowed: "the page's origin is not one of this site's domains: add it above",
  null_origin: "a sandboxed iframe or file: page; allow it with allow_null_origin",
  rate_limited: "the site's requests-a-minute limit was reached",
  stale_timestamp: "the event was more than 24 hours old",
  duplicate: "the Api already had this event (a resend)",
  invalid_url: "the page URL could not be read",
  invalid_event: "a bad event id, or a custom event without a name",
  unknown_event_type: "an event type the Api does not know",
};

const time = (at) => new Date(at).toLocaleTimeString();
const what = (e) => [e.type, e.name && `"${e.name}"`, e.host && `${e.host}${e.path ?? ""}`].filter(Boolean).join(" ");

export function installationControl(site) {
  const n = encodeURIComponent(site.site_id);
  const received = el("ul", { class: "space-y-1 text-sm", "aria-label": `Events received by ${site.name}` });
  const dropped = el("ul", { class: "space-y-1 text-sm", "aria-label": `Events dropped for ${site.name}` });
  const status = el("p", { class: "text-sm", "aria-live": "polite", "data-installation-status": "" });
  const start = el("button", { type: "button", class: "btn" }, "Check installation");
  let timer, until = 0;

  const line = (e, withReason) => el("li", { "data-reason": withReason ? e.reason : null },
    el("span", { class: "tabular-nums text-slate-500" }, time(e.at)), " ",
    withReason ? el("strong", {}, e.reason) : null, withReason ? " " : null,
    what(e),
    withReason && hints[e.reason] ? el("span", { class: "block text-slate-600 dark:text-slate-400" }, hints[e.reason]) : null,
    e.user_agent ? el("code", { class: "block break-all text-xs" }, e.user_agent) : null);

  async function refresh() {
    clearTimeout(timer);
    if (!start.isConnected || Date.now() > until) {
      status.textContent = start.isConnected ? "Stopped; check again to resume." : "";
      return;
    }
    try {
      const report = await getJson(`sites/${n}/installation`);
      received.replaceChildren(...(report.received.length === 0
        ? [el("li", { class: "text-slate-500" }, "Nothing received in the last day. Load a page with the script tag.")]
        : report.received.map((e) => line(e, false))));
      dropped.replaceChildren(...(report.dropped.length === 0
        ? [el("li", { class: "text-slate-500" }, "Nothing dropped.")]
        : report.dropped.map((e) => line(e, true))));
      status.textContent = `Live: refreshed at ${new Date().toLocaleTimeString()}.`;
    } catch (e) {
      status.textContent = `Not checked: ${e.message}`;
    }
    timer = setTimeout(refresh, REFRESH_MS);
  }

  start.addEventListener("click", () => {
    until = Date.now() + LIVE_FOR_MS;
    refresh();
  });
  return el("section", { class: "space-y-2 rounded-md border border-slate-200 p-3 dark:border-slate-700", "aria-label": `Installation check of ${site.name}` },
    el("h4", { class: "text-sm font-medium" }, "Installation check"),
    el("p", { class: "text-sm text-slate-600 dark:text-slate-400" },
      "What the Api received from this site's pages, and what it did not keep and why (the last 20 of each, kept a day). " +
      "Add data-debug to the script tag to see the same in the browser's console."),
    el("div", { class: "flex flex-wrap items-center gap-2" }, start), status,
    el("h5", { class: "text-sm font-medium" }, "Last events received"), received,
    el("h5", { class: "text-sm font-medium" }, "Last events dropped or refused"), dropped);
}
