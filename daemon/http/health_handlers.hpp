#pragma once
// GET /healthz: the process is alive and serving HTTP.
// GET /readyz: a configuration is loaded and the server is not draining. To a
// request carrying a client key the body also lists each provider's health,
// plugin and circuits so an operator sees why; without one it is the status
// alone (the details name plugin files, credential files and credential
// errors).

#include "daemon/router/runtime.hpp"
#include "daemon/http/reply.hpp"
#include "daemon/http/server_state.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

namespace helix::http {

Reply liveness_reply();
// `runtime` may be null (no configuration loaded yet).
Reply readiness_reply(const router::Runtime *runtime, const ServerState &state, bool details);

class LivenessHandler final : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override;
};

class ReadinessHandler final : public Poco::Net::HTTPRequestHandler {
public:
    ReadinessHandler(router::RuntimePtr runtime, const ServerState &state, bool details)
        : runtime_(std::move(runtime)), state_(state), details_(details) {}
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override;

private:
    router::RuntimePtr runtime_;
    const ServerState &state_;
    const bool details_;
};

} // namespace helix::http
