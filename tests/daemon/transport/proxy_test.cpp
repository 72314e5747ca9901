#define BOOST_TEST_MODULE upstream_proxy
#include <boost/test/unit_test.hpp>

#include "daemon/transport/upstream_client.hpp"
#include "exchange_error_output.hpp"
#include "h2_test_server.hpp"
#include "recording_sink.hpp"
#include "scripted_server.hpp"
#include "test_pki.hpp"
#include "test_request.hpp"

#include <poll.h>

using namespace helix::transport;
using namespace helix::test;
using namespace std::chrono_literals;

namespace {

// An HTTP proxy: CONNECT opens a tunnel to 127.0.0.1 at the port asked for
// (whatever the host name), any other request it answers itself. It keeps
// the request heads it saw.
class TestProxy {
public:
    explicit TestProxy(int refuse_with = 0)
        : refuse_with_(refuse_with), server_([this](ScriptedConnection &c) { serve(c); }) {}

    std::uint16_t port() const { return server_.port(); }
    int connections() const { return server_.connections(); }
    std::vector<std::string> heads() const {
        std::lock_guard lock(mutex_);
        return heads_;
    }
    std::string url() const { return "http://user:pw@127.0.0.1:" + std::to_string(port()); }

private:
    void serve(ScriptedConnection &c) {
        for (std::string head = c.read_request(); !head.empty(); head = c.read_request()) {
            {
                std::lock_guard lock(mutex_);
                heads_.push_back(head);
            }
            if (!head.starts_with("CONNECT ")) {
                if (!c.write("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nvia proxy")) return;
                continue;
            }
            if (refuse_with_ != 0) {
                c.write("HTTP/1.1 " + std::to_string(refuse_with_) + " No\r\nContent-Length: 0\r\n\r\n");
                return;
            }
            const auto colon = head.find(':', 8), space = head.find(' ', 8);
            const auto port = static_cast<std::uint16_t>(std::stoi(head.substr(colon + 1, space - colon - 1)));
            boost::asio::ip::tcp::socket upstream(c.socket().get_executor());
            upstream.connect({boost::asio::ip::make_address("127.0.0.1"), port});
            c.write("HTTP/1.1 200 Connection established\r\n\r\n");
            relay(c.socket(), upstream);
            return;
        }
    }
    void relay(boost::asio::ip::tcp::socket &a, boost::asio::ip::tcp::socket &b) {
        pollfd fds[2] = {{a.native_handle(), POLLIN, 0}, {b.native_handle(), POLLIN, 0}};
        std::array<char, 16 * 1024> buffer;
        while (!server_.stopping()) {
            if (::poll(fds, 2, 100) < 0) return;
            for (int i = 0; i < 2; ++i) {
                if (fds[i].revents == 0) continue;
                auto &from = i == 0 ? a : b;
                auto &to = i == 0 ? b : a;
                boost::system::error_code ec;
                const std::size_t n = from.read_some(boost::asio::buffer(buffer), ec);
                if (ec) return;
                boost::asio::write(to, boost::asio::buffer(buffer.data(), n), ec);
                if (ec) return;
            }
        }
    }

