#pragma once
// What the request handlers share for the life of the process (across
// reloads): how many requests are in flight (for draining), whether the
// server is draining, and the providers' circuit breakers.

#include "daemon/router/circuit_breakers.hpp"

#include <atomic>
#include <cstdint>

namespace helix::http {

struct ServerState {
    std::atomic<std::int64_t> in_flight{0};
    std::atomic<bool> draining{false};
    router::CircuitBreakers breakers;
};

} // namespace helix::http
