#include "daemon/router/client_keys.hpp"

#include <openssl/crypto.h>

#include <algorithm>

namespace helix::router {

namespace {

std::string joined(const std::vector<std::string> &items) {
    std::string text;
    for (const auto &item : items) text += (text.empty() ? "" : ", ") + item;
    return text;
}

} // namespace

bool ClientIdentity::allows(std::string_view asked, std::string_view provider, std::string_view model_id) const {
    if (!providers.empty() && std::find(providers.begin(), providers.end(), provider) == providers.end()) return false;
    if (models.empty()) return true;
    // The name asked matches only when it is an alias or a bare model name
    // (neither has a provider prefix): "openai/gpt-4o" asked with
    // router.explicit_fallback must not admit the other providers serving
    // gpt-4o, so a provider/model entry allows exactly that provider.
    const bool asked_is_bare = asked.find('/') == std::string_view::npos;
    for (const auto &m : models) {
        if (m == model_id || (asked_is_bare && m == asked)) return true;
        if (m.size() == provider.size() + 1 + model_id.size() && m.starts_with(provider) && m[provider.size()] == '/' &&
            m.ends_with(model_id))
            return true;
    }
    return false;
}

std::string ClientIdentity::describe_scope() const {
    std::string text;
    if (!models.empty()) text = "models " + joined(models);
    if (!providers.empty()) text += (text.empty() ? "" : "; ") + std::string("providers ") + joined(providers);
    return text;
}

ClientKeys::ClientKeys(const std::vector<config::ApiKey> &keys, const std::map<std::string, config::KeyLimits> &limits) {
    for (const auto &k : keys) {
        const auto it = limits.find(k.name);
        keys_.push_back({{k.name, k.models, k.providers}, k.digest, it != limits.end() ? it->second : config::KeyLimits{}});
    }
}

const config::KeyLimits &ClientKeys::limits_of(const ClientIdentity *identity) const {
    static const config::KeyLimits none;
    for (const auto &entry : keys_)
        if (&entry.identity == identity) return entry.limits;
    return none;
}

const ClientIdentity *ClientKeys::authenticate(std::string_view presented_key) const {
    if (presented_key.empty()) return nullptr;
    // Digests have a fixed length, so the comparison time depends neither on
    // the key's length nor on where it differs; every key is compared.
    const Digest presented = config::digest_of_key(presented_key);
    const Entry *match = nullptr;
    for (const auto &entry : keys_)
        if (CRYPTO_memcmp(entry.digest.data(), presented.data(), presented.size()) == 0) match = &entry;
    return match == nullptr ? nullptr : &match->identity;
}

std::vector<std::string> ClientKeys::names() const {
    std::vector<std::string> names;
    for (const auto &entry : keys_) names.push_back(entry.identity.name);
    return names;
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

} // namespace helix::router
