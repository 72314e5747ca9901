#define BOOST_TEST_MODULE async_upstream_client
#include <boost/test/unit_test.hpp>

#include "daemon/transport/async_upstream_client.hpp"
#include "exchange_error_output.hpp"
#include "scripted_server.hpp"
#include "test_request.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <thread>

using namespace helix::transport;
using namespace helix::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {

using Clock = std::chrono::steady_clock;

// Keeps what arrives; may wait `pause` per body part, and stop after `stop_after`.
struct Collector final : AsyncResponseSink {
    int status = 0;
    std::string body;
    std::size_t largest_part = 0;
    std::chrono::milliseconds pause{0};
    std::optional<Clock::time_point> stop_at;
    std::function<void()> on_stop;

    asio::awaitable<bool> on_head(int s, const Headers &) override {
        status = s;
        co_return true;
    }
    asio::awaitable<bool> on_body(std::string_view data) override {
        body.append(data);
        largest_part = std::max(largest_part, data.size());
        if (pause > 0ms) {
            asio::steady_timer timer(co_await asio::this_coro::executor, pause);
            co_await timer.async_wait(asio::use_awaitable);
        }
        if (stop_at && Clock::now() >= *stop_at) {
            if (on_stop) on_stop();
            co_return false;
        }
        co_return true;
    }
};

struct Loop {
    asio::io_context io;
    AsyncUpstreamClient client{io.get_executor(), UpstreamSettings::make(TlsSettings{}, ProxySettings{})};

    // Runs one exchange to its end; with cancel_after, the awaiting coroutine
    // is cancelled (terminal) after that long.
    ExchangeResult run(const std::string &url, ExchangeLimits limits, AsyncResponseSink &sink,
                       std::optional<std::chrono::milliseconds> cancel_after = std::nullopt) {
        Request request(url);
        std::optional<ExchangeResult> out;
        asio::cancellation_signal cancel;
        asio::steady_timer timer(io, cancel_after.value_or(0ms));
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                out = co_await client.exchange(request.c, limits, sink);
                timer.cancel();
            },
            asio::bind_cancellation_slot(cancel.slot(), asio::detached));
        if (cancel_after)
            timer.async_wait([&](const boost::system::error_code &ec) {
                if (!ec) cancel.emit(asio::cancellation_type::terminal);
            });
        io.restart();
        io.run();
        BOOST_TEST_REQUIRE(out.has_value());
        return *out;
    }
};

std::string url(const ScriptedServer &server) { return "http://127.0.0.1:" + std::to_string(server.port()) + "/v1/x"; }

// One reply per request, as long as the client keeps the connection.
ScriptedServer::Handler replies(std::string reply) {
    return [reply](ScriptedConnection &c) {
        while (!c.read_request().empty())
            if (!c.write(reply)) return;
    };
}

ExchangeLimits limits(std::chrono::milliseconds read_timeout = 5000ms) { return {2000ms, read_timeout, std::nullopt}; }

} // namespace

BOOST_AUTO_TEST_CASE(a_status_above_511_such_as_anthropics_529_is_handed_on) {
    ScriptedServer server(replies("HTTP/1.1 529 Overloaded\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"));
    Loop loop;
    Collector sink;
    const auto result = loop.run(url(server), limits(), sink);
    BOOST_TEST(result.error == ExchangeError::none, result.detail);
    BOOST_TEST(sink.status == 529);
    BOOST_TEST(sink.body == "{}");
    BOOST_TEST(loop.client.idle_count() == 1u);
}

