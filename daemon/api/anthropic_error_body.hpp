#pragma once
// Error bodies in Anthropic's shape, for the Messages API routes:
//   {"type":"error","error":{"type":"invalid_request_error","message":"..."}}
// so that @anthropic-ai/sdk raises its matching exception class. The type
// follows the status as Anthropic's API uses it (400 invalid_request_error,
// 401 authentication_error, 403 permission_error, 404 not_found_error, 413
// request_too_large, 429 rate_limit_error, 503/529 overloaded_error, other
// 5xx api_error), and the field an error is about leads the message in
// Anthropic's dotted form ("messages.1.content.0.type: ...").

#include "daemon/api/error_body.hpp"

#include <string>
#include <string_view>

namespace helix::api {

std::string anthropic_error_type(int status);
// "messages[1].content[0].type" -> "messages.1.content.0.type"
std::string anthropic_param(std::string_view param);
std::string anthropic_error_body(const ApiError &error);

} // namespace helix::api
