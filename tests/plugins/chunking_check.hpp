#pragma once
// Runs one upstream response through a plugin whole, one byte at a time and
// in random chunk sizes (the plugin testkit's every_cut), checks that every
// run gives the same events and the same outcome, and returns the outcome.

#include "plugin_test_support.hpp"

#include <boost/test/unit_test.hpp>

namespace helix::test {

template <class R>
Outcome run_all_chunkings(Harness &h, R &request, int status, const std::vector<Header> &headers,
                          std::string_view body) {
    Outcome whole;
    const auto runs = plugin_testkit::summarise_every_cut(20, [&](const Cut &cut) {
        const Outcome o = h.run(request, status, headers, body, cut.how, cut.seed);
        if (cut.how == Chunking::whole) whole = o;
        return o.summary();
    });
    for (std::size_t i = 1; i < runs.size(); ++i)
        BOOST_TEST(runs[i].summary == runs.front().summary, "fed " << plugin_testkit::cut_name(runs[i].cut));
    return whole;
}

// run_all_chunkings for a reply that must succeed with exactly `events`.
template <class R>
Outcome expect_events(Harness &h, R &request, int status, const std::vector<Header> &headers, std::string_view body,
                      std::string_view events) {
    const Outcome o = run_all_chunkings(h, request, status, headers, body);
    BOOST_TEST_REQUIRE(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events == events, o.events);
    return o;
}

inline bool contains(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

} // namespace helix::test
