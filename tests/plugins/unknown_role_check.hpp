#pragma once
// A message whose role is none of the ABI's five (sent by a newer or a faulty
// host) must be refused with a 400 naming messages[i].role, never dropped
// from the conversation: the rule of plugins/common/message_walk.hpp, checked
// for each turn-based translator.

#include "plugin_test_support.hpp"

#include <boost/test/unit_test.hpp>

namespace helix::test {

inline void check_unknown_role_refused(Harness &h, Request r) {
    // The first value after HELIX_ROLE_TOOL, the last role of this ABI.
    r.messages.push_back(Message{static_cast<helix_role>(HELIX_ROLE_TOOL + 1), "from a newer host", false, {}, {}, {}, {}});
    const std::string param = "messages[" + std::to_string(r.messages.size() - 1) + "].role";
    const Prepared p = h.prepare(r);
    if (p.call != nullptr) h.descriptor().call_free(p.call);
    BOOST_TEST(p.status == HELIX_ERR_INVALID_REQUEST);
    BOOST_TEST(p.error.http_status == 400);
    BOOST_TEST(std::string(p.error.param) == param);
    BOOST_TEST(std::string(p.error.code) == "invalid_value");
}

} // namespace helix::test
