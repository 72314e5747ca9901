#include "daemon/config/config.hpp"

#include <algorithm>

namespace helix::config {

// A handful of providers: a linear scan beats a map and keeps Config a plain aggregate.
const ProviderConfig *Config::find_provider(const std::string &name) const {
    const auto found =
        std::find_if(providers.begin(), providers.end(), [&](const ProviderConfig &p) { return p.name == name; });
    return found == providers.end() ? nullptr : &*found;
}

} // namespace helix::config
