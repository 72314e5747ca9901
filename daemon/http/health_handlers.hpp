#pragma once
// GET /healthz: the process is alive and serving HTTP.
// GET /readyz: a configuration is loaded and the server is not draining; the
// body lists each provider's health so an operator sees why.

#include "daemon/app/runtime.hpp"
#include "daemon/http/server_state.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

namespace helix::http {

class LivenessHandler final : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override;
};

class ReadinessHandler final : public Poco::Net::HTTPRequestHandler {
public:
    ReadinessHandler(app::RuntimePtr runtime, const ServerState &state) : runtime_(std::move(runtime)), state_(state) {}
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override;

private:
    app::RuntimePtr runtime_;
    const ServerState &state_;
};

} // namespace helix::http
