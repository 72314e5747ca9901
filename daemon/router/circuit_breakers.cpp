#include "daemon/router/circuit_breakers.hpp"

namespace helix::router {

CircuitBreakers::Pass CircuitBreakers::pass(const std::string &key, const Settings &settings, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    const auto it = circuits_.find(key);
    if (it == circuits_.end()) return Pass::call;
    Circuit &c = it->second;
    switch (c.state) {
    case State::closed: return Pass::call;
    case State::open:
        if (now - c.opened_at < settings.cooldown) return Pass::refused;
        c.state = State::half_open;
        c.probe_in_flight = true;
        return Pass::probe;
    case State::half_open:
        if (c.probe_in_flight) return Pass::refused;
        c.probe_in_flight = true;
        return Pass::probe;
    }
    return Pass::call;
}

void CircuitBreakers::hold_open(const std::string &key, const Settings &settings, Clock::time_point probe_at) {
    std::lock_guard lock(mutex_);
    Circuit &c = circuits_[key];
    if (c.state == State::half_open && c.probe_in_flight) return;
    if (c.state == State::open && c.opened_at >= probe_at - settings.cooldown) return;
    c.state = State::open;
    c.opened_at = probe_at - settings.cooldown;
    c.consecutive_failures = 0;
    c.outcomes = 0;
    c.samples = 0;
}

void CircuitBreakers::probe_elsewhere(const std::string &key, const Settings &settings, Clock::time_point retry_at) {
    std::lock_guard lock(mutex_);
    Circuit &c = circuits_[key];
    c.state = State::open;
    c.probe_in_flight = false;
    c.opened_at = retry_at - settings.cooldown;
}

void CircuitBreakers::close(const std::string &key) {
    std::lock_guard lock(mutex_);
    const auto it = circuits_.find(key);
    if (it == circuits_.end() || it->second.probe_in_flight) return;
    it->second.state = State::closed;
    it->second.consecutive_failures = 0;
}

bool CircuitBreakers::succeeded(const std::string &key, const Settings &settings) {
    std::lock_guard lock(mutex_);
    Circuit &c = circuits_[key];
    const bool was_open = c.state != State::closed;
    c.state = State::closed;
    c.consecutive_failures = 0;
    c.probe_in_flight = false;
    c.record(false, std::min<std::size_t>(settings.window, 64));
    return was_open;
}

bool CircuitBreakers::failed(const std::string &key, const Settings &settings, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    Circuit &c = circuits_[key];
    c.probe_in_flight = false;
    const std::size_t window = std::min<std::size_t>(std::max<std::size_t>(settings.window, 1), 64);
    c.record(true, window);
    const bool rate_exceeded = settings.failure_rate > 0 && c.samples * 2 >= window &&
                               static_cast<double>(c.recent_failures(window)) >=
                                   settings.failure_rate * static_cast<double>(c.samples);
    if (c.state == State::half_open || ++c.consecutive_failures >= settings.failure_threshold || rate_exceeded) {
        c.state = State::open;
        c.opened_at = now;
        c.outcomes = 0; // after the cooldown, the probe starts a fresh record
        c.samples = 0;
        return true;
    }
    return false;
}

void CircuitBreakers::released(const std::string &key) {
    std::lock_guard lock(mutex_);
    if (const auto it = circuits_.find(key); it != circuits_.end()) it->second.probe_in_flight = false;
}

CircuitBreakers::State CircuitBreakers::state(const std::string &key) const {
    std::lock_guard lock(mutex_);
    const auto it = circuits_.find(key);
    return it == circuits_.end() ? State::closed : it->second.state;
}

std::vector<std::pair<std::string, CircuitBreakers::State>> CircuitBreakers::snapshot() const {
    std::lock_guard lock(mutex_);
    std::vector<std::pair<std::string, State>> out;
    for (const auto &[key, c] : circuits_) out.emplace_back(key, c.state);
    return out;
}

const char *to_string(CircuitBreakers::State state) noexcept {
    switch (state) {
    case CircuitBreakers::State::closed: return "closed";
    case CircuitBreakers::State::half_open: return "half_open";
    case CircuitBreakers::State::open: return "open";
    }
    return "closed";
}

} // namespace helix::router
