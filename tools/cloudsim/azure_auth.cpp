#include "tools/cloudsim/azure_auth.hpp"

#include "plugins/gcp_common/jwt.hpp"
#include "plugins/gcp_common/service_account.hpp"
#include "tools/cloudsim/wire_util.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/rand.h>

#include <chrono>
#include <ctime>
#include <stdexcept>

namespace helix::cloudsim::azure {

namespace {

namespace json = boost::json;

constexpr std::string_view kDefaultSuffix = "/.default";

std::string random_secret() {
    std::string secret(32, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(secret.data()), static_cast<int>(secret.size())) != 1)
        throw std::runtime_error("no random bytes for the token secret");
    return secret;
}

} // namespace

std::string random_uuid() {
    unsigned char b[16];
    if (RAND_bytes(b, sizeof b) != 1) return "00000000-0000-4000-8000-000000000000";
    b[6] = static_cast<unsigned char>((b[6] & 0x0FU) | 0x40U);
    b[8] = static_cast<unsigned char>((b[8] & 0x3FU) | 0x80U);
    static constexpr std::string_view hex = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(hex[b[i] >> 4U]);
        out.push_back(hex[b[i] & 15U]);
    }
    return out;
}

namespace {

std::string utc_time(std::int64_t now_s) { return utc_timestamp(now_s, ' '); }

// Entra's error reply: {"error","error_description":"AADSTS<n>: ... Trace ID ...",
// "error_codes":[n],"timestamp","trace_id","correlation_id","error_uri"}.
TokenReply aad_error(int status, std::string_view error, int code, std::string_view description, std::int64_t now_s) {
    const std::string trace = random_uuid();
    const std::string correlation = random_uuid();
    const std::string when = utc_time(now_s);
    json::object body;
    body["error"] = error;
    body["error_description"] = "AADSTS" + std::to_string(code) + ": " + std::string(description) +
                                " Trace ID: " + trace + " Correlation ID: " + correlation + " Timestamp: " + when;
    body["error_codes"] = json::array{code};
    body["timestamp"] = when;
    body["trace_id"] = trace;
    body["correlation_id"] = correlation;
    body["error_uri"] = "https://login.microsoftonline.com/error?code=" + std::to_string(code);
    return {status, json::serialize(body)};
}

TokenReply missing_parameter(std::string_view name, std::int64_t now_s) {
    return aad_error(400, "invalid_request", 900144,
                     "The request body must contain the following parameter: '" + std::string(name) + "'.", now_s);
}

TokenReply imds_error(std::string_view description) {
    return {400, json::serialize(json::object{{"error", "invalid_request"}, {"error_description", description}})};
}

std::string trim_slash(std::string_view resource) {
    while (resource.ends_with('/')) resource.remove_suffix(1);
    return std::string(resource);
}

} // namespace

EntraTokens::EntraTokens(EntraSettings settings) : EntraTokens(std::move(settings), random_secret()) {}

EntraTokens::EntraTokens(EntraSettings settings, std::string secret)
    : settings_(std::move(settings)), secret_(std::move(secret)) {}

std::string EntraTokens::secret() const {
    std::shared_lock lock(mutex_);
    return secret_;
}

void EntraTokens::revoke_all() {
    std::string fresh = random_secret();
    std::unique_lock lock(mutex_);
    secret_ = std::move(fresh);
}

std::string EntraTokens::issue(std::string_view audience, std::string_view app_id, std::int64_t now_s) const {
    json::object claims{{"aud", audience},
                        {"iss", "https://sts.windows.net/" + settings_.tenant + "/"},
                        {"iat", now_s},
                        {"nbf", now_s},
                        {"exp", now_s + settings_.ttl_s},
                        {"appid", app_id},
                        {"idtyp", "app"},
                        {"oid", "00000000-0000-4000-8000-00000000c10d"},
                        {"sub", "00000000-0000-4000-8000-00000000c10d"},
                        {"tid", settings_.tenant},
                        {"jti", random_id("", 16)},
                        {"ver", "1.0"}};
    return gcp::sign_jwt_hs256(claims, secret());
}

EntraTokens::Check EntraTokens::check(std::string_view token, std::int64_t now_s) const {
    std::string error;
    const auto jwt = gcp::verify_jwt_hs256(token, secret(), error);
    if (!jwt) return Check::invalid;
    const auto exp = gcp::int_claim(jwt->claims, "exp");
    if (!exp) return Check::invalid;
    if (now_s >= *exp) return Check::expired;
    if (trim_slash(gcp::string_claim(jwt->claims, "aud").value_or("")) != kCognitiveServices)
        return Check::wrong_audience;
    return Check::ok;
}

