#define BOOST_TEST_MODULE redis_store
#include <boost/test/unit_test.hpp>

// The shared counter store against a real redis-server: two stores stand
// for two replicas sharing one Redis.

#include "daemon/limits/calendar.hpp"
#include "daemon/limits/local_store.hpp"
#include "daemon/limits/redis_store.hpp"
#include "daemon/redis/background_loop.hpp"
#include "redis_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

using namespace helix;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

struct Replica {
    std::shared_ptr<redis::RedisClient> client;
    std::shared_ptr<limits::RedisStore> store;
    Replica(const test::RedisServer &server, redis::BackgroundLoop &background, std::size_t replicas = 2) {
        config::SharedStateSettings s;
        s.host = "127.0.0.1";
        s.port = server.port();
        s.timeout = 300ms;
        client = std::make_shared<redis::RedisClient>(s, background.executor());
        store = limits::RedisStore::make(client, replicas, 60'000'000);
    }
    limits::Decision admit(const std::vector<limits::ScopeDemand> &demands, const std::string &lease) {
        asio::io_context loop;
        limits::Decision out;
        asio::co_spawn(loop, store->admit(demands, lease), [&](std::exception_ptr e, limits::Decision d) {
            if (e) std::rethrow_exception(e);
            out = std::move(d);
            loop.stop();
        });
        loop.run();
        return out;
    }
    redis::RespResult call(std::vector<std::string> argv) {
        asio::io_context loop;
        redis::RespResult out;
        asio::co_spawn(loop, client->call(std::move(argv)), [&](std::exception_ptr, redis::RespResult r) {
            out = r;
            loop.stop();
        });
        loop.run();
        return out;
    }
};

limits::ScopeDemand rpm(const std::string &scope, std::int64_t limit) {
    limits::ScopeDemand d;
    d.scope = scope;
    d.requests = limits::Rate{limit, 60'000'000};
    return d;
}

// Waits until the background loop has sent what the store queued.
template <class F>
bool eventually(F done) {
    for (int i = 0; i < 300; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return false;
}

std::string today_key(const std::string &scope) {
    return "helix:" + scope + ":d:" + std::to_string(limits::day_of(limits::system_now()));
}

} // namespace

BOOST_AUTO_TEST_CASE(two_replicas_share_one_rate) {
    test::RedisServer server;
    redis::BackgroundLoop background;
    Replica a(server, background), b(server, background);
    int admitted = 0;
    for (int i = 0; i < 10; ++i) {
        Replica &r = i % 2 == 0 ? a : b;
        const limits::Decision d = r.admit({rpm("key:web", 5)}, "lease-" + std::to_string(i));
        BOOST_TEST(!d.degraded);
        if (d.refusal == limits::Refusal::none) {
            ++admitted;
            BOOST_TEST(d.scopes.at(0).requests.remaining == 5 - admitted);
        } else {
            BOOST_TEST((d.refusal == limits::Refusal::requests));
            BOOST_TEST(d.retry_after > 0);
            BOOST_TEST(d.retry_after <= 12'000'000); // one request per 12 s
        }
    }
    BOOST_TEST(admitted == 5);
}

BOOST_AUTO_TEST_CASE(an_admission_takes_from_every_scope_or_from_none) {
    test::RedisServer server;
    redis::BackgroundLoop background;
    Replica a(server, background);
    BOOST_TEST((a.admit({rpm("key:web|model:m", 1)}, "l1").refusal == limits::Refusal::none));
    // The key has room, its model does not: the key's request is not taken.
    const limits::Decision refused = a.admit({rpm("key:web", 3), rpm("key:web|model:m", 1)}, "l2");
    BOOST_TEST((refused.refusal == limits::Refusal::requests));
    BOOST_TEST(refused.refused_scope == 1u);
    const limits::Decision key_only = a.admit({rpm("key:web", 3)}, "l3");
    BOOST_TEST(key_only.scopes.at(0).requests.remaining == 2);
}

