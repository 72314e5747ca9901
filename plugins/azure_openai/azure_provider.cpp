#include "plugins/azure_openai/azure_provider.hpp"

#include "plugins/common/percent_encoding.hpp"
#include "plugins/common/token_guarded_call.hpp"
#include "plugins/openai/openai_call.hpp"
#include "plugins/openai/openai_embeddings.hpp"
#include "plugins/openai/openai_request.hpp"

namespace helix::azure_openai {

std::string operation_url(const Settings &settings, std::string_view endpoint, const std::string &deployment,
                          std::string_view operation) {
    if (settings.v1_surface()) return std::string(endpoint) + "/openai/v1/" + std::string(operation);
    return std::string(endpoint) + "/openai/deployments/" + helix::plugin_common::percent_encode(deployment) + "/" +
           std::string(operation) + "?api-version=" + settings.api_version;
}

std::string chat_url(const Settings &settings, const std::string &deployment) {
    return operation_url(settings, settings.endpoint, deployment, "chat/completions");
}

std::string completions_url(const Settings &settings, const std::string &deployment) {
    return operation_url(settings, settings.endpoint, deployment, "completions");
}

std::string embeddings_url(const Settings &settings, const std::string &deployment) {
    return operation_url(settings, settings.endpoint, deployment, "embeddings");
}

AzureProvider::AzureProvider(helix::sdk::Host host)
    : Provider(host), settings_(parse_settings(host.config_json())), pool_(settings_.resources) {
    auto decoder = std::make_shared<helix::openai::Settings>();
    decoder->api_key = settings_.api_key;
    decoder_settings_ = std::move(decoder);
    if (settings_.needs_token()) tokens_ = std::make_unique<EntraTokenSource>(settings_, this->host());
}

AzureProvider::Target AzureProvider::target() {
    const std::size_t index = pool_.size() > 1 ? pool_.pick(host().now_unix_ms()) : 0;
    return {index, &pool_.at(index)};
}

std::unique_ptr<helix::sdk::Call> AzureProvider::prepare(const helix_chat_request &request,
                                                         helix::sdk::HttpRequest &out) {
    return text_call(request, false, out);
}

std::unique_ptr<helix::sdk::Call> AzureProvider::prepare_completions(const helix_chat_request &request,
                                                                     helix::sdk::HttpRequest &out) {
    return text_call(request, true, out);
}

std::unique_ptr<helix::sdk::Call> AzureProvider::text_call(const helix_chat_request &request, bool completions,
                                                           helix::sdk::HttpRequest &out) {
    const std::string model(helix::sdk::view(request.model));
    const Target to = target();
    const std::string &deployment = settings_.deployment_for(*to.resource, model);
    // The v1 surface names the deployment in the body's model; the classic
    // one in the URL (and ignores the body's model).
    helix_chat_request upstream = request;
    upstream.model = helix::sdk::str(deployment);
    out.body = completions ? helix::openai::completions_body(upstream, settings_.fields)
                           : helix::openai::chat_body(upstream, settings_.fields);
    out.url = operation_url(settings_, to.resource->endpoint, deployment, completions ? "completions" : "chat/completions");
    const bool stream = request.stream != 0;
    std::string token = authorize(out, stream, *to.resource);
    helix::plugin_common::DecoderOptions options;
    options.expect_stream = stream;
    options.now_unix_ms = [h = host()] { return h.now_unix_ms(); };
    return guarded(std::make_unique<helix::openai::OpenAiCall>(decoder_settings_, std::move(options)),
                   std::move(token), to.index);
}

std::unique_ptr<helix::sdk::Call> AzureProvider::prepare_embeddings(const helix_embeddings_request &request,
                                                                    helix::sdk::HttpRequest &out) {
    const std::string model(helix::sdk::view(request.model));
    const Target to = target();
    const std::string &deployment = settings_.deployment_for(*to.resource, model); // may be `model` itself
    helix_embeddings_request upstream = request;
    upstream.model = helix::sdk::str(deployment);
    out.body = helix::openai::embeddings_body(upstream);
    out.url = operation_url(settings_, to.resource->endpoint, deployment, "embeddings");
    std::string token = authorize(out, false, *to.resource);
    helix::plugin_common::DecoderOptions options;
    options.now_unix_ms = [h = host()] { return h.now_unix_ms(); };
    return guarded(std::make_unique<helix::openai::EmbeddingsCall>(settings_.api_key, std::move(options)),
                   std::move(token), to.index);
}

std::string AzureProvider::authorize(helix::sdk::HttpRequest &out, bool stream, const Resource &resource) {
    out.method = "POST";
    out.add_header("Content-Type", "application/json");
    out.add_header("Accept", stream ? "text/event-stream" : "application/json");
    out.streaming_response = stream;
    if (!resource.api_key.empty() || !settings_.api_key.empty()) {
        out.add_header("api-key", resource.api_key.empty() ? settings_.api_key : resource.api_key);
        return {};
    }
    std::string token = tokens_->token();
    out.add_header("Authorization", "Bearer " + token);
    return token;
}

std::unique_ptr<helix::sdk::Call> AzureProvider::guarded(std::unique_ptr<helix::sdk::Call> inner, std::string token,
                                                         std::size_t index) {
    if (!token.empty())
        inner = std::make_unique<helix::plugin_common::TokenGuardedCall>(
            std::move(inner), [tokens = tokens_.get()](std::string_view rejected) { tokens->rejected(rejected); },
            std::move(token));
    if (pool_.size() > 1) inner = std::make_unique<ResourceGuardedCall>(std::move(inner), pool_, index, host());
    return inner;
}

helix_health AzureProvider::health(std::string &detail) const {
    if (!tokens_) return HELIX_HEALTH_OK;
    if (tokens_->has_valid_token()) return HELIX_HEALTH_OK;
    const AuthMethod m = settings_.auth();
    detail = m == AuthMethod::client_credentials ? "no Entra ID token yet (client credentials); one is fetched with the first request"
             : m == AuthMethod::workload_identity
                 ? "no Entra ID token yet (workload identity); one is fetched with the first request"
             : m == AuthMethod::azure_cli ? "no Azure CLI token yet; one is fetched with the first request"
                 : "no managed identity token yet; one is fetched with the first request";
    return HELIX_HEALTH_DEGRADED;
}

} // namespace helix::azure_openai