TokenReply EntraTokens::client_credentials(std::string_view tenant, std::string_view form_body,
                                           std::int64_t now_s) const {
    if (tenant != settings_.tenant)
        return aad_error(400, "invalid_request", 90002,
                         "Tenant '" + std::string(tenant) +
                             "' not found. Check to make sure you have the correct tenant ID and are signing into the "
                             "correct cloud.",
                         now_s);
    const auto form = gcp::parse_form(form_body);
    if (!form) return missing_parameter("grant_type", now_s);
    const auto field = [&](std::string_view name) -> const std::string * {
        const auto it = form->find(name);
        return it == form->end() ? nullptr : &it->second;
    };
    const std::string *grant = field("grant_type");
    if (!grant) return missing_parameter("grant_type", now_s);
    if (*grant != "client_credentials")
        return aad_error(400, "unsupported_grant_type", 70003,
                         "The app requested an unsupported grant type '" + *grant + "'.", now_s);
    const std::string *client_id = field("client_id");
    if (!client_id) return missing_parameter("client_id", now_s);
    if (*client_id != settings_.client_id)
        return aad_error(400, "unauthorized_client", 700016,
                         "Application with identifier '" + *client_id + "' was not found in the directory '" +
                             settings_.tenant +
                             "'. This can happen if the application has not been installed by the administrator of "
                             "the tenant or consented to by any user in the tenant.",
                         now_s);
    const std::string *secret = field("client_secret");
    const std::string *assertion = field("client_assertion");
    if (assertion != nullptr) {
        if (const auto refused = check_assertion(*assertion, field("client_assertion_type"), now_s)) return *refused;
    } else if (!secret)
        return aad_error(401, "invalid_client", 7000216,
                         "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' "
                         "grant type.",
                         now_s);
    else if (*secret != settings_.client_secret)
        return aad_error(401, "invalid_client", 7000215,
                         "Invalid client secret provided. Ensure the secret being sent in the request is the client "
                         "secret value, not the client secret ID, for a secret added to app '" +
                             settings_.client_id + "'.",
                         now_s);
    const std::string *scope = field("scope");
    if (!scope) return missing_parameter("scope", now_s);
    if (!scope->ends_with(kDefaultSuffix) || scope->find(' ') != std::string::npos)
        return aad_error(400, "invalid_scope", 1002012,
                         "The provided value for scope " + *scope +
                             " is not valid. Client credential flows must have a scope value with /.default suffixed "
                             "to the resource identifier (application ID URI).",
                         now_s);
    const std::string resource = trim_slash(std::string_view(*scope).substr(0, scope->size() - kDefaultSuffix.size()));
    json::object body{{"token_type", "Bearer"},
                      {"expires_in", settings_.ttl_s},
                      {"ext_expires_in", settings_.ttl_s},
                      {"access_token", issue(resource, settings_.client_id, now_s)}};
    return {200, json::serialize(body)};
}

TokenReply EntraTokens::openid_configuration(std::string_view tenant, std::string_view host, std::int64_t now_s) const {
    if (tenant != settings_.tenant)
        return aad_error(400, "invalid_tenant", 90002,
                         "Tenant '" + std::string(tenant) +
                             "' not found. Check to make sure you have the correct tenant ID and are signing into the "
                             "correct cloud.",
                         now_s);
    const std::string base = "https://" + std::string(host) + "/" + std::string(tenant);
    const json::object body{
        {"token_endpoint", base + "/oauth2/v2.0/token"},
        {"token_endpoint_auth_methods_supported", json::array{"client_secret_post", "private_key_jwt", "client_secret_basic"}},
        {"jwks_uri", base + "/discovery/v2.0/keys"},
        {"response_modes_supported", json::array{"query", "fragment", "form_post"}},
        {"subject_types_supported", json::array{"pairwise"}},
        {"id_token_signing_alg_values_supported", json::array{"RS256"}},
        {"response_types_supported", json::array{"code", "id_token", "code id_token", "id_token token"}},
        {"scopes_supported", json::array{"openid", "profile", "email", "offline_access"}},
        {"issuer", "https://login.microsoftonline.com/" + std::string(tenant) + "/v2.0"},
        {"request_uri_parameter_supported", false},
        {"userinfo_endpoint", "https://graph.microsoft.com/oidc/userinfo"},
        {"authorization_endpoint", base + "/oauth2/v2.0/authorize"},
        {"device_authorization_endpoint", base + "/oauth2/v2.0/devicecode"},
        {"http_logout_supported", true},
        {"frontchannel_logout_supported", true},
        {"end_session_endpoint", base + "/oauth2/v2.0/logout"},
        {"claims_supported", json::array{"sub", "iss", "aud", "exp", "iat", "nonce", "tid", "ver"}},
        {"tenant_region_scope", "NA"},
        {"cloud_instance_name", "microsoftonline.com"},
        {"cloud_graph_host_name", "graph.windows.net"},
        {"msgraph_host", "graph.microsoft.com"},
    };
    return {200, json::serialize(body)};
}

