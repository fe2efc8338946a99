// Rewrites the read section of BENCHMARKS.md (<!-- bench:read:start --> … <!-- bench:read:end -->) from the RESULT
// lines of bench/read.sh. Usage: node bench/write-read-results.mjs results.txt seconds connections
import { readFileSync } from "node:fs";
import { writeSection } from "./sections.mjs";
import { execSync } from "node:child_process";
import os from "node:os";

const [resultsFile, seconds, connections] = process.argv.slice(2);
const rows = readFileSync(resultsFile, "utf8").trim().split("\n").map((line) => {
  const [name, ...pairs] = line.trim().split(/\s+/);
  const r = Object.fromEntries(pairs.map((p) => p.split("=")));
  for (const k of Object.keys(r)) if (!["scale", "mode"].includes(k)) r[k] = Number(r[k]);
  return { name, ...r };
});
const fmt = (n, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const redis = execSync("redis-server --version").toString().match(/v=(\S+)/)?.[1] ?? "?";
const names = [...new Set(rows.map((r) => r.name))];
const find = (name, scale, mode) => rows.find((r) => r.name === name && r.scale === scale && r.mode === mode);

let table = "| endpoint | mode | data | requests/s | P50 ms | P95 ms | P99 ms | errors | non-2xx |\n|---|---|---|---|---|---|---|---|---|\n";
for (const name of names) for (const mode of ["warm", "cold"]) for (const scale of ["1x", "10x"]) {
  const r = find(name, scale, mode);
  if (r) table += `| ${name} | ${mode} | ${scale} | ${fmt(r.rps)} | ${fmt(r.p50_ms, 2)} | ${fmt(r.p95_ms, 2)} | ${fmt(r.p99_ms, 2)} | ${r.errors} | ${r.non2xx} |\n`;
}
const check = (ok) => (ok ? "pass" : "FAIL");
const worst = (filter) => Math.max(...rows.filter(filter).map((r) => r.p95_ms));
const warm = worst((r) => r.mode === "warm");
const coldRealtime = worst((r) => r.mode === "cold" && r.name.startsWith("realtime"));
const coldStats = worst((r) => r.mode === "cold" && r.name.startsWith("stats"));
const ratios = names.flatMap((n) => ["warm", "cold"].map((m) => find(n, "10x", m).p95_ms / find(n, "1x", m).p95_ms));
const flat = Math.max(...ratios);
const errors = rows.reduce((s, r) => s + r.errors + r.non2xx, 0);
const targets = [
  `| realtime and stats P95 ≤ 10 ms warm (worst endpoint) | ${fmt(warm, 2)} ms | ${check(warm <= 10)} |`,
  `| seed SLA: realtime P95 < 200 ms cold | ${fmt(coldRealtime, 2)} ms | ${check(coldRealtime < 200)} |`,
  `| seed SLA: stats P95 < 500 ms cold | ${fmt(coldStats, 2)} ms | ${check(coldStats < 500)} |`,
  `| flat: worst P95 ratio 10x / 1x stored data | ${fmt(flat, 2)} | ${check(flat <= 1.5)} (≤ 1.5) |`,
  `| no errors, no non-2xx | ${errors} | ${check(errors === 0)} |`,
].join("\n");

const section = `<!-- bench:read:start -->
## Read side (realtime and stats)

- Date: ${new Date().toISOString().replace("T", " ").slice(0, 16)} UTC
- Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${fmt(os.totalmem() / 2 ** 30, 1)} GiB memory; everything on it: wrk, two Apis, redis-server ${redis}, dynalite (on disk)
- Load average (1 min) when the run ended: ${fmt(os.loadavg()[0], 1)} on ${os.cpus().length} cores (other work on the machine shows up as noise in the tails)
- Command: \`./liveinsight bench read\` (\`bench/read.sh\`: wrk -t2 -c${connections} -d${seconds}s per row, \`Authorization: Bearer sk_…\`)
- Data: 1x = a site with 30 flushed days in the Stats table (~4,000 items: day rows of 8 dimensions, 50 pages with sketches, 24 hour rows a day) plus today in Redis; 10x = a site with 300 days (~40,000 items). Both have 1,000 active realtime sessions. Queries cover the last 30 days.
- warm = the same request repeated (HybridCache: realtime 3 s, stats 30 s); cold = an Api started with \`LiveInsight:Read:DisableCache=true\`, so every request reads Redis and DynamoDB

${table}
| target | measured | result |
|---|---|---|
${targets}
<!-- bench:read:end -->`;

writeSection("read", section);
