#pragma once
// Every provider the simulator can serve, in the order of the ports line.
// Adding Bedrock, Vertex or Azure = a module file + one entry here.

#include "tools/cloudsim/provider_api.hpp"

#include <span>

namespace helix::cloudsim {

std::span<const ProviderModule> provider_modules();

} // namespace helix::cloudsim
