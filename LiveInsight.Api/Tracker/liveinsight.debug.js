// The tracker's debug companion, served as is at GET /liveinsight.js?debug and loaded by the tracker (as a module)
// when its tag has `data-debug`. It logs to the console what the tracker sends, what the Api answered (with the drop
// reasons of X-LiveInsight-Dropped), and why the tracker sends nothing at all. It is outside the tracker's 2 KB
// budget because only someone setting up a site loads it.
const tag = document.querySelector('script[data-api-key][data-debug]') || document.querySelector('script[data-debug]');
const attr = (name) => tag && tag.getAttribute('data-' + name);
const flag = (name, otherwise) => (attr(name) == null ? otherwise : attr(name) != 'false');
const info = (...args) => console.info('[liveinsight]', ...args);
const warn = (...args) => console.warn('[liveinsight]', ...args);

const hints = {
  bot: 'the browser looks automated or headless (Playwright, Puppeteer, Cypress, HeadlessChrome): use a normal browser window',
  dnt: 'the browser asks not to be tracked and the site honours it (site setting honor_dnt)',
  excluded_ip: "this address is in the site's excluded IPs",
  foreign_host: "the page's host is not one of the site's domains: add it in the site's settings",
  excluded_path: "this path is in the site's excluded paths",
  stale_timestamp: 'the event is more than 24 hours old',
  duplicate: 'the Api already has this event id (a resend)',
  invalid_url: 'the page URL could not be read',
  invalid_event: 'the event has a bad id or a custom event has no name',
  unknown_event_type: 'the event type is not one the Api knows',
};

const endpoint = tag && (attr('endpoint') || new URL(tag.src).origin + '/api/events');
const local = /^(localhost|127\.|\[::1\]$)|\.localhost$/.test(location.hostname) || location.protocol == 'file:';
const dnt = navigator.doNotTrack == '1' || navigator.globalPrivacyControl;
if (!tag || !attr('api-key')) warn('not sending: the script tag has no data-api-key');
else if (dnt && flag('dnt', true)) warn('not sending: Do-Not-Track or Global Privacy Control is on in this browser (data-dnt="false" ignores it here)');
else if (local && !flag('allow-localhost', false)) warn('not sending: this page is on localhost, 127.* or file: (add data-allow-localhost to the script tag)');
else info(`sending to ${endpoint} with key ${attr('api-key')}`);
if (navigator.webdriver || /Headless/.test(navigator.userAgent)) {
  warn(`this browser is automated or headless: the Api will drop its events as "bot" (${hints.bot})`);
}

const describe = (body) => {
  try {
    return JSON.parse(body).events.map((e) => e.event_type + (e.name ? ` "${e.name}"` : '') + ' ' + e.page_url);
  } catch (e) {
    return [];
  }
};

const explain = (header) => header.split(',').map((part) => {
  const reason = part.trim().split('=')[0];
  return `${part.trim()} (${hints[reason] || 'see the README'})`;
}).join('; ');

const originalFetch = window.fetch;
window.fetch = function (input, init) {
  const result = originalFetch.apply(this, arguments);
  if ((typeof input == 'string' ? input : input.url) == endpoint) {
    const events = describe(init && init.body);
    info(`sent ${events.length} event(s):`, events);
    result.then((response) => {
      const dropped = response.headers.get('X-LiveInsight-Dropped');
      if (response.status == 202) {
        if (dropped) warn(`the Api dropped: ${explain(dropped)}`);
        else info('accepted (202): every event was kept');
      } else {
        response.clone().json()
          .then((problem) => warn(`refused (${response.status}): ${problem.title}: ${problem.detail}`))
          .catch(() => warn(`refused (${response.status})`));
      }
    }, (error) => warn('network error; the tracker keeps the events and retries', error));
  }
  return result;
};

if (navigator.sendBeacon) {
  const originalBeacon = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = (url, body) => {
    if (url == endpoint) info('sent by beacon as the page is hidden or left (its answer cannot be read):', describe(body));
    return originalBeacon(url, body);
  };
}
