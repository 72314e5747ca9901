#include "daemon/router/model_resolver.hpp"

#include <algorithm>

namespace helix::router {

namespace {

std::optional<Target> find_in(const plugins::ProviderInstance *provider, std::string_view model) {
    if (provider == nullptr) return std::nullopt;
    if (const auto *m = provider->find_model(std::string(model))) return Target{provider, m};
    return std::nullopt;
}

} // namespace

std::optional<Target> resolve_model(const app::Runtime &runtime, std::string_view requested) {
    for (const auto &alias : runtime.config->aliases)
        if (alias.name == requested)
            for (const auto &target : alias.targets) {
                const auto slash = target.find('/');
                if (auto t = find_in(runtime.find_provider(target.substr(0, slash)),
                                     std::string_view(target).substr(slash + 1)))
                    return t;
            }
    if (const auto slash = requested.find('/'); slash != std::string_view::npos) {
        const auto *provider = runtime.find_provider(std::string(requested.substr(0, slash)));
        if (provider != nullptr) return find_in(provider, requested.substr(slash + 1));
        // Not a provider prefix: the slash may belong to the model id itself.
    }
    const auto &cfg = *runtime.config;
    for (const auto *list : {&cfg.primary, &cfg.fallback})
        for (const auto &name : *list)
            if (auto t = find_in(runtime.find_provider(name), requested)) return t;
    for (const auto &provider : runtime.providers) {
        const auto &name = provider->name();
        const bool listed = std::find(cfg.primary.begin(), cfg.primary.end(), name) != cfg.primary.end() ||
                            std::find(cfg.fallback.begin(), cfg.fallback.end(), name) != cfg.fallback.end();
        if (!listed)
            if (auto t = find_in(provider.get(), requested)) return t;
    }
    return std::nullopt;
}

} // namespace helix::router
