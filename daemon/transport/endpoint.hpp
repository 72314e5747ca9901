#pragma once
// An upstream URL split into what a connection needs (scheme, host, port) and
// what a request needs (path and query). Connections are pooled by key().

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace helix::transport {

struct Endpoint {
    bool tls = true;
    std::string host;
    std::uint16_t port = 443;
    std::string path_and_query = "/"; // exactly as in the URL (never re-encoded)

    std::string key() const { return (tls ? "https://" : "http://") + host + ":" + std::to_string(port); }
};

// nullopt for anything but an absolute http(s) URL with a host.
std::optional<Endpoint> parse_endpoint(std::string_view url);

} // namespace helix::transport
