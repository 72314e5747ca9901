#define BOOST_TEST_MODULE model_lifecycle
#include <boost/test/unit_test.hpp>

#include "daemon/router/model_lifecycle.hpp"

using namespace helix;
using router::LifecycleState;

namespace {

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kLegacy = 1737417600;     // 2025-01-21
constexpr std::int64_t kEndOfLife = 1753056000; // 2025-07-21

config::ModelLifecycle dated(std::string successor = {}, bool from_legacy = false) {
    config::ModelLifecycle lc;
    lc.legacy = kLegacy;
    lc.end_of_life = kEndOfLife;
    lc.successor = std::move(successor);
    lc.successor_from_legacy = from_legacy;
    lc.source = "helixagent.yaml:9";
    return lc;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_state_follows_the_dates) {
    const config::ModelLifecycle lc = dated();
    BOOST_TEST((router::lifecycle_state(lc, kLegacy - 1) == LifecycleState::active));
    BOOST_TEST((router::lifecycle_state(lc, kLegacy) == LifecycleState::legacy));
    BOOST_TEST((router::lifecycle_state(lc, kEndOfLife - 1) == LifecycleState::legacy));
    BOOST_TEST((router::lifecycle_state(lc, kEndOfLife) == LifecycleState::end_of_life));
    config::ModelLifecycle only_end;
    only_end.end_of_life = kEndOfLife;
    BOOST_TEST((router::lifecycle_state(only_end, kLegacy) == LifecycleState::active));
    BOOST_TEST((router::lifecycle_state(only_end, kEndOfLife + kDay) == LifecycleState::end_of_life));
    BOOST_TEST(router::to_string(LifecycleState::end_of_life) == "end_of_life");
}

BOOST_AUTO_TEST_CASE(a_successor_serves_from_end_of_life_or_from_legacy_when_asked) {
    BOOST_TEST(!router::served_by_successor(dated(), kEndOfLife));
    BOOST_TEST(!router::served_by_successor(dated("p/m"), kEndOfLife - 1));
    BOOST_TEST(router::served_by_successor(dated("p/m"), kEndOfLife));
    BOOST_TEST(!router::served_by_successor(dated("p/m", true), kLegacy - 1));
    BOOST_TEST(router::served_by_successor(dated("p/m", true), kLegacy));
}

BOOST_AUTO_TEST_CASE(headers_take_the_rfc_formats) {
    BOOST_TEST(router::deprecation_header(kLegacy) == "@1737417600"); // RFC 9745: an RFC 9651 Date
    BOOST_TEST(router::sunset_header(kEndOfLife) == "Mon, 21 Jul 2025 00:00:00 GMT"); // RFC 8594: IMF-fixdate
    BOOST_TEST(router::sunset_header(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
    BOOST_TEST(router::sunset_header(951782400 + 3723) == "Tue, 29 Feb 2000 01:02:03 GMT");
    BOOST_TEST(router::calendar_date(kLegacy) == "2025-01-21");
}

BOOST_AUTO_TEST_CASE(check_config_warns_about_models_past_end_of_life) {
    config::Config cfg;
    cfg.lifecycle["aws-bedrock/old"] = dated();
    cfg.lifecycle["openai/older"] = dated("openai/new");
    config::ModelLifecycle later;
    later.end_of_life = kEndOfLife + 100 * kDay;
    cfg.lifecycle["gcp-vertex/later"] = later;
    const auto warnings = router::end_of_life_warnings(cfg, kEndOfLife);
    BOOST_TEST_REQUIRE(warnings.size() == 2u);
    BOOST_TEST(warnings[0] == "aws-bedrock/old (helixagent.yaml:9) reached its end of life on 2025-07-21; requests "
                              "to it fail upstream (set a successor)");
    BOOST_TEST(warnings[1] == "openai/older (helixagent.yaml:9) reached its end of life on 2025-07-21; its requests "
                              "are served by its successor openai/new");
    BOOST_TEST(router::end_of_life_warnings(cfg, kEndOfLife - 1).empty());
}
