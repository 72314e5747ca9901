#pragma once
// AWS-sourced subject tokens of an external_account file (workload identity
// federation from AWS: the gateway on EC2, ECS or EKS calls Vertex without a
// Google key), as the Google auth libraries make them:
//
//   "subject_token_type": "urn:ietf:params:aws:token-type:aws4_request",
//   "credential_source": {"environment_id": "aws1",
//     "region_url": "http://169.254.169.254/latest/meta-data/placement/availability-zone",
//     "url": "http://169.254.169.254/latest/meta-data/iam/security-credentials",
//     "imdsv2_session_token_url": "http://169.254.169.254/latest/api/token",
//     "regional_cred_verification_url":
//       "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15"}
//
// 1. The region: settings.aws_region (AWS_REGION, AWS_DEFAULT_REGION), else
//    the availability zone from region_url without its last letter.
// 2. The credentials: settings.aws_access_key_id / aws_secret_access_key /
//    aws_session_token (AWS_ACCESS_KEY_ID, ...), else the instance role from
//    the metadata server: GET url -> role name, GET url/<role> -> {AccessKeyId,
//    SecretAccessKey, Token}. With imdsv2_session_token_url every metadata
//    GET carries an IMDSv2 session token (PUT, 300 s).
// 3. The subject token: a SigV4-signed (service sts) POST to the
//    verification URL, {region} replaced, with the header
//    x-goog-cloud-target-resource: <audience> signed too, never sent to AWS by
//    the gateway but serialised for Google's STS, which replays it:
//    percent-encoded JSON {"url","method":"POST","headers":[{"key","value"},..]}.
// Secrets (the secret key, the session token, the signature) never appear in
// messages.

#include "plugins/aws_common/sigv4.hpp"

#include <helixagent/plugin.hpp>

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace helix::gcp_vertex {

inline constexpr std::string_view kAwsSubjectTokenType = "urn:ietf:params:aws:token-type:aws4_request";

struct AwsSource {
    std::string region_url, credentials_url, imdsv2_token_url;
    std::string verification_url; // may hold "{region}"
    // From the settings (the AWS_* variables); they win over the metadata server.
    std::string region;
    helix::aws::Credentials credentials;
};

// credential_source with "environment_id"; `path` names the file in errors.
AwsSource parse_aws_source(const boost::json::object &source, const std::string &path);

// The serialised GetCallerIdentity request for `audience`, signed at now_ms
// (exposed for tests: no I/O).
std::string aws_signed_subject_token(const AwsSource &source, std::string_view region,
                                     const helix::aws::Credentials &credentials, std::string_view audience,
                                     std::int64_t now_ms);

// Region and credentials as above (through the host), then the token.
// Throws helix::sdk::Error.
std::string aws_subject_token(const AwsSource &source, std::string_view audience, const helix::sdk::Host &host);

} // namespace helix::gcp_vertex
