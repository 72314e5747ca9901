#include "daemon/http/authenticate.hpp"

namespace helix::http {

std::optional<api::ApiError> authenticate(const router::ClientKeys &keys, const config::ServerSettings &server,
                                          AuthFailures &failures, const std::string &source,
                                          std::string_view authorization_header, RequestContext &context) {
    if (keys.empty())
        return api::ApiError{401, "This gateway has no client API keys configured; set api_keys in the "
                                  "configuration or HELIXAGENT_API_KEYS.",
                             "invalid_request_error", "", "no_api_keys_configured"};
    const AuthFailures::Policy policy{server.auth_failure_limit, server.auth_failure_block};
    if (const auto wait = failures.refused_for(source, policy); wait.count() > 0) {
        api::ApiError e{429,
                        "Too many requests with a missing or wrong API key from this address; try again later "
                        "(server.auth_failure_limit, server.auth_failure_block).",
                        "requests", "", "too_many_failed_authentications"};
        e.retry_after_ms = static_cast<std::uint32_t>(wait.count());
        return e;
    }
    const std::string_view token = router::bearer_token(authorization_header);
    if (token.empty()) {
        failures.failed(source, policy);
        return api::ApiError{401, "You didn't provide an API key. Send it in an Authorization header using "
                                  "Bearer auth (Authorization: Bearer YOUR_KEY).",
                             "invalid_request_error", "", ""};
    }
    // The key is never echoed: it may be a real secret sent to the wrong place.
    const router::ClientIdentity *client = keys.authenticate(token);
    if (client == nullptr) {
        failures.failed(source, policy);
        return api::ApiError{401, "Incorrect API key provided.", "invalid_request_error", "", "invalid_api_key"};
    }
    context.client = client;
    context.record.client = client->name;
    return std::nullopt;
}

bool carries_client_key(const router::ClientKeys &keys, const config::ServerSettings &server, AuthFailures &failures,
                        const std::string &source, std::string_view authorization_header) {
    const std::string_view token = router::bearer_token(authorization_header);
    if (token.empty()) return false;
    const AuthFailures::Policy policy{server.auth_failure_limit, server.auth_failure_block};
    if (failures.refused_for(source, policy).count() > 0) return false;
    if (keys.authenticate(token) != nullptr) return true;
    failures.failed(source, policy);
    return false;
}

} // namespace helix::http
