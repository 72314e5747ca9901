#define BOOST_TEST_MODULE overload
#include <boost/test/unit_test.hpp>

// Overload and bad clients against a real helixagentd: the in-flight and
// connection limits answer at once, clients that trickle a request in or
// stop reading a stream are cut off without holding anything but their own
// connection.

#include "plain_gateway.hpp"

#include <boost/json.hpp>

#include <Poco/Net/StreamSocket.h>

#include <future>

using namespace helix::test;
using namespace std::chrono_literals;

namespace {

const std::string key = "sk-overload-test-77c3";

std::string chat_body(const std::string &prompt, bool stream = false) { return plain_chat_body(prompt, stream); }

std::string request_head(std::size_t content_length) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(content_length) + "\r\n\r\n";
}

struct Fixture : PlainGateway {
    explicit Fixture(const std::string &server_extra) : PlainGateway(key, server_extra) {}
};

// Everything the server sends until it closes (or `limit` passes).
std::string read_until_closed(Poco::Net::StreamSocket &socket, std::chrono::seconds limit) {
    socket.setReceiveTimeout(Poco::Timespan(static_cast<long>(limit.count()), 0));
    std::string reply;
    char buffer[4096];
    try {
        int n = 0;
        while ((n = socket.receiveBytes(buffer, sizeof buffer)) > 0) reply.append(buffer, static_cast<std::size_t>(n));
    } catch (const Poco::Exception &) {
        // a reset after the reply, or the limit
    }
    return reply;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

} // namespace

BOOST_AUTO_TEST_CASE(chat_completions_beyond_max_in_flight_get_an_immediate_503_with_retry_after) {
    Fixture f("  max_in_flight: 2\n  max_connections: 32\n");
    std::vector<std::future<HttpResult>> slow;
    for (int i = 0; i < 2; ++i)
        slow.push_back(std::async(std::launch::async, [&] { return f.chat("SLOW please"); }));
    while (f.upstream.requests() < 2) std::this_thread::sleep_for(5ms);

    // Eight more at once, while both slots are taken by 1.5 s upstream calls.
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::future<std::pair<HttpResult, double>>> burst;
    for (int i = 0; i < 8; ++i)
        burst.push_back(std::async(std::launch::async, [&] {
            const auto sent = std::chrono::steady_clock::now();
            HttpResult r = f.chat("hi");
            return std::pair{r, seconds_since(sent)};
        }));
    for (auto &b : burst) {
        const auto [r, took] = b.get();
        BOOST_TEST(r.status == 503, r.body);
        BOOST_TEST(took < 0.5, "a refusal took " << took << " s");
        BOOST_TEST(r.headers.at("retry-after") == "1");
        BOOST_TEST(r.headers.at("x-request-id").starts_with("req_"));
        const auto error = boost::json::parse(r.body).at("error");
        BOOST_TEST(error.at("code").as_string() == "server_overloaded");
        BOOST_TEST(error.at("type").as_string() == "server_error");
        BOOST_TEST(error.at("message").as_string().find("server.max_in_flight") != std::string::npos);
    }
    BOOST_TEST(seconds_since(start) < 1.0); // all answered before the slots freed
    BOOST_TEST(f.upstream.requests() == 2);  // none of the refused reached the upstream
    // Health and metrics are not chat completions: never refused by the limit.
    BOOST_TEST(http_get(f.port, "/healthz").status == 200);
    const HttpResult metrics = http_get(f.port, "/metrics");
    BOOST_TEST(metrics.status == 200);
    // Operators see the refusals (8 here, none for connections).
    BOOST_TEST(metrics.body.find("helixagent_requests_refused_total{reason=\"in_flight\"} 8") != std::string::npos,
               metrics.body);
    BOOST_TEST(metrics.body.find("helixagent_requests_refused_total{reason=\"connections\"} 0") != std::string::npos);

    for (auto &s : slow) BOOST_TEST(s.get().status == 200);
    // The slots are free again. Clients learn how long an idle connection is
    // kept, so they never reuse one that is being closed.
    Poco::Net::StreamSocket kept(Poco::Net::SocketAddress("127.0.0.1", f.port));
    const std::string body = chat_body("hi");
    const std::string request = request_head(body.size()) + body;
    kept.sendBytes(request.data(), static_cast<int>(request.size()));
    kept.setReceiveTimeout(Poco::Timespan(5, 0));
    std::string head;
    char buffer[1024];
    int n = 0;
    while (head.find("\r\n\r\n") == std::string::npos && (n = kept.receiveBytes(buffer, sizeof buffer)) > 0)
        head.append(buffer, static_cast<std::size_t>(n));
    BOOST_TEST(head.starts_with("HTTP/1.1 200"), head);
    BOOST_TEST(head.find("\r\nKeep-Alive: timeout=15\r\n") != std::string::npos, head);
}

