#define BOOST_TEST_MODULE config_limits_section
#include <boost/test/unit_test.hpp>

#include "config_test_support.hpp"

#include <string>

namespace hc = helix::config;
using hc::test::issue_text;
using hc::test::load;

BOOST_AUTO_TEST_CASE(a_key_s_limits_and_its_models_are_read) {
    const auto config = load("api_keys:\n"
                             "  - name: web\n"
                             "    key: sk-one\n"
                             "    limits:\n"
                             "      rpm: 30\n"
                             "      tpm: 1000\n"
                             "      window: 10s\n"
                             "      max_concurrent: 4\n"
                             "      daily_usd: 2.5\n"
                             "      monthly_usd: 40\n"
                             "      on_store_failure: deny\n"
                             "      models: {gpt-4o: {rpm: 5}}\n");
    const hc::KeyLimits &l = config->key_limits.at("web");
    BOOST_TEST(l.key.rpm == 30u);
    BOOST_TEST(l.key.tpm == 1000u);
    BOOST_TEST(l.key.window.count() == 10'000);
    BOOST_TEST(l.key.max_concurrent == 4u);
    BOOST_TEST(l.key.daily_usd == 2.5);
    BOOST_TEST(l.key.monthly_usd == 40.0);
    BOOST_TEST(l.key.deny_on_store_failure);
    BOOST_TEST(l.models.at("gpt-4o").rpm == 5u);
    BOOST_TEST(l.models.at("gpt-4o").window.count() == 60'000); // its own default
    BOOST_TEST(!config->key_limits.at("web").models.at("gpt-4o").deny_on_store_failure);
}

BOOST_AUTO_TEST_CASE(a_key_without_limits_has_none) {
    const auto config = load("api_keys: [{name: web, key: sk-one}]\n");
    BOOST_TEST(config->key_limits.empty());
}

BOOST_AUTO_TEST_CASE(bad_limits_name_the_line_and_the_field) {
    const std::string issues = issue_text("api_keys:\n"
                                         "  - name: web\n"
                                         "    key: sk-one\n"
                                         "    limits:\n"
                                         "      rpm: 0\n"
                                         "      tpm: lots\n"
                                         "      on_store_failure: maybe\n"
                                         "      burst: 3\n"
                                         "      models: {gpt-4o: {}}\n");
    BOOST_TEST(issues.find("test.yaml:5: api_keys[0].limits.rpm") != std::string::npos, issues);
    BOOST_TEST(issues.find("test.yaml:6: api_keys[0].limits.tpm") != std::string::npos, issues);
    BOOST_TEST(issues.find("test.yaml:7: api_keys[0].limits.on_store_failure") != std::string::npos, issues);
    BOOST_TEST(issues.find("test.yaml:8:") != std::string::npos, issues);
    BOOST_TEST(issues.find("burst") != std::string::npos, issues);
    BOOST_TEST(issues.find("api_keys[0].limits.models.gpt-4o: sets no limit") != std::string::npos, issues);
}
