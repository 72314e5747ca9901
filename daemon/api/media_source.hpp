#pragma once
// The sources of image and document parts as clients write them: base64
// data: URLs (decoded here once, so that plugins get the bytes), http(s)
// URLs, and the file URIs a provider resolves itself.

#include <optional>
#include <string>
#include <string_view>

namespace helix::api {

// A base64 data: URL, data:<type>/<subtype>[;param]*;base64,<payload>.
struct DataUrl {
    std::string media_type; // lower-case, without parameters; image/jpg reads as image/jpeg
    std::string bytes;      // the decoded payload (not empty)
};

// nullopt for anything else: another scheme, no ";base64", an empty or
// malformed payload, a media type that is not type/subtype.
std::optional<DataUrl> decode_data_url(std::string_view url);

// Standard base64 (RFC 4648) with padding; decode refuses anything else
// (nullopt), whitespace included.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// Whether `media_type` is a valid type/subtype (RFC 6838 token characters).
bool is_media_type(std::string_view media_type) noexcept;

// An http:// or https:// URL with a host part (case-insensitive scheme).
bool is_http_url(std::string_view url) noexcept;

// A URL a provider fetches or resolves itself, never the gateway: a Cloud
// Storage URI (gs://), a Gemini File API file
// (https://generativelanguage.googleapis.com/.../files/...), a YouTube video,
// an S3 object (s3://, Bedrock's s3Location). Parts with one are
// HELIX_SOURCE_FILE_URI.
bool is_provider_file_uri(std::string_view url) noexcept;

} // namespace helix::api
