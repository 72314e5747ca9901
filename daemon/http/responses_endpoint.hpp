#pragma once
// POST /v1/responses (OpenAI's Responses API) on the attempt loop: the body
// becomes a chat request (api/responses_request.hpp) that every provider
// serves; the events of the call become the `response` object or its typed
// event stream (api/responses_builder.hpp).

#include "daemon/http/routes.hpp"

#include <variant>

namespace helix::http {

// The route table's handler.
std::variant<EndpointPlan, api::ApiError> plan_responses_endpoint(EndpointRequest &request);

// GET /v1/responses/{id} (and its input_items): a 400, as nothing is stored.
Reply stored_response_reply(const RouteRequest &request);

} // namespace helix::http