BOOST_AUTO_TEST_CASE(a_body_short_of_its_content_length_is_a_reset) {
    ScriptedServer server([](ScriptedConnection &c) {
        c.read_request();
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    });
    Loop loop;
    Collector sink;
    const auto result = loop.run(url(server), limits(), sink);
    BOOST_TEST(result.error == ExchangeError::reset);
    BOOST_TEST(result.head_received);
    BOOST_TEST(result.detail.find("3 of 10") != std::string::npos, result.detail);
    BOOST_TEST(loop.client.idle_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_chunked_body_cut_off_is_a_reset) {
    ScriptedServer server([](ScriptedConnection &c) {
        c.read_request();
        c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
    });
    Loop loop;
    Collector sink;
    const auto result = loop.run(url(server), limits(), sink);
    BOOST_TEST(result.error == ExchangeError::reset);
    BOOST_TEST(sink.body == "hello");
}

// A trickling stream waits for its next bytes holding no read buffer; what
// is buffered is parsed first, so a last chunk that came with the previous
// chunk's end finishes the body at once (the upstream keeps its connection
// open: nothing more would come to end a wait), and a chunk split across
// reads arrives whole.
BOOST_AUTO_TEST_CASE(a_trickling_chunked_stream_ends_with_its_last_chunk_not_a_timeout) {
    ScriptedServer server([](ScriptedConnection &c) {
        c.read_request();
        c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel");
        std::this_thread::sleep_for(150ms);
        c.write("lo");
        std::this_thread::sleep_for(150ms);
        c.write("\r\n");
        std::this_thread::sleep_for(150ms);
        c.write("6\r\n world\r\n0\r\n\r\n");
        c.read_request(); // held open until the client closes
    });
    Loop loop;
    Collector sink;
    const auto started = Clock::now();
    const auto result = loop.run(url(server), limits(3000ms), sink);
    BOOST_TEST(result.error == ExchangeError::none, result.detail);
    BOOST_TEST(sink.body == "hello world");
    BOOST_TEST((Clock::now() - started) < 2500ms);
    BOOST_TEST(loop.client.idle_count() == 1u);
}

// The wait for a trickling stream's next bytes and the read that takes them
// share one read_timeout: a stalled upstream is noticed after it, not twice it.
BOOST_AUTO_TEST_CASE(a_stalled_chunked_stream_times_out_after_one_read_timeout) {
    ScriptedServer server([](ScriptedConnection &c) {
        c.read_request();
        c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
        c.read_request(); // then silence, until the client closes
    });
    Loop loop;
    Collector sink;
    const auto started = Clock::now();
    const auto result = loop.run(url(server), limits(1000ms), sink);
    const auto took = Clock::now() - started;
    BOOST_TEST(result.error == ExchangeError::timeout, result.detail);
    BOOST_TEST(result.detail.find("read timeout") != std::string::npos, result.detail);
    BOOST_TEST(sink.body == "hello");
    BOOST_TEST(took >= 900ms);
    BOOST_TEST(took < 1700ms); // two bounds in a row would take 2 s
}

BOOST_AUTO_TEST_CASE(a_close_delimited_body_ends_with_the_connection) {
    ScriptedServer server([](ScriptedConnection &c) {
        c.read_request();
        c.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nhello, ");
        std::this_thread::sleep_for(50ms);
        c.write("world");
    });
    Loop loop;
    Collector sink;
    const auto result = loop.run(url(server), limits(), sink);
    BOOST_TEST(result.error == ExchangeError::none, result.detail);
    BOOST_TEST(sink.body == "hello, world");
    BOOST_TEST(loop.client.idle_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_pooled_connection_closed_by_the_upstream_is_resent_once_on_a_fresh_one) {
    // Each connection answers one request and closes a moment later, though
    // it said keep-alive: the second exchange finds its pooled connection dead.
    ScriptedServer server([](ScriptedConnection &c) {
        if (c.read_request().empty()) return;
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        std::this_thread::sleep_for(50ms);
    });
    Loop loop;
    Collector first;
    BOOST_TEST_REQUIRE(loop.run(url(server), limits(), first).error == ExchangeError::none);
    BOOST_TEST_REQUIRE(loop.client.idle_count() == 1u);
    std::this_thread::sleep_for(300ms);
    Collector second;
    const auto result = loop.run(url(server), limits(), second);
    BOOST_TEST(result.error == ExchangeError::none, result.detail);
    BOOST_TEST(second.body == "ok");
    BOOST_TEST(server.connections() == 2);
}

BOOST_AUTO_TEST_CASE(the_deadline_ends_an_upstream_that_trickles_a_byte_at_a_time) {
    // One byte every 200 ms never trips the 2 s read timeout; only the
    // exchange's deadline (router.deadline) ends it. The upstream gives up
    // after 5 s, so without the deadline the exchange would end then, without error.
    ScriptedServer server([](ScriptedConnection &c) {
        c.read_request();
        if (!c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")) return;
        for (const auto until = Clock::now() + 5s; Clock::now() < until;) {
            if (!c.write("1\r\n.\r\n")) return;
            std::this_thread::sleep_for(200ms);
        }
        c.write("0\r\n\r\n");
    });
    Loop loop;
    Collector sink;
    const auto started = Clock::now();
    const auto result = loop.run(url(server), {2000ms, 2000ms, started + 1000ms}, sink);
    const auto took = Clock::now() - started;
    BOOST_TEST(result.error == ExchangeError::timeout, result.detail);
    BOOST_TEST(result.detail.find("deadline") != std::string::npos, result.detail);
    BOOST_TEST(took >= 900ms);
    BOOST_TEST(took < 2500ms);
    BOOST_TEST(!sink.body.empty());
}

BOOST_AUTO_TEST_CASE(a_deadline_already_past_sends_nothing) {
    ScriptedServer server(replies("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
    Loop loop;
    Collector sink;
    const auto result = loop.run(url(server), {2000ms, 2000ms, Clock::now() - 1ms}, sink);
    BOOST_TEST(result.error == ExchangeError::timeout);
    BOOST_TEST(server.connections() == 0);
}

BOOST_AUTO_TEST_CASE(terminal_cancellation_of_the_awaiting_coroutine_ends_the_exchange_at_once) {
    ScriptedServer server([&](ScriptedConnection &c) {
        c.read_request();
        c.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n.\r\n");
        c.read_request(); // silent until the client goes (or the server stops)
    });
    Loop loop;
    Collector sink;
    const auto started = Clock::now();
    const auto result = loop.run(url(server), limits(10'000ms), sink, 300ms);
    BOOST_TEST(result.error == ExchangeError::cancelled, result.detail);
    BOOST_TEST((Clock::now() - started) < 2000ms);
    BOOST_TEST(loop.client.idle_count() == 0u);
}

BOOST_AUTO_TEST_CASE(a_slow_sink_slows_the_upstream_reads_and_memory_stays_bounded) {
    // The upstream would send 256 MiB as fast as it can; the sink takes 10 ms
    // per part and stops after a second. What the upstream could write by
    // then is what the sink took plus the sockets' buffers, not the stream.
    constexpr std::size_t total = 256u << 20;
    std::atomic<std::size_t> written{0};
    ScriptedServer server([&](ScriptedConnection &c) {
        c.read_request();
        if (!c.write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(total) + "\r\n\r\n")) return;
        const std::string block(64 * 1024, 'x');
        while (written < total && c.write(block)) written += block.size();
    });
    Loop loop;
    Collector sink;
    sink.pause = 10ms;
    sink.stop_at = Clock::now() + 1s;
    std::size_t written_at_stop = 0;
    sink.on_stop = [&] { written_at_stop = written.load(); };
    const auto result = loop.run(url(server), limits(), sink);
    BOOST_TEST(result.error == ExchangeError::cancelled);
    BOOST_TEST(sink.largest_part <= 16u * 1024);
    BOOST_TEST(sink.body.size() < 8u << 20); // ~100 parts of at most 16 KiB
    BOOST_TEST_MESSAGE("sink took " << sink.body.size() << " bytes; the upstream had written " << written_at_stop);
    BOOST_TEST(written_at_stop < sink.body.size() + (48u << 20));
}

BOOST_AUTO_TEST_CASE(a_connect_without_a_free_file_descriptor_names_the_cause) {
    Loop loop;
    std::string target;
    {
        // One call first, so the loop and the resolver are set up; the
        // server's sockets are all closed once it is gone.
        ScriptedServer server(replies("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"));
        target = url(server);
        Collector warm;
        BOOST_TEST_REQUIRE(loop.run(target, limits(), warm).error == ExchangeError::none);
        BOOST_TEST_REQUIRE(loop.client.idle_count() == 0u); // the next call must connect
    }
    // Descriptors are numbered from the lowest free one: a limit there lets
    // every open descriptor be used and no new one be made.
    const int lowest_free = ::dup(0);
    BOOST_TEST_REQUIRE(lowest_free >= 0);
    ::close(lowest_free);
    rlimit saved{};
    BOOST_TEST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
    const rlimit tight{static_cast<rlim_t>(lowest_free), saved.rlim_max};
    BOOST_TEST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &tight) == 0);
    Collector sink;
    const ExchangeResult result = loop.run(target, limits(), sink);
    BOOST_TEST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
    BOOST_TEST(result.error == ExchangeError::connect_failed, result.detail);
    BOOST_TEST(result.detail.find("no free file descriptor for a connection to 127.0.0.1") != std::string::npos,
               result.detail);
}
