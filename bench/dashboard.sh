#!/usr/bin/env bash
# Dashboard first-load benchmark: cold and warm page loads measured with Navigation Timing in headless Chromium.
# Starts its own redis-server, dynalite, a Release Api and a Release Dashboard on 127.0.0.1, seeds 30 days of rollups
# for one site, creates the first administrator through the setup page, then runs bench/dashboard.mjs (playwright-core
# with /usr/bin/chromium), which rewrites the dashboard section of BENCHMARKS.md.
# Usage: bench/dashboard.sh [warm-runs, default 10]   (called by ./liveinsight bench dashboard)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUNS="${1:-10}"
wait_health() { for _ in $(seq 1 120); do curl -sf "$1/health" >/dev/null && return 0; sleep 0.5; done; cat "$2" >&2; return 1; }

echo "==> building the Api and the Dashboard (Release) and the seeder" >&2
dotnet build LiveInsight.Api -c Release --nologo -v quiet -clp:ErrorsOnly >&2
dotnet build LiveInsight.Dashboard -c Release --nologo -v quiet -clp:ErrorsOnly >&2
dotnet build bench/seed-read.cs -c Release --nologo -v quiet -clp:ErrorsOnly >&2

start_stores --appendonly no
API_PORT=$(free_port); DASH_PORT=$(free_port)

TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning \
  ConnectionStrings__dynamodb="http://127.0.0.1:$DYNAMO_PORT" LiveInsight__AdminToken="$TOKEN" LiveInsight__Storage__TablePrefix="bench-"
ConnectionStrings__redis="127.0.0.1:$REDIS_PORT" \
  dotnet LiveInsight.Api/bin/Release/net10.0/LiveInsight.Api.dll --urls "http://127.0.0.1:$API_PORT" >"$WORK/api.log" 2>&1 & API_PID=$!; PIDS+=($!)
# The Dashboard runs from its project folder (content root: wwwroot with the built assets); plain http here, so its
# cookies may go without the Secure flag (in production TLS ends at the load balancer).
(cd LiveInsight.Dashboard && services__api__http__0="http://127.0.0.1:$API_PORT" LiveInsight__Dashboard__SecureCookies=false \
  exec dotnet bin/Release/net10.0/LiveInsight.Dashboard.dll --urls "http://localhost:$DASH_PORT") >"$WORK/dashboard.log" 2>&1 & DASH_PID=$!; PIDS+=($!)
wait_health "http://127.0.0.1:$API_PORT" "$WORK/api.log"
wait_health "http://localhost:$DASH_PORT" "$WORK/dashboard.log"

SITE=$(curl -sf -X POST "http://127.0.0.1:$API_PORT/api/sites" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"Bench","domains":["example.com"]}' | json site_id)
echo "==> seeding 30 days of rollups" >&2
dotnet run --no-build -c Release bench/seed-read.cs -- "127.0.0.1:$REDIS_PORT" "http://127.0.0.1:$DYNAMO_PORT" "bench-" "$SITE" 30

echo "==> measuring first loads in headless Chromium" >&2
node bench/dashboard.mjs "http://localhost:$DASH_PORT" "$TOKEN" "$SITE" "$RUNS"
record_memory dashboard "Dashboard=pid:$DASH_PID" "Api=pid:$API_PID" "redis-server=redis:$REDIS_PORT" "dynalite=pid:$DYNALITE_PID"
