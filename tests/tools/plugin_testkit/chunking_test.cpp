#include "tools/plugin_testkit/chunking.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using helix::plugin_testkit::Chunking;
using helix::plugin_testkit::Cut;
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

BOOST_AUTO_TEST_CASE(every_cut_is_whole_then_bytes_then_each_random_seed_in_order) {
    const std::vector<Cut> cuts = helix::plugin_testkit::every_cut(3);
    BOOST_TEST_REQUIRE(cuts.size() == 5u);
    BOOST_TEST((cuts[0].how == Chunking::whole && cuts[1].how == Chunking::bytes));
    for (unsigned i = 2; i < 5; ++i) BOOST_TEST((cuts[i].how == Chunking::random && cuts[i].seed == i - 1));
    BOOST_TEST(helix::plugin_testkit::cut_name(cuts[0]) == "whole");
    BOOST_TEST(helix::plugin_testkit::cut_name(cuts[1]) == "byte by byte");
    BOOST_TEST(helix::plugin_testkit::cut_name(cuts[4]) == "in random pieces (seed 3)");
    BOOST_TEST(helix::plugin_testkit::every_cut(0).size() == 2u);
}

BOOST_AUTO_TEST_CASE(each_cut_is_run_once_and_summarised_in_order) {
    std::vector<std::string> fed;
    const auto runs = helix::plugin_testkit::summarise_every_cut(2, [&](const Cut &cut) {
        fed.push_back(joined(split(body, cut.how, cut.seed)));
        return helix::plugin_testkit::cut_name(cut);
    });
    BOOST_TEST_REQUIRE(runs.size() == 4u);
    BOOST_TEST(fed.size() == 4u);
    for (const std::string &whole : fed) BOOST_TEST(whole == body);
    BOOST_TEST(runs[0].summary == "whole");
    BOOST_TEST(runs[3].summary == "in random pieces (seed 2)");
    BOOST_TEST(runs[3].cut.seed == 2u);
}