std::optional<TokenReply> EntraTokens::check_assertion(const std::string &assertion, const std::string *type,
                                                      std::int64_t now_s) const {
    if (type == nullptr) return missing_parameter("client_assertion_type", now_s);
    if (*type != kJwtBearerAssertion)
        return aad_error(400, "invalid_request", 700011,
                         "Invalid client_assertion_type: the value must be " + std::string(kJwtBearerAssertion) + ".",
                         now_s);
    std::string error;
    const auto jwt = gcp::decode_jwt(assertion, error);
    if (!jwt) return aad_error(401, "invalid_client", 50027, "JWT token is invalid or malformed.", now_s);
    const std::string iss(gcp::string_claim(jwt->claims, "iss").value_or(""));
    const std::string sub(gcp::string_claim(jwt->claims, "sub").value_or(""));
    // aud is a string or, in Kubernetes tokens, a list of them.
    std::string aud(gcp::string_claim(jwt->claims, "aud").value_or(""));
    if (const json::value *list = jwt->claims.if_contains("aud"); list != nullptr && list->is_array())
        for (const json::value &a : list->get_array())
            if (a.is_string() && a.get_string() == kFederatedAudience) aud = std::string(kFederatedAudience);
    const auto exp = gcp::int_claim(jwt->claims, "exp");
    if (!exp || *exp <= now_s)
        return aad_error(400, "invalid_client", 700024, "Client assertion is not within its valid time range.", now_s);
    if (aud != kFederatedAudience)
        return aad_error(400, "invalid_client", 700212,
                         "No matching federated identity record found for presented assertion audience '" + aud + "'.",
                         now_s);
    if (iss != settings_.federated_issuer)
        return aad_error(400, "invalid_client", 700211,
                         "No matching federated identity record found for presented assertion issuer '" + iss +
                             "'. Please check your federated identity credential Subject, Audience and Issuer "
                             "against the presented assertion.",
                         now_s);
    if (sub != settings_.federated_subject)
        return aad_error(400, "invalid_client", 70021,
                         "No matching federated identity record found for presented assertion. Assertion Issuer: '" +
                             iss + "'. Assertion Subject: '" + sub + "'.",
                         now_s);
    return std::nullopt;
}

TokenReply EntraTokens::managed_identity(std::string_view query, bool metadata_header, std::int64_t now_s) const {
    if (!metadata_header) return imds_error("Required metadata header not specified");
    const auto params = gcp::parse_form(query);
    if (!params) return imds_error("Bad request: malformed query string");
    const auto version = params->find("api-version");
    if (version == params->end() || version->second.empty())
        return imds_error("Required query variable 'api-version' is missing");
    const auto resource = params->find("resource");
    if (resource == params->end() || resource->second.empty())
        return imds_error("Required query variable 'resource' is missing");
    if (const auto client = params->find("client_id"); client != params->end() && client->second != settings_.client_id)
        return imds_error("Identity not found");
    const std::string audience = trim_slash(resource->second);
    json::object body{{"access_token", issue(audience, settings_.client_id, now_s)},
                      {"client_id", settings_.client_id},
                      {"expires_in", std::to_string(settings_.ttl_s)},
                      {"expires_on", std::to_string(now_s + settings_.ttl_s)},
                      {"ext_expires_in", std::to_string(settings_.ttl_s)},
                      {"not_before", std::to_string(now_s)},
                      {"resource", resource->second},
                      {"token_type", "Bearer"}};
    return {200, json::serialize(body)};
}

} // namespace helix::cloudsim::azure
