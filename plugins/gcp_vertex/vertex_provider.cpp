#include "plugins/gcp_vertex/vertex_provider.hpp"

#include "plugins/anthropic/anthropic_call.hpp"
#include "plugins/anthropic/anthropic_messages.hpp"
#include "plugins/common/token_guarded_call.hpp"
#include "plugins/gcp_vertex/gemini_call.hpp"
#include "plugins/gcp_vertex/gemini_request.hpp"
#include "plugins/gcp_vertex/openai_endpoint.hpp"
#include "plugins/gcp_vertex/predict.hpp"
#include "plugins/gcp_vertex/vertex_claude.hpp"
#include "plugins/gcp_vertex/vertex_embeddings.hpp"

namespace helix::gcp_vertex {

VertexProvider::VertexProvider(helix::sdk::Host host) : Provider(host), settings_(parse_settings(host.config_json())) {
    if (settings_.auth() != AuthMethod::access_token && settings_.auth() != AuthMethod::api_key) tokens_ = std::make_unique<GoogleTokenSource>(settings_, this->host());
}

std::unique_ptr<helix::sdk::Call> VertexProvider::prepare(const helix_chat_request &request,
                                                          helix::sdk::HttpRequest &out) {
    const std::string_view model = helix::sdk::view(request.model);
    if (is_openai_endpoint_model(model)) {
        build_openai_endpoint_request(settings_, request, out);
        const std::string token = authorize(out, request.stream != 0);
        return guarded(make_openai_endpoint_call(decoder_options(out), token), token);
    }
    if (is_claude_model(model)) {
        build_claude_chat_request(settings_, request, out);
        const std::string token = authorize(out, request.stream != 0);
        const bool json_tool =
            request.response_format == HELIX_FORMAT_JSON_OBJECT || request.response_format == HELIX_FORMAT_JSON_SCHEMA;
        return guarded(std::make_unique<helix::anthropic::AnthropicCall>(decoder_options(out), token, json_tool), token);
    }
    const bool predict = is_predict_model(model);
    const bool stream = request.stream != 0 && !predict;
    if (predict) {
        out.body = predict_body(request);
        out.url = settings_.model_url(model, "predict");
    } else {
        out.body = gemini_body(request);
        out.url = stream ? settings_.model_url(model, "streamGenerateContent") + "?alt=sse"
                         : settings_.model_url(model, "generateContent");
    }
    const std::string token = authorize(out, stream);

    helix::plugin_common::DecoderOptions options;
    options.expect_stream = stream;
    options.now_unix_ms = [h = host()] { return h.now_unix_ms(); };
    std::unique_ptr<helix::sdk::Call> call;
    if (predict) {
        call = std::make_unique<PredictCall>(std::move(options), token);
    } else {
        const std::string seed = std::to_string(host().now_unix_ms()) + std::to_string(calls_.fetch_add(1));
        call = std::make_unique<GeminiCall>(std::move(options), token, seed);
    }
    return guarded(std::move(call), token);
}

std::unique_ptr<helix::sdk::Call> VertexProvider::prepare_messages(const helix_messages_request &request,
                                                                   helix::sdk::HttpRequest &out) {
    build_claude_messages_request(settings_, request, out);
    const std::string token = authorize(out, request.stream != 0);
    add_claude_betas(request, out);
    return guarded(std::make_unique<helix::anthropic::AnthropicMessagesCall>(decoder_options(out), token, false), token);
}

helix::plugin_common::DecoderOptions VertexProvider::decoder_options(const helix::sdk::HttpRequest &out) const {
    helix::plugin_common::DecoderOptions options;
    options.expect_stream = out.streaming_response;
    options.now_unix_ms = [h = host()] { return h.now_unix_ms(); };
    return options;
}

std::unique_ptr<helix::sdk::Call> VertexProvider::prepare_embeddings(const helix_embeddings_request &request,
                                                                     helix::sdk::HttpRequest &out) {
    out.body = embeddings_body(request);
    out.url = settings_.model_url(helix::sdk::view(request.model), "predict");
    const std::string token = authorize(out, false);
    helix::plugin_common::DecoderOptions options;
    options.now_unix_ms = [h = host()] { return h.now_unix_ms(); };
    return guarded(std::make_unique<EmbeddingsCall>(std::move(options), token, request.input_count), token);
}

std::string VertexProvider::authorize(helix::sdk::HttpRequest &out, bool stream) {
    out.method = "POST";
    out.headers.clear();
    std::string token; // or the key: what the decoder keeps out of messages
    if (!settings_.api_key.empty()) {
        token = settings_.api_key;
        out.add_header("x-goog-api-key", token);
    } else {
        token = tokens_ ? tokens_->token() : settings_.access_token;
        out.add_header("Authorization", "Bearer " + token);
    }
    if (!settings_.quota_project_id.empty()) out.add_header("x-goog-user-project", settings_.quota_project_id);
    out.add_header("Content-Type", "application/json");
    out.add_header("Accept", stream ? "text/event-stream" : "application/json");
    out.streaming_response = stream;
    return token;
}

std::unique_ptr<helix::sdk::Call> VertexProvider::guarded(std::unique_ptr<helix::sdk::Call> call,
                                                          const std::string &token) {
    if (!tokens_) return call;
    return std::make_unique<helix::plugin_common::TokenGuardedCall>(
        std::move(call), [tokens = tokens_.get()](std::string_view rejected) { tokens->rejected(rejected); }, token);
}

helix_health VertexProvider::health(std::string &detail) const {
    if (!tokens_ || tokens_->has_valid_token()) return HELIX_HEALTH_OK;
    const AuthMethod m = settings_.auth();
    detail = std::string("no access token yet (") +
             (m == AuthMethod::service_account   ? "service account"
              : m == AuthMethod::authorized_user ? "authorized user"
              : m == AuthMethod::external_account ? "workload identity federation"
                                                  : "metadata server") +
             "); one is fetched with the first request";
    return HELIX_HEALTH_DEGRADED;
}

} // namespace helix::gcp_vertex
