#include "plugins/anthropic/anthropic_provider.hpp"

#include "plugins/anthropic/anthropic_call.hpp"
#include "plugins/anthropic/anthropic_messages.hpp"
#include "plugins/anthropic/anthropic_request.hpp"

namespace helix::anthropic {

AnthropicProvider::AnthropicProvider(helix::sdk::Host host)
    : Provider(host), settings_(std::make_shared<const Settings>(parse_settings(host.config_json()))) {
    if (settings_->api_key.empty() && settings_->needs_api_key())
        host.log(HELIX_LOG_WARNING, "anthropic: settings.api_key is not set (ANTHROPIC_API_KEY); requests will fail");
}

std::unique_ptr<helix::sdk::Call> AnthropicProvider::prepare(const helix_chat_request &request,
                                                             helix::sdk::HttpRequest &out) {
    build_request(*settings_, request, out);
    helix::plugin_common::DecoderOptions options;
    options.expect_stream = request.stream != 0;
    options.now_unix_ms = [host = host()] { return host.now_unix_ms(); };
    const bool json_tool = request.response_format == HELIX_FORMAT_JSON_OBJECT || request.response_format == HELIX_FORMAT_JSON_SCHEMA;
    return std::make_unique<AnthropicCall>(std::move(options), settings_->api_key, json_tool);
}

std::unique_ptr<helix::sdk::Call> AnthropicProvider::prepare_messages(const helix_messages_request &request,
                                                                      helix::sdk::HttpRequest &out) {
    build_messages_request(*settings_, request, out);
    helix::plugin_common::DecoderOptions options;
    options.expect_stream = out.streaming_response;
    options.now_unix_ms = [host = host()] { return host.now_unix_ms(); };
    return std::make_unique<AnthropicMessagesCall>(std::move(options), settings_->api_key,
                                                   request.action == HELIX_MESSAGES_COUNT_TOKENS);
}

helix_health AnthropicProvider::health(std::string &detail) const {
    if (settings_->api_key.empty() && settings_->needs_api_key()) {
        detail = "settings.api_key is not set (ANTHROPIC_API_KEY)";
        return HELIX_HEALTH_FAILING;
    }
    return HELIX_HEALTH_OK;
}

} // namespace helix::anthropic
