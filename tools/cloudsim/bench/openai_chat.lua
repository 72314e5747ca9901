-- Small non-streaming OpenAI chat completions against helix-cloudsim.
--   wrk -t2 -c32 -d10s -s tools/cloudsim/bench/openai_chat.lua http://127.0.0.1:<openai port>
wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.headers["Authorization"] = "Bearer sk-sim-openai"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"model":"gpt-4o","messages":[{"role":"user","content":"Hello there, how are you today?"}]}'

function done(summary, latency, requests)
  io.write(string.format("requests: %d, errors: connect %d read %d write %d timeout %d, status non-2xx/3xx %d\n",
    summary.requests, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
end
