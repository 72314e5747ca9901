#pragma once
// Which provider+model pairs may serve a requested model name, best first:
//   a configured alias  -> its targets, in the order written;
//   "provider/model"    -> that pair alone (explicit choice), followed by the
//                          other providers serving the same model id when
//                          router.explicit_fallback is on;
//   a bare model name   -> every provider serving it: providers.primary in
//                          order, then providers.fallback, then the rest.
// Within each of those groups, candidates with a higher verifier score come
// first (unscored ones last, in file order). For a non-critical request the
// cheapest candidate whose score is within router.cost_tolerance of the best
// is moved to the front (the rest keep their order, as fallbacks).

#include "daemon/router/runtime.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

namespace helix::router {

struct Candidate {
    Candidate() = default;
    Candidate(const plugins::ProviderInstance *p, const plugins::ModelInfo *m,
              const config::ModelLifecycle *l = nullptr, std::string r = {})
        : provider(p), model(m), lifecycle(l), replaces(std::move(r)) {}

    const plugins::ProviderInstance *provider = nullptr;
    const plugins::ModelInfo *model = nullptr;
    // The lifecycle of the model asked for (lifecycle: in the configuration),
    // or null; its dates go out as the Deprecation and Sunset headers.
    const config::ModelLifecycle *lifecycle = nullptr;
    // "provider/model" this candidate stands in for as its successor, or empty.
    std::string replaces;
};

enum class Priority { critical, low };

// A model past its end of life (or legacy, with successor_from: legacy) whose
// lifecycle names a successor is replaced by it, and the replacement logged.
// `now`: seconds since the epoch (default: the clock).
std::vector<Candidate> candidates_for(const router::Runtime &runtime, std::string_view requested,
                                      Priority priority = Priority::critical,
                                      std::optional<std::int64_t> now = std::nullopt);

// A call's tokens as the cost counts them: prompt tokens include those read
// from the prompt cache and written to it.
struct CostTokens {
    std::int64_t prompt = 0;
    std::int64_t completion = 0;
    std::int64_t cache_read = 0;
    std::int64_t cache_write = 0;
};

// The estimated cost in USD of a call, from the configured prices (cache
// reads and writes at their own prices when set); nullopt when the pair has
// no price.
std::optional<double> estimated_cost(const config::Config &config, const Candidate &candidate, const CostTokens &tokens);
std::optional<double> estimated_cost(const config::Config &config, const Candidate &candidate,
                                     std::int64_t prompt_tokens, std::int64_t completion_tokens);

} // namespace helix::router
