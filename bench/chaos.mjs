// ./liveinsight chaos [seconds]: kills real processes under load and proves "nothing lost, nothing counted twice".
//
// Starts, outside the AppHost (as bench/ does): redis-server with AOF everysec in a dedicated tmpfs, dynalite, two
// Release Apis and two Release aggregators. A generator sends steady load of unique event ids to both Apis and records
// every answer (202 accepted, a refusal such as 429, or an unknown outcome: connection reset, timeout, or a 503 whose
// store did not confirm the batch). Faults come
// one after another, each in its own time slot and with its own page paths, so every fault is judged on its own:
//   api-kill         SIGKILL one Api mid-load, restart it
//   aggregator-kill  SIGKILL one aggregator, then the other, restart both
//   redis-kill       SIGKILL redis-server, restart it from its AOF
//   dynalite-kill    SIGKILL dynalite, restart it on the same files
//   aggregator-stop  SIGSTOP an aggregator past the claim timeout, then SIGCONT it (a zombie that wakes up)
//   disk-full        fill Redis's own small filesystem so its AOF writes fail, then free it
// Then it waits for the aggregators to drain and compares, per fault: every id answered 202 must be in the Events
// table, counted exactly once in the day's pageviews per page and per source, and once in the lake (read through
// POST /api/v2/query); no refused id may be counted (an
// id with an unknown outcome may be either, and is counted as what the Events table says). It prints one line per
// fault ending "lost=N doubled=N", the recovery times (first 202 after the fault is lifted, stream lag back under
// 5 s), the maximum lag, writes the CHAOS section of BENCHMARKS.md (unless --no-write) and exits 1 on any loss.
import { execFileSync, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir, cpus } from "node:os";
import { join } from "node:path";
import { writeSection } from "./sections.mjs";

const args = process.argv.slice(2);
const write = !args.includes("--no-write");
const seconds = Number(args.find((a) => /^\d+$/.test(a)) ?? 120);
const RATE = Number(process.env.CHAOS_RATE ?? 150); // requests a second, one event each
const CONFIGURATION = process.env.CHAOS_CONFIGURATION ?? "Release"; // the test suite runs it on its Debug build
const CLAIM_IDLE_SECONDS = 8;
const TOKEN = "chaos-admin-token-" + Math.random().toString(36).slice(2);
const UA = (n) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.${n}.0 Safari/537.36`;
const REFERRERS = [
  { url: "https://www.google.com/", source: "Google" },
  { url: "https://www.youtube.com/watch", source: "YouTube" },
  { url: null, source: "Direct" },
];

const work = mkdtempSync(join(tmpdir(), "liveinsight-chaos-"));
const log = (...m) => console.error("==>", ...m);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const now = () => (Date.now() - t0) / 1000;

// ---------------------------------------------------------------- processes
const children = new Set();
function run(name, file, argv, env = {}) {
  const child = spawn(file, argv, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const out = createWriteStream(join(work, `${name.replace(/[^a-z0-9-]/gi, "-")}.log`), { flags: "a" });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  child.name = name;
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}
const kill = (child, signal = "SIGKILL") => { try { process.kill(child.pid, signal); } catch { /* gone */ } };
const exited = (child) => new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once("exit", r)));
function cleanup() {
  for (const child of children) { kill(child, "SIGCONT"); kill(child); }
  children.clear();
  if (mounted) { try { execFileSync("umount", ["-l", redisDir]); } catch { /* best effort */ } mounted = false; }
  if (process.env.CHAOS_KEEP) console.error(`==> kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
// Whatever happens (a failed start, an exception, Ctrl-C), nothing of this run is left behind.
process.on("exit", cleanup);
process.on("SIGINT", () => process.exit(130));
process.on("SIGTERM", () => process.exit(143));
const showLogs = () => {
  for (const name of ["api-" + ports.apiA, "aggregator-1", "aggregator-2"]) {
    try { console.error(`--- ${name}.log (last lines)\n` + readFileSync(join(work, `${name}.log`), "utf8").split("\n").slice(-15).join("\n")); } catch { /* none */ }
  }
};

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
});
async function waitFor(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try { if (await check()) return; } catch { /* not yet */ }
    await sleep(100);
  }
  showLogs();
  throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
}

