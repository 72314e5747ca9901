#define BOOST_TEST_MODULE redis_client
#include <boost/test/unit_test.hpp>

// The Redis client against a real redis-server: pipelining on one loop,
// AUTH, scripts, a stopped or killed server (timeout, circuit, reconnect),
// TLS as managed Redis services offer it (the server's certificate and
// name verified, a client certificate).

#include "daemon/redis/background_loop.hpp"
#include "daemon/redis/redis_client.hpp"
#include "daemon/redis/redis_tls_context.hpp"
#include "../transport/test_pki.hpp"
#include "redis_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <openssl/ssl.h>

#include <optional>

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

// A CA and a server certificate it signed for localhost and upstream.test.
const test::TestPki &pki() {
    static const test::TestPki instance;
    return instance;
}

test::RedisOptions tls_server(std::string password = "", bool client_certificates = false) {
    return test::RedisOptions{std::move(password), "",
                              test::RedisTls{pki().cert_file(), pki().key_file(), pki().ca_file(), client_certificates}};
}

// TLS to `host`, trusting the test CA.
config::SharedStateSettings tls_settings_for(const test::RedisServer &server, std::string host = "localhost") {
    config::SharedStateSettings s = settings_for(server);
    s.host = std::move(host);
    s.tls = true;
    s.ca_file = pki().ca_file();
    return s;
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

BOOST_AUTO_TEST_CASE(a_call_its_caller_gave_up_on_does_not_mark_redis_down) {
    test::RedisServer server;
    redis::BackgroundLoop background;
    redis::RedisClient client(settings_for(server), background.executor());
    asio::io_context loop;
    asio::cancellation_signal cancel;
    std::optional<redis::RespResult> got;
    // A list nobody pushes to: Redis holds the reply back; the caller leaves after 50 ms.
    asio::co_spawn(loop, client.call({"BLPOP", "never-pushed", "0"}),
                   asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr, redis::RespResult r) {
                       got = std::move(r);
                       loop.stop();
                   }));
    asio::steady_timer leave(loop, 50ms);
    leave.async_wait([&](boost::system::error_code) { cancel.emit(asio::cancellation_type::terminal); });
    loop.run();
    BOOST_TEST_REQUIRE(got.has_value());
    BOOST_TEST(got->failure == "Redis call cancelled");
    BOOST_TEST(client.up());
}

BOOST_AUTO_TEST_CASE(tls_with_the_ca_file_and_a_password) {
    test::RedisServer server(tls_server("s3cret-tls-pw"));
    redis::BackgroundLoop background;
    config::SharedStateSettings s = tls_settings_for(server);
    s.password = "s3cret-tls-pw";
    redis::RedisClient client(s, background.executor());
    BOOST_TEST(call(client, {"SET", "k", "over tls"}).value.text == "OK");
    BOOST_TEST(call(client, {"GET", "k"}).value.text == "over tls");
    BOOST_TEST(client.up());
    // The port speaks TLS only: a plain-text client gets nothing from it.
    config::SharedStateSettings plain = settings_for(server, "s3cret-tls-pw");
    redis::RedisClient plain_client(plain, background.executor());
    BOOST_TEST(!call(plain_client, {"PING"}).ok);
}

BOOST_AUTO_TEST_CASE(a_certificate_from_another_ca_or_for_another_name_is_refused_and_says_why) {
    test::RedisServer server(tls_server());
    redis::BackgroundLoop background;
    const auto refusal = [&](const config::SharedStateSettings &s) {
        redis::RedisClient client(s, background.executor());
        const redis::RespResult r = call(client, {"PING"});
        BOOST_TEST(!r.ok);
        BOOST_TEST(!client.up());
        return r.failure;
    };
    config::SharedStateSettings rogue = tls_settings_for(server);
    rogue.ca_file = pki().rogue_ca_file();
    const std::string untrusted = refusal(rogue);
    BOOST_TEST(untrusted.find("TLS handshake failed") != std::string::npos, untrusted);
    BOOST_TEST(untrusted.find("certificate verify failed (SSL routines) (the server's certificate: self-signed "
                              "certificate in certificate chain; ca_file must hold the CA that signed it)") !=
                   std::string::npos,
               untrusted);
    config::SharedStateSettings system_store = tls_settings_for(server);
    system_store.ca_file.clear(); // the system's CAs do not know the test CA
    const std::string unknown = refusal(system_store);
    BOOST_TEST(unknown.find("self-signed certificate in certificate chain") != std::string::npos, unknown);
    // The certificate is for localhost and upstream.test, not for 127.0.0.1 nor for another name.
    const std::string by_address = refusal(tls_settings_for(server, "127.0.0.1"));
    BOOST_TEST(by_address.find("not for '127.0.0.1'") != std::string::npos, by_address);
    config::SharedStateSettings other = tls_settings_for(server, "127.0.0.1");
    other.server_name = "cache.example.com";
    const std::string other_name = refusal(other);
    BOOST_TEST(other_name.find("not for 'cache.example.com'") != std::string::npos, other_name);
    // server_name: the address connected to, the name checked.
    config::SharedStateSettings named = tls_settings_for(server, "127.0.0.1");
    named.server_name = "upstream.test";
    redis::RedisClient client(named, background.executor());
    BOOST_TEST(call(client, {"PING"}).value.text == "PONG");
}

BOOST_AUTO_TEST_CASE(mutual_tls_presents_the_client_certificate) {
    test::RedisServer server(tls_server("", true));
    redis::BackgroundLoop background;
    redis::RedisClient without(tls_settings_for(server), background.executor());
    BOOST_TEST(!call(without, {"PING"}).ok);
    config::SharedStateSettings s = tls_settings_for(server);
    s.cert_file = pki().cert_file();
    s.key_file = pki().key_file();
    redis::RedisClient with(s, background.executor());
    BOOST_TEST(call(with, {"PING"}).value.text == "PONG");
    // One the server's CA did not sign is refused.
    s.cert_file = pki().cert_file(true);
    s.key_file = pki().key_file(true);
    redis::RedisClient rogue(s, background.executor());
    BOOST_TEST(!call(rogue, {"PING"}).ok);
}

BOOST_AUTO_TEST_CASE(the_tls_context_wants_tls_1_2_and_names_a_file_it_cannot_use) {
    config::SharedStateSettings s;
    s.host = "localhost";
    s.tls = true;
    s.ca_file = pki().ca_file();
    const auto context = redis::make_redis_tls_context(s);
    BOOST_TEST(SSL_CTX_get_min_proto_version(context->native_handle()) == TLS1_2_VERSION);
    BOOST_TEST(SSL_CTX_get_verify_mode(context->native_handle()) == SSL_VERIFY_PEER);
    BOOST_TEST(!redis::redis_tls_problem(s));
    s.ca_file = pki().key_file(); // a key, not a certificate
    BOOST_TEST(redis::redis_tls_problem(s).value_or("").find("shared_state.redis.ca_file '" + pki().key_file() + "'") !=
               std::string::npos);
    s.ca_file = pki().ca_file();
    s.cert_file = pki().cert_file();
    s.key_file = pki().key_file(true); // another certificate's key
    const std::string mismatch = redis::redis_tls_problem(s).value_or("");
    BOOST_TEST(mismatch.find("shared_state.redis.key_file '" + pki().key_file(true) + "': key values mismatch") !=
                   std::string::npos,
               mismatch);
    redis::BackgroundLoop background;
    BOOST_CHECK_THROW(redis::RedisClient(s, background.executor()), std::runtime_error);
}
