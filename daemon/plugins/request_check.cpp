#include "daemon/plugins/request_check.hpp"

#include <string_view>

namespace helix::plugins {

namespace {

std::string_view view(helix_str s) { return s.len == 0 ? std::string_view() : std::string_view(s.data, s.len); }

// RFC 9110 token characters (method, header name).
bool is_token(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        const bool alnum = (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
        if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
    }
    return true;
}

// Field values: visible characters, spaces, tabs and obs-text; no CR, LF, NUL
// nor any other control character.
bool is_field_value(std::string_view s) {
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && u != '\t') || u == 0x7f) return false;
    }
    return true;
}

bool is_url(std::string_view s) {
    if (s.empty()) return false;
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f) return false; // spaces too: they end the request line
    }
    return true;
}

std::string printable_name(std::string_view name) {
    std::string out;
    for (const char c : name.substr(0, 64)) out += is_token(std::string_view(&c, 1)) ? c : '?';
    return out;
}

} // namespace

std::optional<std::string> unsafe_request_part(const helix_http_request &request) {
    if (!is_token(view(request.method))) return "the request's method is not an HTTP token";
    if (!is_url(view(request.url))) return "the request's URL contains a space or control character";
    if (request.header_count > 0 && request.headers == nullptr) return "the request's headers are missing";
    for (std::size_t i = 0; i < request.header_count; ++i) {
        const helix_header &h = request.headers[i];
        if (!is_token(view(h.name)))
            return "header #" + std::to_string(i + 1) + " has a name that is not an HTTP token ('" +
                   printable_name(view(h.name)) + "')";
        if (!is_field_value(view(h.value)))
            return "the value of header '" + std::string(view(h.name)) + "' contains a control character (CR, LF, NUL...)";
    }
    return std::nullopt;
}

} // namespace helix::plugins
