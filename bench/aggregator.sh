#!/usr/bin/env bash
# Aggregator benchmark: emulator ceiling, sustained stream → DynamoDB rate, lag at 1,000 events/s (bench/aggregator.cs).
# Usage: bench/aggregator.sh [events in the backlog, default 20000] [seconds at 1,000 events/s, default 20]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EVENTS="${1:-20000}"
SECONDS_STEADY="${2:-20}"
start_stores

echo "==> building and running bench/aggregator.cs (Release)" >&2
LIVEINSIGHT_BENCH_DYNALITE_PID="$DYNALITE_PID" dotnet run -c Release bench/aggregator.cs -- "127.0.0.1:$REDIS_PORT" "http://127.0.0.1:$DYNAMO_PORT" "$EVENTS" "$SECONDS_STEADY"
record_memory aggregator "redis-server=redis:$REDIS_PORT" "dynalite=pid:$DYNALITE_PID"
