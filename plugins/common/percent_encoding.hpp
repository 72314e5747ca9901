#pragma once
// RFC 3986 percent-encoding: every byte outside the unreserved set
// (A-Z a-z 0-9 - . _ ~) becomes %XX with upper-case hex. This is what
// SigV4's canonical URI, OAuth form bodies and query strings all need.
// Header-only, so the small shared libraries (aws_common, gcp_common) can use
// it without linking plugin_common.

#include <string>
#include <string_view>

namespace helix::plugin_common {

inline bool is_unreserved(unsigned char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

// keep_slash: leave '/' as is (a path rather than a path segment or value).
inline std::string percent_encode(std::string_view text, bool keep_slash = false) {
    static constexpr std::string_view hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_unreserved(c) || (keep_slash && c == '/')) {
            out += ch;
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xFu];
        }
    }
    return out;
}

} // namespace helix::plugin_common
