#pragma once
// What the request handlers share for the life of the process (across
// reloads): how many requests are in flight (for draining), whether the
// server is draining, the chat completions' slots, failed key attempts, the
// providers' circuit breakers, the limits' counters, and the access log.

#include "daemon/audit/access_log.hpp"
#include "daemon/http/auth_failures.hpp"
#include "daemon/limits/limiter.hpp"
#include "daemon/redis/background_loop.hpp"
#include "daemon/router/circuit_breakers.hpp"
#include "daemon/router/provider_cooldowns.hpp"
#include "daemon/router/shared_provider_state.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>

namespace helix::http {

struct ServerState {
    // First, so that it outlives the shared store the limiter may use.
    redis::BackgroundLoop shared_state_loop;
    std::atomic<std::int64_t> in_flight{0};
    std::atomic<bool> draining{false};
    // Refused at once because the server was full (server.max_in_flight chat
    // completions, server.max_connections connections); metrics read them.
    std::atomic<std::uint64_t> refused_in_flight{0};
    std::atomic<std::uint64_t> refused_connections{0};
    // Chat completions being served (at most server.max_in_flight); a slot is
    // taken only once the request's key is accepted.
    std::atomic<std::int64_t> chat_in_flight{0};
    AuthFailures auth_failures; // failed key attempts per client address
    router::CircuitBreakers breakers;
    router::ProviderCooldowns cooldowns;       // Retry-After cool-downs (honoured with shared_state)
    router::SharedProviderSlot shared_providers; // with shared_state: breakers and cool-downs shared by replicas
    limits::Limiter limiter; // counters of the keys' and providers' limits, kept across reloads
    audit::AccessLog access_log;
};

// Waits until no request is in flight or the timeout passes; true if idle.
bool wait_until_idle(const ServerState &state, std::chrono::milliseconds timeout);

} // namespace helix::http
