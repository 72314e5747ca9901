#define BOOST_TEST_MODULE http2_client
#include <boost/test/unit_test.hpp>

#include "daemon/transport/async_upstream_client.hpp"
#include "exchange_error_output.hpp"
#include "h2_test_server.hpp"
#include "test_upstream_server.hpp"
#include "test_request.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <list>

using namespace helix::transport;
using namespace helix::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

struct Collector final : AsyncResponseSink {
    int status = 0;
    Headers headers;
    std::string body;
    std::chrono::milliseconds pause{0};
    asio::awaitable<bool> on_head(int s, const Headers &h) override {
        status = s;
        headers = h;
        co_return true;
    }
    asio::awaitable<bool> on_body(std::string_view data) override {
        body.append(data);
        if (pause > 0ms) {
            asio::steady_timer timer(co_await asio::this_coro::executor, pause);
            co_await timer.async_wait(asio::use_awaitable);
        }
        co_return true;
    }
};

std::shared_ptr<const UpstreamSettings> settings(std::chrono::milliseconds ping = 15s) {
    auto s = std::make_shared<UpstreamSettings>(*UpstreamSettings::make(TlsSettings{}, ProxySettings{}));
    s->http2.ping_interval = ping;
    return s;
}

// A connection's reader never ends while it is open, so the loop runs until
// the exchanges asked for are done rather than until it has no work.
struct Loop {
    asio::io_context io;
    AsyncUpstreamClient client;
    explicit Loop(std::shared_ptr<const UpstreamSettings> s = settings()) : client(io.get_executor(), std::move(s)) {}

    std::vector<ExchangeResult> run(const std::string &url, ExchangeLimits limits, std::vector<Collector *> sinks) {
        std::list<Request> requests;
        std::vector<std::optional<ExchangeResult>> out(sinks.size());
        for (std::size_t i = 0; i < sinks.size(); ++i) {
            Request &request = requests.emplace_back(url);
            asio::co_spawn(
                io,
                [&, i]() -> asio::awaitable<void> { out[i] = co_await client.exchange(request.c, limits, *sinks[i]); },
                asio::detached);
        }
        const auto done = [&] { return std::all_of(out.begin(), out.end(), [](const auto &o) { return o.has_value(); }); };
        const auto give_up = std::chrono::steady_clock::now() + 20s;
        while (!done() && std::chrono::steady_clock::now() < give_up) io.run_one_for(100ms);
        BOOST_TEST_REQUIRE(done());
        std::vector<ExchangeResult> results;
        for (auto &o : out) results.push_back(*o);
        return results;
    }
    ExchangeResult run(const std::string &url, ExchangeLimits limits, Collector &sink) {
        return run(url, limits, std::vector<Collector *>{&sink}).front();
    }
};

std::string url(const H2TestServer &server) { return "http://127.0.0.1:" + std::to_string(server.port()) + "/v1/x?y=1"; }

ExchangeLimits h2c(std::chrono::milliseconds read_timeout = 5000ms) {
    ExchangeLimits l{2000ms, read_timeout, std::nullopt};
    l.http2 = Http2Mode::on;
    return l;
}

} // namespace

BOOST_AUTO_TEST_CASE(h2c_exchanges_share_one_connection) {
    H2TestServer server({});
    Loop loop;
    for (int i = 0; i < 3; ++i) {
        Collector sink;
        const auto result = loop.run(url(server), h2c(), sink);
        BOOST_TEST(result.error == ExchangeError::none, result.detail);
        BOOST_TEST(sink.status == 200);
        BOOST_TEST(sink.body == "hello over h2");
        BOOST_TEST(!sink.headers.empty());
    }
    BOOST_TEST(server.connections() == 1);
    BOOST_TEST(server.streams() == 3);
    BOOST_TEST(server.last_path() == "/v1/x?y=1");
    BOOST_TEST(loop.client.http2_connection_count() == 1u);
    BOOST_TEST(loop.client.idle_count() == 0u); // nothing went through the HTTP/1.1 pool
}

