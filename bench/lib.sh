# Shared plumbing of the bench/*.sh scripts (sourced, not run): a work folder and process list cleaned up on exit,
# free loopback ports, waiting for a port, reading a JSON field, and starting redis-server and dynalite.
# shellcheck shell=bash
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="$(mktemp -d "/tmp/liveinsight-bench-$(basename "$0" .sh).XXXXXX")"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }

# start_stores [redis options…]: sets REDIS_PORT and DYNAMO_PORT. Redis defaults to production durability (AOF
# everysec); dynalite keeps its data in the work folder.
start_stores() {
  REDIS_PORT=$(free_port); DYNAMO_PORT=$(free_port)
  local redis_options=("$@")
  [ ${#redis_options[@]} -gt 0 ] || redis_options=(--appendonly yes --appendfsync everysec)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$WORK" --save "" "${redis_options[@]}" \
    --logfile "$WORK/redis.log" & PIDS+=($!)
  node node_modules/dynalite/cli.js --host 127.0.0.1 --port "$DYNAMO_PORT" --createTableMs 0 --path "$WORK/dynamo" \
    >/dev/null 2>&1 & PIDS+=($!)
  wait_port "$REDIS_PORT"; wait_port "$DYNAMO_PORT"
}
