#pragma once
// The client API keys of one configuration, kept only as SHA-256 digests and
// compared in constant time, so neither memory dumps nor response timing
// reveal a key. Each key has a name (for logs and metrics) and a scope.

#include "daemon/config/config.hpp"

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace helix::router {

// Who a request's key belongs to and what it may use.
struct ClientIdentity {
    std::string name;
    std::vector<std::string> models;    // empty: any model
    std::vector<std::string> providers; // empty: any provider

    bool scoped() const noexcept { return !models.empty() || !providers.empty(); }
    // May this key have `asked` (the model as the client wrote it) served by
    // provider/model_id? A scope entry matches the served model id, exactly
    // "provider/model_id", or the name asked when that is an alias or a bare
    // model name (never "provider/model" asked and served elsewhere).
    bool allows(std::string_view asked, std::string_view provider, std::string_view model_id) const;
    // "models a, b; providers c" for error messages.
    std::string describe_scope() const;
};

class ClientKeys {
public:
    explicit ClientKeys(const std::vector<config::ApiKey> &keys,
                        const std::map<std::string, config::KeyLimits> &limits = {});

    bool empty() const noexcept { return keys_.empty(); }
    // The identity of the key the Authorization header carries, or nullptr;
    // valid as long as this object.
    const ClientIdentity *authenticate(std::string_view presented_key) const;
    // Every key's name, in configuration order.
    std::vector<std::string> names() const;
    // The limits of a key authenticate() returned (none for any other pointer).
    const config::KeyLimits &limits_of(const ClientIdentity *identity) const;

private:
    using Digest = config::KeyDigest;
    struct Entry {
        ClientIdentity identity;
        Digest digest;
        config::KeyLimits limits;
    };
    std::vector<Entry> keys_;
};

// The key in "Authorization: Bearer <key>", or empty when absent or malformed.
std::string_view bearer_token(std::string_view authorization_header);

} // namespace helix::router
