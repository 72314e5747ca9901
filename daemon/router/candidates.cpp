#include "daemon/router/candidates.hpp"

#include "daemon/router/model_keyed.hpp"
#include "daemon/router/model_lifecycle.hpp"

#include <Poco/Logger.h>

#include <algorithm>
#include <chrono>
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

const config::Price *price_of(const config::Config &cfg, const Candidate &c) {
    return find_for_model(cfg.prices, *c.provider, *c.model);
}

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
    const config::Price *price = price_of(cfg, c);
    if (price == nullptr) return std::numeric_limits<double>::infinity(); // unknown: never "cheapest"
    return price->input + price->output;
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

namespace {

// Each candidate carries its model's lifecycle; one whose successor serves
// it now is replaced by the successor (keeping the lifecycle, whose headers
// describe the model asked for), unless the successor is already a candidate.
void apply_lifecycle(std::vector<Candidate> &out, const router::Runtime &runtime, std::int64_t now) {
    const config::Config &cfg = *runtime.config;
    if (cfg.lifecycle.empty()) return;
    std::vector<Candidate> result;
    for (Candidate c : out) {
        c.lifecycle = lifecycle_of(cfg, *c.provider, *c.model);
        if (c.lifecycle != nullptr && served_by_successor(*c.lifecycle, now)) {
            const std::string &target = c.lifecycle->successor;
            const auto slash = target.find('/');
            const plugins::ProviderInstance *provider = runtime.find_provider(target.substr(0, slash));
            const plugins::ModelInfo *model = provider == nullptr ? nullptr : provider->find_model(target.substr(slash + 1));
            if (model != nullptr) {
                Poco::Logger::get("helixagentd").information(
                    key_of(c) + " is " + std::string(to_string(lifecycle_state(*c.lifecycle, now))) +
                    " upstream; its request is served by its successor " + target);
                c = Candidate{provider, model, c.lifecycle, key_of(c)};
            }
        }
        const bool seen = std::any_of(result.begin(), result.end(), [&](const Candidate &r) {
            return r.provider == c.provider && r.model == c.model;
        });
        if (!seen) result.push_back(std::move(c));
    }
    out = std::move(result);
}

} // namespace

std::vector<Candidate> candidates_for(const router::Runtime &runtime, std::string_view requested, Priority priority,
                                      std::optional<std::int64_t> now) {
    std::vector<Candidate> out = in_routing_order(runtime, requested);
    apply_lifecycle(out, runtime,
                    now.value_or(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count()));
    if (priority == Priority::low) cheapest_first(out, *runtime.config);
    return out;
}

std::optional<double> estimated_cost(const config::Config &config, const Candidate &candidate, const CostTokens &tokens) {
    const config::Price *price = price_of(config, candidate);
    if (price == nullptr) return std::nullopt;
    const auto n = [](std::int64_t v) { return static_cast<double>(std::max<std::int64_t>(v, 0)); };
    // A provider's figures never make the cached part larger than the prompt;
    // if a faulty one did, the cached part is what is left.
    const double read = std::min(n(tokens.cache_read), n(tokens.prompt));
    const double write = std::min(n(tokens.cache_write), n(tokens.prompt) - read);
    const double uncached = n(tokens.prompt) - read - write;
    return (uncached * price->input + read * price->cache_read.value_or(price->input) +
            write * price->cache_write.value_or(price->input) + n(tokens.completion) * price->output) /
           1000.0;
}

std::optional<double> estimated_cost(const config::Config &config, const Candidate &candidate,
                                     std::int64_t prompt_tokens, std::int64_t completion_tokens) {
    return estimated_cost(config, candidate, CostTokens{prompt_tokens, completion_tokens, 0, 0});
}

} // namespace helix::router
