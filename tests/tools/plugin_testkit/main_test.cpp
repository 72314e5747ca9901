#define BOOST_TEST_MODULE plugin_testkit
#include <boost/test/unit_test.hpp>
