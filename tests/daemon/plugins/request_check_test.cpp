#define BOOST_TEST_MODULE request_check
#include <boost/test/unit_test.hpp>

#include "daemon/plugins/request_check.hpp"

#include <string>
#include <vector>

using helix::plugins::unsafe_request_part;

namespace {

helix_str str(const std::string &s) { return {s.data(), s.size()}; }

struct Request {
    std::string method = "POST", url = "https://api.example.test/v1/chat/completions";
    std::vector<std::pair<std::string, std::string>> headers{{"Authorization", "Bearer tok"}, {"Content-Type", "application/json"}};
    std::optional<std::string> check() const {
        std::vector<helix_header> views;
        for (const auto &[n, v] : headers) views.push_back({str(n), str(v)});
        helix_http_request r{};
        r.struct_size = sizeof r;
        r.method = str(method);
        r.url = str(url);
        r.headers = views.data();
        r.header_count = views.size();
        return unsafe_request_part(r);
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(an_ordinary_request_passes) {
    BOOST_TEST(!Request{}.check().has_value());
    Request tabbed;
    tabbed.headers.push_back({"X-Tab", "a\tb \x80 utf-8 \xc3\xa9"});
    BOOST_TEST(!tabbed.check().has_value());
}

BOOST_AUTO_TEST_CASE(cr_lf_or_nul_in_a_header_value_is_refused_without_quoting_it) {
    for (const std::string &bad : {std::string("tok\r\nX-Injected: 1"), std::string("tok\n"), std::string("t\0k", 3),
                                  std::string("t\x7fk")}) {
        Request r;
        r.headers[0].second = "Bearer " + bad;
        const auto problem = r.check();
        BOOST_TEST_REQUIRE(problem.has_value());
        BOOST_TEST(problem->find("header 'Authorization'") != std::string::npos, *problem);
        BOOST_TEST(problem->find("tok") == std::string::npos, *problem);
    }
}

BOOST_AUTO_TEST_CASE(bad_header_names_urls_and_methods_are_refused) {
    Request name;
    name.headers.push_back({"X-Bad\r\nInjected", "1"});
    BOOST_TEST(name.check().value_or("").find("not an HTTP token") != std::string::npos);
    Request empty_name;
    empty_name.headers.push_back({"", "1"});
    BOOST_TEST(empty_name.check().has_value());
    Request url;
    url.url = "https://metadata.test/token\r\nX-Injected: 1";
    BOOST_TEST(url.check().value_or("").find("URL") != std::string::npos);
    Request spaced;
    spaced.url = "https://host/a b";
    BOOST_TEST(spaced.check().has_value());
    Request method;
    method.method = "POST /x HTTP/1.1\r\n";
    BOOST_TEST(method.check().value_or("").find("method") != std::string::npos);
}
