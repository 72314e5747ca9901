#include "daemon/http/health_handlers.hpp"

#include <boost/json.hpp>

namespace helix::http {

Reply liveness_reply() { return Reply{200, "application/json", R"({"status":"ok"})", {}}; }

Reply readiness_reply(const router::Runtime *runtime_, const ServerState &state_, bool details_) {
    // Indexed by helix_health (OK = 1); ProviderInstance::health() never returns 0.
    static constexpr const char *health_names[] = {"failing", "ok", "degraded", "failing"};
    boost::json::object body;
    boost::json::object providers;
    if (runtime_) {
        for (const auto &provider : runtime_->providers) {
            std::string detail;
            const helix_health h = provider->health(detail);
            boost::json::object entry;
            entry["status"] = health_names[h <= HELIX_HEALTH_FAILING ? h : HELIX_HEALTH_FAILING];
            if (!detail.empty()) entry["detail"] = detail;
            entry["plugin"] = provider->library().name() + " " + provider->library().version();
            providers[provider->name()] = std::move(entry);
        }
        for (const auto &[name, reason] : runtime_->skipped_providers)
            providers[name] = boost::json::object{{"status", "not configured"}, {"detail", reason}};
    }
    // Circuits that are not closed: what the router is currently avoiding.
    boost::json::object circuits;
    for (const auto &[key, circuit] : state_.breakers.snapshot())
        if (circuit != router::CircuitBreakers::State::closed) circuits[key] = router::to_string(circuit);
    body["circuits"] = std::move(circuits);
    // Limits on this replica's counters while the shared Redis is
    // unreachable: still serving (fail open), so still ready.
    if (const auto up = state_.limiter.shared_up()) body["shared_state"] = *up ? "up" : "degraded";
    // Nothing to route to is not ready either (every provider skipped, say).
    const bool serving = runtime_ != nullptr && !runtime_->providers.empty();
    const bool ready = serving && !state_.draining.load();
    body["status"] = !runtime_     ? "no configuration"
                     : !serving    ? "no provider configured"
                     : state_.draining.load() ? "draining"
                                              : "ready";
    body["providers"] = std::move(providers);
    if (!details_) {
        boost::json::object brief{{"status", body["status"]}};
        if (const auto *shared = body.if_contains("shared_state")) brief["shared_state"] = *shared;
        body = std::move(brief);
    }
    return Reply{ready ? 200 : 503, "application/json", boost::json::serialize(body), {}};
}

} // namespace helix::http
