#define BOOST_TEST_MODULE limits_rate_headers
#include <boost/test/unit_test.hpp>

#include "daemon/limits/rate_headers.hpp"

#include <map>

using namespace helix::limits;

BOOST_AUTO_TEST_CASE(resets_are_written_as_openai_writes_them) {
    BOOST_TEST(reset_text(20'000) == "20ms");
    BOOST_TEST(reset_text(1'000'000) == "1s");
    BOOST_TEST(reset_text(1'500'000) == "1.5s");
    BOOST_TEST(reset_text(360'000'000) == "6m0s");
    BOOST_TEST(reset_text(3'723'000'000) == "1h2m3s");
    BOOST_TEST(reset_text(0) == "0ms");
}

BOOST_AUTO_TEST_CASE(the_tightest_scope_of_each_kind_is_shown) {
    ScopeDemand key;
    key.requests = Rate{100, 60'000'000};
    key.tokens = Rate{5000, 60'000'000};
    key.daily_budget = 2'000'000;
    ScopeDemand model;
    model.requests = Rate{10, 60'000'000};
    Decision d;
    d.scopes = {ScopeState{{100, 99, 600'000}, {5000, 4000, 12'000'000}, 500'000, 0},
                ScopeState{{10, 3, 6'000'000}, {}, 0, 0}};
    std::map<std::string, std::string> h;
    for (const auto &[name, value] : rate_headers({key, model}, d)) h[name] = value;
    BOOST_TEST(h["x-ratelimit-limit-requests"] == "10");
    BOOST_TEST(h["x-ratelimit-remaining-requests"] == "3");
    BOOST_TEST(h["x-ratelimit-reset-requests"] == "6s");
    BOOST_TEST(h["x-ratelimit-limit-tokens"] == "5000");
    BOOST_TEST(h["x-ratelimit-remaining-tokens"] == "4000");
    BOOST_TEST(h["x-ratelimit-reset-tokens"] == "12s");
    BOOST_TEST(h["x-helix-budget-remaining-usd"] == "1.500000");
}

BOOST_AUTO_TEST_CASE(a_refusal_is_openai_s_429) {
    ScopeDemand key;
    key.requests = Rate{30, 60'000'000};
    Decision d;
    d.refusal = Refusal::requests;
    d.retry_after = 2'000'000;
    d.scopes.resize(1);
    const auto e = refusal_error({key}, d, "key 'web'");
    BOOST_TEST(e.status == 429);
    BOOST_TEST(e.type == "requests");
    BOOST_TEST(e.code == "rate_limit_exceeded");
    BOOST_TEST(e.retry_after_ms == 2000u);
    BOOST_TEST(e.message.find("requests per min: Limit 30") != std::string::npos, e.message);
    d.refusal = Refusal::daily_budget;
    key.daily_budget = 5'000'000;
    const auto budget = refusal_error({key}, d, "key 'web'");
    BOOST_TEST(budget.code == "insufficient_quota");
    BOOST_TEST(budget.message.find("5.000000 USD") != std::string::npos, budget.message);
}
