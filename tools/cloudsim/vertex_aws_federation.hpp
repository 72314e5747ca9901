#pragma once
// Google STS's check of an AWS-sourced subject token (subject_token_type
// urn:ietf:params:aws:token-type:aws4_request), as the real service does it:
// the token is a URL-encoded JSON serialisation of a SigV4-signed AWS STS
// GetCallerIdentity request,
//   {"url": "https://sts[.<region>].amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
//    "method": "POST",
//    "headers": [{"key": "Authorization", "value": ...}, {"key": "x-amz-date"}, {"key": "host"},
//                {"key": "x-amz-security-token"}?, {"key": "x-goog-cloud-target-resource"}]}
// The URL must be AWS STS's (https, sts.amazonaws.com or sts.<region>.amazonaws.com,
// Action=GetCallerIdentity, Version=2011-06-15), the method POST, and
// x-goog-cloud-target-resource the audience of the exchange (with or without
// "https:"). The request is then replayed to AWS STS, which here is the
// Bedrock listener of the same process (aws_process_sts.hpp): it checks the
// signature, the session token and the clock; its ARN is the principal.
// Refusals are OAuth errors, 400 invalid_grant / invalid_request.

#include "tools/cloudsim/vertex_auth.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace helix::cloudsim::vertex {

struct AwsSubjectCheck {
    std::optional<HttpReply> refused; // set: the exchange's reply
    std::string principal_arn;        // else: who signed it
};

// `subject_token` as the form carried it (one level of form encoding removed).
AwsSubjectCheck check_aws_subject_token(std::string_view subject_token, std::string_view audience, std::int64_t now_s);

} // namespace helix::cloudsim::vertex
