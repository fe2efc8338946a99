-- Shared by the wrk scripts (loaded with dofile from the repository root, where bench/*.sh run wrk): prints one
-- RESULT line that bench/*.sh and the write-*.mjs scripts parse.
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d seconds=%.2f rps=%.1f p50_ms=%.3f p95_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
