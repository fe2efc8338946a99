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
    >/dev/null 2>&1 & DYNALITE_PID=$!; PIDS+=($!)
  wait_port "$REDIS_PORT"; wait_port "$DYNAMO_PORT"
}

# record_memory NAME "label=pid:PID"|"label=redis:PORT"…: adds the peak memory of each process (VmHWM from /proc;
# redis-server's own used_memory_peak and its VmHWM) to the "- Peak memory:" line of section NAME in BENCHMARKS.md
# (appended to the line if the section's writer already started one). Call it after the section is written.
record_memory() {
  local name="$1" parts=() spec label target kb
  shift
  for spec in "$@"; do
    label="${spec%%=*}"; target="${spec#*=}"
    case "$target" in
      pid:*) kb=$(awk '/VmHWM/ {print $2}' "/proc/${target#pid:}/status" 2>/dev/null || echo 0)
             parts+=("$label $((kb / 1024)) MiB") ;;
      redis:*) local port="${target#redis:}" peak pid
               peak=$(redis-cli -p "$port" info memory | tr -d '\r' | awk -F: '/^used_memory_peak_human/ {print $2}')
               pid=$(redis-cli -p "$port" info server | tr -d '\r' | awk -F: '/^process_id/ {print $2}')
               kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
               parts+=("$label $((kb / 1024)) MiB (used_memory_peak $peak)") ;;
    esac
  done
  local text; text=$(IFS=';'; echo "${parts[*]}" | sed 's/;/, /g')
  node --input-type=module - "$name" "$text" <<'JS'
const { editSection } = await import(`${process.cwd()}/bench/sections.mjs`);
const [name, text] = process.argv.slice(2);
editSection(name, (section) => {
  const lines = section.split("\n");
  const existing = lines.findIndex((l) => l.startsWith("- Peak memory"));
  if (existing >= 0) lines[existing] += `, ${text}`;
  else {
    const firstTable = lines.findIndex((l) => l.startsWith("|"));
    let at = -1;
    for (let i = 0; i < (firstTable < 0 ? lines.length : firstTable); i++) if (lines[i].startsWith("- ")) at = i;
    lines.splice(at + 1, 0, `- Peak memory (VmHWM): ${text}`);
  }
  return lines.join("\n");
});
JS
  echo "==> peak memory ($name): $text" >&2
}

# start_release_api PORT [NAME=VALUE…]: the Release Api on 127.0.0.1:PORT against the stores of start_stores, with
# TOKEN as admin token and the given extra settings; records its pid in PIDS and API_PIDS[PORT], waits for /health.
declare -A API_PIDS=()
start_release_api() {
  local port="$1"; shift
  env ASPNETCORE_ENVIRONMENT=Production \
    ConnectionStrings__redis="127.0.0.1:$REDIS_PORT" \
    ConnectionStrings__dynamodb="http://127.0.0.1:$DYNAMO_PORT" \
    LiveInsight__AdminToken="$TOKEN" \
    Logging__LogLevel__Default=Warning \
    "$@" \
    dotnet LiveInsight.Api/bin/Release/net10.0/LiveInsight.Api.dll --urls "http://127.0.0.1:$port" >"$WORK/api-$port.log" 2>&1 &
  PIDS+=($!); API_PIDS[$port]=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && return 0; sleep 0.5; done
  cat "$WORK/api-$port.log" >&2; return 1
}

# The read benches' two sites, made on the Api at port $1 and seeded with 30 days (1x) and 300 days (10x) of rollups
# straight into Redis and DynamoDB: their ids and secret keys in IDS[1x|10x] and KEYS[1x|10x].
seed_read_sites() {
  local one ten
  one=$(curl -sf -X POST "http://127.0.0.1:$1/api/sites" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d '{"name":"Bench 1x","domains":["example.com"]}')
  ten=$(curl -sf -X POST "http://127.0.0.1:$1/api/sites" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d '{"name":"Bench 10x","domains":["example.com"]}')
  declare -gA IDS=([1x]="$(echo "$one" | json site_id)" [10x]="$(echo "$ten" | json site_id)")
  declare -gA KEYS=([1x]="$(echo "$one" | json secret_key)" [10x]="$(echo "$ten" | json secret_key)")
  echo "==> seeding 30 days (1x) and 300 days (10x) of rollups" >&2
  local seeder=(dotnet run --no-build -c Release bench/seed-read.cs --)
  "${seeder[@]}" "127.0.0.1:$REDIS_PORT" "http://127.0.0.1:$DYNAMO_PORT" "$PREFIX" "${IDS[1x]}" 30
  "${seeder[@]}" "127.0.0.1:$REDIS_PORT" "http://127.0.0.1:$DYNAMO_PORT" "$PREFIX" "${IDS[10x]}" 300
}
