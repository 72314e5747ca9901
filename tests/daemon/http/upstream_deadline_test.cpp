#define BOOST_TEST_MODULE upstream_deadline
#include <boost/test/unit_test.hpp>

// router.deadline bounds the upstream call too: an upstream that keeps a
// request alive with a byte now and then (never silent for the provider's
// read timeout) is cut off at the request's deadline with a 504.

#include "../app/daemon_process.hpp"
#include "../transport/scripted_server.hpp"

#include <chrono>

using namespace helix::test;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_CASE(an_upstream_sending_a_byte_now_and_then_is_cut_off_at_router_deadline) {
    // A byte every 200 ms for 8 s, against a 10 s read timeout and a 1 s deadline.
    ScriptedServer upstream([](ScriptedConnection &c) {
        if (c.read_request().empty()) return;
        if (!c.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")) return;
        for (const auto until = std::chrono::steady_clock::now() + 8s; std::chrono::steady_clock::now() < until;) {
            if (!c.write("1\r\n.\r\n")) return;
            std::this_thread::sleep_for(200ms);
        }
        c.write("0\r\n\r\n");
    });
    const std::string key = "sk-deadline-test-7c2e";
    TempDir dir;
    const std::string config = "server:\n  listen: 127.0.0.1\n  port: 0\nrouter:\n  deadline: 1s\napi_keys: [" + key +
                               "]\nplugins:\n  plain:\n    library: " + std::string(FIXTURE_DIR) +
                               "/libhelix_plain_text.so\n    timeout: 10s\n    settings:\n      base_url: http://127.0.0.1:" +
                               std::to_string(upstream.port()) + "/complete\n";
    DaemonProcess daemon({"--config", dir.file("helixagent.yaml", config)});
    const auto port = daemon.wait_until_listening();
    const auto started = std::chrono::steady_clock::now();
    const HttpResult r = http_post(port, "/v1/chat/completions",
                                   R"({"model":"plain/plain-1","messages":[{"role":"user","content":"hi"}]})",
                                   {{"Authorization", "Bearer " + key}});
    const auto took = std::chrono::steady_clock::now() - started;
    BOOST_TEST(r.status == 504, r.body);
    BOOST_TEST(r.body.find("deadline") != std::string::npos, r.body);
    BOOST_TEST(took < 4s);
}
