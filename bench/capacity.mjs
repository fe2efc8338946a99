// Capacity, cost and summary: reads the generated sections of BENCHMARKS.md (ingest, realtime-lag, aggregator, read,
// dashboard), derives per-task capacity, Redis commands and DynamoDB write units per event and the monthly AWS cost,
// and rewrites the capacity section and the summary table at the top. Run last by `./liveinsight bench` (all).
// Usage: node bench/capacity.mjs [wall seconds of the run]
import { writeFileSync } from "node:fs";
import { file, readDoc, sectionOf, withSection } from "./sections.mjs";

const wall = process.argv[2] ? Number(process.argv[2]) : null;
let doc = readDoc();
const section = (name) => sectionOf(doc, name);
const rows = (text) => text.split("\n").filter((l) => l.startsWith("|") && !l.startsWith("|---")).map((l) => l.split("|").slice(1, -1).map((c) => c.trim()));
const row = (name, first, second) => rows(section(name)).find((r) => r[0].startsWith(first) && (second === undefined || r[1] === second));
const num = (s) => (s == null ? NaN : Number(String(s).replace(/[^0-9.\-]/g, "")));
const date = (name) => section(name).match(/- Date: (.*) UTC/)?.[1] ?? "?";
const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d }) : "—");
const usd = (n) => `$${fmt(n, n < 10 ? 2 : 0)}`;
const check = (ok) => (ok ? "pass" : "FAIL");

// --- measured inputs -----------------------------------------------------------------------------------------------
const single = row("ingest", "ingest (", "1"), batch = row("ingest", "ingest (", "20");
const singleRate = num(single?.[3]), batchRate = num(batch?.[3]);
const cmdsSingle = num(row("ingest", "ingest run", "1")?.[2]), cmdsBatch = num(row("ingest", "ingest run", "20")?.[2]);
const aggRate = num(row("aggregator", "sustained")?.[1]);
const aggLagP95 = num(row("aggregator", "lag")?.[1]);

// --- capacity ------------------------------------------------------------------------------------------------------
// The bench machine's 2 cores are shared by wrk, redis-server and the Api; the Api was measured at ~1.2 cores busy
// (top during the runs, docs in the ingestion notes), so events/s per vCPU = measured / 1.2.
const API_CORES = 1.2, API_TASK_VCPU = 0.5, AGG_CORES = 1.0, AGG_TASK_VCPU = 0.5;
const apiTaskSingle = (singleRate / API_CORES) * API_TASK_VCPU, apiTaskBatch = (batchRate / API_CORES) * API_TASK_VCPU;
const aggTask = (aggRate / AGG_CORES) * AGG_TASK_VCPU;

// --- DynamoDB write units per event (items < 1 KB = 1 WRU each) --------------------------------------------------------
const PV_PER_SESSION = 3, SITES = 10, BUCKETS_PER_EVENT = 10, HIGH_CARDINALITY = 0.3, FLUSH_S = 5;
const SECONDS_PER_MONTH = 730 * 3600;
const wruPerEvent = (eventsPerMonth, flushS = FLUSH_S) => {
  const events = 1; // the Events item
  const sessions = 2 / PV_PER_SESSION; // first-sight snapshot + final one at close (plus ≤ 1/min while active, ignored)
  const lambda = eventsPerMonth / SITES / (SECONDS_PER_MONTH / flushS); // events per site per flush window
  const flushes = (BUCKETS_PER_EVENT * (1 - Math.exp(-lambda))) / lambda + HIGH_CARDINALITY;
  return { events, sessions, flushes, lambda, total: events + sessions + flushes };
};

