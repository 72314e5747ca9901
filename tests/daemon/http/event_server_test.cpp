#define BOOST_TEST_MODULE event_server
#include <boost/test/unit_test.hpp>

// The event-driven server core against a real helixagentd: a single event
// loop carries many slow requests at once, a client that leaves a
// non-streamed request cancels its upstream call, keep-alive and pipelined
// requests, HEAD, and the lingering close that lets a client still sending
// an oversized body read its 413 (or, with a wrong key, its 401), and
// connections that wait in the listen queue while descriptors are short.

#include "plain_gateway.hpp"

#include <boost/json.hpp>

#include <Poco/Net/StreamSocket.h>

#include <sys/resource.h>

#include <filesystem>
#include <future>

using namespace helix::test;
using namespace std::chrono_literals;

namespace {

const std::string key = "sk-event-server-test-5b1d";

std::string chat_body(const std::string &prompt, bool stream = false) { return plain_chat_body(prompt, stream); }

std::string chat_request(const std::string &body) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

struct Fixture : PlainGateway {
    explicit Fixture(const std::string &server_extra = "") : PlainGateway(key, server_extra) {}
};

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void send_all(Poco::Net::StreamSocket &socket, const std::string &bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size())
        sent += static_cast<std::size_t>(socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent)));
}

// What the server sends until `done` says the reply is complete, it closes,
// or 5 s pass.
std::string read_until(Poco::Net::StreamSocket &socket, const std::function<bool(const std::string &)> &done) {
    socket.setReceiveTimeout(Poco::Timespan(5, 0));
    std::string reply;
    char buffer[4096];
    try {
        int n = 0;
        while (!done(reply) && (n = socket.receiveBytes(buffer, sizeof buffer)) > 0)
            reply.append(buffer, static_cast<std::size_t>(n));
    } catch (const Poco::Exception &) {
    }
    return reply;
}

// A head answered before its body is read, then the whole body sent anyway:
// whether the gateway let it all go out (no reset) and what it answered.
struct EarlyRefusal {
    bool sent = true;
    std::string reply;
};
EarlyRefusal send_head_then_body(std::uint16_t port, const std::string &head, const std::string &body) {
    Poco::Net::StreamSocket client(Poco::Net::SocketAddress("127.0.0.1", port));
    send_all(client, head);
    std::this_thread::sleep_for(100ms); // the refusal goes out now, while the body is still to come
    EarlyRefusal out;
    try {
        send_all(client, body);
    } catch (const Poco::Exception &) {
        out.sent = false; // a reset: the gateway closed without reading on
    }
    out.reply = read_until(client, [](const std::string &) { return false; });
    return out;
}

