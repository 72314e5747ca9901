#include "daemon/http/printable_uri.hpp"
#include "daemon/http/models_handler.hpp"

#include "daemon/http/response_writer.hpp"

#include <boost/json.hpp>

namespace helix::http {

namespace {

boost::json::object model_object(const std::string &provider, const plugins::ModelInfo &model) {
    boost::json::object o;
    o["id"] = provider + "/" + model.id;
    o["object"] = "model";
    o["created"] = 0; // providers do not say when a model was made
    o["owned_by"] = provider;
    return o;
}

boost::json::object alias_object(const config::ModelAlias &alias) {
    boost::json::object o;
    o["id"] = alias.name;
    o["object"] = "model";
    o["created"] = 0;
    o["owned_by"] = "helixagent";
    return o;
}

} // namespace

bool ModelsHandler::allowed(const std::string &asked, const std::string &provider, const std::string &model) const {
    return context_.client == nullptr || context_.client->allows(asked, provider, model);
}

bool ModelsHandler::alias_allowed(const config::ModelAlias &alias) const {
    for (const auto &target : alias.targets) {
        const auto slash = target.find('/');
        if (allowed(alias.name, target.substr(0, slash), target.substr(slash + 1))) return true;
    }
    return false;
}

void ModelsHandler::handleRequest(Poco::Net::HTTPServerRequest &, Poco::Net::HTTPServerResponse &response) {
    if (model_id_.empty()) {
        boost::json::array data;
        for (const auto &provider : runtime_->providers)
            for (const auto &model : provider->models())
                if (allowed(provider->name() + "/" + model.id, provider->name(), model.id))
                    data.push_back(model_object(provider->name(), model));
        for (const auto &alias : runtime_->config->aliases)
            if (alias_allowed(alias)) data.push_back(alias_object(alias));
        boost::json::object list;
        list["object"] = "list";
        list["data"] = std::move(data);
        send_json(response, 200, boost::json::serialize(list));
        return;
    }
    for (const auto &alias : runtime_->config->aliases)
        if (alias.name == model_id_ && alias_allowed(alias)) {
            send_json(response, 200, boost::json::serialize(alias_object(alias)));
            return;
        }
    const auto slash = model_id_.find('/');
    if (slash != std::string::npos) {
        if (const auto *provider = runtime_->find_provider(model_id_.substr(0, slash)))
            if (const auto *model = provider->find_model(model_id_.substr(slash + 1));
                model != nullptr && allowed(model_id_, provider->name(), model->id)) {
                send_json(response, 200, boost::json::serialize(model_object(provider->name(), *model)));
                return;
            }
    }
    api::ApiError error;
    error.status = 404;
    error.type = "invalid_request_error";
    error.code = "model_not_found";
    error.param = "model";
    // A model outside the key's scope looks like one that does not exist.
    error.message = "The model '" + printable_uri(model_id_) +
                    "' does not exist. GET /v1/models lists the models this gateway serves.";
    send_error(response, error);
}

} // namespace helix::http
