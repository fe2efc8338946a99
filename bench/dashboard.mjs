// Measures the dashboard's first load in headless Chromium (playwright-core, Debian's /usr/bin/chromium) and rewrites
// the dashboard section of BENCHMARKS.md. Usage: node bench/dashboard.mjs <dashboard url> <admin token> <site id> <runs>
// - cold (server): the very first load of the dashboard after the services started, with an empty browser cache
// - cold (browser): a new browser context each time (empty HTTP cache), the services already warm
// - warm: reloads in one context (assets cached, revalidated by ETag)
// Each load reports Navigation Timing's loadEventEnd and "data ready" (the li:ready mark: every widget filled).
import { chromium } from "playwright-core";
import { writeSection } from "./sections.mjs";
import os from "node:os";

const [base, token, site, runsArg] = process.argv.slice(2);
const runs = Number(runsArg || 10);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
});

// First run: the one-time setup page creates the administrator and signs in; its cookies are reused below.
const setup = await browser.newContext({ baseURL: base });
const setupPage = await setup.newPage();
await setupPage.goto("/setup");
await setupPage.getByLabel("Admin token").fill(token);
await setupPage.getByLabel("E-mail").fill("bench@example.com");
await setupPage.getByLabel("Password (at least 12 characters)").fill("benchmark password 1");
await setupPage.getByLabel("Password again").fill("benchmark password 1");
await Promise.all([setupPage.waitForURL((u) => u.pathname === "/"), setupPage.getByRole("button", { name: "Create administrator" }).click()]);
const storageState = await setup.storageState();
await setup.close();

const url = `/?site=${site}&range=30d`;
async function measure(page, action) {
  await action();
  await page.waitForSelector("body[data-ready=true]", { timeout: 30000 });
  return page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const ready = performance.getEntriesByName("li:ready")[0];
    const resources = performance.getEntriesByType("resource").reduce((sum, r) => sum + r.transferSize, 0);
    return { load: nav.loadEventEnd, ready: ready.startTime, bytes: nav.transferSize + resources };
  });
}

async function fresh() {
  const context = await browser.newContext({ baseURL: base, storageState, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const result = await measure(page, () => page.goto(url));
  return { context, page, result };
}

const first = await fresh();
const serverCold = first.result;
const warm = [];
for (let i = 0; i < runs; i++) warm.push(await measure(first.page, () => first.page.reload()));
await first.context.close();
const browserCold = [];
for (let i = 0; i < Math.max(3, Math.round(runs / 2)); i++) {
  const run = await fresh();
  browserCold.push(run.result);
  await run.context.close();
}
await browser.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const max = (xs) => Math.max(...xs);
const ms = (n) => `${Math.round(n).toLocaleString("en-US")} ms`;
const row = (label, samples) => {
  const load = samples.map((s) => s.load), ready = samples.map((s) => s.ready);
  return `| ${label} | ${samples.length} | ${ms(median(load))} | ${ms(max(load))} | ${ms(median(ready))} | ${ms(max(ready))} | ${(median(samples.map((s) => s.bytes)) / 1024).toFixed(0)} KiB |`;
};
const firstVisit = max(browserCold.map((s) => s.ready));
for (const [name, samples] of [["cold-server", [serverCold]], ["cold-browser", browserCold], ["warm", warm]]) {
  console.log(`RESULT ${name} load_ms=${median(samples.map((s) => s.load)).toFixed(0)} ready_ms=${median(samples.map((s) => s.ready)).toFixed(0)}`);
}

const section = `<!-- bench:dashboard:start -->
## Dashboard first load

- Date: ${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC
- Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.type()} ${os.release()}; everything on it: Chromium, the Dashboard, the Api, redis-server, dynalite
- Command: \`./liveinsight bench dashboard\` (\`bench/dashboard.sh\` + \`bench/dashboard.mjs\`: headless Chromium through playwright-core, Navigation Timing)
- Services: Release builds, Production environment; one site with 30 days of rollups (\`bench/seed-read.cs\`), range 30d, 1280×900, signed in
- load = \`loadEventEnd\` (HTML, CSS, Chart.js and the modules); data ready = every widget filled from the proxied Api (the \`li:ready\` mark); transfer = bytes over the network (HTML, assets and Api answers; a revalidated asset counts only its headers)

| run | loads | load median | load max | data ready median | data ready max | transfer |
|---|---|---|---|---|---|---|
${row("cold: first load after the services started, empty browser cache", [serverCold])}
${row("cold browser: new context (empty cache), services warm", browserCold)}
${row("warm: reload, assets cached", warm)}

| target | measured | result |
|---|---|---|
| seed SLA: dashboard first load < 2 s (a first visit: empty browser cache, services running; worst data ready) | ${ms(firstVisit)} | ${firstVisit < 2000 ? "pass" : "FAIL"} |
| the same right after the services started (JIT, empty Api caches and connection pools) | ${ms(serverCold.ready)} | ${serverCold.ready < 2000 ? "pass" : "FAIL"} |
<!-- bench:dashboard:end -->`;

writeSection("dashboard", section);
