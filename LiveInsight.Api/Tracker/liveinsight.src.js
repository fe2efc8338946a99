// LiveInsight tracker, readable source. `npm`'s esbuild minifies it at build time (build.mjs); the Api serves
// the result at GET /liveinsight.js. Budget: 2,048 bytes gzipped, enforced by the build.
//
//   <script defer src="https://HOST/liveinsight.js" data-api-key="pk_..."></script>
//
// No cookies, no fingerprinting: sessionStorage holds the session id, localStorage the events still to deliver
// (never the id given to liveinsight.identify, which lives in memory only).
((w, d, nav, loc) => {
  const script = d.currentScript || d.querySelector('script[data-api-key]');
  const attr = (name) => script.getAttribute('data-' + name);
  const flag = (name, otherwise) => (attr(name) == null ? otherwise : attr(name) != 'false');

  const key = attr('api-key');
  const endpoint = attr('endpoint') || new URL(script.src).origin + '/api/events';
  // data-debug: a companion script (this URL with ?debug) logs what is sent, the Api's drop reasons, and why nothing
  // is sent at all; it stays out of this script's budget.
  if (flag('debug')) import(script.src + '?debug');
  const hashRouting = flag('hash', false);
  const flushMs = +attr('flush-ms') || 2000; // tests shorten it
  const excluded = (attr('exclude') || '').split(',').filter(Boolean).map((glob) =>
    RegExp('^' + glob.trim().replace(/[^\w*/-]/g, '\\$&').replace(/\*/g, '.*') + '$'));

  const BATCH = 10; // flush at this many events; also the most sent in one request (the Api takes 50)
  const IDLE_MS = 30 * 60e3; // a session ends after 30 minutes without events
  const STORED_MAX = 100; // offline queue bounds: count…
  const STORED_AGE_MS = 864e5; // …and age (the Api refuses events older than 24 h anyway)
  const BACKOFF_MAX_MS = 3e5;
  const QUEUE = 'li_q:' + key;

  const stub = w.liveinsight;
  const api = (w.liveinsight = { track() {}, identify() {} }); // no-ops when nothing is sent (DNT/GPC, localhost)

  const dnt = nav.doNotTrack == '1' || nav.globalPrivacyControl;
  const local = /^(localhost|127\.|\[::1\]$)|\.localhost$/.test(loc.hostname) || loc.protocol == 'file:';
  if (!key || (dnt && flag('dnt', true)) || (local && !flag('allow-localhost', false))) return;

  // Storage can be missing or throw (privacy modes, full quota): then events are simply not kept.
  const read = (store, name) => {
    try {
      return JSON.parse(w[store].getItem(name));
    } catch (e) {}
  };
  const write = (store, name, value) => {
    try {
      w[store].setItem(name, JSON.stringify(value));
    } catch (e) {}
  };
  const uid = () => crypto.getRandomValues(new Uint32Array(4)).join('-'); // 128 random bits, in any context

  let queue = [];
  let pageUrl = loc.href; // the page view events belong to (an SPA navigation changes it after its engagement)
  let timer, retryTimer, stopped;
  let failures = 0;
  let user; // liveinsight.identify(id): in memory only, so the site calls it on every page load
  let backoffUntil = 0;

  // The offline queue: events sent by fetch stay here until the Api answers, so a closed tab or a cut network
  // loses nothing. Ids make a resend harmless: the Api drops an id it has already taken.
  const store = (events) => {
    const now = Date.now();
    const seen = {};
    // Never the user id in storage: an event delivered only by a later resend counts, unidentified.
    write('localStorage', QUEUE, (read('localStorage', QUEUE) || []).concat(events.map((e) => ({ ...e, uid: void 0 })))
      .filter((e) => !seen[e.id] && (seen[e.id] = 1) && now - e.timestamp < STORED_AGE_MS)
      .slice(-STORED_MAX));
  };
  const unstore = (events) => {
    const ids = events.map((e) => e.id);
    write('localStorage', QUEUE, (read('localStorage', QUEUE) || []).filter((e) => ids.indexOf(e.id) < 0));
  };

  const retryLater = (response) => {
    if (retryTimer) return;
    const after = response && response.headers && +response.headers.get('Retry-After');
    const delay = Math.max(after * 1e3 | 0, Math.min(flushMs * 2 ** failures++, BACKOFF_MAX_MS));
    backoffUntil = Date.now() + delay;
    retryTimer = setTimeout(resend, delay);
  };

  const post = (events, leaving) => {
    const body = JSON.stringify({ key, hash_routing: hashRouting, events });
    if (Date.now() < backoffUntil) return store(events);
    // Leaving the page: a beacon (text/plain) outlives it. We cannot see its answer, so it is not kept.
    if (leaving && nav.sendBeacon && nav.sendBeacon(endpoint, body)) return;
    store(events);
    fetch(endpoint, { method: 'POST', body, keepalive: true, credentials: 'omit' })
      .then((response) => {
        const status = response.status;
        if (status == 429 || status > 499) throw response;
        failures = 0;
        unstore(events); // taken, or refused for good (400/413: a bad batch is not retried)
        if (status == 401 || status == 403) {
          stopped = 1; // unknown key or origin not allowed: nothing will ever be accepted from here
          queue = [];
          write('localStorage', QUEUE, []);
        }
      })
      .catch(retryLater);
  };

  const flush = (leaving) => {
    clearTimeout(timer);
    timer = 0;
    while (queue.length) post(queue.splice(0, BATCH), leaving);
  };

  const resend = () => {
    retryTimer = backoffUntil = 0;
    const events = read('localStorage', QUEUE) || [];
    for (let i = 0; i < events.length; i += BATCH) post(events.slice(i, i + BATCH));
  };

  const base = (type, session, timestamp, extra) =>
    ({
      id: uid(),
      event_type: type,
      page_url: pageUrl,
      title: d.title,
      session_id: session,
      timestamp,
      screen_width: screen.width,
      uid: user,
      ...extra,
    });

  const event = (type, extra) => {
    if (stopped) return;
    const now = Date.now();
    let session = read('sessionStorage', 'li_s');
    if (!session || now - session.t > IDLE_MS) {
      if (session) queue.push(base('session_end', session.id, session.t));
      session = { id: uid() };
      queue.push(base('session_start', session.id, now));
    }
    session.t = now;
    write('sessionStorage', 'li_s', session);
    queue.push(base(type, session.id, now, extra));
    if (queue.length >= BATCH) flush();
    else timer = timer || setTimeout(flush, flushMs);
  };

  const track = (name, props) => name && event('custom', { name: '' + name, props });

  // Engagement of the current page view: visible time since the last engagement event, deepest scroll so far, and
  // the depth the previous engagement event of this page view reported (none on the first: the Api then counts the
  // page view once and adds only each increase of its deepest scroll).
  let visibleSince = d.hidden ? 0 : Date.now();
  let engagedMs = 0;
  let depth = 0;
  let reported, skipped;
  const scroll = () => {
    const height = d.documentElement.scrollHeight;
    depth = Math.max(depth, height ? Math.min(100, Math.round(((w.scrollY + w.innerHeight) / height) * 100)) : 0);
  };
  const engage = () => {
    const now = Date.now();
    scroll();
    if (visibleSince) engagedMs += now - visibleSince, visibleSince = now;
    if (engagedMs && !skipped) {
      event('engagement', { engaged_ms: engagedMs, scroll_depth: depth, previous_scroll_depth: reported });
      reported = depth;
    }
    engagedMs = 0;
  };
  const hide = () => {
    engage();
    visibleSince = 0;
    flush(1);
  };

  let lastUrl;
  let referrer = d.referrer;
  const page = () => {
    const url = hashRouting ? loc.href : loc.href.split('#')[0];
    if (url == lastUrl) return;
    if (lastUrl) {
      engage();
      referrer = lastUrl;
      depth = 0;
      reported = undefined;
    }
    lastUrl = url;
    pageUrl = loc.href;
    const path = loc.pathname + (hashRouting ? loc.hash : '');
    skipped = excluded.some((pattern) => pattern.test(path));
    if (!skipped) event('page_view', { referrer });
  };

  for (const method of ['pushState', 'replaceState']) {
    const original = history[method];
    history[method] = function () {
      original.apply(this, arguments);
      page();
    };
  }

  const listen = (target, type, handler, options) => target.addEventListener(type, handler, options);
  listen(w, 'popstate', page);
  if (hashRouting) listen(w, 'hashchange', page);
  listen(w, 'scroll', scroll, { passive: true });
  listen(w, 'pagehide', hide);
  listen(d, 'visibilitychange', () => (d.hidden ? hide() : (visibleSince = Date.now())));
  listen(w, 'online', () => {
    clearTimeout(retryTimer);
    failures = 0;
    resend();
  });

  const outbound = flag('outbound-links', false);
  const downloads = flag('file-downloads', false);
  if (outbound || downloads) {
    listen(d, 'click', (e) => {
      const link = e.target.closest && e.target.closest('a[href]');
      if (!link) return;
      if (downloads && /\.(pdf|zip|gz|dmg|exe|msi|csv|docx?|xlsx?|pptx?|mp[34]|mov)$/i.test(link.pathname)) {
        track('File Download', { url: link.href });
      } else if (outbound && /^http/.test(link.protocol) && link.host != loc.host) {
        track('Outbound Link: Click', { url: link.href });
      }
    }, true);
  }

  // identify(null) clears. The Api keeps only a keyed hash of the id, and only when the site enabled identify. A call
  // before this script ran went to the stub's identify, which keeps the id as `u`.
  (api.identify = (id) => (user = id == null ? id : '' + id))((stub || 0).u);
  page();
  api.track = track;
  ((stub && stub.q) || []).forEach((args) => track.apply(0, args));
  resend();
})(window, document, navigator, location);
