#pragma once
// Small helpers every handler uses to answer with JSON.

#include "daemon/api/error_body.hpp"
#include "daemon/http/reply.hpp"

#include <Poco/Net/HTTPServerResponse.h>

#include <string_view>

namespace helix::http {

void send_json(Poco::Net::HTTPServerResponse &response, int status, std::string_view body);
void send_error(Poco::Net::HTTPServerResponse &response, const api::ApiError &error);
void send_reply(Poco::Net::HTTPServerResponse &response, const Reply &reply);

} // namespace helix::http
