#pragma once
// What a simulator received as an image or a document, kept for
// GET /__sim/stats ("media"), so that a test sees the bytes that arrived
// upstream: kind ("image" | "document"), type (format or media type), name,
// size and the SHA-256 of the bytes (hex), or the URI it was given instead.

#include <boost/json/object.hpp>

#include <string_view>

namespace helix::cloudsim {

boost::json::object media_record(std::string_view kind, std::string_view type, std::string_view name,
                                 std::string_view bytes);
boost::json::object media_uri_record(std::string_view kind, std::string_view type, std::string_view name,
                                     std::string_view uri);

} // namespace helix::cloudsim
