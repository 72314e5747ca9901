#pragma once
// GET /metrics: every helixagent_* family in Prometheus' text format 0.0.4.
// The gauges kept elsewhere are read at each scrape: in_flight_requests from
// ServerState::in_flight, circuit_state from ServerState::breakers.
// Unauthenticated, like node_exporter: it shows provider and model names,
// counts and latencies but no keys or request contents. Operators who do not
// want it reachable firewall the port or block /metrics in their proxy.

#include "daemon/http/server_state.hpp"
#include "daemon/metrics/metrics.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

namespace helix::http {

class MetricsHandler final : public Poco::Net::HTTPRequestHandler {
public:
    MetricsHandler(metrics::Metrics &metrics, const ServerState &state) : metrics_(metrics), state_(state) {}
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override;

private:
    metrics::Metrics &metrics_;
    const ServerState &state_;
};

} // namespace helix::http
