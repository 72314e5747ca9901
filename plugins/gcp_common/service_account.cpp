#include "plugins/gcp_common/service_account.hpp"

#include "plugins/common/percent_encoding.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <charconv>

namespace helix::gcp {

namespace json = boost::json;

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> string_field(const json::object &obj, std::string_view name, bool required,
                                        std::string &error) {
    const auto *v = obj.if_contains(name);
    if (!v || v->is_null()) {
        if (required) error = "the service-account key has no \"" + std::string(name) + "\"";
        return required ? std::nullopt : std::optional<std::string>(std::string());
    }
    if (!v->is_string()) {
        error = "the service-account key's \"" + std::string(name) + "\" is not a string";
        return std::nullopt;
    }
    return std::string(v->get_string());
}

} // namespace

std::optional<ServiceAccountKey> parse_service_account_key(std::string_view json_text, std::string &error) {
    boost::system::error_code ec;
    const json::value doc = json::parse(json_text, ec);
    if (ec || !doc.is_object()) {
        error = "the service-account key is not a JSON object";
        return std::nullopt;
    }
    const auto &obj = doc.get_object();
    const auto type = string_field(obj, "type", false, error);
    if (!type) return std::nullopt;
    if (!type->empty() && *type != "service_account") {
        error = "the credentials file is of type \"" + *type + "\", not \"service_account\"";
        return std::nullopt;
    }
    ServiceAccountKey key;
    const auto email = string_field(obj, "client_email", true, error);
    const auto pem = email ? string_field(obj, "private_key", true, error) : std::nullopt;
    const auto key_id = pem ? string_field(obj, "private_key_id", false, error) : std::nullopt;
    const auto project = key_id ? string_field(obj, "project_id", false, error) : std::nullopt;
    const auto client_id = project ? string_field(obj, "client_id", false, error) : std::nullopt;
    const auto token_uri = client_id ? string_field(obj, "token_uri", false, error) : std::nullopt;
    if (!token_uri) return std::nullopt;
    if (email->empty() || pem->empty()) {
        error = "the service-account key has an empty client_email or private_key";
        return std::nullopt;
    }
    key.client_email = *email;
    key.private_key = *pem;
    key.private_key_id = *key_id;
    key.project_id = *project;
    key.client_id = *client_id;
    key.token_uri = token_uri->empty() ? std::string(kGoogleTokenUri) : *token_uri;
    return key;
}

std::string service_account_key_json(const ServiceAccountKey &key) {
    json::object obj;
    obj["type"] = "service_account";
    obj["project_id"] = key.project_id;
    obj["private_key_id"] = key.private_key_id;
    obj["private_key"] = key.private_key;
    obj["client_email"] = key.client_email;
    obj["client_id"] = key.client_id;
    obj["auth_uri"] = "https://accounts.google.com/o/oauth2/auth";
    obj["token_uri"] = key.token_uri;
    obj["auth_provider_x509_cert_url"] = "https://www.googleapis.com/oauth2/v1/certs";
    obj["client_x509_cert_url"] = "https://www.googleapis.com/robot/v1/metadata/x509/" + form_encode(key.client_email);
    obj["universe_domain"] = "googleapis.com";
    return json::serialize(obj);
}

AssertionClaims make_assertion_claims(const ServiceAccountKey &key, std::string_view scope, std::int64_t now_s,
                                      std::int64_t lifetime_s) {
    AssertionClaims c;
    c.iss = key.client_email;
    c.scope = std::string(scope);
    c.aud = key.token_uri;
    c.iat = now_s;
    c.exp = now_s + lifetime_s;
    return c;
}

json::object claims_object(const AssertionClaims &claims) {
    json::object obj;
    obj["iss"] = claims.iss;
    obj["scope"] = claims.scope;
    obj["aud"] = claims.aud;
    obj["exp"] = claims.exp;
    obj["iat"] = claims.iat;
    if (claims.sub) obj["sub"] = *claims.sub;
    return obj;
}

