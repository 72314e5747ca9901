#include "tools/cloudsim/vertex_auth.hpp"

#include "tools/cloudsim/wire_util.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/rand.h>

#include <mutex>
#include <stdexcept>

namespace helix::cloudsim::vertex {

namespace json = boost::json;

namespace {

std::string oauth_error(std::string_view error, std::string_view description) {
    return json::serialize(json::object{{"error", error}, {"error_description", description}});
}

std::string random_secret() {
    std::string secret(32, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char *>(secret.data()), static_cast<int>(secret.size())) != 1)
        throw std::runtime_error("no random bytes for the token secret");
    return secret;
}

bool has_scope(std::string_view scopes, std::string_view wanted) {
    while (!scopes.empty()) {
        const auto space = scopes.find(' ');
        if (scopes.substr(0, space) == wanted) return true;
        if (space == std::string_view::npos) break;
        scopes.remove_prefix(space + 1);
    }
    return false;
}

} // namespace

void TrustedAccounts::add(std::string client_email, std::string key_id, gcp::RsaKey public_key) {
    std::unique_lock lock(mutex_);
    entries_.push_back(Entry{std::move(client_email), std::move(key_id), std::move(public_key)});
}

std::optional<std::string> TrustedAccounts::add_from_text(std::string_view text, std::string &error) {
    const auto start = text.find_first_not_of(" \t\r\n");
    if (start != std::string_view::npos && text[start] == '{') {
        boost::system::error_code ec;
        const json::value doc = json::parse(text, ec);
        const auto *obj = doc.if_object();
        if (ec || !obj) {
            error = "not a JSON object";
            return std::nullopt;
        }
        const auto *email = obj->if_contains("client_email");
        const auto *pem = obj->if_contains("public_key");
        if (!pem) pem = obj->if_contains("private_key");
        if (!email || !email->is_string() || !pem || !pem->is_string()) {
            error = "expected a service-account key file or {\"client_email\",\"public_key\"}";
            return std::nullopt;
        }
        auto key = gcp::RsaKey::from_public_pem(pem->get_string(), error);
        if (!key) return std::nullopt;
        std::string key_id;
        if (const auto *kid = obj->if_contains("private_key_id"); kid && kid->is_string())
            key_id = std::string(kid->get_string());
        std::string account(email->get_string());
        add(account, std::move(key_id), std::move(*key));
        return account;
    }
    auto key = gcp::RsaKey::from_public_pem(text, error);
    if (!key) return std::nullopt;
    add({}, {}, std::move(*key));
    return std::string();
}

std::optional<gcp::AssertionClaims> TrustedAccounts::verify(std::string_view assertion, gcp::OAuthError &error) const {
    std::string problem;
    const auto jwt = gcp::decode_jwt(assertion, problem);
    if (!jwt) {
        error = {"invalid_grant", "Invalid JWT: " + problem};
        return std::nullopt;
    }
    const auto iss = gcp::string_claim(jwt->claims, "iss");
    if (!iss) {
        error = {"invalid_grant", "Invalid JWT: the claim iss is missing."};
        return std::nullopt;
    }
    const auto kid = gcp::string_claim(jwt->header, "kid");
    bool known_account = false;
    bool verified = false;
    {
        std::shared_lock lock(mutex_);
        for (const auto &entry : entries_) {
            if (!entry.email.empty() && entry.email != *iss) continue;
            known_account = true;
            if (kid && !entry.key_id.empty() && entry.key_id != *kid) continue;
            if (gcp::verify_jwt_rs256(assertion, entry.key, problem)) {
                verified = true;
                break;
            }
        }
    }
    if (!known_account) {
        error = {"invalid_grant", "Invalid grant: account not found"};
        return std::nullopt;
    }
    if (!verified) {
        error = {"invalid_grant", "Invalid JWT Signature."};
        return std::nullopt;
    }
    auto claims = gcp::assertion_claims(jwt->claims, problem);
    if (!claims) error = {"invalid_grant", problem};
    return claims;
}

