#pragma once
// Google service-account credentials and the OAuth2 JWT-bearer grant
// (RFC 7523) that turns them into an access token (docs/providers.md, gcp-vertex):
//
//   key file  {"type":"service_account","project_id","private_key_id",
//              "private_key":"-----BEGIN PRIVATE KEY-----...","client_email",
//              "client_id","token_uri":"https://oauth2.googleapis.com/token",...}
//   assertion JWT, header {"alg":"RS256","typ":"JWT","kid":private_key_id},
//             claims {iss: client_email, scope: "<space-separated scopes>",
//                     aud: token_uri, iat: now, exp: iat + 3600, sub?: user}
//   request   POST token_uri, application/x-www-form-urlencoded:
//             grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=<jwt>
//   reply     200 {"access_token":"ya29...","expires_in":3599,"token_type":"Bearer"}
//             4xx {"error":"invalid_grant","error_description":"Invalid JWT Signature."}
//
// The plugin builds the assertion with make_assertion_claims() and
// sign_assertion() and posts token_request_body() to the key's token_uri (so a
// simulator can stand in for Google's endpoint); the simulator checks what it
// receives with check_assertion_claims(). No I/O, no exceptions.

#include "plugins/gcp_common/jwt.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace helix::gcp {

inline constexpr std::string_view kGoogleTokenUri = "https://oauth2.googleapis.com/token";
inline constexpr std::string_view kCloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform";
inline constexpr std::string_view kJwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";
// Google refuses assertions that live longer than an hour.
inline constexpr std::int64_t kMaxAssertionLifetimeS = 3600;

struct ServiceAccountKey {
    std::string project_id;
    std::string private_key_id;
    std::string private_key; // PEM
    std::string client_email;
    std::string client_id;
    std::string token_uri; // kGoogleTokenUri when the file has none
};

// Parses a key file. Requires "type":"service_account" (when present),
// client_email and private_key; the private key itself is not parsed here
// (see RsaKey::from_private_pem).
std::optional<ServiceAccountKey> parse_service_account_key(std::string_view json_text, std::string &error);
// The key file's JSON (the fields above plus the constant ones Google writes).
std::string service_account_key_json(const ServiceAccountKey &key);

struct AssertionClaims {
    std::string iss;   // client_email
    std::string scope; // space-separated
    std::string aud;   // the token endpoint URL
    std::int64_t iat = 0;
    std::int64_t exp = 0;
    std::optional<std::string> sub; // domain-wide delegation only
};

// iss = key.client_email, aud = key.token_uri, iat = now, exp = now + lifetime.
AssertionClaims make_assertion_claims(const ServiceAccountKey &key, std::string_view scope, std::int64_t now_s,
                                      std::int64_t lifetime_s = kMaxAssertionLifetimeS);
boost::json::object claims_object(const AssertionClaims &claims);
// Reads the claims of a (verified) assertion; error when a required one is
// missing or mistyped.
std::optional<AssertionClaims> assertion_claims(const boost::json::object &claims, std::string &error);

// The signed assertion, kid = key.private_key_id.
std::optional<std::string> sign_assertion(const AssertionClaims &claims, const RsaKey &private_key,
                                          std::string_view key_id, std::string &error);
std::optional<std::string> sign_assertion(const ServiceAccountKey &key, const AssertionClaims &claims,
                                          std::string &error);

// An OAuth2 error reply: {"error": error, "error_description": description}.
struct OAuthError {
    std::string error; // "invalid_grant", "invalid_scope", ...
    std::string description;
};

// What Google's token endpoint checks on a verified assertion: a scope
// (else invalid_scope), aud one of `audiences`, iat no later than
// now + leeway, exp after now - leeway and after iat, exp - iat at most an
// hour (else invalid_grant). nullopt when the claims are good.
std::optional<OAuthError> check_assertion_claims(const AssertionClaims &claims, std::int64_t now_s,
                                                 std::span<const std::string> audiences,
                                                 std::int64_t leeway_s = 300);

// application/x-www-form-urlencoded helpers (RFC 3986 unreserved characters
// kept, everything else %XX; decoding also turns '+' into a space).
std::string form_encode(std::string_view text);
std::optional<std::string> form_decode(std::string_view text);
// Parses a form body; nullopt for a bad %-escape. Repeated names: the first wins.
std::optional<std::map<std::string, std::string, std::less<>>> parse_form(std::string_view body);

// grant_type=...jwt-bearer&assertion=<assertion>
std::string token_request_body(std::string_view assertion);

struct AccessToken {
    std::string access_token;
    std::string token_type; // "Bearer"
    std::int64_t expires_in = 0;
};
// A token endpoint's (or the metadata server's) success reply. expires_in may
// be a number or a numeric string.
std::optional<AccessToken> parse_token_response(std::string_view json_text, std::string &error);

} // namespace helix::gcp
