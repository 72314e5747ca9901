#pragma once
// Which provider+model pairs may serve a requested model name, best first:
//   a configured alias  -> its targets, in the order written;
//   "provider/model"    -> that pair alone (explicit choice), followed by the
//                          other providers serving the same model id when
//                          router.explicit_fallback is on;
//   a bare model name   -> every provider serving it: providers.primary in
//                          order, then providers.fallback, then the rest.
// Scores, cost and circuit state reorder or filter this list (issue 9).

#include "daemon/app/runtime.hpp"

#include <string_view>
#include <vector>

namespace helix::router {

struct Candidate {
    const plugins::ProviderInstance *provider = nullptr;
    const plugins::ModelInfo *model = nullptr;
};

std::vector<Candidate> candidates_for(const app::Runtime &runtime, std::string_view requested);

} // namespace helix::router