std::size_t TrustedAccounts::size() const {
    std::shared_lock lock(mutex_);
    return entries_.size();
}

AccessTokens::AccessTokens(std::int64_t ttl_s) : AccessTokens(ttl_s, random_secret()) {}

AccessTokens::AccessTokens(std::int64_t ttl_s, std::string secret) : ttl_s_(ttl_s), secret_(std::move(secret)) {}

std::string AccessTokens::secret() const {
    std::shared_lock lock(mutex_);
    return secret_;
}

void AccessTokens::revoke_all() {
    std::string fresh = random_secret();
    std::unique_lock lock(mutex_);
    secret_ = std::move(fresh);
}

std::string AccessTokens::issue(std::string_view account, std::string_view scope, std::int64_t now_s) const {
    json::object claims{{"sub", account},
                        {"scope", scope},
                        {"iat", now_s},
                        {"exp", now_s + ttl_s_},
                        {"jti", random_id("", 16)}};
    return std::string(kAccessTokenPrefix) + gcp::sign_jwt_hs256(claims, secret());
}

AccessTokens::Check AccessTokens::check(std::string_view token, std::int64_t now_s) const {
    if (!token.starts_with(kAccessTokenPrefix)) return Check::malformed;
    std::string error;
    const auto jwt = gcp::verify_jwt_hs256(token.substr(kAccessTokenPrefix.size()), secret(), error);
    if (!jwt) return Check::malformed;
    const auto exp = gcp::int_claim(jwt->claims, "exp");
    if (!exp) return Check::malformed;
    if (now_s >= *exp) return Check::expired;
    if (!has_scope(gcp::string_claim(jwt->claims, "scope").value_or(""), gcp::kCloudPlatformScope))
        return Check::insufficient_scope;
    return Check::ok;
}

HttpReply token_endpoint(std::string_view form_body, const TrustedAccounts &accounts, const AccessTokens &tokens,
                         std::span<const std::string> audiences, std::int64_t now_s) {
    const auto form = gcp::parse_form(form_body);
    if (!form) return {400, oauth_error("invalid_request", "Invalid request body: not application/x-www-form-urlencoded.")};
    const auto grant = form->find("grant_type");
    if (grant == form->end() || grant->second != gcp::kJwtBearerGrantType)
        return {400, oauth_error("unsupported_grant_type",
                                 "Invalid grant_type: " + (grant == form->end() ? std::string() : grant->second))};
    const auto assertion = form->find("assertion");
    if (assertion == form->end() || assertion->second.empty())
        return {400, oauth_error("invalid_request", "Missing required parameter: assertion")};
    gcp::OAuthError error;
    const auto claims = accounts.verify(assertion->second, error);
    if (!claims) return {400, oauth_error(error.error, error.description)};
    if (const auto bad = gcp::check_assertion_claims(*claims, now_s, audiences))
        return {400, oauth_error(bad->error, bad->description)};
    json::object reply{{"access_token", tokens.issue(claims->sub.value_or(claims->iss), claims->scope, now_s)},
                       {"expires_in", tokens.ttl_s()},
                       {"token_type", "Bearer"}};
    return {200, json::serialize(reply)};
}

HttpReply metadata_token(const AccessTokens &tokens, std::string_view account_email, std::string_view scopes,
                         std::int64_t now_s) {
    std::string scope(gcp::kCloudPlatformScope);
    if (!scopes.empty()) {
        const auto decoded = gcp::form_decode(scopes);
        if (!decoded) return {400, "malformed scopes parameter"};
        scope = *decoded;
        for (char &c : scope) {
            if (c == ',') c = ' ';
        }
    }
    json::object reply{{"access_token", tokens.issue(account_email, scope, now_s)},
                       {"expires_in", tokens.ttl_s()},
                       {"token_type", "Bearer"}};
    return {200, json::serialize(reply)};
}

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        if (pair.substr(0, eq) == name)
            return gcp::form_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

} // namespace helix::cloudsim::vertex