std::size_t count_of(const std::string &text, const std::string &what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

// One past the highest descriptor number a process has open.
long descriptors_in_use(int pid) {
    long highest = -1;
    for (const auto &entry : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd"))
        highest = std::max(highest, std::stol(entry.path().filename().string()));
    return highest + 1;
}

} // namespace

BOOST_AUTO_TEST_CASE(connections_beyond_the_descriptor_limit_wait_in_the_queue_instead_of_failing_upstream) {
    Fixture f("  threads: 1\n");
    // Room for three streams (a client socket and an upstream socket each)
    // beside the daemon's reserve of 8: ten clients at once would need 20.
    const long in_use = descriptors_in_use(f.daemon->pid());
    const rlimit limit{static_cast<rlim_t>(in_use + 3 * 2 + 8), static_cast<rlim_t>(in_use + 3 * 2 + 8)};
    BOOST_TEST_REQUIRE(::prlimit(f.daemon->pid(), RLIMIT_NOFILE, &limit, nullptr) == 0);
    std::vector<std::future<HttpResult>> calls;
    for (int i = 0; i < 10; ++i) calls.push_back(std::async(std::launch::async, [&] { return f.chat("SLOW please"); }));
    int served = 0;
    for (auto &c : calls) {
        const HttpResult r = c.get();
        BOOST_TEST(r.status == 200, "status " << r.status << ": " << r.body);
        served += r.status == 200;
    }
    BOOST_TEST(served == 10);
    BOOST_TEST(f.daemon->wait_for_log("file descriptors nearly exhausted"));
    BOOST_TEST(f.chat("hi").status == 200);
}

BOOST_AUTO_TEST_CASE(one_event_loop_carries_many_slow_requests_at_once_and_still_answers_health_checks) {
    Fixture f("  threads: 1\n");
    BOOST_TEST(f.daemon->rest_of_log_so_far().find("event loops: 1") != std::string::npos);
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::future<HttpResult>> slow;
    for (int i = 0; i < 6; ++i) slow.push_back(std::async(std::launch::async, [&] { return f.chat("SLOW please"); }));
    while (f.upstream.requests() < 6 && seconds_since(start) < 5) std::this_thread::sleep_for(5ms);
    BOOST_TEST(f.upstream.requests() == 6); // all six upstream calls are open at once
    const auto probe = std::chrono::steady_clock::now();
    BOOST_TEST(http_get(f.port, "/healthz").status == 200);
    BOOST_TEST(seconds_since(probe) < 0.5, "the loop was held up by the requests in flight");
    for (auto &s : slow) BOOST_TEST(s.get().status == 200);
    // Each upstream call takes 1.5 s: one after another would be 9 s.
    BOOST_TEST(seconds_since(start) < 4.5);
}

BOOST_AUTO_TEST_CASE(a_client_that_leaves_a_non_streamed_request_cancels_its_upstream_call_at_once) {
    Fixture f;
    {
        Poco::Net::StreamSocket client(Poco::Net::SocketAddress("127.0.0.1", f.port));
        send_all(client, chat_request(chat_body("LONG")));
        const auto start = std::chrono::steady_clock::now();
        while (f.upstream.long_parts_written() < 5 && seconds_since(start) < 5) std::this_thread::sleep_for(5ms);
        BOOST_TEST_REQUIRE(f.upstream.long_parts_written() >= 5);
    } // the client goes away before any byte of its answer
    const auto left = std::chrono::steady_clock::now();
    while (!f.upstream.long_stream_aborted() && seconds_since(left) < 3) std::this_thread::sleep_for(10ms);
    BOOST_TEST(f.upstream.long_stream_aborted(), "the upstream call went on for a client that left");
    BOOST_TEST(f.upstream.long_parts_written() < 100);
    BOOST_TEST(f.chat("hi").status == 200);
}

BOOST_AUTO_TEST_CASE(a_kept_alive_connection_serves_pipelined_requests_in_order) {
    Fixture f;
    Poco::Net::StreamSocket client(Poco::Net::SocketAddress("127.0.0.1", f.port));
    // Two requests in one write, then a chat completion on the same connection.
    send_all(client, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/models HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                         key + "\r\n\r\n");
    const std::string both = read_until(client, [](const std::string &r) { return r.find("\"object\":\"list\"") != std::string::npos; });
    BOOST_TEST(count_of(both, "HTTP/1.1 200") == 2U, both);
    BOOST_TEST(both.find("{\"status\":\"ok\"}") < both.find("\"object\":\"list\""), both);
    send_all(client, chat_request(chat_body("hi")));
    const std::string chat = read_until(client, [](const std::string &r) { return r.find("Hello from upstream") != std::string::npos; });
    BOOST_TEST(chat.starts_with("HTTP/1.1 200"), chat);
    BOOST_TEST(chat.find("Keep-Alive: timeout=15") != std::string::npos, chat);
}

BOOST_AUTO_TEST_CASE(head_gets_the_headers_of_get_and_no_body) {
    Fixture f;
    Poco::Net::StreamSocket client(Poco::Net::SocketAddress("127.0.0.1", f.port));
    send_all(client, "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string head = read_until(client, [](const std::string &r) { return r.find("\r\n\r\n") != std::string::npos; });
    BOOST_TEST(head.starts_with("HTTP/1.1 200"), head);
    BOOST_TEST(head.find("Content-Length: 15\r\n") != std::string::npos, head);
    BOOST_TEST(head.ends_with("\r\n\r\n"), head);
    // No body followed: the next reply on the connection starts right there.
    send_all(client, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const std::string next = read_until(client, [](const std::string &r) { return r.find("{\"status\":\"ok\"}") != std::string::npos; });
    BOOST_TEST(next.starts_with("HTTP/1.1 200"), next);
}

BOOST_AUTO_TEST_CASE(a_client_still_sending_an_oversized_body_reads_its_413_not_a_reset) {
    Fixture f("  max_body: 1KiB\n");
    for (int i = 0; i < 3; ++i) { // not a lucky race: every time
        const std::string body(4 * 1024 * 1024, 'x');
        const std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                                 "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\n\r\n";
        const auto [sent, reply] = send_head_then_body(f.port, head, body);
        BOOST_TEST(sent, "the gateway reset the connection while the body was being sent");
        BOOST_TEST(reply.starts_with("HTTP/1.1 413"), reply.substr(0, 200));
        BOOST_TEST(reply.find("Connection: close") != std::string::npos, reply.substr(0, 400));
    }
    BOOST_TEST(f.upstream.requests() == 0);
    BOOST_TEST(f.chat("hi").status == 200);
}

BOOST_AUTO_TEST_CASE(a_client_with_a_wrong_key_still_sending_its_body_reads_its_401_not_a_reset) {
    Fixture f;
    for (const std::string authorization : {"", "Authorization: Bearer sk-wrong\r\n"}) {
        const std::string body(4 * 1024 * 1024, 'x');
        const std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" + authorization +
                                 "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
                                 "\r\n\r\n";
        const auto [sent, reply] = send_head_then_body(f.port, head, body); // the 401's body is never read
        BOOST_TEST(sent, "the gateway reset the connection while the body was being sent");
        BOOST_TEST(reply.starts_with("HTTP/1.1 401"), reply.substr(0, 200));
        BOOST_TEST(reply.find("Connection: close") != std::string::npos, reply.substr(0, 400));
    }
    BOOST_TEST(f.upstream.requests() == 0);
    BOOST_TEST(f.chat("hi").status == 200);
}

BOOST_AUTO_TEST_CASE(a_method_a_route_does_not_serve_is_405_naming_the_one_it_does) {
    Fixture f;
    const HttpResult r = http_request("DELETE", f.port, "/healthz", nullptr, {});
    BOOST_TEST(r.status == 405);
    BOOST_TEST(r.headers.at("allow") == "GET");
    BOOST_TEST(boost::json::parse(r.body).at("error").at("code").as_string() == "method_not_allowed");
}
