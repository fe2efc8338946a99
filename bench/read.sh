#!/usr/bin/env bash
# Read benchmark: realtime and stats endpoints, warm (HybridCache) and cold (cache disabled), at 1x and 10x stored
# rollups. Starts its own redis-server, dynalite and two Release Apis on 127.0.0.1 (one with the cache, one without),
# seeds two sites (30 and 300 days of rollups), loads each endpoint with wrk for a bounded time, writes BENCHMARKS.md.
# Usage: bench/read.sh [seconds-per-run, default 5]   (called by ./liveinsight bench read)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DURATION="${1:-5}"
CONNECTIONS=32
THREADS=2

echo "==> building the Api (Release) and the seeder" >&2
dotnet build LiveInsight.Api -c Release --nologo -v quiet -clp:ErrorsOnly >&2
dotnet build bench/seed-read.cs -c Release --nologo -v quiet -clp:ErrorsOnly >&2

start_stores --appendonly no
WARM_PORT=$(free_port); COLD_PORT=$(free_port)

TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PREFIX="bench-"
start_api() { # port disable-cache
  start_release_api "$1" LiveInsight__Storage__TablePrefix="$PREFIX" LiveInsight__Read__DisableCache="$2"
}
start_api "$WARM_PORT" false
start_api "$COLD_PORT" true

seed_read_sites "$WARM_PORT"

ENDPOINTS=(
  "realtime-users|/api/realtime/users?site_id=SITE"
  "realtime-pages|/api/realtime/pages?site_id=SITE"
  "stats-summary|/api/stats/summary?site_id=SITE&range=30d"
  "stats-daily|/api/stats/daily?site_id=SITE&range=30d"
  "stats-pages|/api/stats/pages?site_id=SITE&range=30d&limit=10"
  "stats-sources|/api/stats/sources?site_id=SITE&range=30d"
)
run() { # scale mode port name path
  local url="http://127.0.0.1:$3${5//SITE/${IDS[$1]}}"
  curl -sf -H "Authorization: Bearer ${KEYS[$1]}" "$url" >/dev/null || { echo "GET $url failed" >&2; return 1; }
  LI_TOKEN="${KEYS[$1]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s bench/read.lua "$url" 2>&1 \
    | grep '^RESULT' | sed "s/^RESULT/$4 scale=$1 mode=$2/"
}

echo "==> warming up the JIT (both Apis, every endpoint)" >&2
for entry in "${ENDPOINTS[@]}"; do
  path="${entry#*|}"
  for port in "$WARM_PORT" "$COLD_PORT"; do
    LI_TOKEN="${KEYS[1x]}" wrk -t2 -c8 -d2s -s bench/read.lua "http://127.0.0.1:$port${path//SITE/${IDS[1x]}}" >/dev/null 2>&1 || true
  done
done
# The summary's settled weeks are stored items built by a site's first read (Core/Stats/SummaryWeeks), once per week
# in production: one read of the 10x site builds them, as the warm-up above did for the 1x site.
curl -sf -o /dev/null -H "Authorization: Bearer ${KEYS[10x]}" "http://127.0.0.1:$COLD_PORT/api/stats/summary?site_id=${IDS[10x]}&range=30d" || true

RESULTS="$WORK/results.txt"
for scale in 1x 10x; do
  for entry in "${ENDPOINTS[@]}"; do
    name="${entry%%|*}"; path="${entry#*|}"
    echo "==> $name $scale (${DURATION}s x $CONNECTIONS connections, warm then cold)" >&2
    # A pause after each run lets the previous run's in-flight queries drain, so they do not land in the next row.
    run "$scale" warm "$WARM_PORT" "$name" "$path" | tee -a "$RESULTS" >&2; sleep 2
    run "$scale" cold "$COLD_PORT" "$name" "$path" | tee -a "$RESULTS" >&2; sleep 2
  done
done

node bench/write-read-results.mjs "$RESULTS" "$DURATION" "$CONNECTIONS"
record_memory read "Api (warm)=pid:${API_PIDS[$WARM_PORT]}" "Api (cold)=pid:${API_PIDS[$COLD_PORT]}" \
  "redis-server=redis:$REDIS_PORT" "dynalite=pid:$DYNALITE_PID"
