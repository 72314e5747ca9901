#pragma once
// Error bodies in OpenAI's shape:
//   {"error":{"message":"...","type":"...","param":null|"...","code":null|"..."}}
// so that official clients raise their matching exception classes.

#include <string>
#include <string_view>

namespace helix::api {

struct ApiError {
    int status = 500;
    std::string message;
    std::string type = "server_error"; // invalid_request_error, authentication_error, ...
    std::string param;                 // empty -> null
    std::string code;                  // empty -> null
};

std::string error_body(const ApiError &error);

} // namespace helix::api