// --- monthly cost (us-east-1 on-demand, late 2025, 730 h: the prices of DEPLOY.md) ----------------------------------
const P = { vcpuH: 0.04048, gbH: 0.004445, wru: 0.625, rru: 0.125, gbMonth: 0.25, pitr: 0.2, t4gSmall: 0.032, t4gMedium: 0.065, alb: 16.43, lcuH: 0.008, nat: 32.85, natGb: 0.045 };
const task = (vcpu, gb) => (vcpu * P.vcpuH + gb * P.gbH) * 730;
const PEAK_FACTOR = 10; // peak minute = 10 × the month's average rate
function cost(eventsPerMonth) {
  const avg = eventsPerMonth / SECONDS_PER_MONTH, peak = avg * PEAK_FACTOR;
  const apiTasks = Math.max(2, Math.ceil(peak / (0.5 * apiTaskSingle))); // 50 % headroom, single-event worst case
  const aggTasks = Math.max(1, Math.ceil(peak / (0.5 * aggTask)));
  const w = wruPerEvent(eventsPerMonth);
  const lines = [
    [`Fargate: api ${apiTasks} × (0.5 vCPU, 1 GB), aggregator ${aggTasks} × same, dashboard 1 × (0.25, 0.5 GB)`, (apiTasks + aggTasks) * task(0.5, 1) + task(0.25, 0.5)],
    eventsPerMonth > 10e6 ? ["ElastiCache 2 × cache.t4g.medium (dedupe hashes, DEPLOY.md)", 2 * P.t4gMedium * 730] : ["ElastiCache 2 × cache.t4g.small", 2 * P.t4gSmall * 730],
    ["ALB (fixed + ~1 LCU, more at 100 M)", P.alb + (eventsPerMonth > 10e6 ? 2.3 : 1) * P.lcuH * 730],
    ["NAT gateway (DynamoDB through the free gateway endpoint)", P.nat + (eventsPerMonth > 10e6 ? 70 : 20) * P.natGb],
    [`DynamoDB writes (${fmt(w.total, 2)} WRU/event → ${fmt((w.total * eventsPerMonth) / 1e6, 1)} M WRU)`, (w.total * eventsPerMonth * P.wru) / 1e6],
    ["DynamoDB reads (dashboards, cached; ~0.1 RRU/event)", (0.1 * eventsPerMonth * P.rru) / 1e6],
    ["DynamoDB storage + PITR (~0.4 KB/event, first month)", ((0.4 * eventsPerMonth) / 1e6) * (P.gbMonth + P.pitr)],
    ["CloudWatch Logs + metrics, Secrets Manager, X-Ray (DEPLOY.md)", eventsPerMonth > 10e6 ? 21 : 5],
  ];
  return { lines, total: lines.reduce((s, [, c]) => s + c, 0), apiTasks, aggTasks, w };
}
const c1 = cost(1e6), c100 = cost(100e6);
let costTable = "| | 1 M events/month | 100 M events/month |\n|---|---|---|\n";
for (let i = 0; i < c1.lines.length; i++) costTable += `| ${c1.lines[i][0].replace(/api \d+ ×/, "api N ×").replace(/aggregator \d+ ×/, "aggregator M ×").replace(/\(.* WRU\)/, "").replace(/2 × cache.t4g.small/, "2 × cache.t4g.small / .medium")} | ${usd(c1.lines[i][1])} | ${usd(c100.lines[i][1])} |\n`;
costTable += `| **total** | **${usd(c1.total)}** | **${usd(c100.total)}** |\n| original design (Lambda + API Gateway + DynamoDB + CloudFront) | $11–19 | — |\n`;
const w1 = c1.w, w100 = c100.w;

// --- profiles side by side (issue 24: ./liveinsight deploy-plan --profile small|standard|large) ----------------------
// Extra prices (us-east-1, late 2025): Fargate Spot per vCPU-h and GB-h (they float; ~70 % below on-demand), a public
// IPv4 address per hour, API Gateway HTTP API per million requests (first 300 M), ElastiCache nodes per hour.
const X = { spotVcpuH: 0.012435, spotGbH: 0.001365, ipv4H: 0.005, httpApiM: 1.0, t4gMicro: 0.016, m7gLarge: 0.158 };
const VOLUMES = [1e6, 100e6, 1e9];
const REQUESTS_PER_EVENT = 1.3; // single-event posts (the worst case) + tracker script loads + dashboard reads
const SMALL_FLUSH_S = 60; // the small profile flushes rollups to DynamoDB every minute (Redis is read first anyway)
const spotTask = (vcpu, gb) => (vcpu * X.spotVcpuH + gb * X.spotGbH) * 730;
// The small profile's one task shares 0.5 vCPU between the Api and the aggregator: events/s it sustains.
const smallCore = 1 / (1 / apiTaskSingle + 1 / aggTask);
const redisGb = (eventsPerMonth) => ((eventsPerMonth / 730) * 25 * 80) / 1e9 + 0.1; // dedupe hashes for 25 h + the rest
// The smallest node with at least half its memory free: micro 0.5 GB, small 1.37, medium 3.09, m7g.large 6.38.
const nodeFor = (gb, smallest = "micro") =>
  gb < 0.25 && smallest === "micro" ? ["cache.t4g.micro", X.t4gMicro] : gb < 0.68 ? ["cache.t4g.small", P.t4gSmall]
  : gb < 1.5 ? ["cache.t4g.medium", P.t4gMedium] : ["cache.m7g.large", X.m7gLarge];
