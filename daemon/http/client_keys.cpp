#include "daemon/http/client_keys.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

namespace helix::http {

ClientKeys::ClientKeys(const std::vector<config::ApiKey> &keys) {
    for (const auto &k : keys) keys_.push_back({k.name, digest_of(k.key)});
}

ClientKeys::Digest ClientKeys::digest_of(std::string_view key) {
    Digest d{};
    SHA256(reinterpret_cast<const unsigned char *>(key.data()), key.size(), d.data());
    return d;
}

std::optional<std::string> ClientKeys::authenticate(std::string_view presented_key) const {
    if (presented_key.empty()) return std::nullopt;
    // Digests have a fixed length, so the comparison time depends neither on
    // the key's length nor on where it differs; every key is compared.
    const Digest presented = digest_of(presented_key);
    const Entry *match = nullptr;
    for (const auto &entry : keys_)
        if (CRYPTO_memcmp(entry.digest.data(), presented.data(), presented.size()) == 0) match = &entry;
    if (match == nullptr) return std::nullopt;
    return match->name;
}

std::string_view bearer_token(std::string_view header) {
    constexpr std::string_view scheme = "bearer ";
    if (header.size() <= scheme.size()) return {};
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if ((header[i] | 0x20) != scheme[i]) return {};
    std::string_view token = header.substr(scheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    return token;
}

} // namespace helix::http
