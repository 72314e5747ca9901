#pragma once
// prepare() of the openai provider: the canonical request -> one upstream
// POST {base_url}/chat/completions.
//
// The body is the client's own JSON (original_body): the gateway speaks
// OpenAI's dialect, so passing it through keeps every field OpenAI knows
// (logit_bias, logprobs, reasoning_effort, ...), including ones added after
// this plugin was written. Only these members change:
//   model           request.model (the upstream id the router chose)
//   stream          request.stream
//   stream_options  when streaming, include_usage is forced to true (other
//                   members kept) so that the gateway always learns the usage;
//                   whether the client sees the usage chunk is the host's
//                   decision (request.include_usage). Removed when not
//                   streaming, since OpenAI rejects it there.
// Without an original_body (a host that does not pass one) the body is built
// from the canonical fields instead.

#include "plugins/openai/openai_settings.hpp"

#include <helixagent/plugin.hpp>

#include <string>

namespace helix::openai {

// Fills out (method, url, headers, body, streaming_response). Throws
// helix::sdk::Error: CONFIG without an api_key where one is needed,
// INVALID_REQUEST for a body that cannot be sent.
void build_request(const Settings &settings, const helix_chat_request &request, helix::sdk::HttpRequest &out);

// Method, URL ({base_url}{path}) and headers (key, organization, project,
// content type, Accept) of any POST to OpenAI; throws CONFIG without an
// api_key where one is needed.
void start_request(const Settings &settings, std::string_view path, bool stream, helix::sdk::HttpRequest &out);

// The JSON body alone (the client's body with model and streaming set, or
// one built from the canonical fields): shared with OpenAI-dialect providers
// such as Azure OpenAI.
std::string chat_body(const helix_chat_request &request, const helix::plugin_common::ForwardedFields &fields = {});

// HELIX_OP_COMPLETIONS: the client's /v1/completions body (original_body)
// with OpenAI's documented completions fields only (as chat_body keeps
// chat's, plus `fields.extra`), `model` the upstream id, streaming as above.
std::string completions_body(const helix_chat_request &request, const helix::plugin_common::ForwardedFields &fields = {});

// The body built from the canonical fields alone (exposed for tests).
std::string body_from_canonical(const helix_chat_request &request);

} // namespace helix::openai