function dynamo(eventsPerMonth, flushS) {
  const w = wruPerEvent(eventsPerMonth, flushS);
  return (w.total * eventsPerMonth * P.wru) / 1e6 + (0.1 * eventsPerMonth * P.rru) / 1e6 + ((0.4 * eventsPerMonth) / 1e6) * (P.gbMonth + P.pitr);
}
const other = (eventsPerMonth) => (eventsPerMonth > 300e6 ? 40 : eventsPerMonth > 10e6 ? 21 : 5);
function profileCost(profile, eventsPerMonth) {
  const avg = eventsPerMonth / SECONDS_PER_MONTH, peak = avg * PEAK_FACTOR;
  const lines = {};
  if (profile === "small") {
    if (peak > 0.5 * smallCore) return null; // beyond one task: take standard
    const [node, hourly] = nodeFor(redisGb(eventsPerMonth));
    lines.compute = [`Fargate Spot: 1 × (0.5 vCPU, 2 GB) api + aggregator, 1 × (0.25, 0.5 GB) dashboard`, spotTask(0.5, 2) + spotTask(0.25, 0.5)];
    lines.redis = [`1 × ${node}, no replica`, hourly * 730];
    lines.entry = [`HTTP API, ${REQUESTS_PER_EVENT} requests/event; Cloud Map private zone`, (REQUESTS_PER_EVENT * eventsPerMonth * X.httpApiM) / 1e6 + 1];
    lines.network = ["2 public IPv4 addresses, no NAT gateway", 2 * X.ipv4H * 730];
    lines.dynamo = [`DynamoDB (rollups flushed every ${SMALL_FLUSH_S} s)`, dynamo(eventsPerMonth, SMALL_FLUSH_S)];
    lines.other = ["CloudWatch Logs, Secrets Manager (no metrics sidecar)", eventsPerMonth > 10e6 ? 12 : 3];
  } else {
    const large = profile === "large";
    const apiTasks = Math.max(2, Math.ceil(peak / (0.5 * apiTaskSingle))), aggTasks = Math.max(large ? 2 : 1, Math.ceil(peak / (0.5 * aggTask)));
    const groups = large ? 3 : 1;
    const [node, hourly] = nodeFor(redisGb(eventsPerMonth) / groups, "small"); // the template's default is t4g.small
    lines.compute = ["Fargate: api and aggregator tasks (0.5 vCPU, 1 GB), 1 dashboard (0.25, 0.5 GB)", (apiTasks + aggTasks) * task(0.5, 1) + task(0.25, 0.5)];
    lines.tasks = ["api / aggregator tasks at the peak (not a cost)", `${apiTasks} / ${aggTasks}`];
    lines.redis = [large ? `${groups} node groups × (primary + replica) × ${node} (cluster mode)` : `(primary + replica) × ${node}`, groups * 2 * hourly * 730];
    lines.entry = ["ALB (fixed + LCUs)", P.alb + Math.max(1, (2.3 * eventsPerMonth) / 100e6) * P.lcuH * 730];
    lines.network = ["NAT gateway (+ data; DynamoDB via the gateway endpoint)", P.nat + Math.max(20, (500 * eventsPerMonth) / 1e9) * P.natGb];
    lines.dynamo = [`DynamoDB (rollups flushed every ${FLUSH_S} s)`, dynamo(eventsPerMonth, FLUSH_S)];
    lines.other = ["CloudWatch Logs + metrics, Secrets Manager, X-Ray", other(eventsPerMonth)];
  }
  return { lines, total: Object.values(lines).reduce((sum, [, c]) => sum + (typeof c === "number" ? c : 0), 0) };
}
function profileSection() {
  const head = "| profile | item | 1 M events/month | 100 M | 1 B |\n|---|---|---|---|---|\n";
  let table = head;
  for (const profile of ["small", "standard", "large"]) {
    const costs = VOLUMES.map((v) => profileCost(profile, v));
    const any = costs.find((c) => c);
    for (const key of Object.keys(any.lines)) {
      // The item's text with each volume's numbers (task counts, node types) joined where they differ.
      const texts = costs.filter((c) => c).map((c) => c.lines[key][0]);
      const what = [...new Set(texts)].join(" → ");
      const cell = (c) => (!c ? "—" : typeof c.lines[key][1] === "number" ? usd(c.lines[key][1]) : c.lines[key][1]);
      table += `| ${profile} | ${key}: ${what} | ${costs.map(cell).join(" | ")} |\n`;
    }
    table += `| **${profile}** | **total** | ${costs.map((c) => (c ? `**${usd(c.total)}**` : "— (beyond one task)")).join(" | ")} |\n`;
  }
  const small1 = profileCost("small", 1e6);
  return `### Profiles side by side (\`./liveinsight deploy-plan --profile small|standard|large\`, DEPLOY.md)

Same measured capacity as above; the small profile's one task shares its 0.5 vCPU between the Api and the aggregator,
so it sustains ${fmt(smallCore)} events/s (1 ÷ (1/${fmt(apiTaskSingle)} + 1/${fmt(aggTask)})) and is sized, like the others, for a peak of
${PEAK_FACTOR} × the average with 50 % headroom: up to ${fmt((0.5 * smallCore * SECONDS_PER_MONTH) / PEAK_FACTOR / 1e6)} M events a month. Redis memory is the dedupe hashes
(~80 B/event for 25 h) plus ~0.1 GB; the node type is the smallest with half its memory still free (per node group
for large; the standard table above keeps DEPLOY.md's older, roomier .medium at 100 M).
Extra prices: Fargate Spot $${X.spotVcpuH}/vCPU-h and $${X.spotGbH}/GB-h (they float), public IPv4 $${X.ipv4H}/h, HTTP API $${X.httpApiM}
per million requests, cache.t4g.micro $${X.t4gMicro}/h, cache.m7g.large $${X.m7gLarge}/h.

${table}
Small at 1 M events: **${usd(small1.total)}** a month (target ≤ $40: ${check(small1.total <= 40)}). What it gives up is in DEPLOY.md
("Small installation"): no Redis replica (a node loss loses what the aggregator had not read and the realtime state),
Spot interruptions (a minute or two without ingestion; the tracker resends from localStorage), one Api task, and API
Gateway's 30 s limit per request (the realtime stream reconnects). The HTTP API costs per request, so past ~${fmt((P.alb + 2 * P.lcuH * 730) / (REQUESTS_PER_EVENT * X.httpApiM), 0)} M
requests a month an ALB would be cheaper; by then the standard profile's failover is worth its floor anyway.`;
}

