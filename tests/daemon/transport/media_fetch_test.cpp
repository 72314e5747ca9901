#define BOOST_TEST_MODULE transport_media_fetch
#include <boost/test/unit_test.hpp>

#include "daemon/transport/media_fetch.hpp"

using helix::transport::accepted_media_type;
using helix::transport::host_listed;
using helix::transport::MediaKind;

// media_fetch.allow_hosts / private_hosts entries: a name (any port), a
// name and port, a wildcard for subdomains, IP literals (v6 in brackets
// with a port).
BOOST_AUTO_TEST_CASE(host_patterns) {
    const std::vector<std::string> p{"images.example.com", "cdn.example.org:8443", "*.static.example.net",
                                     "127.0.0.1:9000", "[::1]:9001", "fd00::5"};
    BOOST_TEST(host_listed(p, "images.example.com", 443));
    BOOST_TEST(host_listed(p, "IMAGES.example.com", 80));
    BOOST_TEST(!host_listed(p, "evil-images.example.com", 443));
    BOOST_TEST(!host_listed(p, "images.example.com.evil.io", 443));
    BOOST_TEST(host_listed(p, "cdn.example.org", 8443));
    BOOST_TEST(!host_listed(p, "cdn.example.org", 443));
    BOOST_TEST(host_listed(p, "a.static.example.net", 443));
    BOOST_TEST(host_listed(p, "a.b.static.example.net", 443));
    BOOST_TEST(!host_listed(p, "static.example.net", 443));
    BOOST_TEST(!host_listed(p, "xstatic.example.net", 443));
    BOOST_TEST(host_listed(p, "127.0.0.1", 9000));
    BOOST_TEST(!host_listed(p, "127.0.0.1", 9002));
    BOOST_TEST(host_listed(p, "::1", 9001));
    BOOST_TEST(!host_listed(p, "::1", 80));
    BOOST_TEST(host_listed(p, "fd00::5", 80));
    BOOST_TEST(!host_listed({}, "images.example.com", 443));
}

BOOST_AUTO_TEST_CASE(media_types_fetched_per_kind) {
    BOOST_TEST(accepted_media_type(MediaKind::image, "image/png"));
    BOOST_TEST(accepted_media_type(MediaKind::image, "image/webp"));
    BOOST_TEST(!accepted_media_type(MediaKind::image, "text/html"));
    BOOST_TEST(!accepted_media_type(MediaKind::image, "image/svg+xml"));
    BOOST_TEST(!accepted_media_type(MediaKind::image, "application/pdf"));
    BOOST_TEST(accepted_media_type(MediaKind::document, "application/pdf"));
    BOOST_TEST(accepted_media_type(MediaKind::document, "text/plain"));
    BOOST_TEST(!accepted_media_type(MediaKind::document, "application/octet-stream"));
    BOOST_TEST(!accepted_media_type(MediaKind::document, "image/png"));
}
