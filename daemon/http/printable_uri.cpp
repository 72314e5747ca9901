#include "daemon/http/printable_uri.hpp"

namespace helix::http {

std::string printable_uri(std::string_view raw, std::size_t max_bytes) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(std::min(raw.size(), max_bytes) + 8);
    for (const char c : raw) {
        if (out.size() >= max_bytes) {
            out += "...";
            break;
        }
        const auto u = static_cast<unsigned char>(c);
        if (u > 0x20 && u < 0x7f) {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 0x0f];
        }
    }
    return out;
}

} // namespace helix::http
