#!/usr/bin/env bash
# Realtime lag benchmark: one page view sent → visible in GET /api/realtime/users, sampled one at a time.
# Starts its own redis-server, dynalite and two Release Apis on 127.0.0.1 (one with the 3 s realtime cache users see,
# one with LiveInsight:Read:DisableCache=true), creates a site, then bench/realtime-lag.mjs sends one event with a
# fresh X-Forwarded-For visitor, polls every 10 ms until active_users grows, and rewrites BENCHMARKS.md.
# Usage: bench/realtime-lag.sh [uncached samples, default 50] [cached samples, default 15]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SAMPLES="${1:-50}"
CACHED_SAMPLES="${2:-15}"

echo "==> building the Api (Release)" >&2
dotnet build LiveInsight.Api -c Release --nologo -v quiet -clp:ErrorsOnly >&2

start_stores
UNCACHED_PORT=$(free_port); CACHED_PORT=$(free_port)
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_api() { # port disable-cache
  start_release_api "$1" LiveInsight__Read__DisableCache="$2" \
    LiveInsight__Ingestion__TrustedProxies__0="127.0.0.1/32" LiveInsight__Ingestion__RequestsPerMinute=10000000
}
start_api "$UNCACHED_PORT" true
start_api "$CACHED_PORT" false

SITE=$(curl -sf -X POST "http://127.0.0.1:$UNCACHED_PORT/api/sites" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"Bench lag","domains":["example.com"]}')
echo "==> $SAMPLES uncached samples, $CACHED_SAMPLES cached samples" >&2
node bench/realtime-lag.mjs "$(echo "$SITE" | json site_id)" "$(echo "$SITE" | json public_key)" "$(echo "$SITE" | json secret_key)" \
  "http://127.0.0.1:$UNCACHED_PORT" "http://127.0.0.1:$CACHED_PORT" "$SAMPLES" "$CACHED_SAMPLES"
record_memory realtime-lag "Api (uncached)=pid:${API_PIDS[$UNCACHED_PORT]}" "Api (cached)=pid:${API_PIDS[$CACHED_PORT]}" \
  "redis-server=redis:$REDIS_PORT" "dynalite=pid:$DYNALITE_PID"
