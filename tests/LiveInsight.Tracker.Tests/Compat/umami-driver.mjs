// Drives the real Umami Node client (@umami/node, pinned in package.json) against a running LiveInsight Api.
// Usage: node umami-driver.mjs <path to @umami/node's index.mjs> <host url> <website id> <hostname> [user agent]
// Prints one JSON line per request: {status, body, dropped}.
import { pathToFileURL } from 'node:url';

const [, , modulePath, hostUrl, websiteId, hostname, userAgent] = process.argv;
const { Umami } = await import(pathToFileURL(modulePath).href);
const umami = new Umami();
umami.init(userAgent ? { hostUrl, websiteId, userAgent } : { hostUrl, websiteId });

const report = async (response) => {
  const body = await response.text();
  console.log(JSON.stringify({ status: response.status, body, dropped: response.headers.get('x-liveinsight-dropped') ?? '' }));
};

// A page view as a server-rendered app would send it, then a custom event the way the README of @umami/node shows.
await report(await umami.track({ hostname, url: '/docs?utm_source=newsletter', title: 'Docs', referrer: 'https://news.ycombinator.com/', screen: '1440x900', language: 'en-US' }));
await report(await umami.track('Signup', { plan: 'team', seats: 3 }));
