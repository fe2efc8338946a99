#!/usr/bin/env bash
# Where ingestion's time goes (issue 22), in load-independent terms as far as this machine allows: starts its own
# redis-server (AOF everysec), dynalite and a Release Api, warms up, measures the parse-only ceiling, then one wrk run
# on /api/events with dotnet-counters attached (allocations per request), the Api's and redis-server's CPU ticks from
# /proc (µs per request), Redis INFO commandstats and SLOWLOG, and (PROFILE_TRACE=1) a dotnet-trace thread-time sample
# converted to speedscope. Writes everything under $PROFILE_OUT/TAG and prints the summary line.
# PROFILE_ALLOC=1 adds a sampled allocation trace (gc-verbose), PROFILE_PERF=1 a perf CPU profile of the Api (true
# on-CPU samples with the JIT's perf map; the thread-time sample above also counts threads that are about to block).
# Needs: dotnet tool install -g dotnet-counters / dotnet-trace (10.0.750501); perf for PROFILE_PERF. Not part of ./liveinsight bench.
# Usage: bench/ingest-profile.sh TAG [events-per-request, default 1] [seconds, default 10]
#   API_BIN=dir: a Release build to measure instead of LiveInsight.Api/bin/Release/net10.0 (to pair before/after)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
TAG=$1; BATCH=${2:-1}; DUR=${3:-10}
OUT="${PROFILE_OUT:-/tmp/liveinsight-ingest-profile}/$TAG"; mkdir -p "$OUT"
TOOLS=~/.dotnet/tools
BIN=${API_BIN:-LiveInsight.Api/bin/Release/net10.0}
[ -n "${API_BIN:-}" ] || dotnet build LiveInsight.Api -c Release --nologo -v quiet -clp:ErrorsOnly >&2
start_stores --appendonly yes --appendfsync everysec
API_PORT=$(free_port)
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# No spinning in the thread pool's semaphore: on a machine shared with other work, spinning turns waiting into CPU
# time and makes CPU per request depend on the load; both sides of a comparison run the same way.
env ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__redis="127.0.0.1:$REDIS_PORT" \
  ConnectionStrings__dynamodb="http://127.0.0.1:$DYNAMO_PORT" LiveInsight__AdminToken="$TOKEN" Logging__LogLevel__Default=Warning \
  LiveInsight__Bench__ParseOnlyEndpoint=true LiveInsight__Ingestion__TrustedProxies__0="127.0.0.1/32" \
  LiveInsight__Ingestion__RequestsPerMinute=10000000 DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 \
  DOTNET_PerfMapEnabled="${PROFILE_PERF:-0}" DOTNET_EnableWriteXorExecute="$((1 - ${PROFILE_PERF:-0}))" \
  dotnet "$BIN/LiveInsight.Api.dll" --urls "http://127.0.0.1:$API_PORT" >"$OUT/api.log" 2>&1 &
API_PID=$!; PIDS+=("$API_PID")
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$API_PORT/health" >/dev/null && break; sleep 0.5; done
KEY=$(curl -sf -X POST "http://127.0.0.1:$API_PORT/api/sites" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"Bench","domains":["example.com"]}' | json public_key)
load() { LI_KEY="$KEY" LI_BATCH=$BATCH wrk -t2 -c64 -d"$1"s -s bench/ingest.lua "http://127.0.0.1:$API_PORT$2" 2>&1; }
# Long enough for tiered PGO to finish on a loaded machine (instrumented code in a profile inflates CPU per request).
for path in /api/events /bench/parse; do load 8 "$path" >/dev/null; done
uptime >"$OUT/uptime"
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# The ceiling's own CPU and allocations per request, measured the same way: the gap between the two is the real work.
"$TOOLS/dotnet-counters" collect -p "$API_PID" --counters System.Runtime --refresh-interval 1 --format csv \
  -o "$OUT/ceiling-counters.csv" --duration "00:00:00:$((DUR + 3))" >/dev/null 2>&1 </dev/null &
COUNTERS=$!
sleep 2 # dotnet-counters attaches before the load starts, so none of the run's allocations are missed
C0=$(ticks "$API_PID")
load "$DUR" /bench/parse | grep RESULT >"$OUT/ceiling.txt"
C1=$(ticks "$API_PID")
wait "$COUNTERS" || true
redis-cli -p "$REDIS_PORT" config resetstat >/dev/null
redis-cli -p "$REDIS_PORT" slowlog reset >/dev/null
redis-cli -p "$REDIS_PORT" config set slowlog-log-slower-than 1000 >/dev/null
"$TOOLS/dotnet-counters" collect -p "$API_PID" --counters System.Runtime --refresh-interval 1 --format csv \
  -o "$OUT/counters.csv" --duration "00:00:00:$((DUR + 3))" >/dev/null 2>&1 </dev/null &