// ---------------------------------------------------------------- a minimal Redis client (RESP), for probes only
function redisCommand(port, ...argv) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let buffer = Buffer.alloc(0);
    socket.setTimeout(2000, () => { socket.destroy(); reject(new Error("redis probe timed out")); });
    socket.on("error", reject);
    socket.on("connect", () => socket.write(`*${argv.length}\r\n` + argv.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join("")));
    socket.on("data", (d) => {
      buffer = Buffer.concat([buffer, d]);
      const parsed = parse(buffer, 0);
      if (parsed) { socket.end(); parsed.value instanceof Error ? reject(parsed.value) : resolve(parsed.value); }
    });
  });
}
function parse(buf, at) {
  const end = buf.indexOf("\r\n", at);
  if (end < 0) return null;
  const type = String.fromCharCode(buf[at]);
  const line = buf.toString("utf8", at + 1, end);
  if (type === "+") return { value: line, next: end + 2 };
  if (type === "-") return { value: new Error(line), next: end + 2 };
  if (type === ":") return { value: Number(line), next: end + 2 };
  if (type === "$") {
    const n = Number(line);
    if (n < 0) return { value: null, next: end + 2 };
    if (buf.length < end + 2 + n + 2) return null;
    return { value: buf.toString("utf8", end + 2, end + 2 + n), next: end + 2 + n + 2 };
  }
  if (type === "*") {
    const n = Number(line);
    if (n < 0) return { value: null, next: end + 2 };
    const items = [];
    let next = end + 2;
    for (let i = 0; i < n; i++) {
      const item = parse(buf, next);
      if (!item) return null;
      items.push(item.value);
      next = item.next;
    }
    return { value: items, next };
  }
  throw new Error("unexpected RESP type " + type);
}

// ---------------------------------------------------------------- DynamoDB (dynalite accepts any signature)
async function dynamo(target, body) {
  const response = await fetch(`http://127.0.0.1:${ports.dynamo}/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.0",
      "X-Amz-Target": `DynamoDB_20120810.${target}`,
      "X-Amz-Date": "20260101T000000Z",
      Authorization: "AWS4-HMAC-SHA256 Credential=chaos/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00",
    },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${target}: ${response.status} ${await response.text()}`);
  return response.json();
}

// ---------------------------------------------------------------- the stack
const ports = { redis: await freePort(), dynamo: await freePort(), apiA: await freePort(), apiB: await freePort(), agg1: await freePort(), agg2: await freePort() };
const redisDir = join(work, "redis");
mkdirSync(redisDir);
let mounted = false;
try {
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=512m", "tmpfs", redisDir], { stdio: "ignore" });
  mounted = true;
} catch {
  log("cannot mount a tmpfs for Redis (needs root): the disk-full fault will not run");
}

const startRedis = () => run("redis-server", "redis-server", [
  "--port", String(ports.redis), "--bind", "127.0.0.1", "--dir", redisDir, "--save", "",
  "--appendonly", "yes", "--appendfsync", "everysec", "--logfile", join(work, "redis.log")]);
const startDynalite = () => run("dynalite", "node", ["node_modules/dynalite/cli.js", "--host", "127.0.0.1", "--port", String(ports.dynamo),
  "--createTableMs", "0", "--path", join(work, "dynamo")]);
const common = {
  ASPNETCORE_ENVIRONMENT: "Production",
  ConnectionStrings__redis: `127.0.0.1:${ports.redis}`,
  ConnectionStrings__dynamodb: `http://127.0.0.1:${ports.dynamo}`,
  LiveInsight__AdminToken: TOKEN,
  LiveInsight__Storage__TablePrefix: "chaos-",
  Logging__LogLevel__Default: "Warning",
  OTEL_SDK_DISABLED: "true",
};
const startApi = (port) => run(`api-${port}`, "dotnet", [`LiveInsight.Api/bin/${CONFIGURATION}/net10.0/LiveInsight.Api.dll`, "--urls", `http://127.0.0.1:${port}`],
  { ...common, LiveInsight__Ingestion__RequestsPerMinute: "10000000", LiveInsight__Ingestion__TrustedProxies__0: "127.0.0.1/32", Lake__Path: join(work, "lake") });
