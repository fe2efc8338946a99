#!/usr/bin/env bash
# Lake freshness benchmark (issue 17): one page view accepted by POST /api/events → counted by POST /api/v2/query.
# Starts its own redis-server, dynalite, a Release Api and a Release aggregator (whose lake writer puts parts into the
# lake the Api reads) on 127.0.0.1, creates a site, then bench/lake-freshness.mjs sends one page view to a path of its
# own at a time and polls /api/v2/query every 200 ms until the path has it; rewrites BENCHMARKS.md.
# Usage: bench/lake-freshness.sh [samples, default 20]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SAMPLES="${1:-20}"

echo "==> building the Api and the aggregator (Release)" >&2
dotnet build LiveInsight.Api -c Release --nologo -v quiet -clp:ErrorsOnly >&2
dotnet build LiveInsight.Aggregator -c Release --nologo -v quiet -clp:ErrorsOnly >&2

start_stores
PORT=$(free_port)
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
LAKE="$WORK/lake"
mkdir -p "$LAKE"
start_release_api "$PORT" Lake__Path="$LAKE" LiveInsight__Read__DisableCache=true LiveInsight__Read__UncachedStatsQueriesPerSitePerMinute=0 \
  LiveInsight__Ingestion__TrustedProxies__0="127.0.0.1/32" LiveInsight__Ingestion__RequestsPerMinute=10000000
# The aggregator with the lake's defaults (a part is written at the latest Lake:FlushIntervalSeconds = 10 s after its
# first event was read).
env ASPNETCORE_ENVIRONMENT=Production ConnectionStrings__redis="127.0.0.1:$REDIS_PORT" ConnectionStrings__dynamodb="http://127.0.0.1:$DYNAMO_PORT" \
  Lake__Path="$LAKE" Logging__LogLevel__Default=Warning \
  dotnet LiveInsight.Aggregator/bin/Release/net10.0/LiveInsight.Aggregator.dll >"$WORK/aggregator.log" 2>&1 &
PIDS+=($!)

SITE=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/sites" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"Bench freshness","domains":["example.com"],"time_zone":"UTC"}')
echo "==> $SAMPLES samples" >&2
node bench/lake-freshness.mjs "$(echo "$SITE" | json site_id)" "$(echo "$SITE" | json public_key)" "$(echo "$SITE" | json secret_key)" \
  "http://127.0.0.1:$PORT" "$SAMPLES"
