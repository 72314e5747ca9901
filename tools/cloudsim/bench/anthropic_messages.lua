-- Small non-streaming Anthropic messages against helix-cloudsim.
--   wrk -t2 -c32 -d10s -s tools/cloudsim/bench/anthropic_messages.lua http://127.0.0.1:<anthropic port>
wrk.method = "POST"
wrk.path = "/v1/messages"
wrk.headers["x-api-key"] = "sk-sim-anthropic"
wrk.headers["anthropic-version"] = "2023-06-01"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"claude-sonnet-4-5","max_tokens":256,"messages":[{"role":"user","content":"Hello there, how are you today?"}]}'

function done(summary, latency, requests)
  io.write(string.format("requests: %d, errors: connect %d read %d write %d timeout %d, status non-2xx/3xx %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
end