const startAggregator = (n) => run(`aggregator-${n}`, "dotnet", [`LiveInsight.Aggregator/bin/${CONFIGURATION}/net10.0/LiveInsight.Aggregator.dll`, "--urls", `http://127.0.0.1:${ports[`agg${n}`]}`],
  { ...common, LiveInsight__Aggregator__ConsumerName: `chaos-${n}`, LiveInsight__Aggregator__ConsumersPerReplica: "1",
    LiveInsight__Aggregator__ClaimIdleSeconds: String(CLAIM_IDLE_SECONDS), Lake__Path: join(work, "lake") });
const healthy = (port) => async () => (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) })).ok;
const redisUp = async () => (await redisCommand(ports.redis, "PING")) === "PONG";

const procs = {};
procs.redis = startRedis();
procs.dynalite = startDynalite();
await waitFor(redisUp, 20_000, "redis-server");
await waitFor(async () => (await dynamo("ListTables", {})).TableNames !== undefined, 20_000, "dynalite");
procs.apiA = startApi(ports.apiA);
procs.apiB = startApi(ports.apiB);
await waitFor(healthy(ports.apiA), 120_000, "api A");
await waitFor(healthy(ports.apiB), 120_000, "api B");
procs.agg1 = startAggregator(1);
procs.agg2 = startAggregator(2);
await waitFor(healthy(ports.agg1), 120_000, "aggregator 1");
await waitFor(healthy(ports.agg2), 120_000, "aggregator 2");

const created = await (await fetch(`http://127.0.0.1:${ports.apiA}/api/sites`, {
  method: "POST",
  headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
  body: JSON.stringify({ name: "Chaos", domains: ["chaos.test"] }),
})).json();
const { site_id: siteId, public_key: publicKey } = created;
log(`stack up in ${now().toFixed(1)} s; site ${siteId}; ${RATE} requests/s for about ${seconds} s on ${cpus().length} cores`);

// ---------------------------------------------------------------- load
const sent = []; // { id, phase, path, source, outcome: "accepted" | "refused" | "unknown", port, at }
let phase = "warmup";
let stopLoad = false;
let seq = 0;
const firstAcceptedAfter = (since, port) => sent.find((s) => s.outcome === "accepted" && s.at >= since && (port === undefined || s.port === port))?.at;

async function sendOne() {
  const n = seq++;
  const port = n % 2 === 0 ? ports.apiA : ports.apiB;
  const referrer = REFERRERS[n % REFERRERS.length];
  const visitor = n % 97;
  const record = { id: `chaos-${n}`, phase, path: `/chaos/${phase}/${n % 5}`, source: referrer.source, outcome: "unknown", port, at: now() };
  sent.push(record);
  try {
    const response = await fetch(`http://127.0.0.1:${port}/api/events`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": UA(visitor), "X-Forwarded-For": `10.0.${visitor}.1`, Origin: "https://chaos.test" },
      body: JSON.stringify({ key: publicKey, events: [{
        id: record.id, event_type: "page_view", page_url: `https://chaos.test${record.path}`, referrer: referrer.url,
        session_id: `s-${phase}-${visitor}`, timestamp: Date.now(), screen_width: 1920 }] }),
      signal: AbortSignal.timeout(3000),
    });
    const text = await response.text();
    if (response.status === 202) record.outcome = text.includes('"accepted":1') ? "accepted" : "dropped";
    // A 503 the store did not confirm (EventIngestor.UnconfirmedDetail: Redis may have run the script and lost only
    // its answer) is an unknown outcome, as a reset is: the tracker retries it with the same id, which is dropped.
    else if (response.status === 503 && text.includes("may or may not have been kept")) record.outcome = "unknown";
    else record.outcome = "refused";
    record.status = response.status;
  } catch (error) {
    // A refused connection never reached an Api; a reset or a timeout may have been taken or not.
    record.outcome = error?.cause?.code === "ECONNREFUSED" ? "refused" : "unknown";
  }
}

