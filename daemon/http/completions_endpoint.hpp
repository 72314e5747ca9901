#pragma once
// POST /v1/completions (legacy prompt completions) on the attempt loop: the
// prompt becomes one user message of a chat request
// (api/completions_request.hpp), except for a model that serves legacy
// completions itself (HELIX_MODEL_COMPLETIONS: OpenAI's and Azure's instruct
// models), which gets the client's body; the call's events become a
// text_completion or its chunks (api/text_completion_builder.hpp).

#include "daemon/http/routes.hpp"

#include <variant>

namespace helix::http {

// The route table's handler.
std::variant<EndpointPlan, api::ApiError> plan_completions_endpoint(EndpointRequest &request);

} // namespace helix::http
