#pragma once
// Partner models behind Vertex AI's OpenAI-compatible endpoint (Model as a
// Service; Meta's Llama, ids such as meta/llama-3.3-70b-instruct-maas):
//   POST {base}/{v1|v1beta1}/projects/{p}/locations/{l}/endpoints/openapi/chat/completions
// with the provider's Google credentials (Bearer token, or the API key of a
// project). The model id, publisher included, goes in the body's "model";
// body, reply and SSE stream are OpenAI's chat completions, so both sides are
// the openai plugin's translation (openai::chat_body, openai::OpenAiCall),
// re-addressed here. Errors of this endpoint are Google's
// ({"error":{code, message, status}} in a one-element array, as Vertex frames
// the errors of a streaming method: google_error.hpp); an OpenAI error object
// from the model server is read as OpenAI's.
//
// Express mode (an API key without project_id) serves Google's models only:
// a request for a partner model then fails with a configuration error.

#include "plugins/common/response_decoder.hpp"
#include "plugins/gcp_vertex/vertex_settings.hpp"

#include <helixagent/plugin.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace helix::gcp_vertex {

// A "publisher/model" id (meta/..., and the endpoint's other partner models).
bool is_openai_endpoint_model(std::string_view model) noexcept;

// Body and URL of a chat request (headers are the provider's).
void build_openai_endpoint_request(const Settings &settings, const helix_chat_request &request,
                                   helix::sdk::HttpRequest &out);

// The decoder of its reply; `secret` (the token or key sent) never appears in an error.
std::unique_ptr<helix::sdk::Call> make_openai_endpoint_call(helix::plugin_common::DecoderOptions options,
                                                            std::string secret);

// A non-2xx body of the endpoint: Google's error, else OpenAI's.
helix::sdk::Error openai_endpoint_error(const helix::plugin_common::ResponseInfo &info, std::string_view body,
                                        std::string_view secret);

} // namespace helix::gcp_vertex
