#pragma once
// The shared store's own circuit breaker: after `failures` calls in a row
// failed (no reply within the timeout, a lost connection), calls fail at
// once for `open_for`, so a Redis that is down or stopped costs the request
// path nothing; then one call at a time probes it until one succeeds.

#include <chrono>
#include <cstddef>
#include <mutex>

namespace helix::redis {

class RedisBreaker {
public:
    using Clock = std::chrono::steady_clock;
    explicit RedisBreaker(std::size_t failures = 3, std::chrono::milliseconds open_for = std::chrono::milliseconds(1000))
        : failures_(failures), open_for_(open_for) {}

    // May a call go out now? While open, true once per open_for (the probe).
    bool allow(Clock::time_point now = Clock::now());
    void succeeded();
    void failed(Clock::time_point now = Clock::now());
    bool closed() const;

private:
    const std::size_t failures_;
    const std::chrono::milliseconds open_for_;
    mutable std::mutex mutex_;
    std::size_t in_a_row_ = 0;
    bool open_ = false;
    Clock::time_point retry_at_{};
};

} // namespace helix::redis
