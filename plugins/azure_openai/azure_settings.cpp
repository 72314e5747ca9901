#include "plugins/azure_openai/azure_settings.hpp"

#include "plugins/common/settings.hpp"

namespace helix::azure_openai {

namespace {

constexpr std::uint32_t kAll =
    HELIX_MODEL_STREAMING | HELIX_MODEL_TOOLS | HELIX_MODEL_VISION | HELIX_MODEL_MULTIPLE_CHOICES;
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
    };
    return models;
}

void require_config(bool ok, const std::string &message) {
    if (!ok) throw helix::sdk::Error(HELIX_ERR_CONFIG, message);
}

} // namespace

AuthMethod Settings::auth() const noexcept {
    if (!api_key.empty()) return AuthMethod::api_key;
    if (!client_secret.empty()) return AuthMethod::client_credentials;
    if (!federated_token_file.empty()) return AuthMethod::workload_identity;
    return AuthMethod::managed_identity;
}

const std::string &Settings::deployment_for(const std::string &model) const {
    const auto it = deployments.find(model);
    return it == deployments.end() ? model : it->second;
}

Settings parse_settings(std::string_view json) {
    const helix::plugin_common::SettingsReader reader(json);
    reader.reject_unknown({"endpoint", "api_version", "deployments", "models", "api_key", "tenant_id", "client_id",
                           "client_secret", "authority_host", "identity_endpoint", "managed_identity_client_id",
                           "extra_fields", "allow_data_sources", "federated_token_file"});
    Settings s;
    auto endpoint = reader.base_url("endpoint");
    require_config(endpoint.has_value(),
                   "settings.endpoint is required (AZURE_OPENAI_ENDPOINT, e.g. https://myresource.openai.azure.com)");
    s.endpoint = std::move(*endpoint);
    // The portal shows ".../openai/v1/" for the v1 surface; the base is the resource.
    bool v1_from_endpoint = false;
    if (s.endpoint.ends_with("/openai/v1")) {
        s.endpoint.resize(s.endpoint.size() - std::string_view("/openai/v1").size());
        v1_from_endpoint = true;
    } else if (s.endpoint.ends_with("/openai")) {
        s.endpoint.resize(s.endpoint.size() - std::string_view("/openai").size());
    }
    // Every way of authenticating sends a credential (a key or a token) to it.
    helix::plugin_common::require_https_for_credentials(s.endpoint, "endpoint");
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
    if (const auto *d = reader.object().if_contains("deployments"); d != nullptr && !d->is_null()) {
        require_config(d->is_object(), "settings.deployments must be a map of model: deployment");
        for (const auto &[model, deployment] : d->get_object()) {
            require_config(deployment.is_string() && !deployment.get_string().empty(),
                           "settings.deployments." + std::string(model) + " must be a deployment name");
            s.deployments.emplace(std::string(model), std::string(deployment.get_string()));
        }
    }
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
    s.fields = helix::plugin_common::read_forwarded_fields(reader, true);
    return s;
}

} // namespace helix::azure_openai
