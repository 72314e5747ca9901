#define BOOST_TEST_MODULE request_id
#include <boost/test/unit_test.hpp>

#include "daemon/http/request_id.hpp"

#include <set>

using helix::http::request_id_for;

BOOST_AUTO_TEST_CASE(keeps_a_sane_client_id) {
    BOOST_TEST(request_id_for("abc-123_x.y:z") == "abc-123_x.y:z");
}

BOOST_AUTO_TEST_CASE(replaces_missing_long_or_unsafe_ids) {
    for (const std::string &bad : {std::string(), std::string(129, 'a'), std::string("a b"), std::string("x\r\ny"),
                                  std::string("<script>")}) {
        const std::string id = request_id_for(bad);
        BOOST_TEST(id.starts_with("req_"));
        BOOST_TEST(id.size() == 28u);
    }
}

BOOST_AUTO_TEST_CASE(generated_ids_are_unique) {
    std::set<std::string> ids;
    for (int i = 0; i < 10000; ++i) ids.insert(request_id_for(""));
    BOOST_TEST(ids.size() == 10000u);
}
