#define BOOST_TEST_MODULE gcp_common_jwt
#include <boost/test/unit_test.hpp>

#include "plugins/gcp_common/jwt.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

using namespace helix::gcp;
namespace json = boost::json;

namespace {

// One 2048-bit key for the whole test program (generation takes a moment).
const RsaKey &test_key() {
    static const RsaKey key = [] {
        std::string error;
        auto k = RsaKey::generate(2048, error);
        BOOST_TEST_REQUIRE(k.has_value(), error);
        return *k;
    }();
    return key;
}

const RsaKey &other_key() {
    static const RsaKey key = [] {
        std::string error;
        auto k = RsaKey::generate(2048, error);
        BOOST_TEST_REQUIRE(k.has_value(), error);
        return *k;
    }();
    return key;
}

std::string replace_part(const std::string &token, int index, const std::string &part) {
    const auto a = token.find('.');
    const auto b = token.find('.', a + 1);
    if (index == 0) return part + token.substr(a);
    if (index == 1) return token.substr(0, a + 1) + part + token.substr(b);
    return token.substr(0, b + 1) + part;
}

} // namespace

BOOST_AUTO_TEST_CASE(base64url_rfc4648_vectors) {
    const std::pair<std::string, std::string> vectors[] = {
        {"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"},
        {"foobar", "Zm9vYmFy"}, {std::string("\xfb\xff\xbf", 3), "-_-_"}, {std::string("\0\x01", 2), "AAE"}};
    for (const auto &[plain, encoded] : vectors) {
        BOOST_TEST(base64url_encode(plain) == encoded);
        const auto back = base64url_decode(encoded);
        BOOST_TEST_REQUIRE(back.has_value());
        BOOST_TEST(*back == plain);
    }
    BOOST_TEST(base64url_decode("Zm8=").value_or("x") == "fo"); // padding tolerated
    BOOST_TEST(!base64url_decode("Zm+v").has_value());           // standard alphabet refused
    BOOST_TEST(!base64url_decode("Z").has_value());              // impossible length
    BOOST_TEST(!base64url_decode("Zh").has_value());             // non-zero leftover bits
}

BOOST_AUTO_TEST_CASE(hs256_rfc7515_appendix_a1) {
    // RFC 7515 A.1: the HMAC key (JWK "k") and the resulting JWS.
    const auto secret = base64url_decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow");
    BOOST_TEST_REQUIRE(secret.has_value());
    const std::string token =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
        "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ."
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    std::string error;
    const auto jwt = verify_jwt_hs256(token, *secret, error);
    BOOST_TEST_REQUIRE(jwt.has_value(), error);
    BOOST_TEST(string_claim(jwt->claims, "iss").value_or("") == "joe");
    BOOST_TEST(int_claim(jwt->claims, "exp").value_or(0) == 1300819380);
    BOOST_TEST(!verify_jwt_hs256(token, "another secret", error).has_value());
    BOOST_TEST(!verify_jwt_hs256(token.substr(0, token.size() - 2) + "AA", *secret, error).has_value());
}

