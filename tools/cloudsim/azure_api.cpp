#include "tools/cloudsim/azure_api.hpp"

#include "plugins/gcp_common/service_account.hpp"
#include "tools/cloudsim/azure_auth.hpp"
#include "tools/cloudsim/azure_wire.hpp"
#include "tools/cloudsim/openai_completions.hpp"
#include "tools/cloudsim/exchange.hpp"
#include "tools/cloudsim/openai_embeddings.hpp"
#include "tools/cloudsim/openai_api.hpp"
#include "tools/cloudsim/wire_util.hpp"

#include <chrono>
#include <map>
#include <optional>

namespace helix::cloudsim {

namespace {

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kDeploymentsPrefix = "/openai/deployments/";
constexpr std::string_view kChatSuffix = "/chat/completions";
constexpr std::string_view kCompletionsSuffix = "/completions"; // legacy, of instruct deployments
constexpr std::string_view kV1Chat = "/openai/v1/chat/completions";
constexpr std::string_view kV1Completions = "/openai/v1/completions";
constexpr std::string_view kEmbeddingsSuffix = "/embeddings";
constexpr std::string_view kV1Embeddings = "/openai/v1/embeddings";
constexpr std::string_view kTokenSuffix = "/oauth2/v2.0/token";
constexpr std::string_view kOpenIdSuffix = "/v2.0/.well-known/openid-configuration";
constexpr std::string_view kImdsToken = "/metadata/identity/oauth2/token";

std::string setting(const ProviderOptions &options, std::string_view name, std::string_view fallback) {
    const auto it = options.settings.find(name);
    return it == options.settings.end() ? std::string(fallback) : it->second;
}

// "a,b=model-x" -> {a: "", b: "model-x"}
std::map<std::string, std::string, std::less<>> parse_deployments(std::string_view text) {
    std::map<std::string, std::string, std::less<>> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        if (!item.empty()) {
            const auto eq = item.find('=');
            out.emplace(std::string(item.substr(0, eq)),
                        eq == std::string_view::npos ? std::string() : std::string(item.substr(eq + 1)));
        }
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return out;
}

void send_error(Exchange &ex, const azure::ApiError &e) { ex.send(e.status, kJson, azure::error_body(e)); }

// The error replies of one chat request (the 429 names its api-version).
class AzureChat final : public openai::ChatService {
public:
    explicit AzureChat(std::string api_version) : api_version_(std::move(api_version)) {}

    void send_error(Exchange &ex, const openai::ApiError &e) const override {
        ex.send(e.status, kJson, openai::error_body(e));
    }

    void send_fault_error(Exchange &ex, FaultKind fault, const openai::ChatRequest & /*request*/) const override {
        const int status = fault_status(fault);
        if (status == 429) {
            ex.set_header("retry-after", "2");
            ex.set_header("retry-after-ms", "2000");
            ex.set_header("x-ratelimit-remaining-requests", "0");
            ex.set_header("x-ratelimit-remaining-tokens", "0");
        }
        azure::ApiError e = azure::fault_error(status, api_version_);
        ex.send(e.status, kJson, azure::error_body(e));
    }

private:
    std::string api_version_;
};

class AzureApi final : public ProviderApi {
public:
    explicit AzureApi(const ProviderOptions &options)
        : key_(options.key),
          entra_(azure::EntraSettings{setting(options, "tenant", "sim-tenant"),
                                      setting(options, "client-id", "sim-client-id"),
                                      setting(options, "client-secret", "sim-client-secret"),
                                      std::stoll(setting(options, "token-ttl-s", "3600")),
                                      setting(options, "federated-issuer", "https://oidc.sim.helix.local"),
                                      setting(options, "federated-subject", "system:serviceaccount:default:helixagent")}),
          deployments_(parse_deployments(setting(options, "deployments", ""))) {}

    std::string_view name() const override { return "azure"; }

