#define BOOST_TEST_MODULE candidates
#include <boost/test/unit_test.hpp>

#include "daemon/router/candidates.hpp"

#include <memory>
#include <string>

using namespace helix;

namespace {

constexpr std::int64_t kEndOfLife = 1753056000; // 2025-07-21

plugins::ProviderInstancePtr make_provider(const std::string &name, const std::string &models) {
    static const auto library = plugins::PluginLibrary::load(std::string(FIXTURE_DIR) + "/libhelix_plain_text.so");
    return plugins::ProviderInstance::create(name, library,
                                             R"({"base_url":"http://127.0.0.1:9/","models":)" + models + "}", nullptr);
}

struct Fixture {
    std::shared_ptr<config::Config> config = std::make_shared<config::Config>();
    router::Runtime runtime;

    Fixture() {
        runtime.providers = {make_provider("a", R"(["old","new"])"), make_provider("b", R"(["old"])")};
        config::ModelLifecycle lc;
        lc.legacy = kEndOfLife - 180 * 86400;
        lc.end_of_life = kEndOfLife;
        lc.successor = "a/new";
        config->lifecycle["a/old"] = lc;
        config->primary = {"a", "b"};
        runtime.config = config;
    }

    std::string keys(const std::vector<router::Candidate> &cs) const {
        std::string out;
        for (const auto &c : cs) out += c.provider->name() + "/" + c.model->id + "<" + c.replaces + "> ";
        return out;
    }
};

} // namespace

BOOST_FIXTURE_TEST_CASE(a_model_before_its_end_of_life_is_served_itself_with_its_lifecycle, Fixture) {
    const auto cs = router::candidates_for(runtime, "a/old", router::Priority::critical, kEndOfLife - 1);
    BOOST_TEST(keys(cs) == "a/old<> ");
    BOOST_TEST_REQUIRE(cs.size() == 1u);
    BOOST_TEST(cs[0].lifecycle == &config->lifecycle.at("a/old"));
}

BOOST_FIXTURE_TEST_CASE(past_its_end_of_life_its_successor_serves_it, Fixture) {
    const auto cs = router::candidates_for(runtime, "a/old", router::Priority::critical, kEndOfLife);
    BOOST_TEST(keys(cs) == "a/new<a/old> ");
    BOOST_TEST_REQUIRE(cs.size() == 1u);
    BOOST_TEST(cs[0].lifecycle == &config->lifecycle.at("a/old")); // the headers describe the model asked for
}

BOOST_FIXTURE_TEST_CASE(successor_from_legacy_serves_it_from_the_legacy_date, Fixture) {
    config->lifecycle.at("a/old").successor_from_legacy = true;
    BOOST_TEST(keys(router::candidates_for(runtime, "a/old", router::Priority::critical, kEndOfLife - 86400)) ==
               "a/new<a/old> ");
}

BOOST_FIXTURE_TEST_CASE(a_bare_name_keeps_the_other_providers_and_no_model_twice, Fixture) {
    BOOST_TEST(keys(router::candidates_for(runtime, "old", router::Priority::critical, kEndOfLife)) ==
               "a/new<a/old> b/old<> ");
    config->lifecycle["b/old"] = config->lifecycle.at("a/old");
    BOOST_TEST(keys(router::candidates_for(runtime, "old", router::Priority::critical, kEndOfLife)) == "a/new<a/old> ");
}

BOOST_FIXTURE_TEST_CASE(models_without_lifecycle_carry_none, Fixture) {
    const auto cs = router::candidates_for(runtime, "b/old", router::Priority::critical, kEndOfLife);
    BOOST_TEST_REQUIRE(cs.size() == 1u);
    BOOST_TEST(cs[0].lifecycle == nullptr);
}

// Cache reads and writes at their own prices; unset, at the input price. The
// prompt count includes both, as the plugins report it.
BOOST_FIXTURE_TEST_CASE(cache_tokens_cost_their_own_prices, Fixture) {
    const auto cs = router::candidates_for(runtime, "a/new");
    BOOST_TEST_REQUIRE(cs.size() == 1u);
    BOOST_TEST(!router::estimated_cost(*config, cs[0], 1000, 10).has_value());
    config->prices["a/new"] = config::Price{1.0, 2.0, {}, {}};
    // No cache prices: 2000 prompt tokens at 1.0 whatever was cached.
    BOOST_TEST(*router::estimated_cost(*config, cs[0], {2000, 500, 1500, 300}) == 2.0 + 1.0);
    config->prices["a/new"] = config::Price{1.0, 2.0, 0.1, 1.25};
    // 200 uncached, 1500 read, 300 written, 500 out.
    BOOST_TEST(*router::estimated_cost(*config, cs[0], {2000, 500, 1500, 300}) ==
                   (200 * 1.0 + 1500 * 0.1 + 300 * 1.25 + 500 * 2.0) / 1000.0,
               boost::test_tools::tolerance(1e-12));
    // Cached counts beyond the prompt (a faulty upstream) are capped by it.
    BOOST_TEST(*router::estimated_cost(*config, cs[0], {100, 0, 500, 500}) == 100 * 0.1 / 1000.0,
               boost::test_tools::tolerance(1e-12));
    BOOST_TEST(*router::estimated_cost(*config, cs[0], 1000, 0) == 1.0);
}
