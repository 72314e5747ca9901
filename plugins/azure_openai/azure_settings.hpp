#pragma once
// Settings of the azure-openai provider (its `settings:` map; the host fills
// endpoint and api_key from AZURE_OPENAI_ENDPOINT / AZURE_OPENAI_API_KEY):
//   endpoint            https://<resource>.openai.azure.com, .cognitiveservices.azure.com
//                       or .services.ai.azure.com (Foundry); trailing '/' allowed;
//                       a copied ".../openai/v1" selects the v1 surface and
//                       ".../openai" is dropped; required
//   api_version         default 2024-10-21 (the current GA version); "v1" selects the
//                       versionless v1 surface (/openai/v1/chat/completions)
//   deployments         {model: deployment}; a model not listed uses a
//                       deployment of its own name
//   weight              the endpoint's share of calls (1..1000, default 1) beside
//   resources           more resources (regions) of the same deployments, a list of
//                       {endpoint, weight?, api_key?, deployments?}: each call goes to
//                       one of them by weight, and one that answers 429 / 5xx is
//                       skipped for its Retry-After (resource_pool.hpp)
//   models              models to advertise (default: gpt-4, gpt-4-turbo,
//                       gpt-35-turbo, gpt-35-turbo-16k, gpt-4o, gpt-4o-mini,
//                       gpt-4.1[-mini|-nano], o1, o3, o3-mini, o4-mini,
//                       gpt-5[-mini|-nano], gpt-5.1)
//   extra_fields        client body fields forwarded besides the default list
//                       (plugins/common/forwarded_fields.hpp)
//   allow_data_sources  default false: a request with data_sources (On Your
//                       Data, which can use the resource's managed identity)
//                       gets 400
// Authentication, the first that applies:
//   api_key             sent as the api-key header
//   tenant_id, client_id, client_secret
//                       Entra ID client credentials (authority_host, default
//                       https://login.microsoftonline.com; AZURE_AUTHORITY_HOST)
//   tenant_id, client_id, federated_token_file
//                       workload identity (AKS: AZURE_FEDERATED_TOKEN_FILE,
//                       AZURE_CLIENT_ID, AZURE_TENANT_ID): the file's token
//                       (re-read at each refresh: the kubelet rotates it) is
//                       the client_assertion of the client credentials grant
//   azure_cli           true: the Azure CLI's login (`az account get-access-token`,
//                       run by the host; azure_cli_path, default az), for development
//   otherwise           managed identity through the instance metadata
//                       endpoint (identity_endpoint, default
//                       http://169.254.169.254/metadata/identity/oauth2/token;
//                       managed_identity_client_id for a user-assigned identity)
// Tokens carry the Cognitive Services scope.

#include "plugins/azure_openai/resource_pool.hpp"
#include "plugins/common/forwarded_fields.hpp"

#include <helixagent/plugin.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace helix::azure_openai {

inline constexpr std::string_view kDefaultApiVersion = "2024-10-21";
inline constexpr std::string_view kScope = "https://cognitiveservices.azure.com/.default";
inline constexpr std::string_view kResource = "https://cognitiveservices.azure.com";

enum class AuthMethod { api_key, client_credentials, workload_identity, azure_cli, managed_identity };

struct Settings {
    std::string endpoint;
    std::string api_version{kDefaultApiVersion};
    std::map<std::string, std::string> deployments;
    std::vector<helix::sdk::Model> models;
    std::string api_key;
    std::string tenant_id;
    std::string client_id;
    std::string client_secret;
    std::string federated_token_file;
    std::string authority_host = "https://login.microsoftonline.com";
    std::string identity_endpoint = "http://169.254.169.254/metadata/identity/oauth2/token";
    std::string managed_identity_client_id;
    bool azure_cli = false;
    std::string azure_cli_path = "az";
    helix::plugin_common::ForwardedFields fields;
    // endpoint (with weight and the provider's key and deployments) first, then settings.resources.
    std::vector<Resource> resources;

    AuthMethod auth() const noexcept;
    bool v1_surface() const noexcept { return api_version == "v1"; }
    const std::string &deployment_for(const std::string &model) const;
    const std::string &deployment_for(const Resource &resource, const std::string &model) const;
    // An Entra ID token is needed: some resource has no key of its own and the provider none.
    bool needs_token() const noexcept;
};

Settings parse_settings(std::string_view json);

} // namespace helix::azure_openai
