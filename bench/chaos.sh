#!/usr/bin/env bash
# Chaos run: real processes killed under load; see bench/chaos.mjs. Usage: bench/chaos.sh [seconds, default 120] [--no-write]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
echo "==> building the Api and the aggregator (Release)" >&2
dotnet build LiveInsight.Api -c Release --nologo -v quiet -clp:ErrorsOnly >&2
dotnet build LiveInsight.Aggregator -c Release --nologo -v quiet -clp:ErrorsOnly >&2
command -v fallocate >/dev/null || { echo "fallocate (util-linux) is required" >&2; exit 1; }
exec node bench/chaos.mjs "$@"
