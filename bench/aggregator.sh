#!/usr/bin/env bash
# Aggregator benchmark: emulator ceiling, sustained stream → DynamoDB rate, lag at 1,000 events/s (bench/aggregator.cs).
# Usage: bench/aggregator.sh [events in the backlog, default 20000] [seconds at 1,000 events/s, default 20]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EVENTS="${1:-20000}"
SECONDS_STEADY="${2:-20}"
WORK="$(mktemp -d /tmp/liveinsight-bench-agg.XXXXXX)"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }

REDIS_PORT=$(free_port); DYNAMO_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK" --appendonly yes --appendfsync everysec --save "" \
  --logfile "$WORK/redis.log" & PIDS+=($!)
node node_modules/dynalite/cli.js --host 127.0.0.1 --port "$DYNAMO_PORT" --createTableMs 0 >/dev/null 2>&1 & PIDS+=($!)
wait_port "$REDIS_PORT"; wait_port "$DYNAMO_PORT"

echo "==> building and running bench/aggregator.cs (Release)" >&2
dotnet run -c Release bench/aggregator.cs -- "127.0.0.1:$REDIS_PORT" "http://127.0.0.1:$DYNAMO_PORT" "$EVENTS" "$SECONDS_STEADY"
