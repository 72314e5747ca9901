#include "plugins/azure_openai/azure_provider.hpp"

HELIX_PLUGIN(helix::azure_openai::AzureProvider, "azure_openai", "1.0.0")