    void handle(Exchange &ex, ProviderContext &context) override {
        const auto started = std::chrono::steady_clock::now();
        const std::string_view path = ex.path();
        const std::string &method = ex.method();
        if (path == "/__azure/revoke-tokens" && method == "POST") {
            entra_.revoke_all();
            return ex.send(200, kJson, R"({"revoked":true})");
        }
        if (path == kImdsToken) {
            if (method != "GET") return ex.send(405, kJson, R"({"error":"invalid_request","error_description":"Use GET"})");
            const auto reply =
                entra_.managed_identity(ex.query(), ex.header("Metadata").value_or("") == "true", unix_seconds());
            return ex.send(reply.status, "application/json; charset=utf-8", reply.body);
        }
        if (path.ends_with(kOpenIdSuffix) && path.size() > kOpenIdSuffix.size() + 1 &&
            path.find('/', 1) == path.size() - kOpenIdSuffix.size()) {
            const auto reply = entra_.openid_configuration(path.substr(1, path.size() - kOpenIdSuffix.size() - 1),
                                                           ex.header("Host").value_or("login.microsoftonline.com"),
                                                           unix_seconds());
            return ex.send(reply.status, "application/json; charset=utf-8", reply.body);
        }
        if (path.ends_with(kTokenSuffix) && path.size() > kTokenSuffix.size() + 1 &&
            path.find('/', 1) == path.size() - kTokenSuffix.size()) {
            return client_credentials(ex, path.substr(1, path.size() - kTokenSuffix.size() - 1));
        }

        set_common_headers(ex);
        std::optional<std::string> deployment = deployment_in(path, kChatSuffix);
        const bool embeddings = path.ends_with(kEmbeddingsSuffix);
        if (embeddings) deployment = deployment_in(path, kEmbeddingsSuffix);
        const bool completions =
            !deployment && !embeddings && (path == kV1Completions || deployment_in(path, kCompletionsSuffix));
        if (completions && path != kV1Completions) deployment = deployment_in(path, kCompletionsSuffix);
        const bool v1 = path == kV1Chat || path == kV1Embeddings || path == kV1Completions;
        if ((!deployment && !v1) || method != "POST") return send_error(ex, azure::resource_not_found());

        const auto params = gcp::parse_form(ex.query());
        std::optional<std::string> api_version;
        if (params) {
            if (const auto it = params->find("api-version"); it != params->end()) api_version = it->second;
        }
        if (!v1 || api_version) {
            switch (azure::check_api_version(api_version)) {
            case azure::ApiVersion::ok: break;
            case azure::ApiVersion::missing: return send_error(ex, azure::resource_not_found());
            case azure::ApiVersion::unsupported: return send_error(ex, azure::api_version_not_supported());
            }
        }
        if (!authorized(ex, v1)) return;
        if (deployment && !known_deployment(*deployment)) return send_error(ex, azure::deployment_not_found());
        if (embeddings) return embed(ex, context, deployment, api_version.value_or("v1"));
        chat(ex, context, deployment, api_version.value_or("v1"), started, completions);
    }

private:
    // The {name} of /openai/deployments/{name}<suffix>, if the path is one.
    static std::optional<std::string> deployment_in(std::string_view path, std::string_view suffix) {
        if (!path.starts_with(kDeploymentsPrefix) || !path.ends_with(suffix) ||
            path.size() <= kDeploymentsPrefix.size() + suffix.size())
            return std::nullopt;
        const std::string_view name =
            path.substr(kDeploymentsPrefix.size(), path.size() - kDeploymentsPrefix.size() - suffix.size());
        if (name.find('/') != std::string_view::npos) return std::nullopt;
        return std::string(name);
    }

    // Embeddings: the deployment's model (classic) or the body's (v1, where
    // model names the deployment).
    void embed(Exchange &ex, ProviderContext &context, const std::optional<std::string> &deployment,
               const std::string &api_version) const {
        const AzureChat service(api_version);
        openai::answer_embeddings(ex, context, service,
                                  deployment ? std::optional<std::string>(model_of(*deployment)) : std::nullopt);
    }

    static void set_common_headers(Exchange &ex) {
        const std::string id = azure::random_uuid();
        ex.set_header("apim-request-id", id);
        ex.set_header("x-request-id", id);
        ex.set_header("x-ms-region", "East US");
        ex.set_header("x-ms-rai-invoked", "true");
        ex.set_header("azureml-model-session", "d001-20250101000000");
        ex.set_header("x-ratelimit-limit-requests", "1000");
        ex.set_header("x-ratelimit-remaining-requests", "999");
        ex.set_header("x-ratelimit-limit-tokens", "1000000");
        ex.set_header("x-ratelimit-remaining-tokens", "999000");
        ex.set_header("x-content-type-options", "nosniff");
    }

