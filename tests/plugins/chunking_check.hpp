#pragma once
// Runs one upstream response through a plugin whole, one byte at a time and
// in random chunk sizes, checks that every run gives the same events and the
// same outcome, and returns the outcome.

#include "plugin_test_support.hpp"

#include <boost/test/unit_test.hpp>

namespace helix::test {

template <class R>
Outcome run_all_chunkings(Harness &h, R &request, int status, const std::vector<Header> &headers,
                                 std::string_view body) {
    const Outcome whole = h.run(request, status, headers, body, Chunking::whole);
    const Outcome bytes = h.run(request, status, headers, body, Chunking::bytes);
    BOOST_TEST(bytes.summary() == whole.summary());
    for (unsigned seed = 1; seed <= 20; ++seed) {
        const Outcome random = h.run(request, status, headers, body, Chunking::random, seed);
        BOOST_TEST(random.summary() == whole.summary(), "random chunking, seed " << seed);
    }
    return whole;
}

inline bool contains(const std::string &text, std::string_view part) { return text.find(part) != std::string::npos; }

} // namespace helix::test
