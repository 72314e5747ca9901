#pragma once
// A circuit breaker per provider+model, shared by all requests and kept
// across reloads. After `failure_threshold` consecutive failures worth a
// retry, or when at least `failure_rate` of the last `window` calls failed
// (once half the window has been seen), the circuit opens and requests skip
// that pair; after `cooldown`
// one request is let through as a probe (half-open): its success closes the
// circuit, its failure opens it again for another cooldown.

#include <algorithm>
#include <chrono>
#include <cstdint>
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
        double failure_rate = 0.5; // 0 turns the rate rule off
        std::size_t window = 20;   // calls the rate is taken over (at most 64)
    };

    // May a request use `key` now, and is it the half-open probe? In
    // half-open state only one probe at a time.
    enum class Pass { refused, call, probe };
    Pass pass(const std::string &key, const Settings &settings, Clock::time_point now = Clock::now());
    bool allow(const std::string &key, const Settings &settings, Clock::time_point now = Clock::now()) {
        return pass(key, settings, now) != Pass::refused;
    }
    // Returns true when the circuit was not closed (a probe succeeded).
    bool succeeded(const std::string &key, const Settings &settings);
    // Returns true when this failure opened the circuit.
    bool failed(const std::string &key, const Settings &settings, Clock::time_point now = Clock::now());
    // What other replicas saw (shared_state): a circuit open until
    // `probe_at` (a probe in flight here is left alone), a circuit one of
    // them closed, and a probe another replica sends (open here until `retry_at`).
    void hold_open(const std::string &key, const Settings &settings, Clock::time_point probe_at);
    void close(const std::string &key);
    void probe_elsewhere(const std::string &key, const Settings &settings, Clock::time_point retry_at);
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
        std::uint64_t outcomes = 0; // recent calls, newest in bit 0; 1 = failure
        std::size_t samples = 0;
        void record(bool failure, std::size_t window) {
            outcomes = (outcomes << 1) | (failure ? 1u : 0u);
            samples = std::min(samples + 1, window);
        }
        std::size_t recent_failures(std::size_t window) const {
            const std::uint64_t mask = window >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << window) - 1;
            return static_cast<std::size_t>(__builtin_popcountll(outcomes & mask));
        }
    };
    mutable std::mutex mutex_;
    std::map<std::string, Circuit> circuits_;
};

const char *to_string(CircuitBreakers::State state) noexcept;

} // namespace helix::router
