#include "tools/plugin_testkit/chunking.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using helix::plugin_testkit::Chunking;
using helix::plugin_testkit::split;

namespace {

std::string joined(const std::vector<std::string_view> &pieces) {
    std::string out;
    for (auto p : pieces) out += p;
    return out;
}

const std::string body = "data: {\"choices\":[{\"delta\":{\"content\":\"Hello, world\"}}]}\n\ndata: [DONE]\n\n";

} // namespace

BOOST_AUTO_TEST_CASE(every_cut_keeps_every_byte_in_order) {
    for (const Chunking how : {Chunking::whole, Chunking::bytes, Chunking::random})
        BOOST_TEST(joined(split(body, how, 7)) == body);
    BOOST_TEST(split(body, Chunking::whole).size() == 1u);
    BOOST_TEST(split(body, Chunking::bytes).size() == body.size());
}

BOOST_AUTO_TEST_CASE(random_pieces_are_small_and_repeatable_per_seed) {
    const auto first = split(body, Chunking::random, 3);
    BOOST_TEST(first.size() > 2u);
    for (auto p : first) BOOST_TEST((p.size() >= 1 && p.size() <= 23));
    const auto again = split(body, Chunking::random, 3);
    BOOST_TEST((std::vector<std::string>(first.begin(), first.end()) == std::vector<std::string>(again.begin(), again.end())));
    const auto other = split(body, Chunking::random, 4);
    BOOST_TEST((std::vector<std::string>(first.begin(), first.end()) != std::vector<std::string>(other.begin(), other.end())));
}
