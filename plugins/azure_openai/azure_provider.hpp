#pragma once
// The azure-openai provider: OpenAI's wire format behind Azure's deployment
// URLs, api-version and authentication. prepare() reuses the openai
// provider's body, decode() its response decoder (which keeps Azure's
// prompt_filter_results and content_filter_results); a 401 drops the cached
// Entra token so that the host's second prepare() fetches a new one.

#include "plugins/azure_openai/azure_settings.hpp"
#include "plugins/azure_openai/entra_token_source.hpp"
#include "plugins/openai/openai_settings.hpp"

#include <memory>

namespace helix::azure_openai {

class AzureProvider final : public helix::sdk::Provider {
public:
    explicit AzureProvider(helix::sdk::Host host);

    static void validate_config(std::string_view json) { parse_settings(json); }

    static constexpr helix_thread_safety thread_safety = HELIX_THREADS_CONCURRENT_CALLS;

    // The settings table: keys, types, defaults, secrets and the environment.

    static std::vector<helix::sdk::Setting> settings();

    std::vector<helix::sdk::Model> models() const override { return settings_.models; }
    // OpenAI's embeddings body behind the deployment's /embeddings URL.
    std::unique_ptr<helix::sdk::Call> prepare_embeddings(const helix_embeddings_request &request,
                                                         helix::sdk::HttpRequest &out) override;
    std::unique_ptr<helix::sdk::Call> prepare(const helix_chat_request &request, helix::sdk::HttpRequest &out) override;
    helix_health health(std::string &detail) const override;

private:
    // Method, content headers and the credential (api-key, or an Entra
    // token, which it returns so that a 401 can drop it).
    std::string authorize(helix::sdk::HttpRequest &out, bool stream);
    // With Entra tokens: `inner` behind a call that drops a refused token.
    std::unique_ptr<helix::sdk::Call> guarded(std::unique_ptr<helix::sdk::Call> inner, std::string token);

    Settings settings_;
    std::shared_ptr<const helix::openai::Settings> decoder_settings_; // what the decoder scrubs from messages
    std::unique_ptr<EntraTokenSource> tokens_;                        // null with an api key
};

// The upstream URLs for a deployment (exposed for tests): classic
// /openai/deployments/{deployment}/{operation}?api-version=..., or the v1
// surface's /openai/v1/{operation}.
std::string chat_url(const Settings &settings, const std::string &deployment);
std::string embeddings_url(const Settings &settings, const std::string &deployment);

} // namespace helix::azure_openai
