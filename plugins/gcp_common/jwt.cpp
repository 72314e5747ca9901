#include "plugins/gcp_common/jwt.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <cmath>
#include <limits>
#include <utility>

namespace helix::gcp {

namespace json = boost::json;

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

struct BioFree {
    void operator()(BIO *b) const { BIO_free(b); }
};
struct CtxFree {
    void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};
struct PkeyCtxFree {
    void operator()(EVP_PKEY_CTX *c) const { EVP_PKEY_CTX_free(c); }
};
struct DecoderFree {
    void operator()(OSSL_DECODER_CTX *c) const { OSSL_DECODER_CTX_free(c); }
};
struct X509Free {
    void operator()(X509 *x) const { X509_free(x); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

std::shared_ptr<EVP_PKEY> own(EVP_PKEY *key) { return {key, [](EVP_PKEY *k) { EVP_PKEY_free(k); }}; }

// The reason of the last OpenSSL error (and clears the queue).
std::string openssl_error(std::string_view what) {
    std::string out(what);
    const unsigned long code = ERR_get_error();
    if (code != 0) {
        std::array<char, 256> buf{};
        ERR_error_string_n(code, buf.data(), buf.size());
        out += ": ";
        out += buf.data();
    }
    ERR_clear_error();
    return out;
}

Bio memory_bio(std::string_view text) {
    if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return nullptr;
    return Bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string bio_text(BIO *bio) {
    char *data = nullptr;
    const long n = BIO_ctrl(bio, BIO_CTRL_INFO, 0, static_cast<void *>(&data));
    if (n <= 0 || data == nullptr) return {};
    return std::string(data, static_cast<std::size_t>(n));
}

bool is_rsa(EVP_PKEY *key) { return EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA; }

std::string header_json(std::string_view alg, std::string_view key_id) {
    json::object header;
    header["alg"] = alg;
    header["typ"] = "JWT";
    if (!key_id.empty()) header["kid"] = key_id;
    return json::serialize(header);
}

std::string signing_input_of(std::string_view header_text, const json::object &claims) {
    return base64url_encode(header_text) + "." + base64url_encode(json::serialize(claims));
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::optional<Jwt> decoded_with_alg(std::string_view token, std::string_view alg, std::string &error) {
    auto jwt = decode_jwt(token, error);
    if (!jwt) return std::nullopt;
    const auto header_alg = string_claim(jwt->header, "alg");
    if (!header_alg || *header_alg != alg) {
        error = "JWT header alg is " + (header_alg ? "'" + std::string(*header_alg) + "'" : std::string("missing")) +
                ", expected " + std::string(alg);
        return std::nullopt;
    }
    return jwt;
}

} // namespace

std::string base64url_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k])); };
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t v = (byte(i) << 16U) | (byte(i + 1) << 8U) | byte(i + 2);
        out.push_back(kAlphabet[(v >> 18U) & 63U]);
        out.push_back(kAlphabet[(v >> 12U) & 63U]);
        out.push_back(kAlphabet[(v >> 6U) & 63U]);
        out.push_back(kAlphabet[v & 63U]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t v = byte(i) << 16U;
        out.push_back(kAlphabet[(v >> 18U) & 63U]);
        out.push_back(kAlphabet[(v >> 12U) & 63U]);
    } else if (rest == 2) {
        const std::uint32_t v = (byte(i) << 16U) | (byte(i + 1) << 8U);
        out.push_back(kAlphabet[(v >> 18U) & 63U]);
        out.push_back(kAlphabet[(v >> 12U) & 63U]);
        out.push_back(kAlphabet[(v >> 6U) & 63U]);
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    unsigned bits = 0;
    for (const char c : text) {
        std::uint32_t v = 0;
        if (c >= 'A' && c <= 'Z') v = static_cast<std::uint32_t>(c - 'A');
        else if (c >= 'a' && c <= 'z') v = static_cast<std::uint32_t>(c - 'a') + 26U;
        else if (c >= '0' && c <= '9') v = static_cast<std::uint32_t>(c - '0') + 52U;
        else if (c == '-') v = 62;
        else if (c == '_') v = 63;
        else return std::nullopt;
        acc = (acc << 6U) | v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFFU));
        }
    }
    // Leftover bits must be zero (canonical encoding).
    if (bits > 0 && (acc & ((1U << bits) - 1U)) != 0) return std::nullopt;
    return out;
}

std::optional<RsaKey> RsaKey::from_private_pem(std::string_view pem, std::string &error) {
    Bio bio = memory_bio(pem);
    if (!bio) {
        error = "cannot read the private key";
        return std::nullopt;
    }
    EVP_PKEY *key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
    if (!key) {
        error = openssl_error("not a PEM private key");
        return std::nullopt;
    }
    auto owned = own(key);
    if (!is_rsa(key)) {
        error = "the private key is not an RSA key";
        return std::nullopt;
    }
    return RsaKey(std::move(owned), true);
}

std::optional<RsaKey> RsaKey::from_public_pem(std::string_view pem, std::string &error) {
    if (pem.find("PRIVATE KEY-----") != std::string_view::npos) {
        auto key = from_private_pem(pem, error);
        if (!key) return std::nullopt;
        return RsaKey(key->key_, false);
    }
    Bio bio = memory_bio(pem);
    if (!bio) {
        error = "cannot read the public key";
        return std::nullopt;
    }
    EVP_PKEY *key = nullptr;
    if (pem.find("BEGIN CERTIFICATE") != std::string_view::npos) {
        std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
        if (!cert) {
            error = openssl_error("not a PEM certificate");
            return std::nullopt;
        }
        key = X509_get_pubkey(cert.get());
    } else {
        // SubjectPublicKeyInfo ("PUBLIC KEY") or PKCS#1 ("RSA PUBLIC KEY").
        std::unique_ptr<OSSL_DECODER_CTX, DecoderFree> decoder(OSSL_DECODER_CTX_new_for_pkey(
            &key, "PEM", nullptr, "RSA", OSSL_KEYMGMT_SELECT_PUBLIC_KEY, nullptr, nullptr));
        if (!decoder || OSSL_DECODER_from_bio(decoder.get(), bio.get()) != 1) key = nullptr;
    }
    if (!key) {
        error = openssl_error("not a PEM RSA public key");
        return std::nullopt;
    }
    auto owned = own(key);
    if (!is_rsa(key)) {
        error = "the public key is not an RSA key";
        return std::nullopt;
    }
    return RsaKey(std::move(owned), false);
}

