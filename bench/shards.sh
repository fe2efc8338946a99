#!/usr/bin/env bash
# Per-shard benchmark (issue 24): bench/shards.cs on one redis-server with 1 and 3 shards, and on a Redis Cluster of
# three primaries with 3 shards; writes the "shards" section of BENCHMARKS.md.
# Usage: bench/shards.sh [seconds per ingest run, default 8]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
SECONDS_RUN="${1:-8}"
start_stores

echo "==> building bench/shards.cs (Release)" >&2
dotnet build -c Release bench/shards.cs >"$WORK/build.log" || { cat "$WORK/build.log" >&2; exit 1; }
run() { dotnet run -c Release --no-build bench/shards.cs -- "$@"; }

# The ceiling in the same run: redis-benchmark's pipelined XADD on the single server.
CEILING=$(redis-benchmark -p "$REDIS_PORT" -n 200000 -P 16 -q -r 100000 XADD li:bench '*' e 300bytes-of-payload-xxxxxxxxxxxxxxxxxxxxxxxx \
  | tr '\r' '\n' | awk '/requests per second/ {for (i = 2; i <= NF; i++) if ($i == "requests") print $(i - 1)}' | tail -1)
redis-cli -p "$REDIS_PORT" del li:bench >/dev/null

echo "==> one redis-server, 1 shard" >&2
ONE=$(run "127.0.0.1:$REDIS_PORT" "http://127.0.0.1:$DYNAMO_PORT" 1 "$SECONDS_RUN")
redis-cli -p "$REDIS_PORT" flushall >/dev/null
echo "==> one redis-server, 3 shards" >&2
THREE=$(run "127.0.0.1:$REDIS_PORT" "http://127.0.0.1:$DYNAMO_PORT" 3 "$SECONDS_RUN")

echo "==> Redis Cluster: 3 primaries, 3 shards" >&2
NODES=()
for _ in 1 2 3; do
  while :; do port=$(free_port); [ "$port" -lt 55000 ] && break; done
  mkdir -p "$WORK/cluster-$port"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$WORK/cluster-$port" --save "" --appendonly yes --appendfsync everysec \
    --cluster-enabled yes --cluster-config-file "$WORK/cluster-$port/nodes.conf" --logfile "$WORK/cluster-$port/redis.log" & PIDS+=($!)
  NODES+=("127.0.0.1:$port")
done
for n in "${NODES[@]}"; do wait_port "${n#*:}"; done
redis-cli --cluster create "${NODES[@]}" --cluster-yes >/dev/null
until redis-cli -p "${NODES[0]#*:}" cluster info | grep -q cluster_state:ok; do sleep 0.2; done
CLUSTER=$(run "$(IFS=,; echo "${NODES[*]}")" "http://127.0.0.1:$DYNAMO_PORT" 3 "$SECONDS_RUN")

node --input-type=module - "$CEILING" "$ONE" "$THREE" "$CLUSTER" "$SECONDS_RUN" <<'JS'
const { writeSection } = await import(`${process.cwd()}/bench/sections.mjs`);
const [ceiling, ...runs] = process.argv.slice(2, 6);
const seconds = process.argv[6];
const [one, three, cluster] = runs.map((r) => JSON.parse(r));
const f = (n, d = 0) => Number(n).toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const perCore = (r) => 1e6 / (r.single.redisCpuMsPer1000 + r.aggregate.redisCpuMsPer1000) * 1000 / 1000;
const row = (label, r) => `| ${label} | ${r.primaries} | ${f(r.single.eventsPerSecond)} | ${f(r.single.redisCpuMsPer1000, 1)} | ${f(r.batched.eventsPerSecond)} | ${f(r.batched.redisCpuMsPer1000, 1)} | ${f(r.aggregate.eventsPerSecond)} | ${f(r.aggregate.redisCpuMsPer1000, 1)} | ${f(perCore(r))} | ${f(r.single.eventsPerSecond / Number(ceiling), 3)} |`;
const date = new Date().toISOString().replace("T", " ").slice(0, 16);
writeSection("shards", `<!-- bench:shards:start -->
## Shards (\`./liveinsight bench shards\`: the hot path on N shard streams, issue 24)

- Date: ${date} UTC
- Command: \`bench/shards.sh\` → \`bench/shards.cs\`: the Api's ingestion script (\`EventWriter\`) from 64 concurrent callers for ${seconds} s
  with single events (60 sites), then one aggregator replica (2 consumers per shard) draining every shard into
  dynalite, then ${seconds} s of 20-event batches; redis-server 7.0.15 with AOF everysec, the cluster's primaries
  likewise, no replicas.
- Machine: 2 cores shared with other work during the run (the other helpers' builds and tests): rates are low and
  noisy; the Redis CPU per 1,000 events is the steadier figure, and one Redis primary is one core.
- Ceiling in the same run: \`redis-benchmark -P 16 XADD\` on the single server, ${f(ceiling)} ops/s.

| run | primaries | ingest events/s (single) | Redis CPU ms / 1,000 events | ingest events/s (batches of 20) | Redis CPU ms / 1,000 | aggregate events/s | Redis CPU ms / 1,000 | events/s one Redis core sustains (single-event ingest + aggregation) | ingest (single) ÷ ceiling |
|---|---|---|---|---|---|---|---|---|---|
${row("one redis-server, 1 shard (today's layout)", one)}
${row("one redis-server, 3 shards", three)}
${row("Redis Cluster, 3 shards", cluster)}
<!-- bench:shards:end -->`);
JS
