#pragma once
// The Google credentials beyond service accounts that the Vertex listener
// simulates (plugins/gcp_vertex/adc_file.hpp has the client side), without I/O:
//
//   POST /token  grant_type=refresh_token   gcloud's authorized_user: the
//        configured OAuth client id / secret and refresh token; errors
//        invalid_client (401), invalid_grant (400, "Token has been expired or revoked.")
//   POST /v1/token  Google STS token exchange (workload identity federation):
//        grant_type=urn:ietf:params:oauth:grant-type:token-exchange, audience
//        //iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/X
//        (or locations/global/workforcePools/...), requested_token_type
//        access_token, subject_token_type jwt / id_token / saml2 / aws4_request,
//        a subject token (the configured one, or any when none is; an aws4_request
//        one is checked as Google does, vertex_aws_federation.hpp), scope
//        cloud-platform -> {"access_token","issued_token_type","token_type","expires_in"};
//        errors {"error":"invalid_request"|"invalid_grant"|"unsupported_grant_type"|"invalid_scope",
//        "error_description"} (400)
//   POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken  (IAM
//        credentials) with Authorization: Bearer <a token minted here>,
//        {"scope":[..],"lifetime":"3600s"} -> {"accessToken","expireTime"};
//        401 UNAUTHENTICATED, 400 INVALID_ARGUMENT, 403 PERMISSION_DENIED
//        (an email outside the project's service accounts)
//   GET  /__vertex/subject-token   an OIDC subject token as JSON {"id_token"}
//        (for URL-sourced credentials; needs Metadata: True as Azure's IMDS does)

#include "tools/cloudsim/vertex_auth.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace helix::cloudsim::vertex {

struct FederationSettings {
    std::string oauth_client_id = "sim-oauth-client.apps.googleusercontent.com";
    std::string oauth_client_secret = "sim-oauth-client-secret";
    std::string refresh_token = "1//sim-refresh-token";
    std::string subject_token; // empty: any non-empty subject token
    std::string service_account_domain = ".iam.gserviceaccount.com";
};

inline constexpr std::string_view kSimSubjectToken = "eyJhbGciOiJSUzI1NiJ9.sim-subject.sig";

// The refresh_token grant of POST /token.
HttpReply refresh_token_grant(std::string_view form_body, const FederationSettings &settings,
                              const AccessTokens &tokens, std::int64_t now_s);
// POST /v1/token.
HttpReply sts_token_exchange(std::string_view form_body, const FederationSettings &settings,
                             const AccessTokens &tokens, std::int64_t now_s);
// POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken.
HttpReply generate_access_token(std::string_view authorization, std::string_view email, std::string_view body,
                                const FederationSettings &settings, const AccessTokens &tokens, std::int64_t now_s);

} // namespace helix::cloudsim::vertex
