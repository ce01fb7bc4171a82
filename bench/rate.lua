-- wrk script: the same cached request as post.lua, paced: each connection waits DELAY_MS between requests,
-- so that the offered rate is connections * 1000 / DELAY_MS requests per second (for latency at a set load).
local delay_ms = tonumber(os.getenv("DELAY_MS") or "1")
wrk.method = "POST"
wrk.body = "grant_type=client_credentials&scope=orders.read"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic ZGVtby1jbGllbnQ6ZGVtby1zZWNyZXQ="  -- demo-client:demo-secret

function delay()
  return delay_ms
end

done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.2f rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status + summary.errors.timeout))
end
