// The azure_openai plugin's settings table: every key of its `settings:` map, and
// the environment variables that fill it for the provider named "azure-openai".
#include "plugins/azure_openai/azure_provider.hpp"

namespace helix::azure_openai {

std::vector<helix::sdk::Setting> AzureProvider::settings() {
    return {
        {.name = "endpoint", .type = HELIX_SETTING_STRING, .description = "The resource URL, e.g. https://myresource.openai.azure.com (required).", .flags = HELIX_SETTING_REQUIRED, .env = {"AZURE_OPENAI_ENDPOINT"}, .env_provider = "azure-openai"},
        {.name = "api_version", .type = HELIX_SETTING_STRING, .description = "The api-version query parameter; v1 selects the v1 surface.", .default_value = "2024-10-21"},
        {.name = "weight", .type = HELIX_SETTING_INTEGER, .description = "The endpoint's share of calls beside settings.resources (1..1000).", .default_value = "1"},
        {.name = "resources", .type = HELIX_SETTING_LIST, .description = "More resources (regions) of the same deployments: {endpoint, weight, api_key, deployments}; a 429 or 5xx moves calls to the others."},
        {.name = "deployments", .type = HELIX_SETTING_MAP, .description = "Model id to deployment name."},
        {.name = "models", .type = HELIX_SETTING_LIST, .description = "Models to advertise: ids, or maps {id, upstream_id, context_window, capabilities}."},
        {.name = "api_key", .type = HELIX_SETTING_STRING, .description = "The resource key (sent as api-key); without it, Entra ID.", .flags = HELIX_SETTING_SECRET, .env = {"AZURE_OPENAI_API_KEY"}, .env_provider = "azure-openai"},
        {.name = "tenant_id", .type = HELIX_SETTING_STRING, .description = "Entra ID tenant of the client credentials.", .env = {"AZURE_TENANT_ID"}, .env_provider = "azure-openai"},
        {.name = "client_id", .type = HELIX_SETTING_STRING, .description = "Entra ID application (client) id.", .env = {"AZURE_CLIENT_ID"}, .env_provider = "azure-openai"},
        {.name = "client_secret", .type = HELIX_SETTING_STRING, .description = "Entra ID client secret.", .flags = HELIX_SETTING_SECRET, .env = {"AZURE_CLIENT_SECRET"}, .env_provider = "azure-openai"},
        {.name = "federated_token_file", .type = HELIX_SETTING_STRING, .description = "Workload identity: a federated (Kubernetes service account) token file, the client assertion.", .env = {"AZURE_FEDERATED_TOKEN_FILE"}, .env_provider = "azure-openai"},
        {.name = "authority_host", .type = HELIX_SETTING_STRING, .description = "The Entra ID authority.", .default_value = "https://login.microsoftonline.com", .env = {"AZURE_AUTHORITY_HOST"}, .env_provider = "azure-openai"},
        {.name = "azure_cli", .type = HELIX_SETTING_BOOLEAN, .description = "Development: the Azure CLI's login (az account get-access-token), before managed identity.", .default_value = "false"},
        {.name = "azure_cli_path", .type = HELIX_SETTING_STRING, .description = "The Azure CLI program.", .default_value = "az"},
        {.name = "identity_endpoint", .type = HELIX_SETTING_STRING, .description = "The managed identity token endpoint.", .default_value = "http://169.254.169.254/metadata/identity/oauth2/token"},
        {.name = "managed_identity_client_id", .type = HELIX_SETTING_STRING, .description = "A user-assigned managed identity to use."},
        {.name = "extra_fields", .type = HELIX_SETTING_LIST, .description = "Request fields outside the canonical form to forward from the client's body."},
        {.name = "allow_data_sources", .type = HELIX_SETTING_BOOLEAN, .description = "Forward the client's data_sources (Azure On Your Data).", .default_value = "false"},
        {.name = "timeout", .type = HELIX_SETTING_DURATION, .description = "The provider's timeout (plugins.NAME.timeout).", .flags = HELIX_SETTING_HOST_OPTION, .env = {"AZURE_OPENAI_TIMEOUT"}, .env_provider = "azure-openai"},
    };
}

} // namespace helix::azure_openai
