#!/usr/bin/env bash
# Compatibility ingestion beside our own: POST /api/event (Plausible's script, one page view a request) and
# POST /api/events (our tracker, batch of 1), alternated on one Release Api with its own redis-server and dynalite,
# beside the parse-only ceiling (/bench/parse) measured in the same run; writes the "compat" section of BENCHMARKS.md.
# Usage: bench/compat.sh [seconds-per-run, default 10] [rounds, default 2]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DURATION="${1:-10}"
ROUNDS="${2:-2}"

echo "==> building the Api (Release)" >&2
dotnet build LiveInsight.Api -c Release --nologo -v quiet -clp:ErrorsOnly >&2
start_stores
API_PORT=$(free_port)
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_release_api "$API_PORT" LiveInsight__Bench__ParseOnlyEndpoint=true LiveInsight__Ingestion__TrustedProxies__0="127.0.0.1/32" LiveInsight__Ingestion__RequestsPerMinute=10000000
KEY=$(curl -sf -X POST "http://127.0.0.1:$API_PORT/api/sites" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"Bench","domains":["example.com"]}' | json public_key)

run() { # name path script
  LI_KEY="$KEY" LI_BATCH=1 LI_DOMAIN=example.com wrk -t2 -c64 -d"${DURATION}s" -s "$3" "http://127.0.0.1:$API_PORT$2" 2>&1 \
    | grep '^RESULT' | sed "s|^RESULT|$1|"
}

echo "==> warming up" >&2
run warm /bench/parse bench/ingest.lua >/dev/null
run warm /api/events bench/ingest.lua >/dev/null
run warm /api/event bench/compat.lua >/dev/null
RESULTS="$WORK/compat.txt"
for round in $(seq 1 "$ROUNDS"); do
  run "ceiling round=$round" /bench/parse bench/ingest.lua | tee -a "$RESULTS" >&2
  run "events round=$round" /api/events bench/ingest.lua | tee -a "$RESULTS" >&2
  run "event round=$round" /api/event bench/compat.lua | tee -a "$RESULTS" >&2
done
STREAM_LEN=$(redis-cli -p "$REDIS_PORT" XLEN li:events)
echo "stream entries: $STREAM_LEN" >&2
node bench/write-compat-results.mjs "$RESULTS" "$DURATION" "$STREAM_LEN"
