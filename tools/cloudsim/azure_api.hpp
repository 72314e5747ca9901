#pragma once
// The Azure OpenAI provider module (docs/providers.md, azure-openai), one listener that
// also plays Microsoft Entra ID's token endpoint and the VM's managed-identity
// endpoint:
//
//   POST /openai/deployments/{deployment}/chat/completions?api-version=V   classic surface
//   POST /openai/v1/chat/completions                                       v1 surface (model = deployment)
//   POST /openai/deployments/{deployment}/completions?api-version=V        legacy completions of an
//   POST /openai/v1/completions                                            instruct deployment
//                                    (openai_completions.hpp; a chat model there, or an instruct model on
//                                    chat, is a 400 OperationNotSupported as at Azure)
//   POST /{tenant}/oauth2/v2.0/token          client credentials -> Entra access token
//   GET  /metadata/identity/oauth2/token?api-version=2018-02-01&resource=...   (Metadata: true)
//
// Requests and replies are OpenAI's (openai_wire, the OpenAI module's chat
// flow) plus Azure's content filter results and first stream chunk. Auth:
// `api-key: <--azure-key>` or `Authorization: Bearer <Entra token minted
// here>` (audience https://cognitiveservices.azure.com, checked for
// signature and expiry); on the v1 surface also `Bearer <--azure-key>`.
// api-version: missing -> 404 "Resource not found", unknown -> 400 "API
// version not supported". Fault directives beyond the common ones:
// content-filter (400 code content_filter) and content-filter-output
// (finish_reason content_filter after two tokens).

#include "tools/cloudsim/provider_api.hpp"

#include <array>
#include <memory>

namespace helix::cloudsim {

inline constexpr std::string_view kAzureDefaultKey = "sk-sim-azure";

std::string check_azure_token_ttl(std::string_view value);
std::string check_not_empty(std::string_view value);

inline constexpr std::array<ProviderSetting, 7> kAzureSettings{{
    {"tenant", "sim-tenant", "the Entra tenant its token endpoint serves", &check_not_empty},
    {"client-id", "sim-client-id", "the app (and managed identity) client id", &check_not_empty},
    {"client-secret", "sim-client-secret", "the app's client secret", &check_not_empty},
    {"token-ttl-s", "3600", "lifetime of the Entra tokens it mints, seconds", &check_azure_token_ttl},
    {"deployments", "", "serve only these deployments: name[=model],... (default: any name)", nullptr},
    {"federated-issuer", "https://oidc.sim.helix.local", "the issuer of the app's federated identity credential",
     &check_not_empty},
    {"federated-subject", "system:serviceaccount:default:helixagent",
     "the subject of the app's federated identity credential", &check_not_empty},
}};

std::unique_ptr<ProviderApi> make_azure_api(const ProviderOptions &options);

} // namespace helix::cloudsim
