#include "daemon/api/anthropic_error_body.hpp"

#include <boost/json.hpp>

namespace helix::api {

std::string anthropic_error_type(int status) {
    switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 402: return "billing_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 503:
    case 529: return "overloaded_error";
    case 504: return "timeout_error";
    default: return status >= 400 && status < 500 ? "invalid_request_error" : "api_error";
    }
}

std::string anthropic_param(std::string_view param) {
    std::string out;
    out.reserve(param.size());
    for (const char c : param) {
        if (c == '[') {
            out += '.';
        } else if (c != ']') {
            out += c;
        }
    }
    return out;
}

std::string anthropic_error_body(const ApiError &error) {
    std::string message = error.message;
    if (!error.param.empty()) message = anthropic_param(error.param) + ": " + message;
    boost::json::object inner{{"type", anthropic_error_type(error.status)}, {"message", message}};
    boost::json::object outer{{"type", "error"}, {"error", std::move(inner)}};
    return boost::json::serialize(outer);
}

} // namespace helix::api
