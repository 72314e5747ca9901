#pragma once
// Authentication of Bedrock Runtime calls (plugins/aws_common/README.md), without
// I/O: SigV4 through helix_aws_common's verifier (service `bedrock`, the
// region of a bedrock-runtime.<region>.amazonaws.com Host, else the
// configured one; 5 minutes of clock skew), with the configured long-term
// key pair or temporary credentials the simulator issued (their session
// token must be sent and signed; expired ones get ExpiredTokenException), or
// a Bedrock API key as `Authorization: Bearer <key>`.

#include "plugins/aws_common/sigv4.hpp"
#include "tools/cloudsim/aws_credentials.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace helix::cloudsim::bedrock {

inline constexpr std::string_view kSigningName = "bedrock";
inline constexpr std::string_view kAnyRegion = "*";

struct AuthConfig {
    std::string access_key_id;
    std::string secret_access_key;
    std::string region = "us-east-1"; // kAnyRegion: accept any scope region
    std::string api_key;              // Bearer key (Bedrock API keys start with "ABSK")
};

struct AuthFailure {
    int status = 403;
    std::string error_type; // x-amzn-ErrorType code: InvalidSignatureException, ...
    std::string message;
    // The member that carries the message: AWS's JSON services send
    // "message", the API-key front end "Message".
    std::string message_key = "message";
};

// The region a request must be signed for: the one in a
// bedrock-runtime[-fips].<region>.amazonaws.com / .api.aws Host, else
// `configured`.
std::string expected_region(std::string_view host, std::string_view configured);

// nullopt when the request is authenticated. `request.headers` are the
// received headers (Host among them).
std::optional<AuthFailure> authenticate(const helix::aws::ReceivedRequest &request, const AuthConfig &config,
                                        const aws_credentials::CredentialStore &store, std::chrono::sys_seconds now);

} // namespace helix::cloudsim::bedrock
