#define BOOST_TEST_MODULE config_loader
#include <boost/test/unit_test.hpp>
BOOST_AUTO_TEST_CASE(stub) { BOOST_TEST(true); }
