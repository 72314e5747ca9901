#include "daemon/http/body_reader.hpp"

#include "daemon/api/errors.hpp"

#include <Poco/Exception.h>

#include <algorithm>
#include <array>

namespace helix::http {

std::optional<api::ApiError> content_length_error(const Poco::Net::HTTPServerRequest &request) {
    if (!request.has(Poco::Net::HTTPMessage::CONTENT_LENGTH)) return std::nullopt;
    const std::string &value = request.get(Poco::Net::HTTPMessage::CONTENT_LENGTH);
    // 18 digits: below 2^63, so POCO's parse of it cannot overflow.
    const bool digits = !value.empty() && value.size() <= 18 &&
                        std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits) return std::nullopt;
    return api::invalid_request("The Content-Length header must be a whole number of bytes.", {},
                                "invalid_content_length");
}

std::variant<std::string, api::ApiError> read_body(Poco::Net::HTTPServerRequest &request, std::size_t limit) {
    if (auto error = content_length_error(request)) return *error;
    if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(limit))
        return api::body_too_large(limit);
    std::string body;
    if (request.hasContentLength()) body.reserve(static_cast<std::size_t>(request.getContentLength64()));
    const auto timed_out = [] {
        api::ApiError e = api::invalid_request("The request body did not arrive in time.", {}, "request_timeout");
        e.status = 408;
        return e;
    };
    try {
        std::istream &in = request.stream();
        // Without this, a read timeout would only set badbit and look like
        // the end of the body.
        in.exceptions(std::ios::badbit);
        // Small and not zeroed: every stack page a pool thread touches stays
        // resident for its life (POCO reads 4 KiB at a time anyway).
        std::array<char, 4 * 1024> buffer;
        while (in) {
            in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
            const auto n = static_cast<std::size_t>(in.gcount());
            if (body.size() + n > limit) return api::body_too_large(limit);
            body.append(buffer.data(), n);
        }
        if (request.hasContentLength() && static_cast<Poco::Int64>(body.size()) < request.getContentLength64())
            return timed_out(); // the client closed or stalled before sending what it announced
    } catch (const Poco::TimeoutException &) {
        return timed_out();
    } catch (const std::ios::failure &) {
        return timed_out();
    } catch (const Poco::Exception &e) {
        return api::invalid_request("The request body could not be read: " + e.displayText());
    }
    return body;
}

bool discard_body(Poco::Net::HTTPServerRequest &request, std::size_t limit) {
    if (content_length_error(request)) return false;
    if (!request.hasContentLength() && !request.getChunkedTransferEncoding()) return true;
    if (request.hasContentLength() && request.getContentLength64() == 0) return true;
    return std::holds_alternative<std::string>(read_body(request, limit));
}

} // namespace helix::http