BOOST_AUTO_TEST_CASE(hs256_round_trip) {
    const json::object claims{{"sub", "x"}, {"exp", 5}};
    const auto token = sign_jwt_hs256(claims, "k");
    std::string error;
    const auto jwt = verify_jwt_hs256(token, "k", error);
    BOOST_TEST_REQUIRE(jwt.has_value(), error);
    BOOST_TEST(json::serialize(jwt->claims) == json::serialize(claims));
    BOOST_TEST(string_claim(jwt->header, "alg").value_or("") == "HS256");
    // An RS256 verifier refuses an HS256 token (no algorithm confusion).
    BOOST_TEST(!verify_jwt_rs256(token, test_key(), error).has_value());
    BOOST_TEST(error.find("alg") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(rs256_sign_and_verify) {
    const json::object claims{{"iss", "sa@p.iam.gserviceaccount.com"}, {"iat", 1700000000}, {"exp", 1700003600}};
    std::string error;
    const auto token = sign_jwt_rs256(claims, test_key(), "kid-1", error);
    BOOST_TEST_REQUIRE(token.has_value(), error);

    const auto jwt = verify_jwt_rs256(*token, test_key(), error);
    BOOST_TEST_REQUIRE(jwt.has_value(), error);
    BOOST_TEST(string_claim(jwt->header, "alg").value_or("") == "RS256");
    BOOST_TEST(string_claim(jwt->header, "typ").value_or("") == "JWT");
    BOOST_TEST(string_claim(jwt->header, "kid").value_or("") == "kid-1");
    BOOST_TEST(jwt->signature.size() == 256U); // 2048-bit modulus
    BOOST_TEST(int_claim(jwt->claims, "exp").value_or(0) == 1700003600);

    // Verification with the public half alone.
    const auto pub = RsaKey::from_public_pem(test_key().public_pem(), error);
    BOOST_TEST_REQUIRE(pub.has_value(), error);
    BOOST_TEST(!pub->has_private());
    BOOST_TEST(verify_jwt_rs256(*token, *pub, error).has_value());

    // Another key, altered claims, an altered signature: refused.
    BOOST_TEST(!verify_jwt_rs256(*token, other_key(), error).has_value());
    const std::string forged_claims = base64url_encode(R"({"iss":"evil","iat":1700000000,"exp":1700003600})");
    BOOST_TEST(!verify_jwt_rs256(replace_part(*token, 1, forged_claims), test_key(), error).has_value());
    std::string sig = *base64url_decode(token->substr(token->rfind('.') + 1));
    sig[10] = static_cast<char>(sig[10] ^ 1);
    BOOST_TEST(!verify_jwt_rs256(replace_part(*token, 2, base64url_encode(sig)), test_key(), error).has_value());

    // alg "none" is never accepted.
    const std::string none = base64url_encode(R"({"alg":"none"})") + "." + base64url_encode("{}") + ".";
    BOOST_TEST(!verify_jwt_rs256(none, test_key(), error).has_value());

    // A public key cannot sign.
    BOOST_TEST(!sign_jwt_rs256(claims, *pub, "", error).has_value());
}

BOOST_AUTO_TEST_CASE(pem_forms) {
    std::string error;
    const std::string pkcs8 = test_key().private_pem();
    BOOST_TEST(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----"));
    const auto again = RsaKey::from_private_pem(pkcs8, error);
    BOOST_TEST_REQUIRE(again.has_value(), error);
    BOOST_TEST(again->has_private());
    BOOST_TEST(again->bits() == 2048);
    BOOST_TEST(again->public_pem() == test_key().public_pem());

    // PKCS#1 "RSA PUBLIC KEY".
    OSSL_ENCODER_CTX *enc = OSSL_ENCODER_CTX_new_for_pkey(test_key().native(), OSSL_KEYMGMT_SELECT_PUBLIC_KEY, "PEM",
                                                          "type-specific", nullptr);
    BOOST_TEST_REQUIRE(enc != nullptr);
    unsigned char *data = nullptr;
    std::size_t length = 0;
    BOOST_TEST_REQUIRE(OSSL_ENCODER_to_data(enc, &data, &length) == 1);
    OSSL_ENCODER_CTX_free(enc);
    const std::string pkcs1(reinterpret_cast<const char *>(data), length);
    OPENSSL_free(data);
    BOOST_TEST(pkcs1.starts_with("-----BEGIN RSA PUBLIC KEY-----"));
    const auto from_pkcs1 = RsaKey::from_public_pem(pkcs1, error);
    BOOST_TEST_REQUIRE(from_pkcs1.has_value(), error);
    BOOST_TEST(from_pkcs1->public_pem() == test_key().public_pem());

    // A self-signed X.509 certificate (how Google publishes public keys).
    X509 *cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
    X509_set_pubkey(cert, test_key().native());
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("sim"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    BOOST_TEST_REQUIRE(X509_sign(cert, test_key().native(), EVP_sha256()) > 0);
    BIO *bio = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(bio, cert);
    char *pem = nullptr;
    const long pem_length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, static_cast<void *>(&pem));
    const std::string cert_pem(pem, static_cast<std::size_t>(pem_length));
    BIO_free(bio);
    X509_free(cert);
    const auto from_cert = RsaKey::from_public_pem(cert_pem, error);
    BOOST_TEST_REQUIRE(from_cert.has_value(), error);
    BOOST_TEST(from_cert->public_pem() == test_key().public_pem());

    // A private key PEM given as the public key: its public half.
    const auto from_private = RsaKey::from_public_pem(pkcs8, error);
    BOOST_TEST_REQUIRE(from_private.has_value(), error);
    BOOST_TEST(!from_private->has_private());

    BOOST_TEST(!RsaKey::from_private_pem("not a key", error).has_value());
    BOOST_TEST(!error.empty());
    BOOST_TEST(!RsaKey::from_public_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", error).has_value());
    // An EC key is not an RSA key.
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    BOOST_TEST_REQUIRE(ec != nullptr);
    BIO *ec_bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(ec_bio, ec, nullptr, nullptr, 0, nullptr, nullptr);
    char *ec_pem = nullptr;
    const long ec_length = BIO_ctrl(ec_bio, BIO_CTRL_INFO, 0, static_cast<void *>(&ec_pem));
    const std::string ec_text(ec_pem, static_cast<std::size_t>(ec_length));
    BIO_free(ec_bio);
    EVP_PKEY_free(ec);
    BOOST_TEST(!RsaKey::from_private_pem(ec_text, error).has_value());
    BOOST_TEST(error.find("RSA") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(decode_rejects_malformed_tokens) {
    std::string error;
    BOOST_TEST(!decode_jwt("a.b", error).has_value());
    BOOST_TEST(!decode_jwt("a.b.c.d", error).has_value());
    BOOST_TEST(!decode_jwt("!!.e30.", error).has_value());
    BOOST_TEST(!decode_jwt(base64url_encode("[]") + ".e30.", error).has_value());
    BOOST_TEST(!decode_jwt("e30." + base64url_encode("nope") + ".", error).has_value());
    const auto ok = decode_jwt("e30.e30.", error);
    BOOST_TEST_REQUIRE(ok.has_value(), error);
    BOOST_TEST(ok->signature.empty());
    BOOST_TEST(ok->signing_input == "e30.e30");
}

BOOST_AUTO_TEST_CASE(claims_accessors) {
    const auto claims = json::parse(R"({"a":"s","n":7,"u":18446744073709551615,"d":1.7e9,"f":1.5})").as_object();
    BOOST_TEST(string_claim(claims, "a").value_or("") == "s");
    BOOST_TEST(!string_claim(claims, "n").has_value());
    BOOST_TEST(int_claim(claims, "n").value_or(0) == 7);
    BOOST_TEST(!int_claim(claims, "u").has_value());
    BOOST_TEST(int_claim(claims, "d").value_or(0) == 1700000000);
    BOOST_TEST(!int_claim(claims, "f").has_value());
    BOOST_TEST(!int_claim(claims, "missing").has_value());
}
