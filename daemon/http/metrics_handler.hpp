#pragma once
// GET /metrics: every helixagent_* family in Prometheus' text format 0.0.4.
// The gauges kept elsewhere are read at each scrape: in_flight_requests from
// ServerState::in_flight, circuit_state from ServerState::breakers.
// Unauthenticated, like node_exporter: it shows provider and model names,
// counts and latencies but no keys or request contents. The per-client
// series (metrics.client_label: key names, their tokens and cost) go only to
// a scrape that carries a client key (Prometheus: `authorization:
// {credentials: KEY}` in the scrape config).

#include "daemon/http/reply.hpp"
#include "daemon/http/server_state.hpp"
#include "daemon/metrics/metrics.hpp"

namespace helix::http {

// The scrape's reply; `in_flight` is the requests in flight besides this one.
Reply metrics_reply(metrics::Metrics &metrics, const ServerState &state, std::int64_t in_flight,
                    bool with_client_series);

} // namespace helix::http
