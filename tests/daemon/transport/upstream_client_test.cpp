#define BOOST_TEST_MODULE upstream_client
#include <boost/test/unit_test.hpp>

#include "daemon/transport/endpoint.hpp"
#include "daemon/transport/upstream_client.hpp"
#include "exchange_error_output.hpp"
#include "test_request.hpp"
#include "test_upstream_server.hpp"

#include <Poco/Net/ServerSocket.h>

#include <cstdlib>
#include <filesystem>

using namespace helix::transport;
using namespace helix::test;
using namespace std::chrono_literals;

namespace {

struct Recorder final : ResponseSink {
    int status = 0;
    std::string body;
    std::vector<std::chrono::steady_clock::time_point> arrivals;
    bool on_head(int s, const Headers &) override {
        status = s;
        return true;
    }
    bool on_body(const char *data, std::size_t len) override {
        body.append(data, len);
        arrivals.push_back(std::chrono::steady_clock::now());
        return true;
    }
};

std::shared_ptr<const UpstreamSettings> plain_pool() { return UpstreamSettings::make(TlsSettings{}, ProxySettings{}); }

std::string url_for(std::uint16_t port, bool tls = false) {
    return std::string(tls ? "https" : "http") + "://" + (tls ? "localhost" : "127.0.0.1") + ":" +
           std::to_string(port) + "/v1/test";
}

} // namespace

BOOST_AUTO_TEST_CASE(hands_over_body_bytes_as_they_arrive) {
    TestUpstreamServer server({});
    UpstreamClient client(plain_pool());
    Recorder r;
    const auto result = client.exchange(Request(url_for(server.port())).c, {}, r);
    BOOST_TEST_REQUIRE(result.error == ExchangeError::none, result.detail);
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.body == "one,two,three");
    // Three pieces 30 ms apart arrive as (at least) three deliveries, not one.
    BOOST_TEST(r.arrivals.size() >= 3u);
    BOOST_TEST((r.arrivals.back() - r.arrivals.front()) >= 40ms);
}

BOOST_AUTO_TEST_CASE(reuses_a_kept_alive_connection) {
    TestUpstreamServer server({});
    UpstreamClient client(plain_pool());
    for (int i = 0; i < 5; ++i) {
        Recorder r;
        BOOST_TEST_REQUIRE(client.exchange(Request(url_for(server.port())).c, {}, r).error == ExchangeError::none);
    }
    BOOST_TEST(server.requests() == 5);
    BOOST_TEST(server.connections() == 1);
    BOOST_TEST(client.idle_count() == 1u);
}

BOOST_AUTO_TEST_CASE(resends_once_when_a_pooled_connection_was_closed_by_the_upstream) {
    // The upstream closes idle connections after 100 ms; the pool still holds one.
    TestUpstreamServer server({true, 0ms, nullptr, 100ms});
    UpstreamClient client(plain_pool());
    Recorder first;
    BOOST_TEST_REQUIRE(client.exchange(Request(url_for(server.port())).c, {}, first).error == ExchangeError::none);
    BOOST_TEST_REQUIRE(client.idle_count() == 1u);
    std::this_thread::sleep_for(400ms);
    Recorder second;
    const auto result = client.exchange(Request(url_for(server.port())).c, {}, second);
    BOOST_TEST(result.error == ExchangeError::none, result.detail);
    BOOST_TEST(second.body == "one,two,three");
    BOOST_TEST(server.connections() == 2);
}

BOOST_AUTO_TEST_CASE(a_refused_connection_is_connect_failed) {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    const auto port = probe.address().port();
    probe.close();
    UpstreamClient client(plain_pool());
    Recorder r;
    const auto result = client.exchange(Request(url_for(port)).c, {}, r);
    BOOST_TEST(result.error == ExchangeError::connect_failed);
    BOOST_TEST(!result.head_received);
}

