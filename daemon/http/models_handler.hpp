#pragma once
// GET /v1/models and GET /v1/models/{id}: every model of every loaded
// provider as "provider/model", in OpenAI's list and model shapes; for a key
// limited to some models or providers, only those.

#include "daemon/router/runtime.hpp"
#include "daemon/http/reply.hpp"
#include "daemon/http/request_context.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

namespace helix::http {

// model_id empty: the list; otherwise that one model. `client` (may be null:
// every model) is the key's identity.
Reply models_reply(const router::Runtime &runtime, const std::string &model_id, const router::ClientIdentity *client);

class ModelsHandler final : public Poco::Net::HTTPRequestHandler {
public:
    // model_id empty: the list; otherwise that one model. `context` (the
    // client's identity) outlives this handler.
    ModelsHandler(router::RuntimePtr runtime, std::string model_id, const RequestContext &context)
        : runtime_(std::move(runtime)), model_id_(std::move(model_id)), context_(context) {}
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override;

private:
    router::RuntimePtr runtime_;
    std::string model_id_;
    const RequestContext &context_;
};

} // namespace helix::http
