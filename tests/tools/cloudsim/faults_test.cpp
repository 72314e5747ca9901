#define BOOST_TEST_MODULE cloudsim_faults
#include <boost/test/unit_test.hpp>

#include "tools/cloudsim/faults.hpp"

#include <ostream>

namespace helix::cloudsim {
std::ostream &operator<<(std::ostream &out, FaultKind k) { return out << fault_name(k); }
} // namespace helix::cloudsim

using namespace helix::cloudsim;

BOOST_AUTO_TEST_CASE(kinds_parse_and_print) {
    for (const auto *name : {"429", "500", "503", "529", "reset-before-headers", "reset-mid-stream", "slow-first-byte",
                             "stall", "malformed-json", "none"}) {
        const auto kind = parse_fault_kind(name);
        BOOST_REQUIRE(kind.has_value());
        BOOST_TEST(fault_name(*kind) == name);
    }
    BOOST_TEST(parse_fault_kind(" STALL ").value() == FaultKind::stall);
    BOOST_TEST(!parse_fault_kind("404").has_value());
    BOOST_TEST(!parse_fault_kind("").has_value());
}

BOOST_AUTO_TEST_CASE(error_status_faults) {
    BOOST_TEST(fault_status(FaultKind::rate_limited) == 429);
    BOOST_TEST(fault_status(FaultKind::server_error) == 500);
    BOOST_TEST(fault_status(FaultKind::unavailable) == 503);
    BOOST_TEST(fault_status(FaultKind::overloaded) == 529);
    BOOST_TEST(!is_error_status_fault(FaultKind::stall));
    BOOST_TEST(!is_error_status_fault(FaultKind::none));
}

BOOST_AUTO_TEST_CASE(directive_anywhere_in_the_message) {
    BOOST_TEST(find_fault_directive("[[fault:429]]").value() == "429");
    BOOST_TEST(find_fault_directive("hello [[fault: reset-mid-stream ]] world").value() == "reset-mid-stream");
    BOOST_TEST(find_fault_directive("a [[fault:bogus]]").value() == "bogus"); // validated by the caller
    BOOST_TEST(!find_fault_directive("[[fault:429").has_value());
    BOOST_TEST(!find_fault_directive("no directive").has_value());
}

BOOST_AUTO_TEST_CASE(board_applies_to_the_next_n_requests) {
    FaultBoard board;
    BOOST_TEST(board.take() == FaultKind::none);
    board.set(FaultKind::unavailable, 2);
    BOOST_TEST(board.describe().at("remaining").as_int64() == 2);
    BOOST_TEST(board.take() == FaultKind::unavailable);
    BOOST_TEST(board.take() == FaultKind::unavailable);
    BOOST_TEST(board.take() == FaultKind::none);
    BOOST_TEST(board.describe().at("kind").as_string() == "none");
}

BOOST_AUTO_TEST_CASE(board_until_cleared) {
    FaultBoard board;
    board.set(FaultKind::rate_limited, FaultBoard::until_cleared);
    for (int i = 0; i < 100; ++i) BOOST_TEST(board.take() == FaultKind::rate_limited);
    board.clear();
    BOOST_TEST(board.take() == FaultKind::none);
    board.set(FaultKind::stall, 0);
    BOOST_TEST(board.take() == FaultKind::none);
}

BOOST_AUTO_TEST_CASE(board_holds_a_providers_own_kind_for_its_module_only) {
    FaultBoard board;
    BOOST_TEST(!board.take_own().has_value());
    board.set_own("bad-crc", 2);
    BOOST_TEST(board.describe().at("kind").as_string() == "bad-crc");
    BOOST_TEST(board.take() == FaultKind::none); // common kinds see nothing, and consume nothing
    BOOST_TEST(board.take_own().value_or("") == "bad-crc");
    BOOST_TEST(board.take_own().value_or("") == "bad-crc");
    BOOST_TEST(!board.take_own().has_value());
    board.set_own("malformed-frame", FaultBoard::until_cleared);
    board.set(FaultKind::server_error, 1); // a common kind replaces it
    BOOST_TEST(!board.take_own().has_value());
    BOOST_TEST(board.take() == FaultKind::server_error);
    board.set_own("bad-crc", FaultBoard::until_cleared);
    board.clear();
    BOOST_TEST(!board.take_own().has_value());
    BOOST_TEST(board.describe().at("remaining").as_int64() == 0);
}
