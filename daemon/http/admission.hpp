#pragma once
// In front of the route handlers: tells the client socket where each
// request's head ends and its reply is done (client_socket.hpp), and tells
// clients how long an idle connection is kept (Keep-Alive: timeout=N), so
// that they stop reusing it before it is closed under them. (The
// server.max_in_flight limit is applied once a request's key is accepted:
// request_handler_factory.cpp.)

#include "daemon/config/config.hpp"

#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace helix::http {

class AdmissionFactory final : public Poco::Net::HTTPRequestHandlerFactory {
public:
    AdmissionFactory(Poco::Net::HTTPRequestHandlerFactory::Ptr routes, const config::ServerSettings &settings)
        : routes_(std::move(routes)),
          keep_alive_("timeout=" + std::to_string(std::max<std::int64_t>(settings.keep_alive_timeout.count() / 1000, 1))) {}

    Poco::Net::HTTPRequestHandler *createRequestHandler(const Poco::Net::HTTPServerRequest &request) override;

private:
    Poco::Net::HTTPRequestHandlerFactory::Ptr routes_;
    const std::string keep_alive_; // the Keep-Alive header's value
};

} // namespace helix::http
