#!/usr/bin/env bash
# Query benchmark: POST /api/v2/query (and a 12-week cohort grid) on a generated lake (one site with EVENTS events over 30 days plus 100 small
# sites, straight as compacted Parquet in the lake layout), each question's P95 beside a bare DuckDB scan of the same
# files in the same run, and the Api's RSS before and after (bench/query.cs). Starts its own redis-server, dynalite
# and a Release Api on 127.0.0.1; writes the "query" section of BENCHMARKS.md.
# Usage: bench/query.sh [events, default 10000000] [timed requests per question, default 10]
# LIVEINSIGHT_BENCH_QUERY_ONLY=funnel measures only the questions whose name contains the text.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
EVENTS="${1:-10000000}"
REPS="${2:-10}"
DAYS=30
SMALL_SITES=100
SMALL_EVENTS=5000

echo "==> building the Api (Release) and bench/query.cs" >&2
dotnet build LiveInsight.Api -c Release --nologo -v quiet -clp:ErrorsOnly >&2
dotnet build bench/query.cs -c Release --nologo -v quiet -clp:ErrorsOnly >&2
BENCH="dotnet run --no-build -c Release bench/query.cs --"

start_stores --appendonly no
PORT=$(free_port)
TOKEN="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
LAKE="$WORK/lake"
mkdir -p "$LAKE"
# The query timeout is raised so a slow question is measured, not cut off at the default 10 s.
start_release_api "$PORT" LiveInsight__Storage__TablePrefix=bench- Lake__Path="$LAKE" LiveInsight__Query__TimeoutSeconds=300 \
  LiveInsight__Read__DisableCache=true LiveInsight__Read__UncachedStatsQueriesPerSitePerMinute=0

SITE=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/sites" -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"Bench query","domains":["example.com"],"time_zone":"UTC","identify_enabled":true}')
SITE_ID=$(echo "$SITE" | json site_id); SECRET=$(echo "$SITE" | json secret_key)

# The generated lake is kept between runs (same event count, generated today) in LIVEINSIGHT_BENCH_QUERY_CACHE
# (default /tmp/liveinsight-bench-query-lake): the site folder is hard-linked under the new site's id.
# (-stamped-uh-lz-vk-daysums: generated with session stamps, the user_hash column, LZ4 compact files, visitor keys, and
# Api-form visitor ids new each UTC day with the day sums (format 2), so a lake from an older generator is not reused)
CACHE="${LIVEINSIGHT_BENCH_QUERY_CACHE:-/tmp/liveinsight-bench-query-lake}/$EVENTS-$(date -u +%F)-stamped-uh-lz-vk-daysums"
PLACEHOLDER=benchbigsite
if [ ! -f "$CACHE/generated.txt" ]; then
  # Only this benchmark's own older lakes (<events>-<date>-…) go, never the rest of the folder it was pointed at.
  find "${CACHE%/*}" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended -regex '.*/[0-9]+-[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z-]+' \
    -exec rm -rf {} + 2>/dev/null || true
  rm -rf "$CACHE"; mkdir -p "$CACHE"
  echo "==> generating $EVENTS events over $DAYS days plus $SMALL_SITES sites of $SMALL_EVENTS into $CACHE" >&2
  $BENCH generate "$CACHE" "$PLACEHOLDER" "$EVENTS" "$DAYS" "$SMALL_SITES" "$SMALL_EVENTS"
else
  echo "==> reusing the lake generated in $CACHE" >&2
fi
cp -al "$CACHE/." "$LAKE/"
mv "$LAKE/events/site=$PLACEHOLDER" "$LAKE/events/site=$SITE_ID"
mv "$LAKE/daysums/site=$PLACEHOLDER" "$LAKE/daysums/site=$SITE_ID"

echo "==> measuring ($REPS requests per question, each beside the bare scan)" >&2
$BENCH measure "$LAKE" "http://127.0.0.1:$PORT" "$SITE_ID" "$SECRET" "$DAYS" "$REPS" "${API_PIDS[$PORT]}" "$EVENTS" "$SMALL_SITES" \
  > "$WORK/section.md"

# Issue 18: the big site deleted everywhere, timed, then searched for (its lines go before the section's end).
echo "==> deleting the big site" >&2
$BENCH delete "$LAKE" "http://127.0.0.1:$PORT" "$SITE_ID" "$TOKEN" "$REDIS_PORT" "$DYNAMO_PORT" bench- > "$WORK/delete.md"
node -e 'const fs=require("fs");const [s,d]=process.argv.slice(1);const t=fs.readFileSync(s,"utf8");
fs.writeFileSync(s,t.replace("\n\n| question","\n"+fs.readFileSync(d,"utf8").trim()+"\n\n| question"));' "$WORK/section.md" "$WORK/delete.md"
node --input-type=module -e '
const { writeSection } = await import(`${process.cwd()}/bench/sections.mjs`);
const { readFileSync } = await import("node:fs");
writeSection("query", readFileSync(process.argv[1], "utf8").trim());' "$WORK/section.md"