    bool authorized(Exchange &ex, bool v1) const {
        if (const auto key = ex.header("api-key")) {
            if (*key == key_) return true;
            send_error(ex, azure::invalid_key());
            return false;
        }
        const auto header = ex.header("Authorization");
        if (!header || header->size() <= 7 || !(header->starts_with("Bearer ") || header->starts_with("bearer "))) {
            send_error(ex, azure::missing_key());
            return false;
        }
        const std::string_view token = std::string_view(*header).substr(7);
        if (v1 && token == key_) return true;
        if (entra_.check(token, unix_seconds()) == azure::EntraTokens::Check::ok) return true;
        send_error(ex, azure::invalid_token());
        return false;
    }

    bool known_deployment(std::string_view name) const { return deployments_.empty() || deployments_.contains(name); }

    std::string model_of(std::string_view deployment) const {
        if (const auto it = deployments_.find(deployment); it != deployments_.end() && !it->second.empty())
            return it->second;
        return azure::model_for_deployment(deployment);
    }

    // A chat completion, or (`completions`) a legacy one of an instruct deployment.
    void chat(Exchange &ex, ProviderContext &context, const std::optional<std::string> &deployment,
              const std::string &api_version, std::chrono::steady_clock::time_point started,
              bool completions = false) const {
        const AzureChat service(api_version);
        const auto request = openai::read_chat_request(ex, service, /*require_model=*/!deployment, completions);
        if (!request) return;
        const std::string name = deployment.value_or(request->prompt.model);
        if (!known_deployment(name)) return send_error(ex, azure::deployment_not_found());

        // Azure's own directives (x-sim-fault header or [[fault:...]]).
        std::optional<std::string> requested = ex.header("x-sim-fault");
        if (!requested) requested = find_fault_directive(request->prompt.last_user_text);
        const bool prompt_filter = requested && *requested == "content-filter";
        const bool output_filter = requested && *requested == "content-filter-output";
        if (prompt_filter) return send_error(ex, azure::prompt_filtered());

        if (openai::is_completions_model(model_of(name)) != completions) {
            azure::ApiError e;
            e.code = "OperationNotSupported";
            e.message = std::string("The ") + (completions ? "completion" : "chatCompletion") +
                        " operation does not work with the specified model, " + model_of(name) +
                        ". Please choose different model and try again.";
            return send_error(ex, e);
        }
        const openai::ReplyMeta meta{random_id(completions ? "cmpl-" : "chatcmpl-", 29), unix_seconds(), model_of(name)};
        const azure::AzureDialect dialect(output_filter);
        openai::answer_chat(ex, context, service, *request, meta, dialect, started,
                            output_filter ? std::optional<FaultKind>(FaultKind::none) : std::nullopt, completions);
    }

    void client_credentials(Exchange &ex, std::string_view tenant) const {
        ex.set_header("Cache-Control", "no-store, no-cache");
        ex.set_header("Pragma", "no-cache");
        ex.set_header("x-ms-request-id", azure::random_uuid());
        if (ex.method() != "POST")
            return ex.send(405, "application/json; charset=utf-8",
                           R"({"error":"invalid_request","error_description":"AADSTS900561: The endpoint only accepts POST requests."})");
        std::string body;
        if (!ex.read_body(body, 64 * 1024))
            return ex.send(400, "application/json; charset=utf-8", R"({"error":"invalid_request"})");
        const auto reply = entra_.client_credentials(tenant, body, unix_seconds());
        ex.send(reply.status, "application/json; charset=utf-8", reply.body);
    }

    std::string key_;
    azure::EntraTokens entra_;
    std::map<std::string, std::string, std::less<>> deployments_;
};

} // namespace

std::string check_azure_token_ttl(std::string_view value) {
    const auto v = parse_bounded(value, 7 * 24 * 3600);
    if (!v || *v < 1) return "expected seconds in [1, 604800], got '" + std::string(value) + "'";
    return {};
}

std::string check_not_empty(std::string_view value) { return value.empty() ? "must not be empty" : std::string(); }

std::unique_ptr<ProviderApi> make_azure_api(const ProviderOptions &options) {
    return std::make_unique<AzureApi>(options);
}

} // namespace helix::cloudsim