std::optional<RsaKey> RsaKey::generate(int bits, std::string &error) {
    std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY *key = nullptr;
    if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1 || EVP_PKEY_generate(ctx.get(), &key) != 1) {
        error = openssl_error("RSA key generation failed");
        return std::nullopt;
    }
    return RsaKey(own(key), true);
}

int RsaKey::bits() const { return EVP_PKEY_get_bits(key_.get()); }

std::string RsaKey::private_pem() const {
    if (!private_) return {};
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) return {};
    return bio_text(bio.get());
}

std::string RsaKey::public_pem() const {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) return {};
    return bio_text(bio.get());
}

std::optional<std::string> rs256_sign(std::string_view data, const RsaKey &key, std::string &error) {
    if (!key.has_private()) {
        error = "signing needs a private key";
        return std::nullopt;
    }
    std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
    std::size_t length = 0;
    const auto *bytes = reinterpret_cast<const unsigned char *>(data.data());
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.native()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &length, bytes, data.size()) != 1) {
        error = openssl_error("RS256 signing failed");
        return std::nullopt;
    }
    std::string signature(length, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char *>(signature.data()), &length, bytes, data.size()) !=
        1) {
        error = openssl_error("RS256 signing failed");
        return std::nullopt;
    }
    signature.resize(length);
    return signature;
}

bool rs256_verify(std::string_view data, std::string_view signature, const RsaKey &key) {
    std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
    const bool ok =
        ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.native()) == 1 &&
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char *>(signature.data()), signature.size(),
                         reinterpret_cast<const unsigned char *>(data.data()), data.size()) == 1;
    ERR_clear_error();
    return ok;
}

std::string hmac_sha256(std::string_view secret, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char *>(data.data()), data.size(), out.data(), &length);
    return std::string(reinterpret_cast<const char *>(out.data()), length);
}

std::optional<Jwt> decode_jwt(std::string_view token, std::string &error) {
    const auto first = token.find('.');
    const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
    if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
        error = "a JWT has three dot-separated parts";
        return std::nullopt;
    }
    const auto header_text = base64url_decode(token.substr(0, first));
    const auto claims_text = base64url_decode(token.substr(first + 1, second - first - 1));
    auto signature = base64url_decode(token.substr(second + 1));
    if (!header_text || !claims_text || !signature) {
        error = "a JWT part is not base64url";
        return std::nullopt;
    }
    boost::system::error_code ec;
    json::value header = json::parse(*header_text, ec);
    if (ec || !header.is_object()) {
        error = "the JWT header is not a JSON object";
        return std::nullopt;
    }
    json::value claims = json::parse(*claims_text, ec);
    if (ec || !claims.is_object()) {
        error = "the JWT claims are not a JSON object";
        return std::nullopt;
    }
    Jwt jwt;
    jwt.header = std::move(header.get_object());
    jwt.claims = std::move(claims.get_object());
    jwt.signing_input = std::string(token.substr(0, second));
    jwt.signature = std::move(*signature);
    return jwt;
}

std::optional<std::string> sign_jwt_rs256(const json::object &claims, const RsaKey &key, std::string_view key_id,
                                          std::string &error) {
    const std::string input = signing_input_of(header_json("RS256", key_id), claims);
    const auto signature = rs256_sign(input, key, error);
    if (!signature) return std::nullopt;
    return input + "." + base64url_encode(*signature);
}

std::optional<Jwt> verify_jwt_rs256(std::string_view token, const RsaKey &key, std::string &error) {
    auto jwt = decoded_with_alg(token, "RS256", error);
    if (!jwt) return std::nullopt;
    if (!rs256_verify(jwt->signing_input, jwt->signature, key)) {
        error = "the JWT signature does not verify";
        return std::nullopt;
    }
    return jwt;
}

std::string sign_jwt_hs256(const json::object &claims, std::string_view secret) {
    const std::string input = signing_input_of(header_json("HS256", {}), claims);
    return input + "." + base64url_encode(hmac_sha256(secret, input));
}

std::optional<Jwt> verify_jwt_hs256(std::string_view token, std::string_view secret, std::string &error) {
    auto jwt = decoded_with_alg(token, "HS256", error);
    if (!jwt) return std::nullopt;
    if (!constant_time_equal(hmac_sha256(secret, jwt->signing_input), jwt->signature)) {
        error = "the JWT signature does not verify";
        return std::nullopt;
    }
    return jwt;
}

std::optional<std::string_view> string_claim(const json::object &claims, std::string_view name) {
    const auto *v = claims.if_contains(name);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string_view(v->get_string());
}

std::optional<std::int64_t> int_claim(const json::object &claims, std::string_view name) {
    const auto *v = claims.if_contains(name);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return static_cast<std::int64_t>(v->get_uint64());
    if (v->is_double()) {
        const double d = v->get_double();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e15) return static_cast<std::int64_t>(d);
    }
    return std::nullopt;
}

} // namespace helix::gcp
