#pragma once
// Vertex AI's credentials, simulated (docs/providers.md, gcp-vertex), without I/O:
// * TrustedAccounts: the service accounts whose RS256 JWT-bearer assertions
//   the token endpoint (POST /token) accepts, by public key;
// * AccessTokens: the bearer tokens the simulator mints (token endpoint and
//   metadata server) and checks on every API call: "ya29.sim." followed by
//   an HS256 JWT {sub, scope, iat, exp} under a random per-process secret,
//   so any token expires after the configured lifetime and a forged or
//   foreign token is refused;
// * the token endpoint's and the metadata server's answers.

#include "plugins/gcp_common/service_account.hpp"

#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace helix::cloudsim::vertex {

inline constexpr std::string_view kAccessTokenPrefix = "ya29.sim.";

class TrustedAccounts {
public:
    // Trusts `public_key` for assertions whose iss is `client_email` (empty:
    // any iss) and, when the assertion names one, whose kid is `key_id`
    // (empty: any kid).
    void add(std::string client_email, std::string key_id, gcp::RsaKey public_key);
    // Trusts what `text` holds: a service-account key file (its client_email,
    // private_key_id and the public half of its private_key), a JSON object
    // {"client_email","public_key"[,"private_key_id"]}, or a PEM public key or
    // certificate (any iss). Returns the account's email (may be empty), or
    // nullopt with `error` set.
    std::optional<std::string> add_from_text(std::string_view text, std::string &error);
    // The claims of `assertion` when its signature verifies under a key trusted
    // for its iss; else nullopt and the OAuth error to answer with.
    std::optional<gcp::AssertionClaims> verify(std::string_view assertion, gcp::OAuthError &error) const;
    std::size_t size() const;

private:
    struct Entry {
        std::string email;
        std::string key_id;
        gcp::RsaKey key;
    };
    mutable std::shared_mutex mutex_;
    std::vector<Entry> entries_;
};

class AccessTokens {
public:
    explicit AccessTokens(std::int64_t ttl_s); // a random secret
    AccessTokens(std::int64_t ttl_s, std::string secret);

    std::int64_t ttl_s() const { return ttl_s_; }
    std::string issue(std::string_view account, std::string_view scope, std::int64_t now_s) const;
    // Every token issued so far stops being valid (a new secret), as when
    // Google revokes a credential: the next call with one gets a 401.
    void revoke_all();

    enum class Check { ok, malformed, expired, insufficient_scope };
    // Valid, unexpired and carrying the cloud-platform scope.
    Check check(std::string_view token, std::int64_t now_s) const;

private:
    std::string secret() const;

    std::int64_t ttl_s_;
    mutable std::shared_mutex mutex_;
    std::string secret_;
};

struct HttpReply {
    int status = 200;
    std::string body;
};

// POST /token (application/x-www-form-urlencoded): the JWT-bearer grant.
// 200 {"access_token","expires_in","token_type":"Bearer"}; 400
// {"error":"unsupported_grant_type"|"invalid_request"|"invalid_grant"|"invalid_scope","error_description"}.
// `audiences`: the token URLs an assertion's aud may name.
HttpReply token_endpoint(std::string_view form_body, const TrustedAccounts &accounts, const AccessTokens &tokens,
                         std::span<const std::string> audiences, std::int64_t now_s);

// GET .../service-accounts/{account}/token[?scopes=a,b] on the metadata
// server: a token for `account_email` with the requested scopes (default
// cloud-platform). `scopes` is the raw (still %-encoded) query value.
HttpReply metadata_token(const AccessTokens &tokens, std::string_view account_email, std::string_view scopes,
                         std::int64_t now_s);

// The value of `name` in a raw query string ("a=1&b=2"), %-decoded.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

} // namespace helix::cloudsim::vertex
