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
    // OpenAI's legacy completions behind the deployment's /completions URL (instruct deployments).
    std::unique_ptr<helix::sdk::Call> prepare_completions(const helix_chat_request &request,
                                                          helix::sdk::HttpRequest &out) override;
    helix_health health(std::string &detail) const override;

private:
    // A chat completion, or (completions) a legacy one, on the deployment.
    std::unique_ptr<helix::sdk::Call> text_call(const helix_chat_request &request, bool completions,
                                                helix::sdk::HttpRequest &out);
    // The resource of one call and its credential header.
    struct Target {
        std::size_t index;
        const Resource *resource;
    };
    Target target();
    std::string authorize(helix::sdk::HttpRequest &out, bool stream, const Resource &resource);
    // `inner` behind the guards it needs (the token's, the resource pool's).
    std::unique_ptr<helix::sdk::Call> guarded(std::unique_ptr<helix::sdk::Call> inner, std::string token,
                                              std::size_t index);

    Settings settings_;
    std::shared_ptr<const helix::openai::Settings> decoder_settings_; // what the decoder scrubs from messages
    std::unique_ptr<EntraTokenSource> tokens_;                        // null when every resource has a key
    ResourcePool pool_;
};

// The upstream URLs for a deployment (exposed for tests): classic
// /openai/deployments/{deployment}/{operation}?api-version=..., or the v1
// surface's /openai/v1/{operation}.
std::string chat_url(const Settings &settings, const std::string &deployment);
std::string embeddings_url(const Settings &settings, const std::string &deployment);
std::string completions_url(const Settings &settings, const std::string &deployment);
// The same on another resource's base URL.
std::string operation_url(const Settings &settings, std::string_view endpoint, const std::string &deployment,
                          std::string_view operation);

} // namespace helix::azure_openai
