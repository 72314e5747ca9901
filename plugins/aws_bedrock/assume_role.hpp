#pragma once
// STS AssumeRole (the Query API), signed with SigV4 (service "sts") with the
// credentials the chain found first ("base credentials"), through the host's
// http_fetch:
//
//   POST {sts_endpoint}/  content-type: application/x-www-form-urlencoded; charset=utf-8
//   Action=AssumeRole&Version=2011-06-15&RoleArn=..&RoleSessionName=..
//   [&ExternalId=..][&DurationSeconds=..]
//   -> <AssumeRoleResponse><AssumeRoleResult><Credentials>{AccessKeyId,
//      SecretAccessKey, SessionToken, Expiration}</Credentials>...
//
// The signing region is the one in an sts[-fips].<region>.amazonaws.com host,
// us-east-1 for the global sts.amazonaws.com, else the provider's region.
// Errors are STS's awsQuery <Error><Code>: Throttling and 5xx are transient;
// AccessDenied (the role's trust policy, a wrong ExternalId), ExpiredToken and
// InvalidClientTokenId (the base credentials), ValidationError are AUTH (502)
// with STS's code and message (secrets redacted).

#include "plugins/aws_bedrock/credential_chain.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace helix::aws_bedrock {

struct RoleToAssume {
    std::string role_arn;
    std::string session_name; // empty: "helixagent-<ms>"
    std::string external_id;  // empty: none sent
    std::optional<std::int64_t> duration_seconds;
    std::string where; // what configured it, for messages ("settings.role_arn", "profile 'x'")
};

// The signing region for an STS endpoint URL.
std::string sts_signing_region(std::string_view sts_endpoint, std::string_view fallback_region);

// The signed request (exposed for tests).
helix::sdk::HttpRequest assume_role_request(const Settings &settings, const helix::aws::Credentials &base,
                                            const RoleToAssume &role, std::int64_t now_ms);

// Calls AssumeRole; throws helix::sdk::Error.
TimedCredentials assume_role(const Settings &settings, const helix::sdk::Host &host,
                             const helix::aws::Credentials &base, const RoleToAssume &role);

} // namespace helix::aws_bedrock