BOOST_AUTO_TEST_CASE(connections_beyond_max_connections_are_refused_at_once_not_queued) {
    Fixture f("  max_in_flight: 2\n  max_connections: 4\n  read_timeout: 20s\n");
    // Four connections that send nothing hold every thread (until read_timeout).
    std::vector<std::unique_ptr<Poco::Net::StreamSocket>> idle;
    for (int i = 0; i < 4; ++i)
        idle.push_back(std::make_unique<Poco::Net::StreamSocket>(Poco::Net::SocketAddress("127.0.0.1", f.port)));
    std::this_thread::sleep_for(300ms); // accepted and admitted

    for (int i = 0; i < 3; ++i) {
        const auto start = std::chrono::steady_clock::now();
        Poco::Net::StreamSocket extra(Poco::Net::SocketAddress("127.0.0.1", f.port));
        const std::string body = chat_body("hi");
        const std::string request = request_head(body.size()) + body;
        extra.sendBytes(request.data(), static_cast<int>(request.size()));
        const std::string reply = read_until_closed(extra, 5s);
        const double took = seconds_since(start);
        BOOST_TEST(reply.starts_with("HTTP/1.1 503"), reply);
        BOOST_TEST(reply.find("Retry-After: 1") != std::string::npos);
        BOOST_TEST(reply.find("\"code\":\"server_overloaded\"") != std::string::npos);
        BOOST_TEST(reply.find("server.max_connections") != std::string::npos);
        BOOST_TEST(took < 0.5, "the refusal took " << took << " s");
    }
    BOOST_TEST(f.upstream.requests() == 0);

    idle.clear(); // their threads are free again
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    int status = 0;
    while ((status = f.chat("hi").status) != 200 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    BOOST_TEST(status == 200);
    // The 3 above, and any retry of the loop that came while the idle ones were closing.
    const std::string body = http_get(f.port, "/metrics").body;
    const std::string series = "helixagent_requests_refused_total{reason=\"connections\"} ";
    const std::size_t at = body.find(series);
    BOOST_TEST_REQUIRE(at != std::string::npos, body);
    BOOST_TEST(std::stod(body.substr(at + series.size())) >= 3.0);
}

BOOST_AUTO_TEST_CASE(a_client_that_trickles_its_headers_gets_408_at_request_read_timeout) {
    // Each byte comes well inside read_timeout; the whole head does not come
    // inside request_read_timeout.
    Fixture f("  read_timeout: 1s\n  request_read_timeout: 2s\n");
    Poco::Net::StreamSocket slow(Poco::Net::SocketAddress("127.0.0.1", f.port));
    const std::string start_line = "POST /v1/chat/completions HTTP/1.1\r\nX-Slow: ";
    slow.sendBytes(start_line.data(), static_cast<int>(start_line.size()));
    const auto start = std::chrono::steady_clock::now();
    bool served_meanwhile = false;
    while (!slow.poll(Poco::Timespan(250'000), Poco::Net::Socket::SELECT_READ) && seconds_since(start) < 8) {
        try {
            slow.sendBytes("a", 1);
        } catch (const Poco::Exception &) {
            break;
        }
        if (!served_meanwhile) served_meanwhile = f.chat("hi").status == 200; // others are not held up
    }
    const std::string reply = read_until_closed(slow, 5s);
    const double took = seconds_since(start);
    BOOST_TEST(reply.starts_with("HTTP/1.1 408"), reply);
    BOOST_TEST(reply.find("\"code\":\"request_timeout\"") != std::string::npos);
    BOOST_TEST(reply.find("server.request_read_timeout") != std::string::npos);
    BOOST_TEST(took > 1.5);
    BOOST_TEST(took < 4.0);
    BOOST_TEST(served_meanwhile);
    BOOST_TEST(f.upstream.requests() == 1);
}

BOOST_AUTO_TEST_CASE(a_client_that_trickles_its_body_byte_by_byte_gets_408_at_request_read_timeout) {
    Fixture f("  read_timeout: 1s\n  request_read_timeout: 2s\n");
    Poco::Net::StreamSocket slow(Poco::Net::SocketAddress("127.0.0.1", f.port));
    const std::string body = chat_body("hi");
    const std::string head = request_head(body.size());
    slow.sendBytes(head.data(), static_cast<int>(head.size()));
    const auto start = std::chrono::steady_clock::now();
    std::size_t sent = 0;
    while (!slow.poll(Poco::Timespan(250'000), Poco::Net::Socket::SELECT_READ) && sent < body.size()) {
        try {
            slow.sendBytes(body.data() + sent, 1);
        } catch (const Poco::Exception &) {
            break;
        }
        ++sent;
    }
    const std::string reply = read_until_closed(slow, 5s);
    const double took = seconds_since(start);
    BOOST_TEST_REQUIRE(sent < body.size(), "the whole body went out before any timeout");
    BOOST_TEST(reply.starts_with("HTTP/1.1 408"), reply);
    BOOST_TEST(reply.find("\"code\":\"request_timeout\"") != std::string::npos);
    BOOST_TEST(took > 1.5);
    BOOST_TEST(took < 4.0);
    BOOST_TEST(f.upstream.requests() == 0);
    BOOST_TEST(f.chat("hi").status == 200);
}

BOOST_AUTO_TEST_CASE(a_client_that_stops_reading_a_stream_is_dropped_after_write_timeout_and_its_upstream_cancelled) {
    Fixture f("  write_timeout: 1s\n");
    Poco::Net::StreamSocket client(Poco::Net::SocketAddress::IPv4);
    client.setReceiveBufferSize(4096); // fills after a few chunks
    client.connect(Poco::Net::SocketAddress("127.0.0.1", f.port));
    const std::string body = chat_body("FLOOD", true);
    const std::string request = request_head(body.size()) + body;
    client.sendBytes(request.data(), static_cast<int>(request.size()));
    char buffer[512];
    client.setReceiveTimeout(Poco::Timespan(5, 0));
    BOOST_TEST_REQUIRE(client.receiveBytes(buffer, sizeof buffer) > 0); // the stream has started
    BOOST_TEST_REQUIRE(std::string(buffer, 12) == "HTTP/1.1 200");
    // ...and the client reads no more.
    const auto start = std::chrono::steady_clock::now();
    while (!f.upstream.flood_aborted() && seconds_since(start) < 10) std::this_thread::sleep_for(20ms);
    BOOST_TEST(f.upstream.flood_aborted(), "the upstream kept streaming for a client that stopped reading");
    BOOST_TEST(seconds_since(start) < 6.0);
    BOOST_TEST(f.upstream.flood_parts_written() < 65536);
    // The gateway is unaffected, and has closed the connection: reading on
    // finds the end of what was buffered, not a stream kept alive.
    BOOST_TEST(f.chat("hi").status == 200);
    const auto reading = std::chrono::steady_clock::now();
    const std::string rest = read_until_closed(client, 5s);
    BOOST_TEST(seconds_since(reading) < 3.0, "the connection was kept open");
    BOOST_TEST(rest.find("data: [DONE]") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(requests_without_a_valid_key_never_take_a_chat_slot_nor_wait_for_their_body) {
    Fixture f("  max_in_flight: 4\n  max_connections: 32\n");
    // Four heads announcing a large body that never comes: without a key,
    // and with a wrong one.
    std::vector<std::unique_ptr<Poco::Net::StreamSocket>> stalled;
    for (int i = 0; i < 4; ++i) {
        auto socket = std::make_unique<Poco::Net::StreamSocket>(Poco::Net::SocketAddress("127.0.0.1", f.port));
        const std::string head = std::string("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n") +
                                 (i % 2 == 0 ? "" : "Authorization: Bearer sk-wrong\r\n") +
                                 "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n";
        socket->sendBytes(head.data(), static_cast<int>(head.size()));
        stalled.push_back(std::move(socket));
    }
    // Each is answered 401 at once and its connection closed, its body unread.
    for (auto &socket : stalled) {
        const auto start = std::chrono::steady_clock::now();
        const std::string reply = read_until_closed(*socket, 5s);
        BOOST_TEST(reply.starts_with("HTTP/1.1 401"), reply);
        std::string lower = reply;
        for (char &c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        BOOST_TEST(lower.find("\r\nconnection: close\r\n") != std::string::npos, reply);
        BOOST_TEST(seconds_since(start) < 2.0);
    }
    // A keyed request is served while those sockets are still open.
    BOOST_TEST(f.chat("hi").status == 200);
    // ...and so are four at once: no slot was left taken.
    std::vector<std::future<HttpResult>> keyed;
    for (int i = 0; i < 4; ++i) keyed.push_back(std::async(std::launch::async, [&] { return f.chat("hi"); }));
    for (auto &k : keyed) BOOST_TEST(k.get().status == 200);
    const std::string metrics = http_get(f.port, "/metrics").body;
    BOOST_TEST(metrics.find("helixagent_requests_refused_total{reason=\"in_flight\"} 0") != std::string::npos, metrics);
}

BOOST_AUTO_TEST_CASE(an_address_that_keeps_failing_its_key_is_refused_for_a_while) {
    Fixture f("  auth_failure_limit: 3\n  auth_failure_block: 2s\n");
    const std::map<std::string, std::string> wrong{{"Authorization", "Bearer sk-guess"}};
    for (int i = 0; i < 3; ++i) BOOST_TEST(http_post(f.port, "/v1/chat/completions", chat_body("hi"), wrong).status == 401);
    const auto blocked_at = std::chrono::steady_clock::now();
    // Now refused without its key being looked at, even the right one.
    const HttpResult refused = f.chat("hi");
    BOOST_TEST(refused.status == 429, refused.body);
    BOOST_TEST(refused.headers.at("retry-after") == "2");
    const auto error = boost::json::parse(refused.body).at("error");
    BOOST_TEST(error.at("code").as_string() == "too_many_failed_authentications");
    BOOST_TEST(error.at("message").as_string().find("server.auth_failure_limit") != std::string::npos);
    BOOST_TEST(http_get(f.port, "/v1/models", wrong).status == 429);
    BOOST_TEST(f.upstream.requests() == 0);
    // Health checks are not keyed: never refused.
    BOOST_TEST(http_get(f.port, "/healthz").status == 200);
    // Once the block has passed, the address may try again.
    std::this_thread::sleep_until(blocked_at + 2500ms);
    BOOST_TEST(f.chat("hi").status == 200);
}

BOOST_AUTO_TEST_CASE(a_non_streamed_reply_larger_than_max_reply_is_a_502_naming_the_limit) {
    Fixture f("  max_reply: 1MiB\n");
    const auto start = std::chrono::steady_clock::now();
    // FLOOD: the upstream sends up to 256 MiB, which a non-streamed request
    // would otherwise collect whole.
    const HttpResult r = f.chat("FLOOD");
    BOOST_TEST(r.status == 502, r.body.substr(0, 300));
    const auto error = boost::json::parse(r.body).at("error");
    BOOST_TEST(error.at("message").as_string().find("server.max_reply") != std::string::npos);
    BOOST_TEST(seconds_since(start) < 10.0);
    while (!f.upstream.flood_aborted() && seconds_since(start) < 10) std::this_thread::sleep_for(20ms);
    BOOST_TEST(f.upstream.flood_aborted(), "the upstream call went on after the limit");
    BOOST_TEST(f.upstream.flood_parts_written() < 65536);
    BOOST_TEST(f.chat("hi").status == 200);
}
