#pragma once
// An OpenAI image_url.url as the translators need it: a base64 data: URI
// (media type and payload) or an http(s) URL. Each provider then says which
// media types and which of the two forms it accepts.

#include <string>
#include <string_view>

namespace helix::plugin_common {

struct ImageUrl {
    enum class Kind { data, url };
    Kind kind = Kind::data;
    std::string media_type; // lower-case; image/jpg reads as image/jpeg; "" for a URL
    std::string_view data;  // the base64 payload of a data: URI (checked to be base64)
    std::string_view url;   // the http(s) URL
};

// Throws HELIX_ERR_INVALID_REQUEST (400, with `param`) for anything else: a
// data: URI that is not base64 or has no data, another scheme.
ImageUrl parse_image_url(std::string_view url, const std::string &param);

std::string ascii_lower(std::string_view text);

} // namespace helix::plugin_common
