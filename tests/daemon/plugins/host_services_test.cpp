#define BOOST_TEST_MODULE host_services
#include <boost/test/unit_test.hpp>

#include "daemon/plugins/host_services.hpp"
#include "daemon/plugins/non_blocking_thread.hpp"

#include <helixagent/plugin.hpp>

#include <atomic>
#include <memory>
#include <string>

using namespace helix;

namespace {

// Answers every side request with 200 after counting it.
class CountingClient final : public plugins::SideRequestClient {
public:
    std::atomic<int> calls{0};
    helix_status fetch(const helix_http_request &, std::chrono::milliseconds, helix_fetch_callback on_response,
                       void *user, helix_error *) override {
        ++calls;
        helix_http_response r{};
        r.struct_size = sizeof r;
        r.status = 200;
        on_response(user, &r);
        return HELIX_OK;
    }
};

helix::sdk::HttpRequest token_request() {
    helix::sdk::HttpRequest r;
    r.method = "POST";
    r.url = "http://127.0.0.1:9/token";
    return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(an_event_loop_thread_never_blocks_in_http_fetch) {
    auto client = std::make_shared<CountingClient>();
    plugins::HostServices services("p", "{}", client);
    const helix::sdk::Host host(services.table());
    {
        const plugins::NonBlockingScope loop;
        BOOST_TEST(!host.may_block());
        try {
            host.fetch(token_request(), std::chrono::seconds(1));
            BOOST_FAIL("fetch on a loop thread did not refuse");
        } catch (const helix::sdk::Error &e) {
            BOOST_TEST(e.status() == HELIX_ERR_WOULD_BLOCK);
        }
        BOOST_TEST(client->calls == 0); // refused before the transport is reached
    }
    BOOST_TEST(!plugins::must_not_block());
    BOOST_TEST(host.may_block());
    BOOST_TEST(host.fetch(token_request(), std::chrono::seconds(1)).status == 200);
    BOOST_TEST(client->calls == 1);
}

BOOST_AUTO_TEST_CASE(scopes_nest) {
    {
        const plugins::NonBlockingScope outer;
        { const plugins::NonBlockingScope inner; }
        BOOST_TEST(plugins::must_not_block());
    }
    BOOST_TEST(!plugins::must_not_block());
}

BOOST_AUTO_TEST_CASE(a_side_request_with_cr_lf_in_a_header_or_url_is_refused_before_the_transport) {
    // E.g. a token endpoint's reply or a URL setting that carries a line
    // break: sent as is, it would add headers of the plugin's choosing.
    auto client = std::make_shared<CountingClient>();
    plugins::HostServices services("p", "{}", client);
    const helix::sdk::Host host(services.table());
    helix::sdk::HttpRequest header = token_request();
    header.add_header("Authorization", "Bearer t0k3n\r\nX-Injected: 1");
    helix::sdk::HttpRequest url = token_request();
    url.url = "http://127.0.0.1:9/token\r\nX-Injected: 1";
    for (const auto &request : {header, url}) {
        try {
            host.fetch(request, std::chrono::seconds(1));
            BOOST_FAIL("a side request with CR LF was sent");
        } catch (const helix::sdk::Error &e) {
            BOOST_TEST(e.status() == HELIX_ERR_CONFIG);
            const std::string what = e.what();
            BOOST_TEST(what.find("http_fetch refused") != std::string::npos, what);
            BOOST_TEST(what.find("t0k3n") == std::string::npos, what); // the value is never quoted
        }
    }
    BOOST_TEST(client->calls == 0);
    BOOST_TEST(host.fetch(token_request(), std::chrono::seconds(1)).status == 200);
}
