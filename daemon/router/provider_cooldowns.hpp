#pragma once
// When each provider said it may be asked again (its Retry-After), for every
// request of this process: with shared_state, a cool-down seen by any
// replica (shared_provider_state.hpp) keeps this one's requests on the other
// candidates too until it has passed.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace helix::router {

class ProviderCooldowns {
public:
    using Clock = std::chrono::steady_clock;
    // Cooling down until `until` (a later one already known stays).
    void cool(const std::string &provider, Clock::time_point until);
    // When the provider may be asked again; nullopt: it may now.
    std::optional<Clock::time_point> until(const std::string &provider, Clock::time_point now = Clock::now()) const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, Clock::time_point> until_;
};

} // namespace helix::router
