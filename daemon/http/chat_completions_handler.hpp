#pragma once
// POST /v1/chat/completions: parse, resolve the provider, let its plugin
// translate, call the upstream, and answer with OpenAI's JSON or SSE stream.

#include "daemon/app/runtime.hpp"
#include "daemon/transport/upstream_client.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

namespace helix::http {

class ChatCompletionsHandler final : public Poco::Net::HTTPRequestHandler {
public:
    ChatCompletionsHandler(app::RuntimePtr runtime, transport::UpstreamClient &upstream)
        : runtime_(std::move(runtime)), upstream_(upstream) {}
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override;

private:
    app::RuntimePtr runtime_;
    transport::UpstreamClient &upstream_;
};

} // namespace helix::http
