#define BOOST_TEST_MODULE redis_client
#include <boost/test/unit_test.hpp>

// The Redis client against a real redis-server: pipelining on one loop,
// AUTH, scripts, a stopped or killed server (timeout, circuit, reconnect).

#include "daemon/redis/background_loop.hpp"
#include "daemon/redis/redis_client.hpp"
#include "redis_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

using namespace helix;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

config::SharedStateSettings settings_for(const test::RedisServer &server, std::string password = "") {
    config::SharedStateSettings s;
    s.host = "127.0.0.1";
    s.port = server.port();
    s.password = std::move(password);
    s.timeout = 300ms;
    return s;
}

// Runs a coroutine to its end on a loop of the test's own (its connection
// goes with the loop).
template <class T>
T run(asio::awaitable<T> coroutine) {
    asio::io_context loop;
    T out{};
    asio::co_spawn(loop, std::move(coroutine), [&](std::exception_ptr e, T value) {
        if (e) std::rethrow_exception(e);
        out = std::move(value);
        loop.stop();
    });
    loop.run();
    return out;
}

redis::RespResult call(redis::RedisClient &client, std::vector<std::string> argv) {
    return run(client.call(std::move(argv)));
}

} // namespace

BOOST_AUTO_TEST_CASE(commands_get_their_replies_and_many_share_one_pipelined_connection) {
    test::RedisServer server;
    redis::BackgroundLoop background;
    redis::RedisClient client(settings_for(server), background.executor());
    BOOST_TEST(call(client, {"SET", "k", "v w"}).value.text == "OK");
    BOOST_TEST(call(client, {"GET", "k"}).value.text == "v w");
    BOOST_TEST(call(client, {"INCRBY", "n", "5"}).value.integer == 5);
    BOOST_TEST(call(client, {"NOSUCHCOMMAND"}).value.is_error()); // an error reply is a reply
    // Connections Redis accepted so far (each call() here runs on a loop of its own).
    const auto accepted = [&] {
        const std::string info = call(client, {"INFO", "stats"}).value.text;
        const auto at = info.find("total_connections_received:");
        return std::stoi(info.substr(at + 27));
    };
    const int before = accepted();
    // 200 calls at once on one loop: every reply reaches its own caller.
    {
        asio::io_context loop;
        int right = 0, done = 0;
        for (int i = 0; i < 200; ++i)
            asio::co_spawn(loop, client.call({"INCRBY", "counter:" + std::to_string(i), std::to_string(i)}),
                           [&, i](std::exception_ptr, redis::RespResult r) {
                               right += r.ok && r.value.integer == i;
                               if (++done == 200) loop.stop();
                           });
        loop.run();
        BOOST_TEST(right == 200);
    }
    // One connection per loop: the 200 calls shared one, and this call has its own.
    BOOST_TEST(accepted() == before + 2);
}

BOOST_AUTO_TEST_CASE(auth_with_the_password_and_a_clear_failure_without_it) {
    test::RedisServer server("s3cret-redis-pw");
    redis::BackgroundLoop background;
    redis::RedisClient good(settings_for(server, "s3cret-redis-pw"), background.executor());
    BOOST_TEST(call(good, {"PING"}).value.text == "PONG");
    redis::RedisClient wrong(settings_for(server, "not-the-password"), background.executor());
    const auto refused = call(wrong, {"PING"});
    BOOST_TEST(!refused.ok);
    BOOST_TEST(refused.failure.find("refused the connection's set-up") != std::string::npos, refused.failure);
    BOOST_TEST(refused.failure.find("not-the-password") == std::string::npos);
    redis::RedisClient none(settings_for(server), background.executor());
    BOOST_TEST(call(none, {"GET", "x"}).value.is_error()); // NOAUTH
}

BOOST_AUTO_TEST_CASE(a_script_is_sent_again_when_redis_no_longer_has_it) {
    test::RedisServer server;
    redis::BackgroundLoop background;
    redis::RedisClient client(settings_for(server), background.executor());
    const redis::Script script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    BOOST_TEST(run(client.eval(script, {"s"}, {"2"})).value.integer == 2);
    BOOST_TEST(call(client, {"SCRIPT", "FLUSH"}).ok);
    BOOST_TEST(run(client.eval(script, {"s"}, {"3"})).value.integer == 5);
    BOOST_TEST(call(client, {"SCRIPT", "EXISTS", script.sha1}).value.elements.at(0).integer == 1);
}

BOOST_AUTO_TEST_CASE(a_stopped_server_times_out_opens_the_circuit_and_is_used_again_once_back) {
    test::RedisServer server;
    redis::BackgroundLoop background;
    redis::RedisClient client(settings_for(server), background.executor());
    BOOST_TEST(call(client, {"PING"}).ok);
    server.stop();
    auto started = std::chrono::steady_clock::now();
    const auto timed_out = call(client, {"PING"});
    BOOST_TEST(!timed_out.ok);
    BOOST_TEST(timed_out.failure.find("no reply within 300 ms") != std::string::npos, timed_out.failure);
    BOOST_TEST((std::chrono::steady_clock::now() - started < 2s));
    call(client, {"PING"});
    call(client, {"PING"});
    BOOST_TEST(!client.up());
    started = std::chrono::steady_clock::now();
    const auto fast = call(client, {"PING"}); // the circuit is open: no wait at all
    BOOST_TEST(fast.failure.find("circuit is open") != std::string::npos, fast.failure);
    BOOST_TEST((std::chrono::steady_clock::now() - started < 100ms));
    server.resume();
    std::this_thread::sleep_for(1100ms); // the breaker's open period
    BOOST_TEST(call(client, {"PING"}).ok);
    BOOST_TEST(client.up());
}

BOOST_AUTO_TEST_CASE(a_restarted_server_is_reconnected_to) {
    test::RedisServer server;
    redis::BackgroundLoop background;
    redis::RedisClient client(settings_for(server), background.executor());
    BOOST_TEST(call(client, {"SET", "a", "1"}).ok);
    server.kill();
    BOOST_TEST(!call(client, {"GET", "a"}).ok);
    server.start();
    BOOST_TEST(call(client, {"PING"}).value.text == "PONG");
}
