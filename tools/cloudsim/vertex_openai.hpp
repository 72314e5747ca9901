#pragma once
// Vertex AI's OpenAI-compatible endpoint for partner models (Model as a
// Service), without I/O:
//   POST /{v1|v1beta1}/projects/{p}/locations/{l}/endpoints/openapi/chat/completions
// The request and the reply (JSON or SSE) are OpenAI's chat completions
// (openai_wire.hpp) with the publisher in the model id
// ("meta/llama-3.3-70b-instruct-maas"); authentication is Vertex's (a Bearer
// token minted here, or the API key). Every error is Google's
// {"error":{code, message, status}}, framed as a one-element array as Vertex
// frames the errors of this streaming method.

#include "tools/cloudsim/openai_wire.hpp"
#include "tools/cloudsim/vertex_wire.hpp"

#include <optional>
#include <string_view>

namespace helix::cloudsim::vertex {

// The models the endpoint serves here: Meta's Llama 3.1 to 4 "-maas" ids.
bool is_maas_model(std::string_view model);

// The publisher model an id names at `at` (for errors and the resource name).
ModelPath maas_model_path(const OpenApiPath &at, std::string_view model);

// nullopt when `model` is served; else 400 INVALID_ARGUMENT for an id that is
// not "publisher/model", 404 NOT_FOUND for one that is not served.
std::optional<ApiError> check_maas_model(const OpenApiPath &at, std::string_view model);

// A request the endpoint refuses (OpenAI's validation): 400 INVALID_ARGUMENT with its message.
ApiError invalid_chat_request(const openai::ApiError &error);

} // namespace helix::cloudsim::vertex
