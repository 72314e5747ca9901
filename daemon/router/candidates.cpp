#include "daemon/router/candidates.hpp"

#include <algorithm>

namespace helix::router {

namespace {

void add(std::vector<Candidate> &out, const plugins::ProviderInstance *provider, std::string_view model) {
    if (provider == nullptr) return;
    const auto *m = provider->find_model(std::string(model));
    if (m == nullptr) return;
    for (const auto &c : out)
        if (c.provider == provider && c.model == m) return;
    out.push_back({provider, m});
}

// Every provider serving `model`, in routing order.
void add_all_serving(std::vector<Candidate> &out, const app::Runtime &runtime, std::string_view model) {
    const auto &cfg = *runtime.config;
    for (const auto *list : {&cfg.primary, &cfg.fallback})
        for (const auto &name : *list) add(out, runtime.find_provider(name), model);
    for (const auto &provider : runtime.providers) add(out, provider.get(), model);
}

} // namespace

std::vector<Candidate> candidates_for(const app::Runtime &runtime, std::string_view requested) {
    std::vector<Candidate> out;
    for (const auto &alias : runtime.config->aliases)
        if (alias.name == requested) {
            for (const auto &target : alias.targets) {
                const auto slash = target.find('/');
                add(out, runtime.find_provider(target.substr(0, slash)), std::string_view(target).substr(slash + 1));
            }
            return out;
        }
    if (const auto slash = requested.find('/'); slash != std::string_view::npos) {
        if (const auto *provider = runtime.find_provider(std::string(requested.substr(0, slash)))) {
            const std::string_view model = requested.substr(slash + 1);
            add(out, provider, model);
            if (!out.empty() && runtime.config->router.explicit_fallback) add_all_serving(out, runtime, model);
            return out;
        }
        // Not a provider prefix: the slash belongs to the model id itself.
    }
    add_all_serving(out, runtime, requested);
    return out;
}

} // namespace helix::router
