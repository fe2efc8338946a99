#!/usr/bin/env bash
# Ingestion benchmark: POST /api/events against its own ceiling, in one run, on this machine.
# Starts its own redis-server (AOF everysec, as in production), dynalite and a Release build of the Api on
# 127.0.0.1, loads them with wrk for a bounded time, writes the results into BENCHMARKS.md, stops everything.
# Usage: bench/ingest.sh [seconds-per-run, default 15]   (called by ./liveinsight bench ingest)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DURATION="${1:-15}"
CONNECTIONS=64
THREADS=2

echo "==> building the Api (Release)" >&2
dotnet build LiveInsight.Api -c Release --nologo -v quiet -clp:ErrorsOnly >&2

# LIVEINSIGHT_BENCH_APPENDFSYNC=always measures what fsync before every reply would cost (NOTES "Faults").
start_stores --appendonly yes --appendfsync "${LIVEINSIGHT_BENCH_APPENDFSYNC:-everysec}"
API_PORT=$(free_port)

TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_release_api "$API_PORT" LiveInsight__Bench__ParseOnlyEndpoint=true \
  LiveInsight__Ingestion__TrustedProxies__0="127.0.0.1/32" LiveInsight__Ingestion__RequestsPerMinute=10000000
API_PID=${API_PIDS[$API_PORT]}

KEY=$(curl -sf -X POST "http://127.0.0.1:$API_PORT/api/sites" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"Bench","domains":["example.com"]}' | json public_key)

cmdstats() { redis-cli -p "$REDIS_PORT" info commandstats | tr -d '\r' | sed -nE 's/^cmdstat_([^:]+):calls=([0-9]+).*/\1 \2/p'; }
REDIS_RESULTS="$WORK/redis.txt"
run() { # name path batch; appends how many entries the run added to the events stream
  local before after
  cmdstats >"$WORK/cmd-before"
  before=$(redis-cli -p "$REDIS_PORT" XLEN li:events)
  LI_KEY="$KEY" LI_BATCH="$3" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s bench/ingest.lua \
    "http://127.0.0.1:$API_PORT$2" 2>&1 | grep '^RESULT' | sed "s/^RESULT/$1 batch=$3/" | tr -d '\n'
  after=$(redis-cli -p "$REDIS_PORT" XLEN li:events)
  echo " added=$((after - before))"
  # Redis commands per stored event (commandstats counts the commands a script runs too; our own XLEN/INFO left out).
  cmdstats >"$WORK/cmd-after"
  [ "$1" = ingest ] && awk -v batch="$3" -v events="$((after - before))" '
    NR == FNR { b[$1] = $2; next }
    $1 != "info" && $1 != "xlen" { d = $2 - b[$1]; if (d > 0) { total += d; out = out " " $1 "=" d } }
    END { printf "cmds batch=%s events=%d total=%d%s\n", batch, events, total, out }' "$WORK/cmd-before" "$WORK/cmd-after" >>"$REDIS_RESULTS"
  return 0
}

# Long enough for tiered JIT to reach optimised code on both paths; its events are not counted.
echo "==> warming up (10 s)" >&2
for path in /api/events /bench/parse; do
  for batch in 1 20; do
    LI_KEY="$KEY" LI_BATCH=$batch wrk -t2 -c64 -d3s -s bench/ingest.lua "http://127.0.0.1:$API_PORT$path" >/dev/null 2>&1
  done
done

RESULTS="$WORK/results.txt"
for batch in 1 20; do
  echo "==> ${DURATION}s x ${CONNECTIONS} connections, $batch event(s) per request" >&2
  run ceiling /bench/parse "$batch" | tee -a "$RESULTS" >&2
  run ingest /api/events "$batch" | tee -a "$RESULTS" >&2
done

STREAM_LEN=$(redis-cli -p "$REDIS_PORT" XLEN li:events)
API_RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$API_PID/status")

# Ceilings of the Redis operations ingestion uses, on the same redis-server (pipelined 16, 200,000 each).
echo "==> redis-benchmark ceilings" >&2
PAYLOAD=$(head -c 300 /dev/zero | tr '\0' x)
rb() { # name redis-benchmark-arguments…
  local name="$1"; shift
  echo "rb op=$name ops=$(redis-benchmark -p "$REDIS_PORT" -q -n 200000 -P 16 -r 1000000 "$@" 2>/dev/null | tr '\r' '\n' \
    | sed -nE 's/.*: ([0-9.]+) requests per second.*/\1/p' | tail -1)" | tee -a "$REDIS_RESULTS" >&2
}
rb PING_MBULK -t ping_mbulk
rb "XADD li:bench * e <300 B>" XADD li:bench '*' e "$PAYLOAD"
rb "PFADD li:bench:hll <random>" PFADD li:bench:hll __rand_int__
rb "HSETNX li:bench:seen <random> 1" HSETNX li:bench:seen __rand_int__ 1
redis-cli -p "$REDIS_PORT" del li:bench li:bench:hll li:bench:seen >/dev/null

node bench/write-results.mjs ingest "$RESULTS" "$DURATION" "$CONNECTIONS" "$STREAM_LEN" "$API_RSS_KB" "$REDIS_RESULTS"
record_memory ingest "redis-server=redis:$REDIS_PORT" "dynalite=pid:$DYNALITE_PID"