const capacity = `<!-- bench:capacity:start -->
## Capacity and cost (derived by \`bench/capacity.mjs\` from the sections of this file)

- Derived: ${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC from ingest (${date("ingest")}), aggregator (${date("aggregator")})
- Assumptions: on the 2-core bench machine the Api had ~${API_CORES} cores (wrk and redis-server took the rest), the
  aggregator ~${AGG_CORES} core (dynalite the other; the emulator is its limit, so its figure is a lower bound); a task
  gets the vCPUs of DEPLOY.md (api and aggregator 0.5 vCPU); peak = ${PEAK_FACTOR} × the month's average rate, sized with 50 %
  headroom on single-event requests; ${SITES} sites; ${PV_PER_SESSION} page views per session; each event touches ~${BUCKETS_PER_EVENT}
  rollup items (day and hour summary, page, source, browser, OS, device, country, …) that the ${FLUSH_S} s flush writes once
  per window, so at low volume almost every event pays its own ~${BUCKETS_PER_EVENT} writes, at high volume they are shared
  (+${HIGH_CARDINALITY}/event for high-cardinality pages and referrers); page sketches stay sparse (< 1 KB; a dense 12 KB HLL item would
  cost 12 WRU per write). Prices: us-east-1 on-demand, late 2025, 730 h a month (the prices of DEPLOY.md).

| measure | value | from |
|---|---|---|
| events/s per Api task (0.5 vCPU), single-event requests | ${fmt(apiTaskSingle)} | ${fmt(singleRate)} events/s ÷ ${API_CORES} cores × 0.5 |
| events/s per Api task (0.5 vCPU), 20-event batches | ${fmt(apiTaskBatch)} | ${fmt(batchRate)} events/s ÷ ${API_CORES} cores × 0.5 |
| events/s per Aggregator task (0.5 vCPU), stream → DynamoDB with rollups | ${fmt(aggTask)} (lower bound) | ${fmt(aggRate)} events/s ÷ ${AGG_CORES} core × 0.5 |
| Redis commands per event on ingest (single / batched) | ${fmt(cmdsSingle, 2)} / ${fmt(cmdsBatch, 2)} | \`INFO commandstats\` deltas (script-internal commands included) |
| DynamoDB WRU per event at 1 M / month | ${fmt(w1.total, 2)} = 1 Events + ${fmt(w1.sessions, 2)} sessions + ${fmt(w1.flushes, 2)} rollup flushes | ${fmt(w1.lambda, 3)} events per site per flush window |
| DynamoDB WRU per event at 100 M / month | ${fmt(w100.total, 2)} = 1 Events + ${fmt(w100.sessions, 2)} sessions + ${fmt(w100.flushes, 2)} rollup flushes | ${fmt(w100.lambda, 1)} events per site per flush window |
| tasks needed (api / aggregator) at 1 M and 100 M | ${c1.apiTasks} / ${c1.aggTasks} and ${c100.apiTasks} / ${c100.aggTasks} | 2 Api tasks is the floor (zero-downtime deploys) |

${costTable}
The original design's **$11–19/month at 1 M events** counted only what scales with traffic (Lambda, API Gateway,
DynamoDB on demand, CloudFront). Here that part is a few dollars too (DynamoDB ${usd(c1.lines[4][1] + c1.lines[5][1] + c1.lines[6][1])} at 1 M). The difference is the
always-on floor of a Redis hot path: two ElastiCache nodes for failover, two Api tasks, an aggregator and a dashboard
task, an ALB and a NAT gateway — about ${usd(c1.total - c1.lines[4][1] - c1.lines[5][1] - c1.lines[6][1])}/month before the first event. Measured capacity is far above
both volumes (100 M/month is ${fmt(100e6 / SECONDS_PER_MONTH, 0)} events/s on average), so the cost grows with DynamoDB writes, not with tasks;
DEPLOY.md's estimate uses a flatter ≈ 1.8 WRU/event, this one models the 5 s rollup flushes per site explicitly.

${profileSection()}
<!-- bench:capacity:end -->`;

