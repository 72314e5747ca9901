#pragma once
// The AWS credential sources a credential chain reads (plugins/aws_bedrock/README.md, Credential chain),
// simulated without I/O, served on the Bedrock listener:
//
//   IMDSv2 (AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:<port>)
//     PUT /latest/api/token                 X-aws-ec2-metadata-token-ttl-seconds: 1..21600 -> token
//     GET /latest/meta-data/iam/security-credentials[-extended][/]         -> role name
//     GET /latest/meta-data/iam/security-credentials[-extended]/{role}     -> credentials JSON
//     GET /latest/meta-data/placement/region                               -> region
//     GET /latest/meta-data/placement/availability-zone                    -> region + "a"
//     (every GET needs X-aws-ec2-metadata-token: a token from the PUT, else 401)
//   ECS / EKS container credentials
//     GET /v2/credentials/{id}   (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI; an Authorization
//                                 header, when sent, must be the container token)
//     GET /v1/credentials        (AWS_CONTAINER_CREDENTIALS_FULL_URI; Authorization required)
//   STS AssumeRoleWithWebIdentity (AWS_ENDPOINT_URL_STS=http://127.0.0.1:<port>)
//     POST / (form) or GET /?Action=AssumeRoleWithWebIdentity&RoleArn=..&RoleSessionName=..&WebIdentityToken=..
//   STS AssumeRole: the same with Action=AssumeRole (+ ExternalId, DurationSeconds),
//     SigV4-signed (service sts) with the long-term pair or credentials issued here
//   STS GetCallerIdentity: signed the same way -> Arn (the user of the
//     long-term pair, or the assumed role of issued credentials), UserId, Account
//     (what Google's STS replays for AWS workload identity federation)
//   IAM Identity Center GetRoleCredentials
//     GET /federation/credentials?account_id=..&role_name=..  x-amz-sso_bearer_token: <token>
//
// Every source issues fresh temporary credentials (ASIA... key id, secret,
// session token) that expire after the configured lifetime; the Bedrock
// module accepts them for SigV4 (the session token must be sent and signed)
// until then.

#include "plugins/aws_common/sigv4.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace helix::cloudsim::aws_credentials {

inline constexpr std::string_view kAccountId = "123456789012";
inline constexpr std::string_view kRoleName = "helix-sim-role";
inline constexpr std::int64_t kMaxImdsTokenTtl = 21600;

struct TemporaryCredentials {
    std::string access_key_id;     // "ASIA" + 16 characters
    std::string secret_access_key; // 40 characters
    std::string session_token;
    std::int64_t issued_at_s = 0;
    std::int64_t expires_at_s = 0;
    std::string role_arn;
    std::string source; // "imds", "container", "sts", "sts-assume-role", "sso"
};

// The temporary credentials and IMDS session tokens issued so far.
// Thread-safe.
class CredentialStore {
public:
    explicit CredentialStore(std::int64_t ttl_s) : ttl_s_(ttl_s) {}

    std::int64_t ttl_s() const { return ttl_s_; }

    // New credentials valid for `ttl_s` (default: the store's) from `now_s`.
    TemporaryCredentials issue(std::string_view source, std::string_view role_arn, std::int64_t now_s,
                               std::optional<std::int64_t> ttl_s = std::nullopt);
    // Credentials issued under this key id, expired or not (the caller
    // decides what expiry means); nullopt when never issued (or long gone).
    std::optional<TemporaryCredentials> find(std::string_view access_key_id) const;
    // Every credential issued so far expires at now_s (refresh tests); returns how many.
    std::size_t expire_all(std::int64_t now_s);

    std::string issue_imds_token(std::int64_t ttl_s, std::int64_t now_s);
    bool imds_token_valid(std::string_view token, std::int64_t now_s) const;

private:
    void prune(std::int64_t now_s); // with mutex_ held

    std::int64_t ttl_s_;
    mutable std::mutex mutex_;
    std::map<std::string, TemporaryCredentials, std::less<>> credentials_;
    std::map<std::string, std::int64_t, std::less<>> imds_tokens_; // token -> expiry
    std::int64_t last_prune_s_ = 0;
};

struct EndpointSettings {
    std::string region = "us-east-1";
    std::string role_name = std::string(kRoleName);
    std::string account_id = std::string(kAccountId);
    // The only WebIdentityToken STS accepts; empty: any non-empty token.
    std::string web_identity_token;
    // The Authorization value the container endpoint expects.
    std::string container_token = "sim-container-token";
    // The long-term pair STS AssumeRole accepts signatures of (besides issued credentials).
    std::string access_key_id, secret_access_key;
    // The ExternalId AssumeRole requires; empty: none.
    std::string external_id;
    // The access token the IAM Identity Center portal accepts.
    std::string sso_access_token = "sim-sso-access-token";
};

// One request to a credential endpoint (nothing decoded yet).
struct EndpointRequest {
    std::string_view method;
    std::string_view path;  // without the query
    std::string_view query; // without '?'
    std::function<std::optional<std::string>(std::string_view)> header;
    std::string_view body;
    std::span<const helix::aws::HttpHeader> headers = {}; // all of them, for SigV4
};

struct EndpointReply {
    int status = 200;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// True for the paths the endpoints below serve (IMDS, container, STS).
bool is_credential_path(std::string_view path);

class CredentialEndpoints {
public:
    CredentialEndpoints(EndpointSettings settings, CredentialStore &store)
        : settings_(std::move(settings)), store_(store) {}

    std::string role_arn() const;

    // The reply to a request on a credential path; nullopt for other paths.
    std::optional<EndpointReply> handle(const EndpointRequest &request, std::int64_t now_s);

private:
    EndpointReply imds(const EndpointRequest &request, std::int64_t now_s);
    EndpointReply container(const EndpointRequest &request, bool full_uri, std::int64_t now_s);
    EndpointReply sts(const EndpointRequest &request, std::int64_t now_s);
    // AssumeRole's SigV4 check: nullopt when the caller is authenticated, then
    // *caller holds what signed it.
    std::optional<EndpointReply> sts_caller(const EndpointRequest &request, std::int64_t now_s,
                                            std::optional<TemporaryCredentials> &caller) const;
    EndpointReply assumed_role_reply(const std::string &role_arn, const std::string &session,
                                     const std::optional<std::string> &external_id,
                                     std::optional<std::int64_t> duration,
                                     const std::optional<TemporaryCredentials> &caller, std::int64_t now_s);
    EndpointReply sso(const EndpointRequest &request, std::int64_t now_s);
    EndpointReply caller_identity_reply(const std::optional<TemporaryCredentials> &caller) const;

    EndpointSettings settings_;
    CredentialStore &store_;
};

// Helpers, exposed for tests.

// "2026-01-01T00:00:00Z"
std::string iso8601(std::int64_t unix_s);
// application/x-www-form-urlencoded (also a query string): '+' is a space,
// %XX decoded; repeated names: the first wins.
std::map<std::string, std::string, std::less<>> parse_form(std::string_view text);
std::string xml_escape(std::string_view text);
// STS's awsQuery error document.
std::string sts_error_xml(std::string_view type, std::string_view code, std::string_view message,
                          std::string_view request_id);
// A random (version 4) UUID, as AWS request ids are.
std::string random_uuid();

} // namespace helix::cloudsim::aws_credentials
