#pragma once
// Fetches an image or a document by URL on a client's behalf, for a
// provider that takes them as bytes only, on the calling event loop through
// its AsyncExchange (never blocking it). The protections against a URL that
// points into the gateway's own network (SSRF):
//  - http and https only, no credentials in the URL, nothing of the client's
//    sent (no Authorization, no cookies: a bare GET);
//  - media_fetch.allow_hosts, when set, names the only hosts fetched;
//  - the name is resolved once per connection and every address checked
//    before connecting (address_class.hpp: only public addresses), unless
//    the host is one of media_fetch.private_hosts; no proxy (a proxy would
//    resolve the name itself, out of reach of the check), no pooled
//    connection;
//  - at most max_redirects redirects, each target checked as the first;
//  - the whole fetch within timeout (and the request's deadline), the body
//    at most max_bytes (refused at once for a larger Content-Length), a
//    Content-Type of the kind asked for, no Content-Encoding;
//  - a failure is a sentence for the client that never holds a response
//    body (the status at most).

#include "daemon/config/config.hpp"
#include "daemon/transport/async_exchange.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace helix::transport {

enum class MediaKind { image, document };

struct FetchedMedia {
    std::string media_type; // lower-case, parameters dropped
    std::string bytes;
};

// The media, or why not (a sentence: "the host resolves to a loopback address").
using MediaFetchResult = std::variant<FetchedMedia, std::string>;

boost::asio::awaitable<MediaFetchResult> fetch_media(AsyncExchange &exchange, std::string url, MediaKind kind,
                                                     const config::MediaFetchSettings &settings,
                                                     std::optional<std::chrono::steady_clock::time_point> deadline);

// Whether host:port is one of `patterns` ("name", "name:port", "*.suffix",
// an IP literal, "[v6]:port"; case-insensitive; no port: any port).
bool host_listed(const std::vector<std::string> &patterns, std::string_view host, std::uint16_t port);

// The media types fetched for each kind (a provider may take fewer: it
// refuses the rest naming the part).
bool accepted_media_type(MediaKind kind, std::string_view media_type);

} // namespace helix::transport
