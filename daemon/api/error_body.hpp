#pragma once
// Error bodies in OpenAI's shape:
//   {"error":{"message":"...","type":"...","param":null|"...","code":null|"..."}}
// so that official clients raise their matching exception classes.

#include <cstdint>
#include <string>
#include <string_view>

namespace helix::api {

struct ApiError {
    int status = 500;
    std::string message;
    std::string type = "server_error"; // invalid_request_error, authentication_error, ...
    std::string param;                 // empty -> null
    std::string code;                  // empty -> null
    std::uint32_t retry_after_ms = 0;  // > 0: sent as a Retry-After header (whole seconds, rounded up)
};

std::string error_body(const ApiError &error);

} // namespace helix::api