BOOST_AUTO_TEST_CASE(silence_longer_than_the_read_timeout_is_a_timeout) {
    TestUpstreamServer server({true, 1500ms, nullptr});
    UpstreamClient client(plain_pool());
    Recorder r;
    const auto started = std::chrono::steady_clock::now();
    const auto result = client.exchange(Request(url_for(server.port())).c, {1000ms, 300ms, std::nullopt}, r);
    BOOST_TEST(result.error == ExchangeError::timeout);
    BOOST_TEST((std::chrono::steady_clock::now() - started) < 1200ms);
    BOOST_TEST(client.idle_count() == 0u); // a timed-out connection is never reused
}

BOOST_AUTO_TEST_CASE(an_invalid_url_is_refused_before_any_io) {
    UpstreamClient client(plain_pool());
    Recorder r;
    BOOST_TEST(client.exchange(Request("ftp://example/x").c, {}, r).error == ExchangeError::bad_request);
    BOOST_TEST(client.exchange(Request("not a url").c, {}, r).error == ExchangeError::bad_request);
}

BOOST_AUTO_TEST_CASE(tls_certificates_are_verified_and_a_ca_file_is_honoured) {
    const auto dir = std::filesystem::temp_directory_path() / ("helix-tls-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string key = (dir / "key.pem").string(), cert = (dir / "cert.pem").string();
    const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
                                "-addext subjectAltName=DNS:localhost -keyout " + key + " -out " + cert +
                                " >/dev/null 2>&1";
    BOOST_TEST_REQUIRE(std::system(command.c_str()) == 0);
    Poco::Net::Context::Ptr server_tls =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, key, cert, "", Poco::Net::Context::VERIFY_NONE);
    TestUpstreamServer server({true, 0ms, server_tls});

    {   // The system store does not know this self-signed certificate.
        UpstreamClient client(UpstreamSettings::make(TlsSettings{true, ""}, ProxySettings{}));
        Recorder r;
        const auto result = client.exchange(Request(url_for(server.port(), true)).c, {}, r);
        BOOST_TEST(result.error != ExchangeError::none);
        BOOST_TEST(!result.head_received);
    }
    {   // Trusted through ca_file, it works.
        UpstreamClient client(UpstreamSettings::make(TlsSettings{true, cert}, ProxySettings{}));
        Recorder r;
        const auto result = client.exchange(Request(url_for(server.port(), true)).c, {}, r);
        BOOST_TEST(result.error == ExchangeError::none, result.detail);
        BOOST_TEST(r.body == "one,two,three");
    }
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(an_http_proxy_from_the_environment_carries_the_request) {
    // The test server plays the proxy: the upstream's host name does not even
    // resolve, so the request can only arrive through the proxy, in the
    // absolute-URI form proxies receive.
    TestUpstreamServer proxy({});
    UpstreamClient client(UpstreamSettings::make(
        TlsSettings{}, ProxySettings::from_environment({{"http_proxy", "http://127.0.0.1:" + std::to_string(proxy.port())}})));
    Recorder r;
    const auto result = client.exchange(Request("http://upstream.invalid:8080/v1/test").c, {}, r);
    BOOST_TEST_REQUIRE(result.error == ExchangeError::none, result.detail);
    BOOST_TEST(r.body == "one,two,three");
    BOOST_TEST(proxy.last_uri() == "http://upstream.invalid:8080/v1/test");
}

BOOST_AUTO_TEST_CASE(the_path_goes_out_exactly_as_the_plugin_wrote_it) {
    // SigV4 signs the path as written: %3A must not come back as ':'.
    const auto e = parse_endpoint("https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-v2%3A1/converse?x=a%2Fb");
    BOOST_TEST_REQUIRE(e.has_value());
    BOOST_TEST(e->path_and_query == "/model/anthropic.claude-v2%3A1/converse?x=a%2Fb");
    BOOST_TEST(parse_endpoint("http://127.0.0.1:8080")->path_and_query == "/");
    BOOST_TEST(parse_endpoint("http://127.0.0.1:8080?q=1")->path_and_query == "/?q=1");
    BOOST_TEST(parse_endpoint("http://h/p#frag")->path_and_query == "/p");
}
