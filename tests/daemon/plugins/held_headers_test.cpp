#define BOOST_TEST_MODULE held_headers
#include <boost/test/unit_test.hpp>

#include "daemon/plugins/held_headers.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

using helix::plugins::HeldHeaders;
using Headers = std::vector<std::pair<std::string, std::string>>;

namespace {

std::string_view view(helix_str s) { return {s.data, s.len}; }

Headers held(const HeldHeaders &h) {
    Headers out;
    for (const helix_header &header : h.views()) out.emplace_back(view(header.name), view(header.value));
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(views_give_back_every_header_in_order) {
    const Headers head{{"content-type", "text/event-stream; charset=utf-8"}, {"x-request-id", "req_0123456789abcdef"},
                       {"empty", ""}, {"openai-processing-ms", "12"}};
    HeldHeaders h;
    h.assign(head);
    BOOST_TEST((held(h) == head));
}

BOOST_AUTO_TEST_CASE(the_views_stay_valid_once_the_source_is_gone) {
    HeldHeaders h;
    {
        const Headers head{{"a", "1"}, {"retry-after", "30"}}; // short strings: SSO in the source
        h.assign(head);
    }
    BOOST_TEST((held(h) == Headers{{"a", "1"}, {"retry-after", "30"}}));
}

BOOST_AUTO_TEST_CASE(a_second_head_replaces_the_first) {
    HeldHeaders h;
    h.assign({{"content-type", "application/json"}, {"x-one", std::string(200, 'x')}});
    h.assign({{"b", "2"}});
    BOOST_TEST((held(h) == Headers{{"b", "2"}}));
    h.assign({});
    BOOST_TEST(h.views().empty());
}
