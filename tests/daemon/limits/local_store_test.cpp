#define BOOST_TEST_MODULE limits_local_store
#include <boost/test/unit_test.hpp>

#include "daemon/limits/local_store.hpp"

using namespace helix::limits;

namespace {

struct Clock {
    Micros now = 1'707'523'200'000'000; // 2024-02-10 00:00 UTC
    WallClock fn() {
        return [this] { return now; };
    }
};

ScopeDemand key(std::int64_t rpm) {
    ScopeDemand d;
    d.scope = "key:web";
    d.requests = Rate{rpm, 60'000'000};
    return d;
}

} // namespace

BOOST_AUTO_TEST_CASE(exactly_the_rpm_gets_through) {
    Clock clock;
    LocalStore store(clock.fn());
    int allowed = 0;
    for (int i = 0; i < 50; ++i)
        if (store.admit_now({key(30)}).refusal == Refusal::none) ++allowed;
    BOOST_TEST(allowed == 30);
    const Decision d = store.admit_now({key(30)});
    BOOST_TEST((d.refusal == Refusal::requests));
    BOOST_TEST(d.retry_after == 2'000'000);
}

BOOST_AUTO_TEST_CASE(a_refusal_in_one_scope_takes_nothing_from_the_others) {
    Clock clock;
    LocalStore store(clock.fn());
    ScopeDemand model = key(1);
    model.scope = "key:web|model:gpt-4o";
    BOOST_TEST((store.admit_now({key(2), model}).refusal == Refusal::none));
    const Decision refused = store.admit_now({key(2), model});
    BOOST_TEST((refused.refusal == Refusal::requests));
    BOOST_TEST(refused.refused_scope == 1u);
    // The key's second request was not taken by the refused one.
    BOOST_TEST((store.admit_now({key(2)}).refusal == Refusal::none));
}

BOOST_AUTO_TEST_CASE(tokens_are_reserved_then_settled) {
    Clock clock;
    LocalStore store(clock.fn());
    ScopeDemand d;
    d.scope = "key:web";
    d.tokens = Rate{1000, 60'000'000};
    d.tokens_wanted = 900;
    BOOST_TEST((store.admit_now({d}).refusal == Refusal::none));
    BOOST_TEST((store.admit_now({d}).refusal == Refusal::tokens));
    store.settle({ScopeSettlement{"key:web", d.tokens, -850, 0, false, false}}, "lease");
    BOOST_TEST((store.admit_now({d}).refusal == Refusal::none));
    d.tokens_wanted = 1001;
    BOOST_TEST((store.admit_now({d}).refusal == Refusal::too_many_tokens));
}

BOOST_AUTO_TEST_CASE(concurrency_is_freed_by_the_settlement) {
    Clock clock;
    LocalStore store(clock.fn());
    ScopeDemand d;
    d.scope = "key:web";
    d.max_concurrent = 2;
    BOOST_TEST((store.admit_now({d}).refusal == Refusal::none));
    BOOST_TEST((store.admit_now({d}).refusal == Refusal::none));
    BOOST_TEST((store.admit_now({d}).refusal == Refusal::concurrency));
    store.settle({ScopeSettlement{"key:web", {}, 0, 0, true, false}}, "lease");
    BOOST_TEST((store.admit_now({d}).refusal == Refusal::none));
}

BOOST_AUTO_TEST_CASE(a_spent_budget_refuses_until_the_next_day) {
    Clock clock;
    LocalStore store(clock.fn());
    ScopeDemand d;
    d.scope = "key:web";
    d.daily_budget = 1'000'000; // 1 USD
    d.cost_wanted = 100'000;
    BOOST_TEST((store.admit_now({d}).refusal == Refusal::none));
    // It cost 1.2 USD in the end.
    store.settle({ScopeSettlement{"key:web", {}, 0, 1'100'000, false, true}}, "lease");
    const Decision refused = store.admit_now({d});
    BOOST_TEST((refused.refusal == Refusal::daily_budget));
    BOOST_TEST(refused.retry_after == 86'400'000'000);
    BOOST_TEST(refused.scopes[0].spent_day == 1'200'000);
    clock.now += 86'400'000'000;
    BOOST_TEST((store.admit_now({d}).refusal == Refusal::none));
    // A monthly budget still counts yesterday's spend.
    d.daily_budget = 0;
    d.monthly_budget = 1'300'000;
    BOOST_TEST((store.admit_now({d}).refusal == Refusal::monthly_budget)); // 1.2 + 0.1 + 0.1 reserved
}
