#include "daemon/http/response_writer.hpp"

namespace helix::http {

void send_json(Poco::Net::HTTPServerResponse &response, int status, std::string_view body) {
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
    response.setContentType("application/json");
    response.setContentLength(static_cast<std::streamsize>(body.size()));
    response.send().write(body.data(), static_cast<std::streamsize>(body.size()));
}

void send_error(Poco::Net::HTTPServerResponse &response, const api::ApiError &error) {
    if (error.retry_after_ms > 0) response.set("Retry-After", std::to_string((error.retry_after_ms + 999) / 1000));
    send_json(response, error.status, api::error_body(error));
}

void send_reply(Poco::Net::HTTPServerResponse &response, const Reply &reply) {
    for (const auto &[name, value] : reply.headers) response.set(name, value);
    response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
    response.setContentType(reply.content_type);
    response.setContentLength(static_cast<std::streamsize>(reply.body.size()));
    // POCO sends no body for HEAD.
    response.send().write(reply.body.data(), static_cast<std::streamsize>(reply.body.size()));
}

} // namespace helix::http
