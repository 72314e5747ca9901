#include "daemon/config/key_digest.hpp"

#include <openssl/sha.h>

namespace helix::config {

KeyDigest digest_of_key(std::string_view key) {
    KeyDigest d{};
    SHA256(reinterpret_cast<const unsigned char *>(key.data()), key.size(), d.data());
    return d;
}

} // namespace helix::config
