#include "daemon/http/metrics_handler.hpp"

#include <Poco/Net/HTTPServerResponse.h>

namespace helix::http {

namespace {

metrics::CircuitState circuit_state(router::CircuitBreakers::State state) {
    switch (state) {
    case router::CircuitBreakers::State::closed: return metrics::CircuitState::closed;
    case router::CircuitBreakers::State::half_open: return metrics::CircuitState::half_open;
    case router::CircuitBreakers::State::open: return metrics::CircuitState::open;
    }
    return metrics::CircuitState::closed;
}

} // namespace

void MetricsHandler::handleRequest(Poco::Net::HTTPServerRequest &, Poco::Net::HTTPServerResponse &response) {
    // ServerState counts this scrape as well; the gauge leaves it out.
    metrics_.set_in_flight(state_.in_flight.load() - 1);
    metrics_.set_refused(state_.refused_in_flight.load(), state_.refused_connections.load());
    // Breakers are keyed "provider/model"; provider names have no '/'.
    for (const auto &[key, state] : state_.breakers.snapshot()) {
        const auto slash = key.find('/');
        if (slash == std::string::npos) continue;
        metrics_.set_circuit_state(std::string_view(key).substr(0, slash), std::string_view(key).substr(slash + 1),
                                   circuit_state(state));
    }
    const std::string body = metrics_.serialize(with_client_series_);
    response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_OK);
    response.setContentType(metrics::Metrics::content_type);
    response.set("Cache-Control", "no-store");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    // POCO sends no body for HEAD.
    response.send().write(body.data(), static_cast<std::streamsize>(body.size()));
}

} // namespace helix::http