async function load() {
  const inflight = new Set();
  const interval = 1000 / RATE;
  let next = performance.now();
  while (!stopLoad) {
    next += interval;
    if (inflight.size < 256) {
      const p = sendOne().finally(() => inflight.delete(p));
      inflight.add(p);
    }
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
  await Promise.all(inflight);
}

// ---------------------------------------------------------------- lag: age of the oldest entry not yet acknowledged
let maxLag = 0;
const lagSamples = []; // { at, lagMs }
const idMs = (id) => Number(String(id).split("-")[0]);
async function streamLagMs(groupName = "aggregator") {
  const groups = await redisCommand(ports.redis, "XINFO", "GROUPS", "li:events");
  const group = groups.map((g) => Object.fromEntries(g.reduce((a, v, i) => (i % 2 ? a[a.length - 1].push(v) : a.push([v]), a), [])))
    .find((g) => g.name === groupName);
  if (!group) return 0;
  const oldest = [];
  const pending = await redisCommand(ports.redis, "XPENDING", "li:events", groupName);
  if (pending[0] > 0) oldest.push(idMs(pending[1]));
  const undelivered = await redisCommand(ports.redis, "XRANGE", "li:events", `(${group["last-delivered-id"]}`, "+", "COUNT", "1");
  if (undelivered.length) oldest.push(idMs(undelivered[0][0]));
  const time = await redisCommand(ports.redis, "TIME");
  const serverMs = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
  return oldest.length ? serverMs - Math.min(...oldest) : 0;
}
let stopLagProbe = false;
async function probeLag() {
  while (!stopLagProbe) {
    try {
      const lagMs = await streamLagMs();
      lagSamples.push({ at: now(), lagMs });
      maxLag = Math.max(maxLag, lagMs);
    } catch { /* Redis away: no sample */ }
    await sleep(250);
  }
}
const lagUnder5sAfter = (since) => lagSamples.find((s) => s.at >= since && s.lagMs < 5000)?.at;

// ---------------------------------------------------------------- faults
const scale = Math.max(1, (seconds - 8) / 90);
const faults = [
  { name: "api-kill", slot: 12, async inject() { kill(procs.apiA); await sleep(3000); procs.apiA = startApi(ports.apiA); }, port: () => ports.apiA },
  { name: "aggregator-kill", slot: 14, async inject() {
      kill(procs.agg1); await sleep(2000); kill(procs.agg2); await sleep(2000);
      procs.agg1 = startAggregator(1); procs.agg2 = startAggregator(2); } },
  { name: "redis-kill", slot: 12, async inject() {
      kill(procs.redis); await exited(procs.redis); await sleep(2000);
      procs.redis = startRedis(); } },
  { name: "dynalite-kill", slot: 14, async inject() {
      kill(procs.dynalite); await exited(procs.dynalite); await sleep(5000);
      procs.dynalite = startDynalite(); } },
  { name: "aggregator-stop", slot: 24, async inject() {
      kill(procs.agg1, "SIGSTOP"); await sleep((CLAIM_IDLE_SECONDS + 6) * 1000); kill(procs.agg1, "SIGCONT"); } },
  { name: "disk-full", slot: 12, skip: !mounted && "mounting a tmpfs for Redis needs root", async inject() {
      // Fill Redis's own 512 MB tmpfs (never the machine's disk), so its AOF writes fail and it refuses writes.
      const filler = join(redisDir, "filler");
      const free = Number(statfsSync(redisDir).bavail) * Number(statfsSync(redisDir).bsize);
      execFileSync("fallocate", ["-l", String(Math.max(0, free - 1024 * 1024)), filler]);
      // …and the last megabyte with zeros until the filesystem says it is full.
      try { execFileSync("dd", ["if=/dev/zero", `of=${filler}-tail`, "bs=4096"], { stdio: "ignore" }); } catch { /* ENOSPC: full */ }
      await sleep(4000);
      rmSync(filler, { force: true }); rmSync(`${filler}-tail`, { force: true }); } },
];

const results = [];
const loadDone = load();
const lagDone = probeLag();
await sleep(8000 * Math.min(scale, 2));
for (const fault of faults) {
  phase = fault.name;
  const slotMs = fault.slot * scale * 1000;
  const started = now();
  if (fault.skip) {
    log(`${fault.name}: not run (${fault.skip})`);
    results.push({ fault, skipped: fault.skip });
    await sleep(2000);
    continue;
  }
  await sleep(1500);
  const injected = now();
  log(`${fault.name} at ${injected.toFixed(1)} s`);
  await fault.inject();
  const lifted = now();
  const remaining = slotMs - (lifted - started) * 1000;
  if (remaining > 0) await sleep(remaining);
  results.push({ fault, injected, lifted });
}
phase = "cooldown";
await sleep(3000);
stopLoad = true;
await loadDone;
log(`load stopped at ${now().toFixed(1)} s: ${sent.length} requests`);

// ---------------------------------------------------------------- drain, then compare
await waitFor(async () => (await streamLagMs()) === 0, 180_000, "draining the stream");
// The lake writer (its own consumer group) flushes every 10 s: wait for it too.
const lakeOn = (await redisCommand(ports.redis, "XINFO", "GROUPS", "li:events")).some((g) => g[1] === "lake");
if (lakeOn) await waitFor(async () => (await streamLagMs("lake")) === 0, 180_000, "the lake writer");
stopLagProbe = true;
await lagDone;
await sleep(1000);

const accepted = sent.filter((s) => s.outcome === "accepted");
const days = new Set();
for (let d = new Date(t0 - 86_400_000); d <= new Date(Date.now() + 86_400_000); d = new Date(d.getTime() + 86_400_000)) days.add(d.toISOString().slice(0, 10));

// The Events table: which ids were stored (deterministic keys, so an id is there once or not at all).
const stored = new Set();
let startKey;
do {
  const page = await dynamo("Scan", { TableName: "chaos-Events", ProjectionExpression: "sk", ExclusiveStartKey: startKey });
  for (const item of page.Items) stored.add(item.sk.S.slice(item.sk.S.indexOf("#") + 1));
  startKey = page.LastEvaluatedKey;
} while (startKey);

// The day rollups in Redis: page views per page and per source.
const counted = { page: new Map(), source: new Map() };
for (const day of days) {
  const flat = await redisCommand(ports.redis, "HGETALL", `li:{${siteId}}:r:d:${day}`);
  for (let i = 0; i < flat.length; i += 2) {
    const [dimension, ...rest] = flat[i].split("|");
    const metric = rest.pop();
    const value = rest.join("|");
    if (metric !== "pageviews" || !(dimension in counted)) continue;
    counted[dimension].set(value, (counted[dimension].get(value) ?? 0) + Number(flat[i + 1]));
  }
}

// The lake, through the query API (duplicates dropped by event id, as every reader does): page views per page.
const lakeCounted = new Map();
if (lakeOn) {
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const response = await fetch(`http://127.0.0.1:${ports.apiA}/api/v2/query`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: JSON.stringify({ site_id: siteId, metrics: ["pageviews"], date_range: [day(t0 - 86_400_000), day(Date.now())],
      dimensions: ["event:page"], pagination: { limit: 1000 } }),
  });
  if (!response.ok) throw new Error(`lake query: ${response.status} ${await response.text()}`);
  for (const row of (await response.json()).results) lakeCounted.set(row.dimensions[0], row.metrics[0]);
}