BOOST_AUTO_TEST_CASE(concurrency_leases_are_shared_and_freed_by_the_settlement) {
    test::RedisServer server;
    redis::BackgroundLoop background;
    Replica a(server, background), b(server, background);
    limits::ScopeDemand two;
    two.scope = "key:c";
    two.max_concurrent = 2;
    BOOST_TEST((a.admit({two}, "a1").refusal == limits::Refusal::none));
    BOOST_TEST((b.admit({two}, "b1").refusal == limits::Refusal::none));
    BOOST_TEST((a.admit({two}, "a2").refusal == limits::Refusal::concurrency));
    limits::ScopeSettlement done;
    done.scope = "key:c";
    done.concurrent = true;
    b.store->settle({done}, "b1");
    BOOST_TEST(eventually([&] { return a.call({"ZCARD", "helix:key:c:c"}).value.integer == 1; }));
    BOOST_TEST((a.admit({two}, "a3").refusal == limits::Refusal::none));
}

BOOST_AUTO_TEST_CASE(a_budget_is_reserved_settled_with_the_real_cost_and_then_refused) {
    test::RedisServer server;
    redis::BackgroundLoop background;
    Replica a(server, background), b(server, background);
    limits::ScopeDemand budget;
    budget.scope = "key:b";
    budget.daily_budget = 1'000'000; // 1 USD
    budget.cost_wanted = 600'000;
    const limits::Decision first = a.admit({budget}, "x1");
    BOOST_TEST((first.refusal == limits::Refusal::none));
    BOOST_TEST(first.scopes.at(0).spent_day == 600'000);
    limits::ScopeSettlement s;
    s.scope = "key:b";
    s.budgets = true;
    s.cost_delta = 200'000; // it cost 0.80
    a.store->settle({s}, "x1");
    BOOST_TEST(eventually([&] { return a.call({"GET", today_key("key:b")}).value.text == "800000"; }));
    BOOST_TEST((b.admit({budget}, "y1").refusal == limits::Refusal::none)); // 0.80 < 1
    const limits::Decision spent = b.admit({budget}, "y2");
    BOOST_TEST((spent.refusal == limits::Refusal::daily_budget));
    BOOST_TEST(spent.retry_after > 0);
    BOOST_TEST(spent.retry_after <= 86'400'000'000);
}

BOOST_AUTO_TEST_CASE(redis_down_decides_on_local_shares_or_refuses_a_hard_cap) {
    test::RedisServer server;
    redis::BackgroundLoop background;
    Replica a(server, background, 2);
    server.kill();
    int admitted = 0;
    for (int i = 0; i < 5; ++i) {
        const limits::Decision d = a.admit({rpm("key:down", 4)}, "d" + std::to_string(i));
        BOOST_TEST(d.degraded);
        admitted += d.refusal == limits::Refusal::none;
    }
    BOOST_TEST(admitted == 2); // 4 rpm over 2 replicas
    limits::ScopeDemand hard = rpm("key:hard", 100);
    hard.deny_on_store_failure = true;
    const limits::Decision refused = a.admit({hard}, "h1");
    BOOST_TEST((refused.refusal == limits::Refusal::store_unavailable));
    BOOST_TEST((a.store->shared_up() == std::optional<bool>(false)));
}

BOOST_AUTO_TEST_CASE(spend_recorded_while_redis_was_down_is_added_once_it_is_back) {
    test::RedisServer server;
    redis::BackgroundLoop background;
    Replica a(server, background, 1);
    server.kill();
    limits::ScopeDemand budget;
    budget.scope = "key:later";
    budget.daily_budget = 10'000'000;
    budget.cost_wanted = 300'000;
    const limits::Decision d = a.admit({budget}, "z1");
    BOOST_TEST(d.degraded);
    BOOST_TEST((d.refusal == limits::Refusal::none));
    limits::ScopeSettlement s;
    s.scope = "key:later";
    s.budgets = true;
    s.cost_delta = 100'000; // it cost 0.40
    a.store->settle({s}, "z1");
    BOOST_TEST(a.store->unsent_spend() == 400'000);
    server.start(); // a restarted Redis: empty
    BOOST_TEST(eventually([&] { return a.store->unsent_spend() == 0; }));
    BOOST_TEST(a.call({"GET", today_key("key:later")}).value.text == "400000");
}
