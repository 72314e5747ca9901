#include "daemon/router/provider_cooldowns.hpp"

namespace helix::router {

void ProviderCooldowns::cool(const std::string &provider, Clock::time_point until) {
    const std::lock_guard lock(mutex_);
    auto [it, added] = until_.try_emplace(provider, until);
    if (!added && it->second < until) it->second = until;
}

std::optional<ProviderCooldowns::Clock::time_point> ProviderCooldowns::until(const std::string &provider,
                                                                            Clock::time_point now) const {
    const std::lock_guard lock(mutex_);
    const auto it = until_.find(provider);
    if (it == until_.end() || it->second <= now) return std::nullopt;
    return it->second;
}

} // namespace helix::router
