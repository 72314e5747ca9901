#pragma once
// Anthropic's Messages API passed through (HELIX_OP_MESSAGES): the client's
// body goes to POST /v1/messages (or /v1/messages/count_tokens) with
// "model" replaced by the upstream id and only Anthropic's documented
// fields kept (plugins/common/messages_fields.hpp), so thinking blocks and their
// signatures, cache_control, tool_use / tool_result, images and documents
// reach Anthropic as the client sent them. Headers: the gateway's x-api-key,
// the client's anthropic-version (else settings.anthropic_version), and
// anthropic-beta: the client's values, then settings.anthropic_beta's, each
// once. The reply and every SSE event go back as HELIX_EVENT_MESSAGES
// (plugins/common/messages_relay.hpp); errors as AnthropicCall's.

#include "plugins/anthropic/anthropic_settings.hpp"
#include "plugins/common/messages_relay.hpp"
#include "plugins/common/response_decoder.hpp"

#include <helixagent/plugin.hpp>

#include <memory>
#include <string>
#include <vector>

namespace helix::anthropic {

// The anthropic-beta values to send: the client's, then the configured ones, without repeats.
std::vector<std::string> merged_betas(const helix_messages_request &request, std::string_view configured);

void build_messages_request(const Settings &settings, const helix_messages_request &request,
                            helix::sdk::HttpRequest &out);

class AnthropicMessagesCall final : public helix::plugin_common::ResponseDecoder {
public:
    // secret: redacted from every error message (the API key, or Vertex's token).
    AnthropicMessagesCall(helix::plugin_common::DecoderOptions options, std::string secret, bool count_tokens);

private:
    void on_sse_event(const helix::plugin_common::SseEvent &event, helix::sdk::EventSink &events) override;
    void on_stream_end(helix::sdk::EventSink &events) override;
    void on_json_body(const boost::json::value &body, helix::sdk::EventSink &events) override;
    helix::sdk::Error on_error_body(const helix::plugin_common::ResponseInfo &info, std::string_view body) override;

    std::string secret_;
    helix::plugin_common::MessagesRelay relay_;
    bool count_tokens_;
};

} // namespace helix::anthropic
