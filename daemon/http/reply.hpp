#pragma once
// A whole reply as a route computes it, before either server core sends it.

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

// An OpenAI error body, with Retry-After when the error has one.
inline Reply error_reply(const api::ApiError &error) {
    Reply r{error.status, "application/json", api::error_body(error), {}};
    if (error.retry_after_ms > 0) r.headers.emplace_back("Retry-After", std::to_string((error.retry_after_ms + 999) / 1000));
    return r;
}

} // namespace helix::http
