#pragma once
// Claude on Vertex AI (Anthropic's models in the Model Garden, ids such as
// claude-sonnet-4-5@20250929): POST .../publishers/anthropic/models/{model}:rawPredict,
// or :streamRawPredict for a stream (SSE in Anthropic's event format). The
// body is Anthropic's Messages body without "model" and with
// "anthropic_version": "vertex-2023-10-16"; betas go in the anthropic-beta
// header. The reply is Anthropic's message, errors of the model Anthropic's
// error object and of the platform (auth, quota, a model not enabled)
// Google's; both keep their status.
//
// Chat completions (HELIX_OP_CHAT) are the anthropic plugin's translation
// (anthropic::messages_body, anthropic::AnthropicCall), re-addressed here.
// /v1/messages (HELIX_OP_MESSAGES) passes the client's body on with only the
// members rawPredict accepts (plugins/common/messages_fields.hpp).
// count_tokens is not served here (the host estimates).

#include "plugins/gcp_vertex/vertex_settings.hpp"

#include <helixagent/plugin.hpp>

#include <string_view>

namespace helix::gcp_vertex {

inline constexpr std::string_view kVertexAnthropicVersion = "vertex-2023-10-16";

// Claude models are Anthropic's publisher's, not Google's.
bool is_claude_model(std::string_view model) noexcept;

// Body and URL of a chat request to Claude (headers are the provider's).
void build_claude_chat_request(const Settings &settings, const helix_chat_request &request,
                               helix::sdk::HttpRequest &out);

// Body and URL of a Messages request; the anthropic-beta header is added by add_claude_betas.
void build_claude_messages_request(const Settings &settings, const helix_messages_request &request,
                                   helix::sdk::HttpRequest &out);
void add_claude_betas(const helix_messages_request &request, helix::sdk::HttpRequest &out);

} // namespace helix::gcp_vertex
