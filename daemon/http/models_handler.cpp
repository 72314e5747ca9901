#include "daemon/http/printable_uri.hpp"
#include "daemon/http/models_handler.hpp"

#include "daemon/api/error_body.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace helix::http {

namespace {

// The API endpoints a model serves: an embeddings model serves only
// POST /v1/embeddings; any other chat completions, and the responses and
// (legacy) completions the gateway translates onto chat.
boost::json::array endpoints_of(const plugins::ModelInfo &model) {
    if ((model.capabilities & HELIX_MODEL_EMBEDDINGS) != 0) return {"embeddings"};
    if ((model.capabilities & HELIX_MODEL_COMPLETIONS) != 0) return {"completions"};
    return {"chat.completions", "responses", "completions"};
}

boost::json::object model_object(const std::string &provider, const plugins::ModelInfo &model) {
    boost::json::object o;
    o["id"] = provider + "/" + model.id;
    o["object"] = "model";
    o["created"] = 0; // providers do not say when a model was made
    o["owned_by"] = provider;
    o["endpoints"] = endpoints_of(model);
    return o;
}

// An alias serves what its targets serve.
boost::json::object alias_object(const router::Runtime &runtime, const config::ModelAlias &alias) {
    boost::json::object o;
    o["id"] = alias.name;
    o["object"] = "model";
    o["created"] = 0;
    o["owned_by"] = "helixagent";
    boost::json::array endpoints;
    for (const auto &target : alias.targets) {
        const auto slash = target.find('/');
        const auto *provider = runtime.find_provider(target.substr(0, slash));
        const auto *model = provider != nullptr ? provider->find_model(target.substr(slash + 1)) : nullptr;
        if (model == nullptr) continue;
        for (const boost::json::value &e : endpoints_of(*model))
            if (std::find(endpoints.begin(), endpoints.end(), e) == endpoints.end()) endpoints.push_back(e);
    }
    o["endpoints"] = std::move(endpoints);
    return o;
}

// The models a key may see; a model outside its scope looks like one that does not exist.
class Scope {
public:
    explicit Scope(const router::ClientIdentity *client) : client_(client) {}
    bool allowed(const std::string &asked, const std::string &provider, const std::string &model) const {
        return client_ == nullptr || client_->allows(asked, provider, model);
    }
    bool alias_allowed(const config::ModelAlias &alias) const {
        for (const auto &target : alias.targets) {
            const auto slash = target.find('/');
            if (allowed(alias.name, target.substr(0, slash), target.substr(slash + 1))) return true;
        }
        return false;
    }

private:
    const router::ClientIdentity *client_;
};

Reply json_reply(const boost::json::object &o) { return Reply{200, "application/json", boost::json::serialize(o), {}}; }

} // namespace

Reply models_reply(const router::Runtime &runtime, const std::string &model_id, const router::ClientIdentity *client) {
    const Scope scope(client);
    if (model_id.empty()) {
        boost::json::array data;
        for (const auto &provider : runtime.providers)
            for (const auto &model : provider->models())
                if (scope.allowed(provider->name() + "/" + model.id, provider->name(), model.id))
                    data.push_back(model_object(provider->name(), model));
        for (const auto &alias : runtime.config->aliases)
            if (scope.alias_allowed(alias)) data.push_back(alias_object(runtime, alias));
        boost::json::object list;
        list["object"] = "list";
        list["data"] = std::move(data);
        return json_reply(list);
    }
    for (const auto &alias : runtime.config->aliases)
        if (alias.name == model_id && scope.alias_allowed(alias)) return json_reply(alias_object(runtime, alias));
    const auto slash = model_id.find('/');
    if (slash != std::string::npos) {
        if (const auto *provider = runtime.find_provider(model_id.substr(0, slash)))
            if (const auto *model = provider->find_model(model_id.substr(slash + 1));
                model != nullptr && scope.allowed(model_id, provider->name(), model->id))
                return json_reply(model_object(provider->name(), *model));
    }
    api::ApiError error;
    error.status = 404;
    error.type = "invalid_request_error";
    error.code = "model_not_found";
    error.param = "model";
    error.message = "The model '" + printable_uri(model_id) +
                    "' does not exist. GET /v1/models lists the models this gateway serves.";
    return error_reply(error);
}

} // namespace helix::http
