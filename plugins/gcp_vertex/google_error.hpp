#pragma once
// Google's error body (docs/providers.md, gcp-vertex) as the error a plugin throws:
//   {"error": {"code": 429, "message": "...", "status": "RESOURCE_EXHAUSTED",
//              "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo",
//                           "retryDelay": "2s"}, ...]}}
// (wrapped in a one-element array by the array-framed stream). The OpenAI
// error carries Google's message and its status as the code.
//   429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, 500, 504   retryable (RetryInfo's
//                                          retryDelay when Retry-After is absent)
//   401 UNAUTHENTICATED                    AUTH: the token is dropped and the
//                                          host prepares the call once more
//   403 PERMISSION_DENIED                  AUTH (502): the gateway's identity lacks
//                                          a permission, not the client's fault
//   400 with ErrorInfo reason API_KEY_*    AUTH (502): the gateway's API key was refused
//   400 INVALID_ARGUMENT, 404 NOT_FOUND    the client's request: passed through

#include "plugins/common/upstream_error.hpp"

#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace helix::gcp_vertex {

struct GoogleError {
    int code = 0;          // HTTP status Google gave in the body
    std::string status;    // RESOURCE_EXHAUSTED, ...
    std::string message;
    std::uint32_t retry_delay_ms = 0; // google.rpc.RetryInfo
    std::string reason;               // google.rpc.ErrorInfo (API_KEY_INVALID, ...)
};

// The error object of a body, or nullopt when it is not Google's error shape.
std::optional<GoogleError> parse_google_error(const boost::json::value &body);

// "2s", "1.500s", "0.2s" -> milliseconds (rounded up); nullopt otherwise.
std::optional<std::uint32_t> parse_duration_ms(std::string_view text);

// A non-2xx response.
helix::sdk::Error google_http_error(helix::plugin_common::ResponseInfo info, std::string_view body,
                                    std::string_view secret);
// An error object inside a 200 (a stream event).
helix::sdk::Error google_stream_error(const GoogleError &error, std::string_view secret);

} // namespace helix::gcp_vertex
