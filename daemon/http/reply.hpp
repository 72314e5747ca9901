#pragma once
// A whole reply as a route computes it, before the server sends it.

#include "daemon/api/error_body.hpp"

#include <string>
#include <utility>
#include <vector>

namespace helix::http {

struct Reply {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; // besides Content-Type and Content-Length
};

// An invalid_request_error with its status and code (404, 405, 408, 431...).
inline api::ApiError client_error(int status, std::string code, std::string message) {
    api::ApiError e;
    e.status = status;
    e.type = "invalid_request_error";
    e.code = std::move(code);
    e.message = std::move(message);
    return e;
}

// An OpenAI error body, with Retry-After when the error has one.
inline Reply error_reply(const api::ApiError &error) {
    Reply r{error.status, "application/json", api::error_body(error), {}};
    if (error.retry_after_ms > 0) r.headers.emplace_back("Retry-After", std::to_string((error.retry_after_ms + 999) / 1000));
    return r;
}

} // namespace helix::http