BOOST_AUTO_TEST_CASE(the_request_body_reaches_the_server) {
    H2TestServer server({.echo = true});
    Loop loop;
    Collector sink;
    const auto result = loop.run(url(server), h2c(), sink);
    BOOST_TEST(result.error == ExchangeError::none, result.detail);
    BOOST_TEST(sink.body == "{}");
}

BOOST_AUTO_TEST_CASE(a_body_larger_than_the_windows_arrives_whole_through_a_slow_sink) {
    // 2 MiB over a 256 KiB stream window: arrives only if consumed bytes reopen it.
    std::string big(2 * 1024 * 1024, 'x');
    for (std::size_t i = 0; i < big.size(); i += 997) big[i] = static_cast<char>('a' + i % 26);
    H2TestServer server({.body = big});
    Loop loop;
    Collector sink;
    sink.pause = 1ms;
    const auto result = loop.run(url(server), h2c(), sink);
    BOOST_TEST(result.error == ExchangeError::none, result.detail);
    BOOST_TEST(sink.body.size() == big.size());
    BOOST_TEST((sink.body == big));
}

BOOST_AUTO_TEST_CASE(a_full_connection_makes_another_one) {
    H2TestServer server({.max_concurrent_streams = 2, .delay = 300ms});
    Loop loop;
    std::vector<Collector> sinks(5);
    std::vector<Collector *> ptrs;
    for (auto &s : sinks) ptrs.push_back(&s);
    // The server's SETTINGS arrive before the first stream is answered.
    Collector warm;
    BOOST_TEST(loop.run(url(server), h2c(), warm).error == ExchangeError::none);
    const auto results = loop.run(url(server), h2c(), ptrs);
    for (const auto &r : results) BOOST_TEST(r.error == ExchangeError::none, r.detail);
    for (const auto &s : sinks) BOOST_TEST(s.body == "hello over h2");
    // 5 streams, 2 per connection: at least 3 (connections opened at the same moment may each take fewer)
    BOOST_TEST(server.connections() >= 3);
    BOOST_TEST(server.most_concurrent() <= 2);
}

