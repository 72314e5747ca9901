#include "plugins/gcp_vertex/google_token_source.hpp"

#include "plugins/common/token_fetch.hpp"

namespace helix::gcp_vertex {

using helix::sdk::Error;

std::string GoogleTokenSource::token() {
    return cache_.get(host_.now_unix_ms(), [this] { return fetch(); }, host_.may_block());
}

helix::sdk::HttpRequest GoogleTokenSource::service_account_request() const {
    const helix::gcp::ServiceAccountKey &key = *settings_.service_account;
    const auto claims = helix::gcp::make_assertion_claims(key, helix::gcp::kCloudPlatformScope, host_.now_unix_ms() / 1000);
    std::string error;
    const auto assertion = helix::gcp::sign_assertion(claims, *settings_.signing_key, key.private_key_id, error);
    if (!assertion) throw Error(HELIX_ERR_CONFIG, "cannot sign the service account's token request: " + error);
    helix::sdk::HttpRequest request;
    request.method = "POST";
    request.url = key.token_uri;
    request.add_header("Content-Type", "application/x-www-form-urlencoded");
    request.body = helix::gcp::token_request_body(*assertion);
    return request;
}

helix::sdk::HttpRequest GoogleTokenSource::metadata_request() const {
    helix::sdk::HttpRequest request;
    request.method = "GET";
    request.url = "http://" + settings_.metadata_host + "/computeMetadata/v1/instance/service-accounts/default/token";
    request.add_header("Metadata-Flavor", "Google");
    return request;
}

helix::plugin_common::BearerToken GoogleTokenSource::fetch() const {
    if (settings_.authorized_user) {
        const FetchedToken t = fetch_authorized_user_token(*settings_.authorized_user, host_);
        return {t.value, t.expires_at_ms};
    }
    if (settings_.external_account) {
        const FetchedToken t = fetch_external_account_token(*settings_.external_account, host_);
        return {t.value, t.expires_at_ms};
    }
    const bool service_account = settings_.auth() == AuthMethod::service_account;
    const char *source = service_account ? "Google's token endpoint (service account)" : "the GCP metadata server";
    const helix::sdk::HttpRequest request = service_account ? service_account_request() : metadata_request();
    const helix::sdk::HttpResponse response = host_.fetch(request, std::chrono::seconds(10));
    helix::plugin_common::check_token_status(response.status, source);
    if (!service_account && response.header("Metadata-Flavor") != "Google")
        throw Error(HELIX_ERR_AUTH, "the GCP metadata server's answer lacks Metadata-Flavor: Google; not trusted", 502);
    std::string error;
    const auto token = helix::gcp::parse_token_response(response.body, error);
    if (!token || token->access_token.empty())
        throw Error(HELIX_ERR_AUTH, std::string(source) + " answered without a usable access token", 502);
    helix::plugin_common::BearerToken t;
    t.value = token->access_token;
    // No lifetime given: keep it a minute (Google's are an hour).
    t.expires_at_ms = host_.now_unix_ms() + (token->expires_in > 0 ? token->expires_in : 60) * 1000;
    return t;
}

} // namespace helix::gcp_vertex
