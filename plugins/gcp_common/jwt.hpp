#pragma once
// JSON Web Tokens (RFC 7519) in compact JWS form (RFC 7515):
//   base64url(header JSON) "." base64url(claims JSON) "." base64url(signature)
// signed RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 3.3) or HS256
// (HMAC-SHA-256). For the gcp_vertex plugin, which signs the OAuth2
// JWT-bearer assertion of a service account, and for the Vertex AI simulator,
// which verifies such assertions and mints its own HS256 access tokens.
//
// No I/O and no exceptions: failures return nullopt / false with a reason in
// `error`. Thread-safe: RsaKey is immutable after construction and may be
// shared by threads (OpenSSL 3 EVP_PKEY objects are safe for concurrent
// signing and verification); every function is reentrant.

#include <boost/json/object.hpp>
#include <openssl/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace helix::gcp {

// base64url without padding (RFC 4648 section 5), as JWTs use it.
std::string base64url_encode(std::string_view bytes);
// Decodes base64url; accepts missing or present '=' padding. nullopt for any
// other character or an impossible length.
std::optional<std::string> base64url_decode(std::string_view text);

// An RSA key: a private key (which also has its public half) or a public key.
class RsaKey {
public:
    // PEM "PRIVATE KEY" (PKCS#8, what service-account key files hold) or
    // "RSA PRIVATE KEY" (PKCS#1).
    static std::optional<RsaKey> from_private_pem(std::string_view pem, std::string &error);
    // PEM "PUBLIC KEY" (SubjectPublicKeyInfo), "RSA PUBLIC KEY" (PKCS#1) or a
    // "CERTIFICATE" (Google publishes service-account keys as X.509
    // certificates); also accepts a private key PEM and uses its public half.
    static std::optional<RsaKey> from_public_pem(std::string_view pem, std::string &error);
    // A new random key (tests and the simulator; never a real credential).
    static std::optional<RsaKey> generate(int bits, std::string &error);

    bool has_private() const { return private_; }
    int bits() const;
    // PEM "PRIVATE KEY" (PKCS#8); empty for a public key.
    std::string private_pem() const;
    // PEM "PUBLIC KEY" (SubjectPublicKeyInfo).
    std::string public_pem() const;

    EVP_PKEY *native() const { return key_.get(); }

private:
    RsaKey(std::shared_ptr<EVP_PKEY> key, bool is_private) : key_(std::move(key)), private_(is_private) {}
    std::shared_ptr<EVP_PKEY> key_;
    bool private_ = false;
};

// Raw RSASSA-PKCS1-v1_5 SHA-256 signature of `data`.
std::optional<std::string> rs256_sign(std::string_view data, const RsaKey &key, std::string &error);
bool rs256_verify(std::string_view data, std::string_view signature, const RsaKey &key);
// Raw HMAC-SHA-256 of `data` under `secret` (32 bytes).
std::string hmac_sha256(std::string_view secret, std::string_view data);

// A decoded (not necessarily verified) JWT.
struct Jwt {
    boost::json::object header;
    boost::json::object claims;
    std::string signing_input; // "<header b64>.<claims b64>", what the signature covers
    std::string signature;     // raw bytes
};

// Splits and decodes a compact JWS: three base64url parts, the first two JSON
// objects. Checks nothing else.
std::optional<Jwt> decode_jwt(std::string_view token, std::string &error);

// Signs `claims` with header {"alg":"RS256","typ":"JWT"[,"kid":key_id]}
// (kid omitted when `key_id` is empty). `key` must be a private key.
std::optional<std::string> sign_jwt_rs256(const boost::json::object &claims, const RsaKey &key,
                                          std::string_view key_id, std::string &error);
// Decodes `token` and checks that its header says alg RS256 and that the
// signature verifies under `key`. Claims (times, audience) are the caller's
// business.
std::optional<Jwt> verify_jwt_rs256(std::string_view token, const RsaKey &key, std::string &error);

std::string sign_jwt_hs256(const boost::json::object &claims, std::string_view secret);
std::optional<Jwt> verify_jwt_hs256(std::string_view token, std::string_view secret, std::string &error);

// A claim as a string / an integer (a JSON integer, or a whole double such as 1.7e9).
std::optional<std::string_view> string_claim(const boost::json::object &claims, std::string_view name);
std::optional<std::int64_t> int_claim(const boost::json::object &claims, std::string_view name);

} // namespace helix::gcp
