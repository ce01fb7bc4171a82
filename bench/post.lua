-- wrk script: one client's client-credentials request, the same every time (a cache hit after the first).
-- With DELAY_MS set, each connection waits between requests a time drawn uniformly from 0 to 2 * DELAY_MS
-- milliseconds (an offered rate of about connections * 1000 / DELAY_MS per second, for latency at a set load).
-- Drawn, not fixed: with one fixed delay every connection fires in the same millisecond, the load arrives in
-- waves of one request per connection, and the p99 measures the wave (connections x service time), not the server.
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=orders.read"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ="  -- demo-client:demo-secret

local delay_ms = tonumber(os.getenv("DELAY_MS") or "")
if delay_ms then
  math.randomseed(os.time())
  function delay()
    return math.random(0, 2 * delay_ms)
  end
end

local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
