#define BOOST_TEST_MODULE client_keys
#include <boost/test/unit_test.hpp>

#include "daemon/http/client_keys.hpp"

using helix::http::bearer_token;
using helix::http::ClientKeys;

BOOST_AUTO_TEST_CASE(finds_the_name_of_a_matching_key) {
    const ClientKeys keys(std::vector<helix::config::ApiKey>{{"alice", "sk-alice-123"}, {"bob", "sk-bob-456"}});
    BOOST_TEST(keys.authenticate("sk-bob-456").value_or("") == "bob");
    BOOST_TEST(keys.authenticate("sk-alice-123").value_or("") == "alice");
}

BOOST_AUTO_TEST_CASE(rejects_wrong_empty_and_prefix_keys) {
    const ClientKeys keys(std::vector<helix::config::ApiKey>{{"alice", "sk-alice-123"}});
    BOOST_TEST(!keys.authenticate("sk-alice-12"));
    BOOST_TEST(!keys.authenticate("sk-alice-1234"));
    BOOST_TEST(!keys.authenticate(""));
    BOOST_TEST(!ClientKeys(std::vector<helix::config::ApiKey>{}).authenticate("anything"));
    BOOST_TEST(ClientKeys(std::vector<helix::config::ApiKey>{}).empty());
}

BOOST_AUTO_TEST_CASE(reads_bearer_tokens) {
    BOOST_TEST(bearer_token("Bearer sk-1") == "sk-1");
    BOOST_TEST(bearer_token("bearer   sk-2  ") == "sk-2");
    BOOST_TEST(bearer_token("BEARER sk-3") == "sk-3");
    BOOST_TEST(bearer_token("Basic dXNlcjpwYXNz").empty());
    BOOST_TEST(bearer_token("Bearer").empty());
    BOOST_TEST(bearer_token("Bearer ").empty());
    BOOST_TEST(bearer_token("").empty());
}
