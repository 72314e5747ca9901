#pragma once
// Lookup in a configuration map keyed "provider/model" (prices, lifecycle):
// the entry written for the model's own id, else for another name of the
// same upstream model on that provider (a Bedrock short name and its full or
// inference profile id), so that one entry covers every name of a model.

#include "daemon/plugins/provider_instance.hpp"

#include <map>
#include <string>

namespace helix::router {

template <class Value>
const Value *find_for_model(const std::map<std::string, Value> &map, const plugins::ProviderInstance &provider,
                            const plugins::ModelInfo &model) {
    if (map.empty()) return nullptr;
    if (const auto it = map.find(provider.name() + "/" + model.id); it != map.end()) return &it->second;
    for (const plugins::ModelInfo &other : provider.models()) {
        if (&other == &model || other.upstream_id != model.upstream_id) continue;
        if (const auto it = map.find(provider.name() + "/" + other.id); it != map.end()) return &it->second;
    }
    return nullptr;
}

} // namespace helix::router
