#define BOOST_TEST_MODULE side_request_client
#include <boost/test/unit_test.hpp>

#include "daemon/transport/side_request_client.hpp"
#include "scripted_server.hpp"
#include "test_request.hpp"

#include <chrono>

using namespace helix::transport;
using namespace helix::test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(a_side_requests_timeout_bounds_the_whole_call_not_only_each_silence) {
    // A credential endpoint that answers a byte every 100 ms never falls
    // silent for the 500 ms timeout; the call still ends at 500 ms.
    ScriptedServer server([](ScriptedConnection &c) {
        c.read_request();
        if (!c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")) return;
        for (int i = 0; i < 100 && c.write("x"); ++i) std::this_thread::sleep_for(100ms);
    });
    UpstreamClient client(UpstreamSettings::make({}, {}));
    PooledSideRequestClient side(client);
    Request request("http://127.0.0.1:" + std::to_string(server.port()) + "/token");
    helix_error err{};
    err.struct_size = sizeof err;
    bool answered = false;
    const auto started = std::chrono::steady_clock::now();
    const helix_status status = side.fetch(
        request.c, 500ms, [](void *user, const helix_http_response *) { *static_cast<bool *>(user) = true; }, &answered,
        &err);
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(status == HELIX_ERR_RETRY);
    BOOST_TEST(!answered);
    BOOST_TEST(std::string(err.message).find("deadline") != std::string::npos, err.message);
    BOOST_TEST(took < 2s);
}
