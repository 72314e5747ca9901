#pragma once
// Reads a request body up to a limit. A declared Content-Length above the
// limit is refused before reading anything; a chunked body is cut off as soon
// as it passes the limit. After an error the body is not fully read, so the
// caller must close the connection (its remaining bytes are not a request).

#include "daemon/api/error_body.hpp"

#include <Poco/Net/HTTPServerRequest.h>

#include <string>
#include <variant>

namespace helix::http {

std::variant<std::string, api::ApiError> read_body(Poco::Net::HTTPServerRequest &request, std::size_t limit);

} // namespace helix::http