std::optional<AssertionClaims> assertion_claims(const json::object &claims, std::string &error) {
    AssertionClaims c;
    const auto iss = string_claim(claims, "iss");
    const auto aud = string_claim(claims, "aud");
    const auto iat = int_claim(claims, "iat");
    const auto exp = int_claim(claims, "exp");
    if (!iss || !aud || !iat || !exp) {
        error = std::string("Invalid JWT: the claim ") + (!iss ? "iss" : !aud ? "aud" : !iat ? "iat" : "exp") +
                " is missing or not of the right type.";
        return std::nullopt;
    }
    c.iss = std::string(*iss);
    c.aud = std::string(*aud);
    c.iat = *iat;
    c.exp = *exp;
    if (const auto scope = string_claim(claims, "scope")) c.scope = std::string(*scope);
    if (const auto sub = string_claim(claims, "sub")) c.sub = std::string(*sub);
    return c;
}

std::optional<std::string> sign_assertion(const AssertionClaims &claims, const RsaKey &private_key,
                                          std::string_view key_id, std::string &error) {
    return sign_jwt_rs256(claims_object(claims), private_key, key_id, error);
}

std::optional<std::string> sign_assertion(const ServiceAccountKey &key, const AssertionClaims &claims,
                                          std::string &error) {
    const auto private_key = RsaKey::from_private_pem(key.private_key, error);
    if (!private_key) return std::nullopt;
    return sign_assertion(claims, *private_key, key.private_key_id, error);
}

std::optional<OAuthError> check_assertion_claims(const AssertionClaims &claims, std::int64_t now_s,
                                                 std::span<const std::string> audiences, std::int64_t leeway_s) {
    if (claims.scope.empty()) return OAuthError{"invalid_scope", "Invalid OAuth scope or ID token audience provided."};
    if (std::find(audiences.begin(), audiences.end(), claims.aud) == audiences.end())
        return OAuthError{"invalid_grant", "Invalid JWT: Failed audience check. The right audience is " +
                                               (audiences.empty() ? std::string(kGoogleTokenUri) : audiences.front())};
    if (claims.iat > now_s + leeway_s || claims.exp <= now_s - leeway_s || claims.exp <= claims.iat ||
        claims.exp - claims.iat > kMaxAssertionLifetimeS)
        return OAuthError{"invalid_grant",
                          "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
                          "Check your iat and exp values in the JWT claim."};
    return std::nullopt;
}

std::string form_encode(std::string_view text) { return helix::plugin_common::percent_encode(text); }

std::optional<std::string> form_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%') {
            if (i + 2 >= text.size()) return std::nullopt;
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) return std::nullopt;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::optional<std::map<std::string, std::string, std::less<>>> parse_form(std::string_view body) {
    std::map<std::string, std::string, std::less<>> out;
    while (!body.empty()) {
        const auto amp = body.find('&');
        const std::string_view pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        auto name = form_decode(pair.substr(0, eq));
        auto value = form_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
        if (!name || !value) return std::nullopt;
        out.emplace(std::move(*name), std::move(*value));
    }
    return out;
}

std::string token_request_body(std::string_view assertion) {
    return "grant_type=" + form_encode(kJwtBearerGrantType) + "&assertion=" + form_encode(assertion);
}

std::optional<AccessToken> parse_token_response(std::string_view json_text, std::string &error) {
    boost::system::error_code ec;
    const json::value doc = json::parse(json_text, ec);
    if (ec || !doc.is_object()) {
        error = "the token response is not a JSON object";
        return std::nullopt;
    }
    const auto &obj = doc.get_object();
    AccessToken token;
    const auto access = string_claim(obj, "access_token");
    if (!access || access->empty()) {
        error = "the token response has no access_token";
        return std::nullopt;
    }
    token.access_token = std::string(*access);
    token.token_type = std::string(string_claim(obj, "token_type").value_or("Bearer"));
    if (const auto n = int_claim(obj, "expires_in")) {
        token.expires_in = *n;
    } else if (const auto s = string_claim(obj, "expires_in")) {
        std::int64_t v = 0;
        const auto [end, err] = std::from_chars(s->data(), s->data() + s->size(), v);
        if (err != std::errc() || end != s->data() + s->size()) {
            error = "the token response's expires_in is not a number";
            return std::nullopt;
        }
        token.expires_in = v;
    } else {
        error = "the token response has no expires_in";
        return std::nullopt;
    }
    if (token.expires_in < 0) {
        error = "the token response's expires_in is negative";
        return std::nullopt;
    }
    return token;
}

} // namespace helix::gcp