    int refuse_with_;
    mutable std::mutex mutex_;
    std::vector<std::string> heads_;
    ScriptedServer server_;
};

void answer(ScriptedConnection &c, const std::string &text) {
    while (!c.read_request().empty())
        if (!c.write("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text)) return;
}

ExchangeLimits limits() { return {2000ms, 2000ms, std::nullopt}; }

} // namespace

BOOST_AUTO_TEST_CASE(https_goes_through_a_connect_tunnel_with_the_proxys_credentials_and_tls_end_to_end) {
    const TestPki pki;
    ScriptedServer upstream([](ScriptedConnection &c) { answer(c, "secure"); }, pki.server_context());
    TestProxy proxy;
    UpstreamClient client(UpstreamSettings::make({true, pki.ca_file()},
                                                 ProxySettings::from_environment({{"HTTPS_PROXY", proxy.url()}})));
    const std::string url = "https://upstream.test:" + std::to_string(upstream.port()) + "/v1/x";
    for (int i = 0; i < 2; ++i) {
        RecordingSink sink;
        const auto result = client.exchange(Request(url).c, limits(), sink);
        BOOST_TEST_REQUIRE(result.error == ExchangeError::none, result.detail);
        BOOST_TEST(sink.body == "secure");
    }
    const auto heads = proxy.heads();
    BOOST_TEST_REQUIRE(heads.size() == 1u); // the tunnel is pooled like any connection
    BOOST_TEST(heads.front().starts_with("CONNECT upstream.test:" + std::to_string(upstream.port()) + " HTTP/1.1\r\n"));
    BOOST_TEST(heads.front().find("Proxy-Authorization: Basic dXNlcjpwdw==\r\n") != std::string::npos, heads.front());
    BOOST_TEST(proxy.connections() == 1);
}

BOOST_AUTO_TEST_CASE(http2_goes_through_the_connect_tunnel_and_its_streams_share_it) {
    H2TestServer upstream({});
    TestProxy proxy;
    UpstreamClient client(UpstreamSettings::make({}, ProxySettings::from_environment({{"HTTP_PROXY", proxy.url()}})));
    const std::string url = "http://h2.upstream.test:" + std::to_string(upstream.port()) + "/v1/x";
    ExchangeLimits l = limits();
    l.http2 = Http2Mode::on; // h2c with prior knowledge, which a proxy carries only in a tunnel
    for (int i = 0; i < 2; ++i) {
        RecordingSink sink;
        const auto result = client.exchange(Request(url).c, l, sink);
        BOOST_TEST_REQUIRE(result.error == ExchangeError::none, result.detail);
        BOOST_TEST(sink.body == "hello over h2");
    }
    const auto heads = proxy.heads();
    BOOST_TEST_REQUIRE(heads.size() == 1u);
    BOOST_TEST(heads.front().starts_with("CONNECT h2.upstream.test:" + std::to_string(upstream.port()) + " HTTP/1.1\r\n"));
    BOOST_TEST(upstream.connections() == 1);
    BOOST_TEST(upstream.streams() == 2);
}

BOOST_AUTO_TEST_CASE(a_proxy_refusing_the_tunnel_is_connect_failed) {
    TestProxy proxy(407);
    UpstreamClient client(UpstreamSettings::make({}, ProxySettings::from_environment({{"https_proxy", proxy.url()}})));
    RecordingSink sink;
    const auto result = client.exchange(Request("https://upstream.test:443/v1/x").c, limits(), sink);
    BOOST_TEST(result.error == ExchangeError::connect_failed);
    BOOST_TEST(result.detail.find("407") != std::string::npos, result.detail);
    BOOST_TEST(!result.head_received);
}

BOOST_AUTO_TEST_CASE(no_proxy_hosts_and_loopback_names_are_reached_directly) {
    // ::ffff:127.0.0.1 is loopback reached through an IPv6 socket, and a name
    // the proxy settings do not take for loopback: only NO_PROXY keeps it direct.
    ScriptedServer upstream([](ScriptedConnection &c) { answer(c, "direct"); });
    TestProxy proxy;
    const std::string mapped = "http://[::ffff:127.0.0.1]:" + std::to_string(upstream.port()) + "/v1/x";
    {
        UpstreamClient client(UpstreamSettings::make({}, ProxySettings::from_environment({{"HTTP_PROXY", proxy.url()}})));
        RecordingSink sink;
        BOOST_TEST_REQUIRE(client.exchange(Request(mapped).c, limits(), sink).error == ExchangeError::none);
        BOOST_TEST(sink.body == "via proxy");
        RecordingSink local;
        const std::string loopback = "http://localhost:" + std::to_string(upstream.port()) + "/v1/x";
        BOOST_TEST_REQUIRE(client.exchange(Request(loopback).c, limits(), local).error == ExchangeError::none);
        BOOST_TEST(local.body == "direct");
    }
    const int through_proxy = proxy.connections();
    UpstreamClient client(UpstreamSettings::make(
        {}, ProxySettings::from_environment({{"HTTP_PROXY", proxy.url()}, {"NO_PROXY", "::ffff:127.0.0.1"}})));
    RecordingSink sink;
    const auto result = client.exchange(Request(mapped).c, limits(), sink);
    BOOST_TEST_REQUIRE(result.error == ExchangeError::none, result.detail);
    BOOST_TEST(sink.body == "direct");
    BOOST_TEST(proxy.connections() == through_proxy);
}
