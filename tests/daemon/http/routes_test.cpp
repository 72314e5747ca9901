#define BOOST_TEST_MODULE routes
#include <boost/test/unit_test.hpp>

// The route table: method and path to route, HEAD on GET routes, the path
// below a prefix route, 405 with Allow, and the 404 listing the routes.

#include "daemon/http/routes.hpp"

#include <boost/json.hpp>

using namespace helix::http;

namespace {

std::string code_of(const Reply &r) {
    return std::string(boost::json::parse(r.body).at("error").at("code").as_string());
}

std::string header(const Reply &r, const std::string &name) {
    for (const auto &[n, v] : r.headers)
        if (n == name) return v;
    return {};
}

} // namespace

BOOST_AUTO_TEST_CASE(each_route_is_found_by_method_and_path) {
    const RouteMatch chat = find_route("POST", "/v1/chat/completions");
    BOOST_TEST_REQUIRE(chat.route != nullptr);
    BOOST_TEST(chat.route->endpoint != nullptr); // read, slotted, answered by the attempt loop
    BOOST_TEST((chat.route->access == Access::keyed));
    for (const char *path : {"/healthz", "/readyz", "/metrics", "/v1/models"}) {
        const RouteMatch m = find_route("GET", path);
        BOOST_TEST_REQUIRE(m.route != nullptr, path);
        BOOST_TEST(m.route->whole != nullptr, path);
        BOOST_TEST(!m.refusal.has_value(), path);
        BOOST_TEST(find_route("HEAD", path).route == m.route, path); // HEAD is GET without the body
    }
    BOOST_TEST((find_route("GET", "/healthz").route->access == Access::open));
    BOOST_TEST((find_route("GET", "/readyz").route->access == Access::details));
    BOOST_TEST((find_route("GET", "/metrics").route->access == Access::details));
}

BOOST_AUTO_TEST_CASE(a_prefix_route_passes_on_the_rest_of_the_path) {
    const RouteMatch m = find_route("GET", "/v1/models/plain/plain-1");
    BOOST_TEST_REQUIRE(m.route != nullptr);
    BOOST_TEST(m.rest == "plain/plain-1");
    BOOST_TEST(find_route("GET", "/v1/models").rest.empty());
    BOOST_TEST((route_of_path("/v1/models/x")->access == Access::keyed));
}

BOOST_AUTO_TEST_CASE(a_method_the_path_does_not_serve_is_405_with_allow) {
    const RouteMatch m = find_route("GET", "/v1/chat/completions");
    BOOST_TEST(m.route == nullptr);
    BOOST_TEST_REQUIRE(m.refusal.has_value());
    BOOST_TEST(m.refusal->status == 405);
    BOOST_TEST(code_of(*m.refusal) == "method_not_allowed");
    BOOST_TEST(header(*m.refusal, "Allow") == "POST");
    BOOST_TEST(header(*find_route("POST", "/healthz").refusal, "Allow") == "GET");
    // The path's route decides what it needs (a key) whatever the method.
    BOOST_TEST((route_of_path("/v1/chat/completions")->access == Access::keyed));
}

BOOST_AUTO_TEST_CASE(an_unknown_path_is_404_listing_the_routes_with_its_bytes_escaped) {
    const RouteMatch m = find_route("GET", "/v2/\x1b[2J");
    BOOST_TEST(m.route == nullptr);
    BOOST_TEST(route_of_path("/v2/") == nullptr);
    BOOST_TEST_REQUIRE(m.refusal.has_value());
    BOOST_TEST(m.refusal->status == 404);
    BOOST_TEST(code_of(*m.refusal) == "unknown_url");
    const std::string message(boost::json::parse(m.refusal->body).at("error").at("message").as_string());
    BOOST_TEST(message.find("/v2/%1B[2J") != std::string::npos, message);
    BOOST_TEST(message.find("Available: POST /v1/chat/completions, POST /v1/embeddings, POST /v1/responses, POST /v1/completions, POST /v1/messages, POST /v1/messages/count_tokens, GET /v1/models, GET /healthz, GET /readyz, GET "
                            "/metrics.") != std::string::npos,
               message);
}
