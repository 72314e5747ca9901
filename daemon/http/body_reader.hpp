#pragma once
// Reads a request body up to a limit. A declared Content-Length above the
// limit is refused before reading anything; a chunked body is cut off as soon
// as it passes the limit. After an error the body is not fully read, so the
// caller must close the connection (its remaining bytes are not a request).

#include "daemon/api/error_body.hpp"

#include <Poco/Net/HTTPServerRequest.h>

#include <optional>
#include <string>
#include <variant>

namespace helix::http {

std::variant<std::string, api::ApiError> read_body(Poco::Net::HTTPServerRequest &request, std::size_t limit);

// 400 when the request carries a Content-Length that is not a whole number
// of bytes (negative, empty, not digits, too long to be real).
std::optional<api::ApiError> content_length_error(const Poco::Net::HTTPServerRequest &request);

// Reads and drops a body nobody needs (a request refused before its body was
// looked at), so the connection can serve the next request. False when the
// body is larger than limit or did not arrive: then the connection must close.
bool discard_body(Poco::Net::HTTPServerRequest &request, std::size_t limit);

} // namespace helix::http
