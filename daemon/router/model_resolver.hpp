#pragma once
// Which provider and upstream model serve a requested model name:
//   a configured alias -> its first target that a loaded provider serves;
//   "provider/model" -> that provider's model (explicit choice);
//   a bare name      -> the first provider that serves it, primary list
//                       first, then fallback, then the others in file order.
// The full router (scores, cost, circuits, fail-over) builds on this.

#include "daemon/app/runtime.hpp"

#include <optional>
#include <string_view>

namespace helix::router {

struct Target {
    const plugins::ProviderInstance *provider = nullptr;
    const plugins::ModelInfo *model = nullptr;
};

std::optional<Target> resolve_model(const app::Runtime &runtime, std::string_view requested);

} // namespace helix::router
