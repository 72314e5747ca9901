#include "plugins/azure_openai/azure_settings.hpp"

#include "plugins/common/settings.hpp"

namespace helix::azure_openai {

namespace {

constexpr std::uint32_t kAll = HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS | HELIX_MODEL_VISION | HELIX_MODEL_DOCUMENTS |
                               HELIX_MODEL_MULTIPLE_CHOICES;
constexpr std::uint32_t kReasoning = kAll | HELIX_MODEL_REASONING;
constexpr std::uint32_t kText = HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS | HELIX_MODEL_MULTIPLE_CHOICES;

const std::vector<helix::plugin_common::KnownModel> &known_models() {
    static const std::vector<helix::plugin_common::KnownModel> models{
        {"gpt-4", kText, 8192},           {"gpt-4-turbo", kAll, 128000},  {"gpt-35-turbo", kText, 16385},
        {"gpt-35-turbo-16k", kText, 16385}, {"gpt-4o", kAll, 128000},     {"gpt-4o-mini", kAll, 128000},
        // Deployments of the 2025 models, named after the model (rename with `deployments`).
        {"gpt-4.1", kAll, 1047576}, {"gpt-4.1-mini", kAll, 1047576}, {"gpt-4.1-nano", kAll, 1047576},
        {"o1", kReasoning, 200000}, {"o3", kReasoning, 200000}, {"o3-mini", kReasoning & ~HELIX_MODEL_VISION, 200000},
        {"o4-mini", kReasoning, 200000}, {"gpt-5", kReasoning, 400000}, {"gpt-5-mini", kReasoning, 400000},
        {"gpt-5-nano", kReasoning, 400000}, {"gpt-5.1", kReasoning, 400000},
        // Embeddings (served where `models` lists them): 2048 inputs per request.
        {"text-embedding-3-small", HELIX_MODEL_EMBEDDINGS, 8192, 2048, false},
        {"text-embedding-3-large", HELIX_MODEL_EMBEDDINGS, 8192, 2048, false},
        {"text-embedding-ada-002", HELIX_MODEL_EMBEDDINGS, 8192, 2048, false},
        // Legacy completions only (deployments/{d}/completions; served where `models` lists them).
        {"gpt-35-turbo-instruct", HELIX_MODEL_COMPLETIONS | HELIX_MODEL_STREAMING, 4097, 0, false},
    };
    return models;
}

void require_config(bool ok, const std::string &message) {
    if (!ok) throw helix::sdk::Error(HELIX_ERR_CONFIG, message);
}

// A resource URL as the portal shows it: ".../openai/v1" selects the v1
// surface (*v1 = true) and ".../openai" is dropped.
std::string resource_base(std::string endpoint, bool *v1, const std::string &key) {
    while (endpoint.ends_with('/')) endpoint.pop_back();
    if (endpoint.ends_with("/openai/v1")) {
        endpoint.resize(endpoint.size() - std::string_view("/openai/v1").size());
        *v1 = true;
    } else if (endpoint.ends_with("/openai")) {
        endpoint.resize(endpoint.size() - std::string_view("/openai").size());
    }
    // Every way of authenticating sends a credential (a key or a token) to it.
    helix::plugin_common::require_https_for_credentials(endpoint, key);
    return endpoint;
}

std::map<std::string, std::string> read_deployments(const boost::json::value *d, const std::string &key) {
    std::map<std::string, std::string> out;
    if (d == nullptr || d->is_null()) return out;
    require_config(d->is_object(), "settings." + key + " must be a map of model: deployment");
    for (const auto &[model, deployment] : d->get_object()) {
        require_config(deployment.is_string() && !deployment.get_string().empty(),
                       "settings." + key + "." + std::string(model) + " must be a deployment name");
        out.emplace(std::string(model), std::string(deployment.get_string()));
    }
    return out;
}

bool one_line(std::string_view s) {
    for (const char c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    return true;
}

int read_weight(const boost::json::value *w, const std::string &key) {
    if (w == nullptr || w->is_null()) return 1;
    const bool ok = (w->is_int64() && w->get_int64() >= 1 && w->get_int64() <= 1000) ||
                    (w->is_uint64() && w->get_uint64() >= 1 && w->get_uint64() <= 1000);
    require_config(ok, "settings." + key + " must be a whole number in 1..1000");
    return static_cast<int>(w->is_int64() ? w->get_int64() : static_cast<std::int64_t>(w->get_uint64()));
}

// settings.resources: [{endpoint, weight?, api_key?, deployments?}, ...]
void read_resources(const helix::plugin_common::SettingsReader &reader, bool v1, std::vector<Resource> &out) {
    const boost::json::value *list = reader.object().if_contains("resources");
    if (list == nullptr || list->is_null()) return;
    require_config(list->is_array(), "settings.resources must be a list of {endpoint, weight, api_key, deployments}");
    for (std::size_t i = 0; i < list->get_array().size(); ++i) {
        const std::string at = "resources[" + std::to_string(i) + "]";
        const boost::json::object *o = list->get_array()[i].if_object();
        require_config(o != nullptr, "settings." + at + " must be a map {endpoint, weight, api_key, deployments}");
        for (const auto &[k, v] : *o)
            require_config(k == "endpoint" || k == "weight" || k == "api_key" || k == "deployments",
                           "settings." + at + ": unknown key '" + std::string(k) +
                               "' (known: endpoint, weight, api_key, deployments)");
        const boost::json::value *endpoint = o->if_contains("endpoint");
        require_config(endpoint != nullptr && endpoint->is_string() &&
                           (endpoint->get_string().starts_with("https://") || endpoint->get_string().starts_with("http://")),
                       "settings." + at + ".endpoint is required: the resource URL, e.g. https://myresource-swedencentral.openai.azure.com");
        Resource r;
        bool resource_v1 = false;
        r.endpoint = resource_base(std::string(endpoint->get_string()), &resource_v1, at + ".endpoint");
        require_config(!resource_v1 || v1, "settings." + at + ".endpoint ends with /openai/v1 (the v1 surface) but the "
                                           "provider's api_version is not v1; every resource uses one surface");
        r.weight = read_weight(o->if_contains("weight"), at + ".weight");
        if (const boost::json::value *key = o->if_contains("api_key"); key != nullptr && !key->is_null()) {
            require_config(key->is_string() && !key->get_string().empty() && one_line(key->get_string()),
                           "settings." + at + ".api_key must be the resource's key");
            r.api_key = std::string(key->get_string());
        }
        r.deployments = read_deployments(o->if_contains("deployments"), at + ".deployments");
        out.push_back(std::move(r));
    }
}

} // namespace

AuthMethod Settings::auth() const noexcept {
    if (!api_key.empty()) return AuthMethod::api_key;
    if (!client_secret.empty()) return AuthMethod::client_credentials;
    if (!federated_token_file.empty()) return AuthMethod::workload_identity;
    if (azure_cli) return AuthMethod::azure_cli;
    return AuthMethod::managed_identity;
}

bool Settings::needs_token() const noexcept {
    if (!api_key.empty()) return false;
    for (const Resource &r : resources)
        if (r.api_key.empty()) return true;
    return false;
}

const std::string &Settings::deployment_for(const Resource &resource, const std::string &model) const {
    const auto it = resource.deployments.find(model);
    return it == resource.deployments.end() ? deployment_for(model) : it->second;
}

const std::string &Settings::deployment_for(const std::string &model) const {
    const auto it = deployments.find(model);
    return it == deployments.end() ? model : it->second;
}

Settings parse_settings(std::string_view json) {
    const helix::plugin_common::SettingsReader reader(json);
    reader.reject_unknown({"endpoint", "api_version", "deployments", "models", "api_key", "tenant_id", "client_id",
                           "client_secret", "authority_host", "identity_endpoint", "managed_identity_client_id",
                           "extra_fields", "allow_data_sources", "federated_token_file", "weight", "resources",
                           "azure_cli", "azure_cli_path"});
    Settings s;
    auto endpoint = reader.base_url("endpoint");
    require_config(endpoint.has_value(),
                   "settings.endpoint is required (AZURE_OPENAI_ENDPOINT, e.g. https://myresource.openai.azure.com)");
    // The portal shows ".../openai/v1/" for the v1 surface; the base is the resource.
    bool v1_from_endpoint = false;
    s.endpoint = resource_base(std::move(*endpoint), &v1_from_endpoint, "endpoint");
    if (auto v = reader.non_empty_string("api_version")) {
        for (const char c : *v)
            require_config((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '-',
                           "settings.api_version must look like 2024-10-21, 2025-04-01-preview or v1");
        s.api_version = std::move(*v);
        require_config(!v1_from_endpoint || s.api_version == "v1",
                       "settings.endpoint ends with /openai/v1 (the v1 surface) but settings.api_version is " +
                           s.api_version + "; drop one of them");
    } else if (v1_from_endpoint) {
        s.api_version = "v1";
    }
    s.deployments = read_deployments(reader.object().if_contains("deployments"), "deployments");
    s.models = helix::plugin_common::read_models(reader, "models", known_models(), kAll);
    if (auto key = reader.header_value("api_key")) s.api_key = std::move(*key);
    if (auto v = reader.header_value("tenant_id")) s.tenant_id = std::move(*v);
    if (auto v = reader.header_value("client_id")) s.client_id = std::move(*v);
    if (auto v = reader.header_value("client_secret")) s.client_secret = std::move(*v);
    if (auto v = reader.base_url("authority_host")) s.authority_host = std::move(*v);
    if (auto v = reader.base_url("identity_endpoint")) s.identity_endpoint = std::move(*v);
    if (auto v = reader.header_value("managed_identity_client_id")) s.managed_identity_client_id = std::move(*v);
    if (auto v = reader.header_value("federated_token_file")) s.federated_token_file = std::move(*v);
    if (s.client_secret.empty() && !s.federated_token_file.empty())
        require_config(!s.tenant_id.empty() && !s.client_id.empty(),
                       "settings.federated_token_file needs tenant_id and client_id (workload identity: "
                       "AZURE_TENANT_ID, AZURE_CLIENT_ID)");
    if (!s.client_secret.empty())
        require_config(!s.tenant_id.empty() && !s.client_id.empty(),
                       "settings.client_secret needs tenant_id and client_id (Entra ID client credentials)");
    if (const boost::json::value *cli = reader.object().if_contains("azure_cli"); cli != nullptr && !cli->is_null()) {
        // A boolean, or the string an environment variable gives.
        require_config(cli->is_bool() || (cli->is_string() && (cli->get_string() == "true" || cli->get_string() == "false")),
                       "settings.azure_cli: expected true or false");
        s.azure_cli = cli->is_bool() ? cli->get_bool() : cli->get_string() == "true";
    }
    if (auto v = reader.non_empty_string("azure_cli_path")) {
        require_config(one_line(*v), "settings.azure_cli_path must be one line");
        s.azure_cli_path = std::move(*v);
    }
    s.resources.push_back(Resource{s.endpoint, read_weight(reader.object().if_contains("weight"), "weight"), {}, {}});
    read_resources(reader, s.v1_surface(), s.resources);
    s.fields = helix::plugin_common::read_forwarded_fields(reader, true);
    return s;
}

} // namespace helix::azure_openai
