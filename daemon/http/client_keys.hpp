#pragma once
// The client API keys of one configuration, kept only as SHA-256 digests and
// compared in constant time, so neither memory dumps nor response timing
// reveal a key.

#include "daemon/config/config.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace helix::http {

class ClientKeys {
public:
    explicit ClientKeys(const std::vector<config::ApiKey> &keys);

    bool empty() const noexcept { return keys_.empty(); }
    // The name of the key the Authorization header carries, or nullopt.
    std::optional<std::string> authenticate(std::string_view presented_key) const;

private:
    using Digest = std::array<unsigned char, 32>;
    struct Entry {
        std::string name;
        Digest digest;
    };
    static Digest digest_of(std::string_view key);
    std::vector<Entry> keys_;
};

// The key in "Authorization: Bearer <key>", or empty when absent or malformed.
std::string_view bearer_token(std::string_view authorization_header);

} // namespace helix::http
