#pragma once
// GET /v1/models and GET /v1/models/{id}: every model of every loaded
// provider as "provider/model", in OpenAI's list and model shapes.

#include "daemon/app/runtime.hpp"

#include <Poco/Net/HTTPRequestHandler.h>

namespace helix::http {

class ModelsHandler final : public Poco::Net::HTTPRequestHandler {
public:
    // model_id empty: the list; otherwise that one model.
    ModelsHandler(app::RuntimePtr runtime, std::string model_id)
        : runtime_(std::move(runtime)), model_id_(std::move(model_id)) {}
    void handleRequest(Poco::Net::HTTPServerRequest &request, Poco::Net::HTTPServerResponse &response) override;

private:
    app::RuntimePtr runtime_;
    std::string model_id_;
};

} // namespace helix::http
