#include "daemon/router/candidates.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

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

std::string key_of(const Candidate &c) { return c.provider->name() + "/" + c.model->id; }

std::optional<double> score_of(const config::Config &cfg, const Candidate &c) {
    const auto it = cfg.scores.find(key_of(c));
    if (it == cfg.scores.end()) return std::nullopt;
    return it->second;
}

// Orders out[from, end) by score, best first; unscored after scored, each
// keeping file order.
void sort_by_score(std::vector<Candidate> &out, std::size_t from, const config::Config &cfg) {
    std::stable_sort(out.begin() + static_cast<std::ptrdiff_t>(from), out.end(),
                     [&](const Candidate &a, const Candidate &b) {
                         const auto sa = score_of(cfg, a), sb = score_of(cfg, b);
                         if (sa && sb) return *sa > *sb;
                         return sa.has_value() && !sb.has_value();
                     });
}

// Every provider serving `model`, in routing order: primary, fallback, the
// rest; by score within each.
void add_all_serving(std::vector<Candidate> &out, const router::Runtime &runtime, std::string_view model) {
    const auto &cfg = *runtime.config;
    for (const auto *list : {&cfg.primary, &cfg.fallback}) {
        const std::size_t group = out.size();
        for (const auto &name : *list) add(out, runtime.find_provider(name), model);
        sort_by_score(out, group, cfg);
    }
    const std::size_t group = out.size();
    for (const auto &provider : runtime.providers) add(out, provider.get(), model);
    sort_by_score(out, group, cfg);
}

double price_per_1k(const config::Config &cfg, const Candidate &c) {
    const auto it = cfg.prices.find(key_of(c));
    if (it == cfg.prices.end()) return std::numeric_limits<double>::infinity(); // unknown: never "cheapest"
    return it->second.input + it->second.output;
}

// Non-critical: the cheapest candidate good enough (score within the
// tolerance of the best score) goes first.
void cheapest_first(std::vector<Candidate> &out, const config::Config &cfg) {
    std::optional<double> best;
    for (const auto &c : out)
        if (const auto s = score_of(cfg, c); s && (!best || *s > *best)) best = s;
    std::size_t pick = out.size();
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto s = score_of(cfg, out[i]);
        const bool good_enough = !best || (s && *s >= *best - cfg.router.cost_tolerance);
        if (!good_enough || !std::isfinite(price_per_1k(cfg, out[i]))) continue;
        if (pick == out.size() || price_per_1k(cfg, out[i]) < price_per_1k(cfg, out[pick])) pick = i;
    }
    if (pick < out.size()) std::rotate(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(pick),
                                       out.begin() + static_cast<std::ptrdiff_t>(pick) + 1);
}

} // namespace

namespace {

std::vector<Candidate> in_routing_order(const router::Runtime &runtime, std::string_view requested) {
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

} // namespace

std::vector<Candidate> candidates_for(const router::Runtime &runtime, std::string_view requested, Priority priority) {
    std::vector<Candidate> out = in_routing_order(runtime, requested);
    if (priority == Priority::low) cheapest_first(out, *runtime.config);
    return out;
}

std::optional<double> estimated_cost(const config::Config &config, const Candidate &candidate,
                                     std::int64_t prompt_tokens, std::int64_t completion_tokens) {
    const auto it = config.prices.find(key_of(candidate));
    if (it == config.prices.end()) return std::nullopt;
    return (static_cast<double>(prompt_tokens) * it->second.input +
            static_cast<double>(completion_tokens) * it->second.output) / 1000.0;
}

} // namespace helix::router