// --- summary -------------------------------------------------------------------------------------------------------
const target = (name, start) => rows(section(name)).find((r) => r[0].startsWith(start));
const ingestP95 = Math.max(num(single?.[5]), num(batch?.[5]));
const rtCold = target("read", "seed SLA: realtime P95"), stCold = target("read", "seed SLA: stats P95");
const dash = target("dashboard", "seed SLA: dashboard first load");
const lag = target("realtime-lag", "seed SLA: realtime lag < 5 s (cached");
const sustained = Math.min(singleRate, aggRate);
const sla = [
  ["ingest P95 < 100 ms", `${fmt(ingestP95, 2)} ms (worst of single and 20-event batches, 64 connections)`, ingestP95 < 100],
  ["realtime P95 < 200 ms", `${rtCold?.[1] ?? "—"} (cold: cache off, worst endpoint)`, num(rtCold?.[1]) < 200],
  ["stats P95 < 500 ms", `${stCold?.[1] ?? "—"} (cold: cache off, worst endpoint, 32 in flight on dynalite)`, num(stCold?.[1]) < 500],
  ["dashboard first load < 2 s", `${dash?.[1] ?? "—"} (empty browser cache, data ready)`, num(dash?.[1]) < 2000],
  ["realtime lag < 5 s", `${lag?.[1] ?? "—"} max with the 3 s cache (P95 aggregator lag ${fmt(aggLagP95)} ms)`, num(lag?.[1]) < 5000 && aggLagP95 < 5000],
  ["1,000 events/s", `${fmt(sustained)} events/s (lower of ingest and aggregator)`, sustained >= 1000],
];
let summary = `<!-- bench:summary:start -->
## Summary

${wall != null ? `Last full run: \`./liveinsight bench\`, ${Math.floor(wall / 60)} min ${wall % 60} s wall time (limit: 10 minutes on a 2-core machine).` : "Derived from the sections below."}
Each figure is from the section named; ceilings and machine details are there.

| original SLA (DESIGN-ORIGINAL.md) | measured | result |
|---|---|---|
${sla.map(([n, m, ok]) => `| ${n} | ${m} | ${check(ok)} |`).join("\n")}

| our own target | section | measured | result |
|---|---|---|---|
`;
for (const name of ["ingest", "realtime-lag", "aggregator", "read", "dashboard"]) {
  for (const r of rows(section(name))) {
    if (r.length === 3 && /^(pass|FAIL)/.test(r[2]) && !r[0].startsWith("seed SLA") && r[0] !== "target") summary += `| ${r[0]} | ${name} | ${r[1]} | ${r[2]} |\n`;
  }
  const agg = name === "aggregator" && row("aggregator", "sustained");
  if (agg) summary += `| ${agg[0]} (${agg[2]}) | aggregator | ${agg[1]} | ${agg[3]} |\n`;
}
summary += `<!-- bench:summary:end -->`;

doc = withSection(doc, "summary", summary, (d, t) => d.replace(/(Numbers are rewritten by each run\.\n)/, `$1\n${t}\n`));
doc = withSection(doc, "capacity", capacity);
writeFileSync(file, doc);
console.error("==> wrote the summary and capacity sections of BENCHMARKS.md");