const lines = [];
let failed = false;
const phases = ["warmup", ...faults.map((f) => f.name), "cooldown"];
const rows = [];
for (const name of phases) {
  const mine = sent.filter((s) => s.phase === name);
  const ok = mine.filter((s) => s.outcome === "accepted");
  const refused = mine.filter((s) => s.outcome === "refused" || s.outcome === "dropped");
  const unknown = mine.filter((s) => s.outcome === "unknown");
  // Expected in the rollups: every 202, and every unknown outcome the Events table shows was taken.
  const expected = [...ok, ...unknown.filter((s) => stored.has(s.id))];
  const missingIds = ok.filter((s) => !stored.has(s.id)).length;
  const refusedCounted = refused.filter((s) => stored.has(s.id)).length;
  let lost = missingIds;
  let doubled = refusedCounted;
  const byPage = new Map();
  for (const s of expected) byPage.set(s.path, (byPage.get(s.path) ?? 0) + 1);
  for (const [path, want] of byPage) {
    const got = counted.page.get(path) ?? 0;
    lost = Math.max(lost, want - got);
    doubled = Math.max(doubled, got - want);
  }
  for (const path of counted.page.keys()) if (path.startsWith(`/chaos/${name}/`) && !byPage.has(path)) doubled = Math.max(doubled, counted.page.get(path));
  let lakeLost = 0;
  let lakeDoubled = 0;
  if (lakeOn) {
    for (const [path, want] of byPage) {
      const got = lakeCounted.get(path) ?? 0;
      lakeLost += Math.max(0, want - got);
      lakeDoubled += Math.max(0, got - want);
    }
    for (const [path, got] of lakeCounted) if (path.startsWith(`/chaos/${name}/`) && !byPage.has(path)) lakeDoubled += got;
  }
  const pagesTotal = [...counted.page].filter(([p]) => p.startsWith(`/chaos/${name}/`)).reduce((a, [, n]) => a + n, 0);
  lost = Math.max(lost, expected.length - pagesTotal);
  doubled = Math.max(doubled, pagesTotal - expected.length);
  const result = results.find((r) => r.fault.name === name);
  if (result?.skipped) {
    lines.push(`fault=${name} not run: ${result.skipped}`);
    continue;
  }
  const recover202 = result ? (firstAcceptedAfter(result.lifted, result.fault.port?.()) ?? NaN) - result.lifted : NaN;
  const recoverLag = result ? (lagUnder5sAfter(result.lifted) ?? NaN) - result.lifted : NaN;
  const line = `fault=${name} sent=${mine.length} accepted=${ok.length} refused=${refused.length} unknown=${unknown.length}` +
    (result ? ` first_202_after=${recover202.toFixed(1)}s lag_under_5s_after=${recoverLag.toFixed(1)}s` : "") +
    (lakeOn ? ` lake_lost=${lakeLost} lake_doubled=${lakeDoubled}` : "") + ` lost=${lost + lakeLost} doubled=${doubled + lakeDoubled}`;
  lines.push(line);
  rows.push({ name, mine: mine.length, ok: ok.length, refused: refused.length, unknown: unknown.length, recover202, recoverLag,
    lost: lost + lakeLost, doubled: doubled + lakeDoubled, result });
  if (lost || doubled || lakeLost || lakeDoubled) failed = true;
}

