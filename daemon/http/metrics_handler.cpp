#include "daemon/http/metrics_handler.hpp"


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

Reply metrics_reply(metrics::Metrics &metrics_, const ServerState &state_, std::int64_t in_flight,
                    bool with_client_series_) {
    metrics_.set_in_flight(in_flight);
    metrics_.set_refused(state_.refused_in_flight.load(), state_.refused_connections.load());
    // Breakers are keyed "provider/model"; provider names have no '/'.
    for (const auto &[key, state] : state_.breakers.snapshot()) {
        const auto slash = key.find('/');
        if (slash == std::string::npos) continue;
        metrics_.set_circuit_state(std::string_view(key).substr(0, slash), std::string_view(key).substr(slash + 1),
                                   circuit_state(state));
    }
    return Reply{200, metrics::Metrics::content_type, metrics_.serialize(with_client_series_), {{"Cache-Control", "no-store"}}};
}

} // namespace helix::http
