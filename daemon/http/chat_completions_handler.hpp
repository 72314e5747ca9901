#pragma once
// POST /v1/chat/completions on the thread-per-connection core: reads the
// body, plans the request (chat_endpoint.hpp) and runs the router's attempt
// loop on a private event loop of the connection's thread, with the
// blocking upstream client run inline and the reply written to POCO's
// response.

#include "daemon/http/request_context.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/router/circuit_breakers.hpp"
#include "daemon/router/runtime.hpp"
#include "daemon/transport/upstream_client.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

namespace helix::http {

class ChatCompletionsHandler final : public Poco::Net::HTTPRequestHandler {
public:
    // `context` (the client's identity, the access record) outlives this handler.
    ChatCompletionsHandler(router::RuntimePtr runtime, transport::UpstreamClient &upstream,
                           router::CircuitBreakers &breakers, metrics::Metrics &metrics, RequestContext &context)
        : runtime_(std::move(runtime)), upstream_(upstream), breakers_(breakers), metrics_(metrics),
          context_(context) {}
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override;

private:
    router::RuntimePtr runtime_;
    transport::UpstreamClient &upstream_;
    router::CircuitBreakers &breakers_;
    metrics::Metrics &metrics_;
    RequestContext &context_;
};

} // namespace helix::http
