#pragma once
// Application Default Credentials files other than service-account keys, as
// gcloud and the Google auth libraries write and read them:
//
//   authorized_user   (gcloud auth application-default login)
//     {"type":"authorized_user","client_id","client_secret","refresh_token",
//      "quota_project_id"?, "token_uri"?}
//     POST token_uri (default https://oauth2.googleapis.com/token), form
//     grant_type=refresh_token&client_id=..&client_secret=..&refresh_token=..
//     -> {"access_token","expires_in","token_type":"Bearer",...}
//
//   external_account  (workload identity federation)
//     {"type":"external_account","audience":"//iam.googleapis.com/projects/N/
//      locations/global/workloadIdentityPools/P/providers/X",
//      "subject_token_type":"urn:ietf:params:oauth:token-type:jwt",
//      "token_url":"https://sts.googleapis.com/v1/token",
//      "credential_source": {"file": path} | {"url": url, "headers": {..}},
//         optionally "format": {"type":"text"} | {"type":"json",
//         "subject_token_field_name": name},
//      "service_account_impersonation_url"?: "https://iamcredentials.googleapis.com/
//         v1/projects/-/serviceAccounts/EMAIL:generateAccessToken",
//      "service_account_impersonation"?: {"token_lifetime_seconds": 3600},
//      "quota_project_id"?, "workforce_pool_user_project"?}
//     1. the subject token: the file (read at each refresh: it rotates) or
//        GET url (the host's http_fetch) with the headers, text or one JSON field
//     2. Google STS token exchange: POST token_url, form
//        grant_type=urn:ietf:params:oauth:grant-type:token-exchange&audience=..
//        &scope=https://www.googleapis.com/auth/cloud-platform
//        &requested_token_type=urn:ietf:params:oauth:token-type:access_token
//        &subject_token=..&subject_token_type=..[&options={"userProject":..}]
//        -> {"access_token","issued_token_type","token_type","expires_in"}
//     3. with an impersonation URL: POST it with Authorization: Bearer <STS
//        token>, {"scope":["https://www.googleapis.com/auth/cloud-platform"],
//        "lifetime":"<s>s"} -> {"accessToken","expireTime":"<RFC 3339>"}
//     The subject token may also come from AWS ("environment_id":"aws1": a
//     signed GetCallerIdentity request, aws_source.hpp) or from a program
//     ("executable", run by the host, executable_source.hpp).
//
// Endpoint URLs come from the file (token_uri for authorized_user may be
// overridden by settings.token_uri): a simulator can stand in for Google.
// Secrets (client_secret, refresh and subject tokens) never appear in
// messages; error replies are not quoted beyond OAuth's error code.

#include "plugins/gcp_vertex/aws_source.hpp"
#include "plugins/gcp_vertex/executable_source.hpp"

#include <helixagent/plugin.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace helix::gcp_vertex {

inline constexpr std::string_view kTokenExchangeGrantType = "urn:ietf:params:oauth:grant-type:token-exchange";
inline constexpr std::string_view kAccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

struct AuthorizedUser {
    std::string client_id, client_secret, refresh_token;
    std::string token_uri;        // from the file, else Google's
    std::string quota_project_id; // sent as x-goog-user-project
};

struct ExternalAccount {
    std::string audience, subject_token_type, token_url;
    std::string source_file;                       // or:
    std::string source_url;                        // GET, with source_headers
    std::optional<AwsSource> aws;                  // or: a signed AWS request
    std::optional<ExecutableSource> executable;    // or: a program's output
    std::map<std::string, std::string> source_headers;
    std::string json_field;                        // non-empty: the subject token is this JSON member
    std::string impersonation_url;                 // empty: the STS token is used as is
    std::int64_t lifetime_s = 3600;
    std::string quota_project_id;
    std::string workforce_pool_user_project;
};

// Pieces the source parsers share: a configuration error naming the file,
// control characters, an http(s) URL (else a configuration error).
[[noreturn]] void adc_config_error(const std::string &path, const std::string &what);
bool adc_has_control(std::string_view s) noexcept;
std::string adc_url(std::string value, std::string_view key, const std::string &path);

// The service account an impersonation URL names ("" when none).
std::string impersonated_email(std::string_view impersonation_url);

// What a key file holds: its "type" ("" when absent or not JSON). The
// parsers throw HELIX_ERR_CONFIG naming `path` and the field (never a value).
std::string credentials_file_type(std::string_view json_text);
AuthorizedUser parse_authorized_user(std::string_view json_text, const std::string &path);
ExternalAccount parse_external_account(std::string_view json_text, const std::string &path);

// The token requests (exposed for tests).
helix::sdk::HttpRequest refresh_token_request(const AuthorizedUser &user);
helix::sdk::HttpRequest sts_exchange_request(const ExternalAccount &account, std::string_view subject_token);
helix::sdk::HttpRequest impersonation_request(const ExternalAccount &account, std::string_view sts_token);

struct FetchedToken {
    std::string value;
    std::int64_t expires_at_ms = 0;
};

// Fetches a token the file's way through the host. Throws helix::sdk::Error.
FetchedToken fetch_authorized_user_token(const AuthorizedUser &user, const helix::sdk::Host &host);
FetchedToken fetch_external_account_token(const ExternalAccount &account, const helix::sdk::Host &host);

} // namespace helix::gcp_vertex
