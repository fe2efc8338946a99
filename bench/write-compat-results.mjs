// Writes the "compat" section of BENCHMARKS.md from bench/compat.sh's RESULT lines: Plausible's POST /api/event beside
// our POST /api/events (one event a request) and the parse-only ceiling, per round, all in one run.
// Usage: node bench/write-compat-results.mjs results.txt seconds stream_len
import { readFileSync } from "node:fs";
import { execSync } from "node:child_process";
import os from "node:os";
import { writeSection } from "./sections.mjs";

const [resultsFile, seconds, streamLength] = process.argv.slice(2);
const rows = readFileSync(resultsFile, "utf8").trim().split("\n").map((line) => {
  const [kind, roundPair, ...pairs] = line.trim().split(/\s+/);
  const round = Number(roundPair.split("=")[1]);
  return { kind, round, ...Object.fromEntries(pairs.map((p) => p.split("=")).map(([k, v]) => [k, Number(v)])) };
});
const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const cpu = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown CPU"}`;
const commit = execSync("git rev-parse --short HEAD").toString().trim();

let table = "| round | path | requests/s | P50 ms | P95 ms | P99 ms | errors | non-2xx | ratio to ceiling | /api/event ÷ /api/events |\n";
table += "|---|---|---|---|---|---|---|---|---|---|\n";
const ratios = [];
for (const round of [...new Set(rows.map((r) => r.round))]) {
  const ceiling = rows.find((r) => r.round === round && r.kind === "ceiling");
  const ours = rows.find((r) => r.round === round && r.kind === "events");
  const plausible = rows.find((r) => r.round === round && r.kind === "event");
  for (const [label, r] of [["ceiling: parse only (`/bench/parse`)", ceiling], ["`/api/events` (our tracker)", ours], ["`/api/event` (Plausible's script)", plausible]]) {
    const vsCeiling = r === ceiling ? "1.00 (ceiling)" : fmt(r.rps / ceiling.rps, 2);
    const vsOurs = r === plausible ? fmt(plausible.rps / ours.rps, 2) : "";
    table += `| ${round} | ${label} | ${fmt(r.rps)} | ${fmt(r.p50_ms, 2)} | ${fmt(r.p95_ms, 2)} | ${fmt(r.p99_ms, 2)} | ${r.errors} | ${r.non2xx} | ${vsCeiling} | ${vsOurs} |\n`;
  }
  ratios.push(plausible.rps / ours.rps);
}
const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;

writeSection("compat", `<!-- bench:compat:start -->
## Compatibility ingestion: Plausible's \`/api/event\` beside \`/api/events\` (\`./liveinsight bench compat\`)

- Machine: ${cpu}, ${fmt(os.totalmem() / 2 ** 30)} GiB; everything on this one machine (wrk, Api, redis-server, dynalite).
- Command: \`./liveinsight bench compat\` (\`bench/compat.sh ${seconds} ${rows.length / 3}\`) at ${commit}, ${new Date().toISOString().slice(0, 10)}: one
  Release Api; per round ${seconds} s of wrk (2 threads, 64 connections) on each path, one event a request: the parse-only
  ceiling, our tracker's batch of one, and Plausible's body (no key: the site is found by domain; no session: the
  visitor's derived session costs one more pipelined Redis round trip, SET NX GET + EXPIRE).
- Stream entries after the run: ${fmt(Number(streamLength))} (warm-up included).
- **\`/api/event\` runs at ${fmt(mean, 2)}× the speed of \`/api/events\`** (mean of the rounds): the same order of speed, as the
  issue asks. Compare ratios, not absolute numbers: they move ±15 % between runs on this machine.

${table}<!-- bench:compat:end -->`);
