#include "tools/cloudsim/vertex_federation.hpp"

#include "tools/cloudsim/vertex_aws_federation.hpp"
#include "tools/cloudsim/vertex_wire.hpp"
#include "tools/cloudsim/wire_util.hpp"

#include <boost/json.hpp>

#include <map>

namespace helix::cloudsim::vertex {

namespace {

namespace json = boost::json;

std::string oauth(std::string_view error, std::string_view description) {
    return json::serialize(json::object{{"error", error}, {"error_description", description}});
}

std::string google(int code, std::string_view status, std::string message) {
    ApiError e;
    e.code = code;
    e.status = std::string(status);
    e.message = std::move(message);
    return error_body(e);
}

using Form = std::map<std::string, std::string, std::less<>>;

// A form member, "" when absent.
std::string member(const Form &form, std::string_view key) {
    const auto it = form.find(key);
    return it == form.end() ? std::string() : it->second;
}

bool valid_audience(std::string_view a) {
    if (!a.starts_with("//iam.googleapis.com/")) return false;
    const bool workload = a.find("/locations/global/workloadIdentityPools/") != std::string_view::npos;
    const bool workforce = a.find("/locations/global/workforcePools/") != std::string_view::npos;
    return (workload || workforce) && a.find("/providers/") != std::string_view::npos;
}

} // namespace

HttpReply refresh_token_grant(std::string_view form_body, const FederationSettings &s, const AccessTokens &tokens,
                              std::int64_t now_s) {
    const auto form = gcp::parse_form(form_body);
    if (!form) return {400, oauth("invalid_request", "Invalid request body.")};
    const auto get = [&](std::string_view k) { return member(*form, k); };
    if (get("client_id").empty() || get("refresh_token").empty())
        return {400, oauth("invalid_request", "Missing required parameter: " +
                                                  std::string(get("client_id").empty() ? "client_id" : "refresh_token"))};
    if (get("client_id") != s.oauth_client_id || get("client_secret") != s.oauth_client_secret)
        return {401, oauth("invalid_client", "The OAuth client was not found.")};
    if (get("refresh_token") != s.refresh_token)
        return {400, oauth("invalid_grant", "Token has been expired or revoked.")};
    json::object reply{{"access_token", tokens.issue("user@example.com", gcp::kCloudPlatformScope, now_s)},
                       {"expires_in", tokens.ttl_s()},
                       {"scope", gcp::kCloudPlatformScope},
                       {"token_type", "Bearer"}};
    return {200, json::serialize(reply)};
}

HttpReply sts_token_exchange(std::string_view form_body, const FederationSettings &s, const AccessTokens &tokens,
                             std::int64_t now_s) {
    const auto form = gcp::parse_form(form_body);
    if (!form) return {400, oauth("invalid_request", "Invalid request body.")};
    const auto get = [&](std::string_view k) { return member(*form, k); };
    if (get("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange")
        return {400, oauth("unsupported_grant_type", "Invalid value for \"grant_type\".")};
    if (get("requested_token_type") != "urn:ietf:params:oauth:token-type:access_token")
        return {400, oauth("invalid_request", "Invalid value for \"requested_token_type\".")};
    const std::string type = get("subject_token_type");
    if (type != "urn:ietf:params:oauth:token-type:jwt" && type != "urn:ietf:params:oauth:token-type:id_token" &&
        type != "urn:ietf:params:oauth:token-type:saml2" && type != "urn:ietf:params:aws:token-type:aws4_request")
        return {400, oauth("invalid_request", "Invalid value for \"subject_token_type\".")};
    if (!valid_audience(get("audience")))
        return {400, oauth("invalid_request", "Invalid value for \"audience\". This value should be the full resource "
                                              "name of the Identity Provider.")};
    if (get("scope").find(gcp::kCloudPlatformScope) == std::string::npos)
        return {400, oauth("invalid_scope", "The scope is invalid or missing.")};
    const std::string subject = get("subject_token");
    if (subject.empty()) return {400, oauth("invalid_request", "Missing required parameter: subject_token")};
    std::string principal = "principal://federated";
    if (type == "urn:ietf:params:aws:token-type:aws4_request") {
        // Verified by AWS (the signature), not by comparison.
        AwsSubjectCheck aws = check_aws_subject_token(subject, get("audience"), now_s);
        if (aws.refused) return std::move(*aws.refused);
        principal = "principal://aws/" + aws.principal_arn;
    } else if (!s.subject_token.empty() && subject != s.subject_token) {
        return {400, oauth("invalid_grant", "The access token could not be verified: the subject token is not valid.")};
    }
    json::object reply{{"access_token", tokens.issue(principal, gcp::kCloudPlatformScope, now_s)},
                       {"issued_token_type", "urn:ietf:params:oauth:token-type:access_token"},
                       {"token_type", "Bearer"},
                       {"expires_in", tokens.ttl_s()}};
    return {200, json::serialize(reply)};
}

HttpReply generate_access_token(std::string_view authorization, std::string_view email, std::string_view body,
                                const FederationSettings &s, const AccessTokens &tokens, std::int64_t now_s) {
    if (!authorization.starts_with("Bearer ") || tokens.check(authorization.substr(7), now_s) != AccessTokens::Check::ok)
        return {401, google(401, "UNAUTHENTICATED",
                            "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
                            "cookie or other valid authentication credential.")};
    if (!email.ends_with(s.service_account_domain) || email.find('@') == std::string_view::npos)
        return {403, google(403, "PERMISSION_DENIED",
                            "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).")};
    boost::system::error_code ec;
    const json::value v = json::parse(body, ec);
    const json::object *o = ec ? nullptr : v.if_object();
    const json::array *scopes = o != nullptr && o->contains("scope") ? o->at("scope").if_array() : nullptr;
    if (scopes == nullptr || scopes->empty())
        return {400, google(400, "INVALID_ARGUMENT", "Scope required.")};
    std::string scope;
    for (const auto &sv : *scopes)
        if (sv.is_string()) scope += (scope.empty() ? "" : " ") + std::string(sv.get_string());
    std::int64_t lifetime = 3600;
    if (o->contains("lifetime")) {
        const json::string *l = o->at("lifetime").if_string();
        std::string text = l != nullptr ? std::string(*l) : std::string();
        if (text.empty() || text.back() != 's') return {400, google(400, "INVALID_ARGUMENT", "Invalid lifetime.")};
        text.pop_back();
        try {
            lifetime = std::stoll(text);
        } catch (...) {
            return {400, google(400, "INVALID_ARGUMENT", "Invalid lifetime.")};
        }
        if (lifetime < 1 || lifetime > 43200) return {400, google(400, "INVALID_ARGUMENT", "Invalid lifetime.")};
    }
    // Tokens live the listener's lifetime at most (so refresh stays testable).
    const std::int64_t ttl = std::min(lifetime, tokens.ttl_s());
    return {200, json::serialize(json::object{{"accessToken", tokens.issue(email, scope, now_s)},
                                              {"expireTime", utc_timestamp(now_s + ttl)}})};
}

} // namespace helix::cloudsim::vertex
