#pragma once
// A circuit breaker per provider+model, shared by all requests and kept
// across reloads. After `failure_threshold` consecutive failures worth a
// retry, the circuit opens and requests skip that pair; after `cooldown`
// one request is let through as a probe (half-open): its success closes the
// circuit, its failure opens it again for another cooldown.

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace helix::router {

class CircuitBreakers {
public:
    using Clock = std::chrono::steady_clock;
    enum class State { closed, half_open, open };

    struct Settings {
        std::size_t failure_threshold = 5;
        std::chrono::milliseconds cooldown{30'000};
    };

    // May a request use `key` now? In half-open state only one probe at a time.
    bool allow(const std::string &key, const Settings &settings, Clock::time_point now = Clock::now());
    void succeeded(const std::string &key);
    void failed(const std::string &key, const Settings &settings, Clock::time_point now = Clock::now());
    // A probe that ended without a verdict (a client error, the client left).
    void released(const std::string &key);

    State state(const std::string &key) const;
    std::vector<std::pair<std::string, State>> snapshot() const; // every pair that ever failed

private:
    struct Circuit {
        State state = State::closed;
        std::size_t consecutive_failures = 0;
        Clock::time_point opened_at{};
        bool probe_in_flight = false;
    };
    mutable std::mutex mutex_;
    std::map<std::string, Circuit> circuits_;
};

const char *to_string(CircuitBreakers::State state) noexcept;

} // namespace helix::router
