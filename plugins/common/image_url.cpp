#include "plugins/common/image_url.hpp"

#include "plugins/common/request_helpers.hpp"

namespace helix::plugin_common {

namespace {

bool is_base64(std::string_view s) {
    for (const char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
              c == '='))
            return false;
    return true;
}

bool starts_with_nocase(std::string_view s, std::string_view lower_prefix) {
    return s.size() >= lower_prefix.size() && ascii_lower(s.substr(0, lower_prefix.size())) == lower_prefix;
}

} // namespace

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char &c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

ImageUrl parse_image_url(std::string_view url, const std::string &param) {
    ImageUrl image;
    if (starts_with_nocase(url, "https://") || starts_with_nocase(url, "http://")) {
        image.kind = ImageUrl::Kind::url;
        image.url = url;
        return image;
    }
    if (!starts_with_nocase(url, "data:")) invalid(param + " must be an http(s) URL or a data: URI", param);
    const std::size_t comma = url.find(',');
    if (comma == std::string_view::npos) invalid(param + " is a data: URI without data", param);
    const std::string_view meta = url.substr(5, comma - 5);
    const std::size_t semicolon = meta.find(';');
    bool base64 = false;
    for (std::size_t pos = semicolon; pos != std::string_view::npos;) {
        const std::size_t next = meta.find(';', pos + 1);
        if (ascii_lower(meta.substr(pos + 1, next == std::string_view::npos ? next : next - pos - 1)) == "base64")
            base64 = true;
        pos = next;
    }
    if (!base64) invalid(param + " must be a base64 data: URI (data:image/png;base64,...)", param);
    image.media_type = ascii_lower(meta.substr(0, semicolon));
    if (image.media_type == "image/jpg") image.media_type = "image/jpeg";
    image.data = url.substr(comma + 1);
    if (image.data.empty()) invalid(param + " is a data: URI without data", param);
    if (!is_base64(image.data)) invalid(param + " is not valid base64 image data", param);
    return image;
}

} // namespace helix::plugin_common