COUNTERS=$!
REDIS_PID=$(redis-cli -p "$REDIS_PORT" info server | tr -d '\r' | awk -F: '/^process_id/ {print $2}')
sleep 2
A0=$(ticks "$API_PID"); R0=$(ticks "$REDIS_PID")
load "$DUR" /api/events >"$OUT/wrk.txt"
A1=$(ticks "$API_PID"); R1=$(ticks "$REDIS_PID")
wait "$COUNTERS" || true
REQ=$(sed -nE 's/^RESULT requests=([0-9]+).*/\1/p' "$OUT/wrk.txt")
HZ=$(getconf CLK_TCK)
redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' >"$OUT/commandstats.txt"
redis-cli -p "$REDIS_PORT" slowlog get 10 >"$OUT/slowlog.txt"
COMMANDS=$(awk -F'[:=,]' '/^cmdstat_/ && $1 !~ /info|config|slowlog|ping/ {s += $3} END {print s}' "$OUT/commandstats.txt")
ALLOC=$(awk -F, '/total_allocated/ {s += $5} END {print s + 0}' "$OUT/counters.csv")
CALLOC=$(awk -F, '/total_allocated/ {s += $5} END {print s + 0}' "$OUT/ceiling-counters.csv")
CREQ=$(sed -nE 's/^RESULT requests=([0-9]+).*/\1/p' "$OUT/ceiling.txt")
{
  echo "load: $(cat "$OUT/uptime" | sed 's/.*load/load/')"
  echo "ceiling: $(cat "$OUT/ceiling.txt")"
  echo "ingest:  $(grep RESULT "$OUT/wrk.txt")"
  awk -v a=$((A1 - A0)) -v r=$((R1 - R0)) -v n="$REQ" -v hz="$HZ" -v c="$COMMANDS" -v b="$ALLOC" -v batch="$BATCH" 'BEGIN {
    printf "per request (%d events): api_cpu_us=%.0f redis_cpu_us=%.1f redis_commands=%.2f allocated_bytes=%.0f\n",
      batch, a * 1e6 / hz / n, r * 1e6 / hz / n, c / n, b / n }'
  awk -v a=$((C1 - C0)) -v n="$CREQ" -v hz="$HZ" -v b="$CALLOC" 'BEGIN {
    printf "ceiling per request: api_cpu_us=%.0f allocated_bytes=%.0f\n", a * 1e6 / hz / n, b / n }'
} | tee "$OUT/summary.txt"
if [ "${PROFILE_TRACE:-0}" = 1 ]; then
  "$TOOLS/dotnet-trace" collect -p "$API_PID" --profile dotnet-sampled-thread-time --duration 00:00:00:08 \
    -o "$OUT/trace.nettrace" >"$OUT/trace.log" 2>&1 </dev/null &
  TRACE=$!
  sleep 1; load 10 /api/events >/dev/null
  wait "$TRACE" || true
  "$TOOLS/dotnet-trace" convert --format speedscope "$OUT/trace.nettrace" -o "$OUT/trace" >>"$OUT/trace.log" 2>&1 || true
  echo "trace: $OUT/trace.speedscope.json" >&2
fi
if [ "${PROFILE_ALLOC:-0}" = 1 ]; then
  # Sampled allocations (an AllocationTick about every 100 KB, with its stack and type) under the same load.
  "$TOOLS/dotnet-trace" collect -p "$API_PID" --profile gc-verbose --duration 00:00:00:06 \
    -o "$OUT/alloc.nettrace" >"$OUT/alloc.log" 2>&1 </dev/null &
  TRACE=$!
  sleep 1; load 7 /api/events >/dev/null
  wait "$TRACE" || true
  echo "allocations: $OUT/alloc.nettrace" >&2
fi
if [ "${PROFILE_PERF:-0}" = 1 ]; then
  perf record -F 999 -g -p "$API_PID" -o "$OUT/perf.data" -- sleep 6 >"$OUT/perf.log" 2>&1 &
  PERF=$!
  sleep 0.5; load 7 /api/events >/dev/null
  wait "$PERF" || true
  perf report -i "$OUT/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' >"$OUT/perf-self.txt" || true
  perf report -i "$OUT/perf.data" --children --sort sym --stdio -g none 2>/dev/null | grep -v '^#' | grep -v '^$' >"$OUT/perf-children.txt" || true
  echo "perf: $OUT/perf-self.txt" >&2
fi
