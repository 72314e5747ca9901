#pragma once
// The AWS credential chain of the aws_bedrock provider (the order and the
// settings are in bedrock_settings.hpp). Remote sources go through the host's
// blocking http_fetch:
//
//   web identity  POST {sts_endpoint}/, application/x-www-form-urlencoded
//                 Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=..
//                 &RoleSessionName=..&WebIdentityToken=.. (unsigned) -> XML
//                 .../Credentials/{AccessKeyId,SecretAccessKey,SessionToken,Expiration}
//   container     GET {full uri} or {ecs_endpoint}{relative uri}, Authorization:
//                 <token> when configured -> JSON {AccessKeyId, SecretAccessKey,
//                 Token, Expiration}
//   IMDSv2        PUT {imds}/latest/api/token (x-aws-ec2-metadata-token-ttl-seconds:
//                 21600) -> token; 403/404/405 -> IMDSv1 (no token header), as the
//                 JS SDK does. GET {imds}/latest/meta-data/iam/security-credentials-extended/
//                 (404 -> .../security-credentials/) -> role name; GET <that
//                 prefix><role> -> JSON {Code: "Success", AccessKeyId,
//                 SecretAccessKey, Token, Expiration}. A 401 on a GET fetches a
//                 new token once.
//
//   AssumeRole    (settings.role_arn without a token file, or a profile's
//                 role_arn + source_profile / credential_source) assume_role.hpp
//   SSO           (a profile's sso_session / sso_start_url) sso_credentials.hpp
//
// Caching: the resolved credentials are shared by every call of the instance.
// Credentials with an Expiration are refreshed once they are within five
// minutes of it (remote credentials without a usable Expiration count as
// valid for 15 minutes); if a refresh fails while the old ones have not yet
// expired, the old ones are used and the failure is logged. Static
// credentials (settings, profile keys) never expire. rejected() forgets
// credentials Bedrock refused as expired or invalid, so that the host's second
// prepare() resolves the chain again (re-reading the files). After a failed
// resolution the same error is reported for five seconds without trying
// again, so that a machine without any source does not wait on the metadata
// service for every request.
//
// Secrets (keys, session tokens, web identity and container tokens) never
// appear in logs or error messages; the bodies of credential responses are
// never quoted. Thread-safe: one resolution at a time. While it runs, other
// callers use the cached credentials if they have not expired yet, and wait
// for it (never longer than that one resolution) only when there are none.

#include "plugins/aws_bedrock/bedrock_settings.hpp"
#include "plugins/aws_common/sigv4.hpp"

#include <helixagent/plugin.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <set>
#include <optional>
#include <string>
#include <string_view>

namespace helix::aws_bedrock {

inline constexpr std::int64_t kRefreshMarginMs = 5 * 60 * 1000;
inline constexpr std::int64_t kUnknownExpiryMs = 15 * 60 * 1000;
inline constexpr std::int64_t kFailureBackoffMs = 5 * 1000;
inline constexpr std::chrono::milliseconds kMetadataTimeout{2000}; // IMDS, container (botocore: 1-2 s)
inline constexpr std::chrono::milliseconds kStsTimeout{10000};

struct TimedCredentials {
    helix::aws::Credentials credentials;
    std::optional<std::int64_t> expires_at_ms; // nullopt: long-term
    std::string source;                        // which link, for logs ("instance metadata (IMDSv2)")
};

// "2026-01-01T00:00:00Z", with optional fractional seconds and a Z or
// +hh:mm / -hh:mm offset -> milliseconds since the epoch.
std::optional<std::int64_t> parse_iso8601_ms(std::string_view text) noexcept;

// The Credentials of an STS AssumeRoleWithWebIdentity (or AssumeRole) XML
// reply. Throws HELIX_ERR_AUTH when they are incomplete.
TimedCredentials parse_sts_credentials(std::string_view xml, std::int64_t now_ms);
// The text of the first <tag>...</tag> in xml, entities decoded.
std::optional<std::string> xml_element_text(std::string_view xml, std::string_view tag);
// The JSON of the container endpoint and IMDS. Throws HELIX_ERR_AUTH when
// incomplete (or, for IMDS, when Code is not "Success"). `source` names the
// endpoint in messages.
TimedCredentials parse_json_credentials(std::string_view json, std::int64_t now_ms, std::string_view source);

class CredentialChain {
public:
    // settings and host must outlive the chain. Resolves the local links
    // (settings keys, the shared files' static keys) at once, so that a
    // configuration error there fails the instance's creation.
    CredentialChain(const Settings &settings, const helix::sdk::Host &host);

    // Valid credentials (cached, or resolved now). Throws helix::sdk::Error.
    TimedCredentials get();

    // Bedrock refused these credentials as expired or unknown: drop them
    // unless they were replaced meanwhile.
    void rejected(const helix::aws::Credentials &credentials);

    // No I/O.
    helix_health health(std::string &detail) const;

private:
    struct SharedFiles;
    // The chain from the top. With allow_network false it stops (nullopt) at
    // the first link that would need a side request.
    std::optional<TimedCredentials> resolve(bool allow_network) const;
    // Links 1 to 6, before settings.role_arn is assumed on top.
    std::optional<TimedCredentials> resolve_base(bool allow_network) const;
    std::optional<TimedCredentials> from_profile(bool allow_network, bool &stop) const;
    // One profile's credentials; `visited` holds the profiles that led here
    // (source_profile chains), empty for the chosen profile.
    std::optional<TimedCredentials> profile_credentials(const SharedFiles &files, const std::string &name,
                                                        std::set<std::string> &visited, bool allow_network,
                                                        bool &stop) const;
    TimedCredentials credential_source(const std::string &source, const std::string &where) const;
    TimedCredentials web_identity(const std::string &token_file, const std::string &role_arn,
                                  const std::string &session_name) const;
    TimedCredentials container() const;
    TimedCredentials instance_metadata() const;

    bool fresh(const TimedCredentials &c, std::int64_t now_ms) const noexcept;

    const Settings &settings_;
    const helix::sdk::Host &host_;
    mutable std::mutex mutex_;
    std::condition_variable resolved_;
    bool resolving_ = false;
    std::optional<TimedCredentials> cached_;
    std::optional<helix::sdk::Error> last_failure_;
    std::int64_t last_failure_ms_ = 0;
};

} // namespace helix::aws_bedrock
