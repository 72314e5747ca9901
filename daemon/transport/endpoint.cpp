#include "daemon/transport/endpoint.hpp"

#include <Poco/Exception.h>
#include <Poco/URI.h>

namespace helix::transport {

std::optional<Endpoint> parse_endpoint(std::string_view url) {
    try {
        const Poco::URI uri{std::string(url)};
        if (uri.getHost().empty()) return std::nullopt;
        Endpoint e;
        if (uri.getScheme() == "https")
            e.tls = true;
        else if (uri.getScheme() == "http")
            e.tls = false;
        else
            return std::nullopt;
        e.host = uri.getHost();
        e.port = uri.getPort();
        // The path and query go out byte for byte as the plugin wrote them:
        // Poco::URI would re-encode them (%3A back to ':'), and a signed
        // request (SigV4) must carry exactly what was signed.
        const auto authority = url.find("://") + 3;
        const auto path = url.find_first_of("/?#", authority);
        e.path_and_query = path == std::string_view::npos ? "/" : std::string(url.substr(path));
        if (const auto fragment = e.path_and_query.find('#'); fragment != std::string::npos)
            e.path_and_query.erase(fragment);
        if (e.path_and_query.empty() || e.path_and_query.front() == '?') e.path_and_query.insert(0, "/");
        return e;
    } catch (const Poco::Exception &) {
        return std::nullopt;
    }
}

} // namespace helix::transport
