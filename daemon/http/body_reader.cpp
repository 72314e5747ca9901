#include "daemon/http/body_reader.hpp"

#include "daemon/api/errors.hpp"

#include <Poco/Exception.h>

#include <array>

namespace helix::http {

std::variant<std::string, api::ApiError> read_body(Poco::Net::HTTPServerRequest &request, std::size_t limit) {
    if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(limit))
        return api::body_too_large(limit);
    std::string body;
    if (request.hasContentLength()) body.reserve(static_cast<std::size_t>(request.getContentLength64()));
    try {
        std::istream &in = request.stream();
        std::array<char, 16 * 1024> buffer{};
        while (in) {
            in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
            const auto n = static_cast<std::size_t>(in.gcount());
            if (body.size() + n > limit) return api::body_too_large(limit);
            body.append(buffer.data(), n);
        }
    } catch (const Poco::TimeoutException &) {
        api::ApiError e = api::invalid_request("The request body did not arrive in time.", {}, "request_timeout");
        e.status = 408;
        return e;
    } catch (const Poco::Exception &e) {
        return api::invalid_request("The request body could not be read: " + e.displayText());
    }
    return body;
}

} // namespace helix::http
