#include "tools/cloudsim/provider_registry.hpp"

#include "tools/cloudsim/anthropic_api.hpp"
#include "tools/cloudsim/openai_api.hpp"

#include <array>

namespace helix::cloudsim {

std::span<const ProviderModule> provider_modules() {
    static const std::array<ProviderModule, 2> modules{{
        {"openai", kOpenAiDefaultKey, &make_openai_api},
        {"anthropic", kAnthropicDefaultKey, &make_anthropic_api},
    }};
    return modules;
}

} // namespace helix::cloudsim
