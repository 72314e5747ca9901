#pragma once
// The AWS Bedrock Runtime provider module (docs/providers.md, aws-bedrock), one
// listener that also plays the credential sources of an AWS credential chain:
//
//   POST /model/{modelId}/converse                      JSON
//   POST /model/{modelId}/converse-stream               application/vnd.amazon.eventstream
//   POST /model/{modelId}/invoke                        model-native JSON (claude, llama, titan)
//   POST /model/{modelId}/invoke-with-response-stream   event stream of `chunk` events
//   PUT  /latest/api/token, GET /latest/meta-data/...   IMDSv2 (aws_credentials.hpp)
//   GET  /v2/credentials/{id}, GET /v1/credentials      container credentials
//   POST / (or GET /?Action=...)                        STS AssumeRoleWithWebIdentity, AssumeRole (SigV4)
//   GET  /federation/credentials                        IAM Identity Center GetRoleCredentials
//   POST /__bedrock/expire-credentials                  every issued temporary credential expires now
//
// Every API call is authenticated with SigV4 (service `bedrock`, 5 minutes of
// clock skew; the configured key pair or temporary credentials issued here,
// whose session token must be signed), or a Bedrock API key as
// `Authorization: Bearer` (--bedrock-key). Errors are AWS's JSON shape with
// x-amzn-ErrorType; every reply carries x-amzn-RequestId and Date.
// Fault directives beyond the common ones (streams): bad-crc,
// exception-frame[:<exception member>].

#include "tools/cloudsim/provider_api.hpp"

#include <array>
#include <memory>

namespace helix::cloudsim {

// A Bedrock API key (they start with "ABSK").
inline constexpr std::string_view kBedrockDefaultKey = "ABSKaGVsaXgtc2ltLWJlZHJvY2stYXBpLWtleQ==";
inline constexpr std::string_view kBedrockDefaultAccessKeyId = "AKIDSIMEXAMPLE";
inline constexpr std::string_view kBedrockDefaultSecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSIMHELIXKY";

std::string check_bedrock_text(std::string_view value);
std::string check_bedrock_ttl(std::string_view value);

// Also accepted as --aws-<option> (--aws-access-key-id, --aws-region, ...).
inline constexpr std::array<ProviderSetting, 8> kBedrockSettings{{
    {"access-key-id", kBedrockDefaultAccessKeyId, "SigV4 access key id it accepts (also --aws-access-key-id)",
     &check_bedrock_text},
    {"secret-access-key", kBedrockDefaultSecretAccessKey, "its secret access key (also --aws-secret-access-key)",
     &check_bedrock_text},
    {"region", "us-east-1", "signing region unless the Host names one; * = any (also --aws-region)",
     &check_bedrock_text},
    {"credentials-ttl-s", "3600", "lifetime of the temporary credentials it issues, s (also --aws-credentials-ttl-s)",
     &check_bedrock_ttl},
    {"web-identity-token", "", "the one WebIdentityToken its STS accepts (default: any non-empty token)", nullptr},
    {"container-token", "sim-container-token", "Authorization value its container credentials endpoint wants",
     &check_bedrock_text},
    {"external-id", "", "the ExternalId its STS AssumeRole requires (default: none)", nullptr},
    {"sso-access-token", "sim-sso-access-token", "the IAM Identity Center access token its portal accepts",
     &check_bedrock_text},
}};

std::unique_ptr<ProviderApi> make_bedrock_api(const ProviderOptions &options);

} // namespace helix::cloudsim
