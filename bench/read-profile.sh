#!/usr/bin/env bash
# Profile of the cold stats reads (issue 22): per request, the DynamoDB calls, items and bytes each endpoint reads
# (counted by bench/dynamo-count.mjs between the Api and dynalite) and the CPU time dynalite and the Api spend
# (from /proc, so it does not depend on the machine's load), at 1x (30 days) and 10x (300 days) of stored rollups.
# Requests are sequential: this measures the work per request, not latency under concurrency (bench/read.sh does).
# Usage: bench/read-profile.sh [requests per row, default 30]
# SUMMARY_WEEKS=false reads the summary from its day items only (before Core/Stats/SummaryWeeks), for comparison.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
N="${1:-30}"
dotnet build LiveInsight.Api -c Release --nologo -v quiet -clp:ErrorsOnly >&2
dotnet build bench/seed-read.cs -c Release --nologo -v quiet -clp:ErrorsOnly >&2
start_stores --appendonly no
PROXY_PORT=$(free_port); API_PORT=$(free_port)
node bench/dynamo-count.mjs "$PROXY_PORT" "$DYNAMO_PORT" & PIDS+=($!)
wait_port "$PROXY_PORT"
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PREFIX="bench-"
DYNAMO_PORT_REAL=$DYNAMO_PORT; DYNAMO_PORT=$PROXY_PORT
start_release_api "$API_PORT" LiveInsight__Storage__TablePrefix="$PREFIX" LiveInsight__Read__DisableCache=true \
  LiveInsight__Read__SummaryWeeks="${SUMMARY_WEEKS:-true}"
DYNAMO_PORT=$DYNAMO_PORT_REAL
API_PID=${API_PIDS[$API_PORT]}
seed_read_sites "$API_PORT"
ENDPOINTS=(
  "stats-summary|/api/stats/summary?site_id=SITE&range=30d"
  "stats-daily|/api/stats/daily?site_id=SITE&range=30d"
  "stats-pages|/api/stats/pages?site_id=SITE&range=30d&limit=10"
  "stats-sources|/api/stats/sources?site_id=SITE&range=30d"
  "stats-month|/api/stats/pages?site_id=SITE&range=month&limit=10"
)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-14s %-4s %12s %10s %10s %14s %14s %10s\n' endpoint data "dynamo calls" items KiB "dynalite ms" "api ms" "seq P50 ms"
for scale in 1x 10x; do
  for entry in "${ENDPOINTS[@]}"; do
    name="${entry%%|*}"; path="${entry#*|}"; url="http://127.0.0.1:$API_PORT${path//SITE/${IDS[$scale]}}"
    for _ in 1 2 3 4 5; do curl -sf -o /dev/null -H "Authorization: Bearer ${KEYS[$scale]}" "$url"; done
    curl -sf -o /dev/null "http://127.0.0.1:$PROXY_PORT/__reset"
    d0=$(ticks "$DYNALITE_PID"); a0=$(ticks "$API_PID")
    times=()
    for _ in $(seq 1 "$N"); do
      times+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer ${KEYS[$scale]}" "$url")")
    done
    d1=$(ticks "$DYNALITE_PID"); a1=$(ticks "$API_PID")
    counts=$(curl -sf "http://127.0.0.1:$PROXY_PORT/__counts")
    p50=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]*1000}')
    node -e '
      const [c, n, name, scale, dt, at, hz, p50] = process.argv.slice(1); const counts = JSON.parse(c); const N = +n;
      const calls = Object.entries(counts).map(([op, v]) => `${op} ${(v.calls / N).toFixed(1)}`).join(", ");
      const items = Object.values(counts).reduce((s, v) => s + v.items, 0) / N;
      const kib = Object.values(counts).reduce((s, v) => s + v.bytes, 0) / N / 1024;
      console.log(`${name.padEnd(14)} ${scale.padEnd(4)} ${calls.padStart(12)} ${items.toFixed(0).padStart(10)} ${kib.toFixed(0).padStart(10)} ${(dt / hz * 1000 / N).toFixed(1).padStart(14)} ${(at / hz * 1000 / N).toFixed(1).padStart(14)} ${p50.padStart(10)}`);
    ' "$counts" "$N" "$name" "$scale" "$((d1 - d0))" "$((a1 - a0))" "$hz" "$p50"
  done
done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