BOOST_AUTO_TEST_CASE(a_burst_of_calls_shares_the_connection_being_opened) {
    H2TestServer server({.delay = 300ms});
    Loop loop;
    std::vector<Collector> sinks(20);
    std::vector<Collector *> ptrs;
    for (auto &s : sinks) ptrs.push_back(&s);
    // All twenty start at once on a client with no connection yet.
    const auto results = loop.run(url(server), h2c(), ptrs);
    for (const auto &r : results) BOOST_TEST(r.error == ExchangeError::none, r.detail);
    for (const auto &s : sinks) BOOST_TEST(s.body == "hello over h2");
    BOOST_TEST(server.connections() == 1);
    BOOST_TEST(server.most_concurrent() == 20);
    BOOST_TEST(loop.client.http2_connection_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_burst_beyond_the_known_stream_limit_opens_just_enough_connections) {
    H2TestServer server({.max_concurrent_streams = 4, .delay = 300ms});
    Loop loop;
    Collector warm; // the server's SETTINGS (4 streams) are known after it
    BOOST_TEST(loop.run(url(server), h2c(), warm).error == ExchangeError::none);
    std::vector<Collector> sinks(10);
    std::vector<Collector *> ptrs;
    for (auto &s : sinks) ptrs.push_back(&s);
    const auto results = loop.run(url(server), h2c(), ptrs);
    for (const auto &r : results) BOOST_TEST(r.error == ExchangeError::none, r.detail);
    // 4 on the warm connection, then 4 and 2 on two new ones.
    BOOST_TEST(server.connections() == 3);
    BOOST_TEST(server.most_concurrent() <= 4);
}

BOOST_AUTO_TEST_CASE(a_stream_reset_before_its_head_is_a_reset_without_a_head) {
    H2TestServer server({.reset_streams = true});
    Loop loop;
    Collector sink;
    const auto result = loop.run(url(server), h2c(), sink);
    BOOST_TEST(result.error == ExchangeError::reset);
    BOOST_TEST(!result.head_received);
    BOOST_TEST(result.detail.find("reset the stream") != std::string::npos, result.detail);
    BOOST_TEST(server.streams() == 1); // not sent again: the router fails over instead
}

BOOST_AUTO_TEST_CASE(a_stream_above_goaways_last_id_is_sent_again_on_a_new_connection) {
    H2TestServer server({.goaway_first = true});
    Loop loop;
    Collector sink;
    const auto result = loop.run(url(server), h2c(), sink);
    BOOST_TEST(result.error == ExchangeError::none, result.detail);
    BOOST_TEST(sink.body == "hello over h2");
    BOOST_TEST(server.connections() == 2);
}

BOOST_AUTO_TEST_CASE(a_dead_connection_is_found_by_ping_before_the_read_timeout) {
    H2TestServer server({.silent = true});
    Loop loop(settings(100ms));
    Collector sink;
    const auto started = std::chrono::steady_clock::now();
    const auto result = loop.run(url(server), h2c(30s), sink);
    BOOST_TEST(result.error == ExchangeError::reset, result.detail);
    BOOST_TEST(result.detail.find("PING") != std::string::npos, result.detail);
    BOOST_TEST((std::chrono::steady_clock::now() - started < 10s));
}

BOOST_AUTO_TEST_CASE(the_read_timeout_bounds_a_stream_that_gets_no_answer) {
    H2TestServer server({.delay = 5s});
    Loop loop;
    Collector sink;
    const auto result = loop.run(url(server), h2c(300ms), sink);
    BOOST_TEST(result.error == ExchangeError::timeout, result.detail);
    BOOST_TEST(!result.head_received);
}

BOOST_AUTO_TEST_CASE(auto_keeps_plain_http_on_http1) {
    H2TestServer server({});
    Loop loop;
    Collector sink;
    ExchangeLimits l = h2c(300ms);
    l.http2 = Http2Mode::automatic;
    const auto result = loop.run(url(server), l, sink);
    BOOST_TEST(result.error != ExchangeError::none); // an h2c-only server cannot parse HTTP/1.1
    BOOST_TEST(loop.client.http2_connection_count() == 0u);
}

BOOST_AUTO_TEST_CASE(an_http2_call_closes_http1_connections_idle_past_their_ttl) {
    TestUpstreamServer http1({});
    H2TestServer server({});
    Loop loop(UpstreamSettings::make(TlsSettings{}, ProxySettings{}, 64, 50ms));
    Collector first;
    ExchangeLimits plain = h2c();
    plain.http2 = Http2Mode::off;
    const auto r1 = loop.run("http://127.0.0.1:" + std::to_string(http1.port()) + "/v1/x", plain, first);
    BOOST_TEST_REQUIRE(r1.error == ExchangeError::none, r1.detail);
    BOOST_TEST_REQUIRE(loop.client.idle_count() == 1u);
    std::this_thread::sleep_for(100ms);
    Collector second;
    const auto r2 = loop.run(url(server), h2c(), second);
    BOOST_TEST(r2.error == ExchangeError::none, r2.detail);
    BOOST_TEST(loop.client.idle_count() == 0u); // its socket is closed, not kept for the next HTTP/1.1 call
}

BOOST_AUTO_TEST_CASE(calls_in_flight_over_http2_are_counted_until_they_end) {
    H2TestServer::Options slow;
    slow.delay = 300ms;
    H2TestServer server(slow);
    Loop loop;
    Collector a;
    Collector b;
    std::int64_t seen = 0;
    asio::steady_timer probe(loop.io, 100ms);
    probe.async_wait([&](const boost::system::error_code &) { seen = loop.client.http2_calls(); });
    const auto results = loop.run(url(server), h2c(), {&a, &b});
    for (const auto &r : results) BOOST_TEST(r.error == ExchangeError::none, r.detail);
    BOOST_TEST(seen == 2);
    BOOST_TEST(loop.client.http2_calls() == 0);
}
