-- wrk script: one chat completion request, the same for every target, with
-- the target's own path, headers and body from the environment:
--   BENCH_PATH     request path (default /v1/chat/completions)
--   BENCH_BODY     the JSON body
--   BENCH_HEADERS  header lines "Name: value", separated by newlines
-- Prints one JSON line at the end: requests, seconds, errors, latency
-- percentiles in microseconds.
--   BENCH_BODY='{"model":"gpt-4o","messages":[...]}' BENCH_HEADERS='Authorization: Bearer sk-sim-openai' \
--     wrk -t2 -c32 -d10s -s bench/load/chat.lua http://127.0.0.1:<port>
wrk.method = "POST"
wrk.path = os.getenv("BENCH_PATH") or "/v1/chat/completions"
wrk.body = os.getenv("BENCH_BODY") or error("BENCH_BODY is not set")
wrk.headers["Content-Type"] = "application/json"
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^%s*([^:]+):%s*(.-)%s*$")
  if name then wrk.headers[name] = value end
end

function done(summary, latency, requests)
  local p = function(q) return latency:percentile(q) end
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d,"status":%d},' ..
    '"latency_us":{"min":%d,"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d}}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status,
    latency.min, latency.mean, p(50), p(90), p(99), p(99.9), latency.max))
end