// Per source, over the whole run (a source's rows span every phase).
const acceptedOrStored = sent.filter((s) => s.outcome === "accepted" || (s.outcome === "unknown" && stored.has(s.id)));
const sourceLines = [];
for (const { source } of REFERRERS) {
  const want = acceptedOrStored.filter((s) => s.source === source).length;
  const got = counted.source.get(source) ?? 0;
  sourceLines.push(`source=${source} expected=${want} counted=${got}`);
  if (want !== got) failed = true;
}
const summary = `total sent=${sent.length} accepted=${accepted.length} stored=${stored.size} max_lag=${(maxLag / 1000).toFixed(1)}s`;
for (const line of [...lines, ...sourceLines, summary]) console.log(line);

if (write) {
  const machine = `${cpus().length} × ${cpus()[0].model.trim()}`;
  const table = rows.filter((r) => r.result).map((r) =>
    `| ${r.name} | ${r.mine} | ${r.ok} | ${r.refused} | ${r.unknown} | ${isNaN(r.recover202) ? "–" : r.recover202.toFixed(1) + " s"} | ${isNaN(r.recoverLag) ? "–" : r.recoverLag.toFixed(1) + " s"} | ${r.lost} | ${r.doubled} |`);
  writeSection("chaos", [
    "<!-- bench:chaos:start -->",
    "## Chaos: killing real processes under load (`./liveinsight chaos`)",
    "",
    `- Machine: ${machine}. Command: \`./liveinsight chaos ${seconds}\` on ${new Date().toISOString().slice(0, 10)}; ${RATE} requests/s of one unique event each, alternating between two Release Apis; two Release aggregators (claim timeout ${CLAIM_IDLE_SECONDS} s); redis-server 7 with AOF everysec on a dedicated 512 MB tmpfs; dynalite.`,
    "- Recovery is measured from the moment the fault is lifted (the killed process started again, so its start-up is included; the stopped one resumed; the disk freed): the first 202 again (from the restarted Api for api-kill) and the stream lag (age of the oldest unacknowledged entry) back under 5 s. \"refused\" counts 503s and refused connections; \"unknown\" answers are resets and timeouts while a process died: the Events table says whether each was taken, and the comparison counts it as what it says.",
    "",
    "| fault | sent | 202 | refused | unknown | first 202 after | lag < 5 s after | lost (rollups + lake) | doubled (rollups + lake) |",
    "|---|---|---|---|---|---|---|---|---|",
    ...table,
    "",
    `- ${summary}; per source over the run: ${sourceLines.join("; ")}.`,
    ...lines.filter((l) => l.includes("not run")).map((l) => `- ${l}`),
    "<!-- bench:chaos:end -->",
  ].join("\n"));
}

process.exit(failed ? 1 : 0);
