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
        e.path_and_query = uri.getPathEtc();
        if (e.path_and_query.empty()) e.path_and_query = "/";
        return e;
    } catch (const Poco::Exception &) {
        return std::nullopt;
    }
}

} // namespace helix::transport
