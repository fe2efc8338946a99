// Rewrites one section of BENCHMARKS.md (between <!-- bench:NAME:start --> and <!-- bench:NAME:end -->) from the
// RESULT lines a benchmark run produced. Usage: node bench/write-results.mjs ingest results.txt seconds connections stream_len api_rss_kb
import { readFileSync, existsSync } from "node:fs";
import { writeSection } from "./sections.mjs";
import { execSync } from "node:child_process";
import os from "node:os";

const [name, resultsFile, seconds, connections, streamLength, apiRssKb, redisFile] = process.argv.slice(2);
const rows = readFileSync(resultsFile, "utf8").trim().split("\n").map((line) => {
  const [kind, ...pairs] = line.trim().split(/\s+/);
  return { kind, ...Object.fromEntries(pairs.map((p) => p.split("=")).map(([k, v]) => [k, Number(v)])) };
});
const find = (kind, batch) => rows.find((r) => r.kind === kind && r.batch === batch);
const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const redis = execSync("redis-server --version").toString().match(/v=(\S+)/)?.[1] ?? "?";
const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

let table = "| run | events/request | requests/s | events/s | P50 ms | P95 ms | P99 ms | errors | non-2xx | events sent → stream entries added | ratio to ceiling (req/s) |\n";
table += "|---|---|---|---|---|---|---|---|---|---|---|\n";
for (const batch of [1, 20]) {
  const ceiling = find("ceiling", batch);
  for (const r of [ceiling, find("ingest", batch)].filter(Boolean)) {
    const ratio = r === ceiling ? "1.00 (ceiling)" : fmt(r.rps / ceiling.rps, 2);
    const label = r.kind === "ceiling" ? "ceiling: parse only (`/bench/parse`)" : "ingest (`/api/events`)";
    const kept = r === ceiling ? "— (not stored)" : `${fmt(r.requests * batch)} → ${fmt(r.added)}`;
    table += `| ${label} | ${batch} | ${fmt(r.rps)} | ${fmt(r.rps * batch)} | ${fmt(r.p50_ms, 2)} | ${fmt(r.p95_ms, 2)} | ${fmt(r.p99_ms, 2)} | ${r.errors} | ${r.non2xx} | ${kept} | ${ratio} |\n`;
  }
}
const single = find("ingest", 1), batched = find("ingest", 20);
const check = (ok) => (ok ? "pass" : "FAIL");
const targets = [
  `| ingest ≥ 20,000 single-event requests/s | ${fmt(single.rps)} | ${check(single.rps >= 20000)} |`,
  `| ingest P95 ≤ 5 ms (single events) | ${fmt(single.p95_ms, 2)} ms | ${check(single.p95_ms <= 5)} |`,
  `| ≥ 100,000 events/s in 20-event batches | ${fmt(batched.rps * 20)} | ${check(batched.rps * 20 >= 100000)} |`,
  `| seed SLA: ingest P95 < 100 ms | ${fmt(Math.max(single.p95_ms, batched.p95_ms), 2)} ms | ${check(Math.max(single.p95_ms, batched.p95_ms) < 100)} |`,
  `| seed SLA: 1,000 events/s | ${fmt(Math.min(single.rps, batched.rps * 20))} | ${check(Math.min(single.rps, batched.rps * 20) >= 1000)} |`,
].join("\n");

// Redis: commands per stored event (commandstats deltas around each ingest run) and redis-benchmark ceilings.
const redisLines = redisFile && existsSync(redisFile) ? readFileSync(redisFile, "utf8").trim().split("\n").filter(Boolean) : [];
const kv = (line) => Object.fromEntries(line.trim().split(/\s+/).slice(1).map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]));
let redisText = "";
const cmdRows = redisLines.filter((l) => l.startsWith("cmds ")).map(kv);
if (cmdRows.length) {
  redisText += "\n| Redis commands per ingested event (`INFO commandstats` deltas / stream entries added) | events/request | per event | by command (per event) |\n|---|---|---|---|\n";
  for (const c of cmdRows) {
    const events = Number(c.events) || 1;
    const by = Object.entries(c).filter(([k]) => !["batch", "events", "total"].includes(k))
      .sort((a, b) => Number(b[1]) - Number(a[1])).map(([k, v]) => `${k} ${fmt(Number(v) / events, 2)}`).join(", ");
    redisText += `| ingest run | ${c.batch} | ${fmt(Number(c.total) / events, 2)} | ${by} |\n`;
  }
}
const rbRows = redisLines.filter((l) => l.startsWith("rb ")).map((l) => ({ op: l.match(/op=(.*) ops=/)[1], ops: Number(l.match(/ops=(\S*)/)[1]) }));
if (rbRows.length) {
  redisText += "\n| Redis ceilings (redis-benchmark, pipelined 16, 200,000 requests, same redis-server) | ops/s |\n|---|---|\n";
  for (const r of rbRows) redisText += `| \`${r.op}\` | ${fmt(r.ops)} |\n`;
}

const section = `<!-- bench:${name}:start -->
## Ingestion (\`POST /api/events\`)

- Date: ${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC
- Machine: ${os.cpus().length} cores (${cpu}), ${fmt(os.totalmem() / 2 ** 30, 1)} GiB memory, ${os.type()} ${os.release()}; everything on it: wrk, the Api, redis-server ${redis} (AOF everysec), dynalite
- Command: \`./liveinsight bench ingest\` (\`bench/ingest.sh\`: wrk -t2 -c${connections} -d${seconds}s with \`bench/ingest.lua\`: varied paths, referrers, user agents, client IPs, 10% with UTM tags)
- Api: Release build, Production environment, one process; ceiling = the same Kestrel and JSON parsing without site lookup, pipeline or Redis
- Events in the stream after the run: ${fmt(Number(streamLength))}; Api peak RSS: ${fmt(Number(apiRssKb) / 1024)} MiB

${table}${redisText}
| target | measured | result |
|---|---|---|
${targets}
<!-- bench:${name}:end -->`;

writeSection(name, section);
