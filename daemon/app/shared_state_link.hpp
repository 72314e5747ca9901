#pragma once
// shared_state in the configuration, applied: a Redis client and the shared
// counter store for the limiter and the providers' shared state (new ones
// only when the server or its settings changed, so a reload keeps the
// connections), the local store again when it is removed, and the
// shared-state metrics.

#include "daemon/config/config.hpp"
#include "daemon/http/server_state.hpp"
#include "daemon/limits/redis_store.hpp"
#include "daemon/metrics/metrics.hpp"

#include <memory>

namespace helix::app {

class SharedStateLink {
public:
    SharedStateLink(http::ServerState &state, metrics::Metrics &metrics);
    void apply(const config::Config &config);
    const std::shared_ptr<redis::RedisClient> &client() const noexcept { return client_; }

private:
    http::ServerState &state_;
    metrics::Metrics &metrics_;
    config::SharedStateSettings settings_;
    config::RouterSettings router_;
    std::shared_ptr<redis::RedisClient> client_;
};

} // namespace helix::app
