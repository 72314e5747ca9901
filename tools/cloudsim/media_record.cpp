#include "tools/cloudsim/media_record.hpp"

#include <openssl/evp.h>

#include <string>

namespace helix::cloudsim {

namespace {

std::string sha256_hex(std::string_view bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
        out.push_back(kHex[digest[i] >> 4]);
        out.push_back(kHex[digest[i] & 15]);
    }
    return out;
}

} // namespace

boost::json::object media_record(std::string_view kind, std::string_view type, std::string_view name,
                                 std::string_view bytes) {
    return boost::json::object{{"kind", kind}, {"type", type}, {"name", name}, {"size", bytes.size()},
                               {"sha256", sha256_hex(bytes)}};
}

boost::json::object media_uri_record(std::string_view kind, std::string_view type, std::string_view name,
                                     std::string_view uri) {
    return boost::json::object{{"kind", kind}, {"type", type}, {"name", name}, {"uri", uri}};
}

} // namespace helix::cloudsim
