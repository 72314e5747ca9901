#include "daemon/app/shared_state_link.hpp"

#include "daemon/limits/local_store.hpp"

#include <Poco/Logger.h>

namespace helix::app {

SharedStateLink::SharedStateLink(http::ServerState &state, metrics::Metrics &metrics) : state_(state), metrics_(metrics) {
    metrics_.add_scrape_hook([&state](metrics::Metrics &m) {
        if (const auto up = state.limiter.shared_up()) m.set_shared_state_up(*up);
    });
}

void SharedStateLink::apply(const config::Config &config) {
    const config::SharedStateSettings &wanted = config.shared_state;
    auto &log = Poco::Logger::get("helixagentd");
    if (!wanted.enabled()) {
        if (client_) {
            state_.limiter.use_store(std::make_shared<limits::LocalStore>());
            state_.shared_providers.set(nullptr);
            client_.reset();
            log.information("shared_state removed: limits count on this replica only");
        }
        settings_ = wanted;
        return;
    }
    const config::RouterSettings &router = config.router;
    const bool same_circuits = router.circuit_failures == router_.circuit_failures &&
                               router.circuit_cooldown == router_.circuit_cooldown &&
                               router.circuit_failure_rate == router_.circuit_failure_rate &&
                               router.circuit_window == router_.circuit_window && router.deadline == router_.deadline;
    if (client_ && wanted.same_server(settings_) && wanted.replicas == settings_.replicas && same_circuits) return;
    metrics::Metrics &metrics = metrics_;
    client_ = std::make_shared<redis::RedisClient>(wanted, state_.shared_state_loop.executor(),
                                                   [&metrics](bool ok, double seconds) {
                                                       metrics.observe_shared_state_call(ok, seconds);
                                                   });
    // A concurrency slot outlives any request (router.deadline bounds them).
    const limits::Micros lease_lifetime =
        static_cast<limits::Micros>(config.router.deadline.count()) * 1000 + 60'000'000;
    state_.limiter.use_store(limits::RedisStore::make(client_, wanted.replicas, lease_lifetime));
    // The same breaker settings as the attempt loop's; a probe's claim lasts
    // as long as a request may.
    state_.shared_providers.set(router::SharedProviderState::make(
        client_, state_.breakers, state_.cooldowns,
        router::CircuitBreakers::Settings{router.circuit_failures, router.circuit_cooldown, router.circuit_failure_rate,
                                          router.circuit_window},
        router.deadline));
    settings_ = wanted;
    router_ = router;
    log.information("shared_state: limits and provider state shared through Redis at " + wanted.url + " (" +
                    std::to_string(wanted.replicas) + " replicas; " + (wanted.tls ? "TLS" : "no TLS") +
                    (wanted.password.empty() ? "" : ", AUTH") + ")");
}

} // namespace helix::app
