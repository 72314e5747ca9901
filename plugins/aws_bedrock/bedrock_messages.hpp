#pragma once
// Claude on Bedrock in Anthropic's Messages API shape (HELIX_OP_MESSAGES):
// POST {endpoint}/model/{modelId}/invoke, or /invoke-with-response-stream
// for a stream, with the members of the client's body that InvokeModel
// accepts (plugins/common/messages_fields.hpp: no "model", no "stream"), plus
// "anthropic_version": "bedrock-2023-05-31" and the client's anthropic-beta
// values as "anthropic_beta" (Bedrock reads them from the body, not a
// header). The reply is Anthropic's message; a stream's `chunk` events
// carry each Anthropic event base64-encoded in "bytes", relayed unchanged
// (plugins/common/messages_relay.hpp). Bedrock's errors are BedrockCall's;
// an Anthropic error event inside a stream is retried when it says
// overloaded_error / api_error / rate_limit_error, else not. count_tokens
// is not served here (the host estimates).

#include "plugins/aws_bedrock/bedrock_settings.hpp"
#include "plugins/common/messages_relay.hpp"

#include <helixagent/plugin.hpp>

namespace helix::aws_bedrock {

inline constexpr std::string_view kBedrockAnthropicVersion = "bedrock-2023-05-31";

void build_messages_request(const Settings &settings, const helix_messages_request &request,
                            helix::sdk::HttpRequest &out);

// What an Anthropic error object inside a 200 becomes.
helix::plugin_common::MessagesRelay::ErrorHandler messages_error_handler();

} // namespace helix::aws_bedrock
