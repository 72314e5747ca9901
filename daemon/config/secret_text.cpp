#include "daemon/config/secret_text.hpp"

#include <boost/json/serializer.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

namespace helix::config {

namespace {
constexpr std::size_t kPastInlineBuffer = 16; // libstdc++ keeps up to 15 chars in the object
}

SecretText secret_text(std::string_view text) {
    SecretText out;
    out.reserve(std::max(text.size(), kPastInlineBuffer));
    out.assign(text.data(), text.size());
    return out;
}

SecretText serialize_secret(const boost::json::value &value) {
    boost::json::serializer serializer;
    serializer.reset(&value);
    SecretText out;
    out.reserve(256);
    char chunk[512];
    while (!serializer.done()) {
        const std::string_view piece = serializer.read(chunk, sizeof chunk);
        out.append(piece.data(), piece.size());
    }
    OPENSSL_cleanse(chunk, sizeof chunk);
    return out;
}

} // namespace helix::config
