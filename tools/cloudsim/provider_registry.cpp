#include "tools/cloudsim/provider_registry.hpp"

#include "tools/cloudsim/anthropic_api.hpp"
#include "tools/cloudsim/azure_api.hpp"
#include "tools/cloudsim/bedrock_api.hpp"
#include "tools/cloudsim/openai_api.hpp"
#include "tools/cloudsim/vertex_api.hpp"

namespace helix::cloudsim {

std::span<const ProviderModule> provider_modules() {
    // Sized by its entries: adding a provider is one line.
    static const ProviderModule modules[] = {
        {"openai", kOpenAiDefaultKey, &make_openai_api},
        {"anthropic", kAnthropicDefaultKey, &make_anthropic_api},
        {"vertex", kVertexDefaultKey, &make_vertex_api, kVertexSettings},
        {"azure", kAzureDefaultKey, &make_azure_api, kAzureSettings},
        {"bedrock", kBedrockDefaultKey, &make_bedrock_api, kBedrockSettings},
    };
    return modules;
}

} // namespace helix::cloudsim
