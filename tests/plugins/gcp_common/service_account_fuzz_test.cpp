// Fuzz target for the Google credential parsers (libFuzzer with HELIX_FUZZ=ON;
// corpus/service_account_fuzz replays in every build): what comes from a key
// file or a token endpoint. Byte 0 picks the parser, the rest is its input:
//   0  a service-account key file: parsed keys serialise and parse back to
//      the same key; the private key PEM goes to OpenSSL as the plugin does;
//   1  a token endpoint's reply: a token has an access_token and expires_in >= 0;
//   2  a form body and form/base64url coding: decode(encode(x)) == x;
//   3  a JWT: a decoded one's signing input is the token's first two parts.
// Every failure comes with an error message; nothing crashes or over-reads.
#include "plugins/gcp_common/jwt.hpp"
#include "plugins/gcp_common/service_account.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

bool same(const helix::gcp::ServiceAccountKey &a, const helix::gcp::ServiceAccountKey &b) {
    return a.project_id == b.project_id && a.private_key_id == b.private_key_id && a.private_key == b.private_key &&
           a.client_email == b.client_email && a.client_id == b.client_id && a.token_uri == b.token_uri;
}

void key_file(std::string_view text) {
    std::string error;
    const auto key = helix::gcp::parse_service_account_key(text, error);
    if (!key) {
        check(!error.empty());
        return;
    }
    check(!key->client_email.empty() && !key->private_key.empty() && !key->token_uri.empty());
    std::string again_error;
    const auto again = helix::gcp::parse_service_account_key(helix::gcp::service_account_key_json(*key), again_error);
    check(again && same(*key, *again));
    std::string pem_error;
    if (!helix::gcp::RsaKey::from_private_pem(key->private_key, pem_error)) check(!pem_error.empty());
}

void token_reply(std::string_view text) {
    std::string error;
    const auto token = helix::gcp::parse_token_response(text, error);
    if (!token) {
        check(!error.empty());
        return;
    }
    check(!token->access_token.empty() && token->expires_in >= 0);
}

void codings(std::string_view text) {
    (void)helix::gcp::parse_form(text);
    const auto decoded = helix::gcp::form_decode(helix::gcp::form_encode(text));
    check(decoded && *decoded == text);
    const auto bytes = helix::gcp::base64url_decode(helix::gcp::base64url_encode(text));
    check(bytes && *bytes == text);
    if (const auto raw = helix::gcp::base64url_decode(text))
        check(helix::gcp::base64url_decode(helix::gcp::base64url_encode(*raw)) == raw);
}

void jwt(std::string_view text) {
    std::string error;
    const auto token = helix::gcp::decode_jwt(text, error);
    if (!token) {
        check(!error.empty());
        return;
    }
    const std::size_t second_dot = text.rfind('.');
    check(second_dot != std::string_view::npos && text.substr(0, second_dot) == token->signing_input);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
    if (size < 1) return 0;
    const std::string_view text(reinterpret_cast<const char *>(data + 1), size - 1);
    switch (data[0] & 3u) {
    case 0:
        key_file(text);
        break;
    case 1:
        token_reply(text);
        break;
    case 2:
        codings(text);
        break;
    default:
        jwt(text);
        break;
    }
    return 0;
}
