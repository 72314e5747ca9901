#include "plugins/openai/openai_provider.hpp"

#include "plugins/openai/openai_call.hpp"
#include "plugins/openai/openai_embeddings.hpp"
#include "plugins/openai/openai_request.hpp"

namespace helix::openai {

OpenAiProvider::OpenAiProvider(helix::sdk::Host host)
    : Provider(host), settings_(std::make_shared<const Settings>(parse_settings(host.config_json()))) {
    if (settings_->api_key.empty() && settings_->needs_api_key())
        host.log(HELIX_LOG_WARNING, "openai: settings.api_key is not set (OPENAI_API_KEY); requests will fail");
}

std::unique_ptr<helix::sdk::Call> OpenAiProvider::prepare(const helix_chat_request &request,
                                                          helix::sdk::HttpRequest &out) {
    build_request(*settings_, request, out);
    helix::plugin_common::DecoderOptions options;
    options.expect_stream = request.stream != 0;
    options.now_unix_ms = [host = host()] { return host.now_unix_ms(); };
    return std::make_unique<OpenAiCall>(settings_, std::move(options));
}

std::unique_ptr<helix::sdk::Call> OpenAiProvider::prepare_completions(const helix_chat_request &request,
                                                                      helix::sdk::HttpRequest &out) {
    start_request(*settings_, "/completions", request.stream != 0, out);
    out.body = completions_body(request, settings_->fields);
    helix::plugin_common::DecoderOptions options;
    options.expect_stream = request.stream != 0;
    options.now_unix_ms = [host = host()] { return host.now_unix_ms(); };
    return std::make_unique<OpenAiCall>(settings_, std::move(options));
}

std::unique_ptr<helix::sdk::Call> OpenAiProvider::prepare_embeddings(const helix_embeddings_request &request,
                                                                     helix::sdk::HttpRequest &out) {
    start_request(*settings_, "/embeddings", false, out);
    out.body = embeddings_body(request);
    helix::plugin_common::DecoderOptions options;
    options.now_unix_ms = [host = host()] { return host.now_unix_ms(); };
    return std::make_unique<EmbeddingsCall>(settings_->api_key, std::move(options));
}

helix_health OpenAiProvider::health(std::string &detail) const {
    if (settings_->api_key.empty() && settings_->needs_api_key()) {
        detail = "settings.api_key is not set (OPENAI_API_KEY)";
        return HELIX_HEALTH_FAILING;
    }
    return HELIX_HEALTH_OK;
}

} // namespace helix::openai
