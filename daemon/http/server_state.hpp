#pragma once
// Counters the request handlers keep and the lifecycle reads: how many
// requests are in flight (for draining) and whether the server is draining.

#include <atomic>
#include <cstdint>

namespace helix::http {

struct ServerState {
    std::atomic<std::int64_t> in_flight{0};
    std::atomic<bool> draining{false};
};

} // namespace helix::http
