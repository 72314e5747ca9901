#pragma once
// The client-facing errors of the chat API, each with OpenAI's status, type
// and code, so that the official SDKs raise the matching class
// (BadRequestError 400, AuthenticationError 401, NotFoundError 404,
// RateLimitError 429, InternalServerError >= 500; 413 is an APIError).
// Serialise them with error_body(): the JSON reply, or after a stream started
// one SSE event, sse_data(error_body(e)) (openai-node throws it as an
// APIError). Messages never contain secrets.

#include "daemon/api/error_body.hpp"
#include "helixagent/plugin_abi.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace helix::api {

// 400 invalid_request_error with the field path in param ("" -> null).
ApiError invalid_request(std::string message, std::string param = {}, std::string code = {});

// 404 model_not_found; tells the client how to list the models.
ApiError model_not_found(std::string_view model);

// 413 request_too_large: the body exceeds `limit_bytes`.
ApiError body_too_large(std::size_t limit_bytes);

// 400 unsupported_parameter for a request the chosen model cannot serve, e.g.
// feature = "n > 1", "tools", "image inputs", "streaming". param names the
// request field (e.g. "n", "tools", "messages", "stream").
ApiError feature_not_supported(std::string_view model, std::string_view feature, std::string param);

// 429 rate_limit_exceeded (type "requests"); retry_after_ms goes into the
// message and into ApiError::retry_after_ms (the writer's Retry-After header).
ApiError rate_limited(std::string_view detail, std::uint32_t retry_after_ms = 0);

// 502 upstream_error: a provider failed or answered something unusable.
ApiError bad_gateway(std::string message);
// 503 service_unavailable: no provider could take the request (all failing,
// circuits open, overloaded).
ApiError service_unavailable(std::string message);
// 503 server_overloaded, Retry-After 1 s: the gateway is at one of its own
// limits, e.g. ("chat completions at once", "server.max_in_flight", 1024).
ApiError overloaded(std::string_view what, std::string_view setting, std::size_t limit);
// 504 upstream_timeout: the provider did not answer in time.
ApiError gateway_timeout(std::string message);
// 500 server_error: a bug or resource failure in the gateway.
ApiError internal_error(std::string message);

// Translates a plugin's failure into what the client sees. `provider` names
// the provider in messages ("openai", "aws-bedrock").
//   INVALID_REQUEST, NOT_SUPPORTED -> 400 invalid_request_error (param/code kept)
//   UPSTREAM  -> the upstream's 4xx when err.http_status is 400..499 except 401/403/407/429
//                (e.g. a content filter, context too long) as invalid_request_error,
//                429 -> rate limit, else 502
//   RETRY     -> 429 when err.http_status is 429, 504 when it is 408 or 504, else 503
//   AUTH      -> 502 (the gateway's credentials for the provider were refused;
//                not the client's fault, so never 401)
//   PROTOCOL  -> 502;  CONFIG -> 503;  INTERNAL and anything else -> 500
// err may be NULL or have a struct_size smaller than helix_error (fields then unread).
ApiError from_plugin_error(helix_status status, const helix_error *err, std::string_view provider);

} // namespace helix::api
