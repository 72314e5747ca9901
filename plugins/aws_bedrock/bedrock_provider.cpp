#include "plugins/aws_bedrock/bedrock_provider.hpp"

#include "plugins/aws_bedrock/bedrock_call.hpp"
#include "plugins/aws_bedrock/bedrock_embeddings.hpp"
#include "plugins/aws_bedrock/bedrock_messages.hpp"
#include "plugins/aws_bedrock/bedrock_request.hpp"

namespace helix::aws_bedrock {

BedrockProvider::BedrockProvider(helix::sdk::Host host)
    : Provider(host), settings_(parse_settings(host.config_json())) {
    for (const std::string &warning : settings_.warnings) host.log(HELIX_LOG_WARNING, "aws_bedrock: " + warning);
    if (!settings_.api_key.empty()) {
        // An API key replaces SigV4: the chain (and its files) is not used at all.
        host.log(HELIX_LOG_INFO, "aws_bedrock: using a Bedrock API key (settings.api_key / AWS_BEARER_TOKEN_BEDROCK)");
        return;
    }
    credentials_ = std::make_unique<CredentialChain>(settings_, this->host());
}

helix_health BedrockProvider::health(std::string &detail) const {
    return credentials_ ? credentials_->health(detail) : HELIX_HEALTH_OK;
}

std::unique_ptr<helix::sdk::Call> BedrockProvider::prepare(const helix_chat_request &request,
                                                           helix::sdk::HttpRequest &out) {
    // Translate first: a request Bedrock cannot take fails without a side request.
    build_request(settings_, request, out);
    const std::string model(upstream_model_id(helix::sdk::view(request.model)));
    CallOptions options;
    options.json_tool_as_text = is_claude(model) && (request.response_format == HELIX_FORMAT_JSON_OBJECT ||
                                                     request.response_format == HELIX_FORMAT_JSON_SCHEMA);
    return signed_call(model, request.stream != 0, out, std::move(options));
}

std::unique_ptr<helix::sdk::Call> BedrockProvider::prepare_embeddings(const helix_embeddings_request &request,
                                                                      helix::sdk::HttpRequest &out) {
    build_embeddings_request(settings_, request, out);
    const std::string model(upstream_model_id(helix::sdk::view(request.model)));
    CallOptions options;
    options.invoke_body = [family = embedding_family(model), inputs = request.input_count](
                              const boost::json::value &body, std::int64_t input_tokens, helix::sdk::EventSink &events) {
        decode_embeddings(family, body, input_tokens, inputs, events);
    };
    return signed_call(model, false, out, std::move(options));
}

std::unique_ptr<helix::sdk::Call> BedrockProvider::prepare_messages(const helix_messages_request &request,
                                                                    helix::sdk::HttpRequest &out) {
    build_messages_request(settings_, request, out);
    const std::string model(upstream_model_id(helix::sdk::view(request.model)));
    const bool stream = out.streaming_response;
    CallOptions options;
    auto relay = std::make_shared<helix::plugin_common::MessagesRelay>(messages_error_handler());
    options.invoke_body = [relay](const boost::json::value &body, std::int64_t, helix::sdk::EventSink &events) {
        relay->body(body, false, events);
    };
    if (stream) {
        options.invoke_chunk = [relay](std::string_view event, helix::sdk::EventSink &events) { relay->event(event, events); };
        options.invoke_stream_end = [relay] { relay->end_stream(); };
    }
    return signed_call(model, stream, out, std::move(options));
}

std::unique_ptr<helix::sdk::Call> BedrockProvider::signed_call(std::string model, bool stream,
                                                               helix::sdk::HttpRequest &out, CallOptions options) {
    if (credentials_) {
        const TimedCredentials credentials = credentials_->get();
        sign_request(settings_, credentials.credentials, host().now_unix_ms(), out);
        options.credentials = credentials.credentials;
        options.on_credentials_rejected = [chain = credentials_.get()](const helix::aws::Credentials &c) {
            chain->rejected(c);
        };
    } else {
        authorize_request(settings_.api_key, out);
        options.credentials.secret_access_key = settings_.api_key; // redacted from every error like a secret key
    }
    options.model = std::move(model);
    options.stream = stream;
    options.decoder.expect_stream = false; // event streams are handled by BedrockCall itself
    options.decoder.now_unix_ms = [h = host()] { return h.now_unix_ms(); };
    return std::make_unique<BedrockCall>(std::move(options));
}

} // namespace helix::aws_bedrock
