#define BOOST_TEST_MODULE plugin_settings_daemon
#include <boost/test/unit_test.hpp>

// A third-party plugin (tests/daemon/plugins/fixtures/acme_plugin.cpp) gets
// from its settings table alone, without any change to the daemon: its
// variables fill its settings, --check-config checks its keys and types, and
// its secret is redacted from everything the daemon shows, although the
// plugin itself logs it and puts it into its errors and health details.

#include "../http/plain_text_upstream.hpp"
#include "daemon_process.hpp"

using namespace helix::test;
using namespace std::chrono_literals;

namespace {

const std::string kPlugin = std::string(FIXTURE_DIR) + "/libacme.so";
const std::string kPin = "acme-pin-3141-5926";
const std::string kClientKey = "sk-acme-client-2718";

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

std::string config(const std::string &settings, const std::string &extra = "") {
    return "server:\n  listen: 127.0.0.1\n  port: 0\napi_keys: [" + kClientKey + "]\nplugins:\n  acme:\n    library: " +
           kPlugin + "\n" + extra + "    settings:\n" + settings;
}

} // namespace

BOOST_AUTO_TEST_CASE(check_config_checks_a_third_party_plugins_keys_and_types_by_its_table) {
    TempDir dir;
    const std::string path = dir.file("acme.yaml", config("      endpoint: http://127.0.0.1:9/\n"  // 9
                                                          "      pni: typo\n"                   // 10
                                                          "      retries: many\n"));            // 11
    const RunResult r = run_daemon({"--check-config", "--config", path});
    BOOST_TEST(r.exit_code == 1, r.output);
    BOOST_TEST(contains(r.output, path + ":10: plugins.acme.settings: unknown key 'pni' for provider 'acme' (plugin acme "
                                         "accepts: endpoint, pin, retries)"),
               r.output);
    BOOST_TEST(contains(r.output, path + ":11: plugins.acme.settings.retries: expected an integer, got 'many'"), r.output);

    // Required, and filled by the plugin's own variable.
    const std::string missing = dir.file("missing.yaml", config("      retries: 1\n"));
    const RunResult m = run_daemon({"--check-config", "--config", missing});
    BOOST_TEST(m.exit_code == 1, m.output);
    BOOST_TEST(contains(m.output, missing + ":6: plugins.acme.settings.endpoint is required by plugin acme (or set "
                                            "ACME_ENDPOINT)"),
               m.output);
    const RunResult filled = run_daemon({"--check-config", "--config", missing}, {{"ACME_ENDPOINT", "http://127.0.0.1:9/"}});
    BOOST_TEST(filled.exit_code == 0, filled.output);
}

BOOST_AUTO_TEST_CASE(check_config_redacts_the_secret_a_plugin_puts_into_its_own_error) {
    TempDir dir;
    const std::string path = dir.file("acme.yaml", config("      endpoint: http://127.0.0.1:9/\n      retries: 9\n"));
    const RunResult r = run_daemon({"--check-config", "--config", path}, {{"ACME_PIN", kPin}});
    BOOST_TEST(r.exit_code == 1, r.output);
    // The plugin's message arrives, with the pin (from ACME_PIN) taken out.
    BOOST_TEST(contains(r.output, "provider 'acme' settings: retries above 5 are not allowed with pin [redacted]"), r.output);
    BOOST_TEST(!contains(r.output, kPin), r.output);
}

BOOST_AUTO_TEST_CASE(a_running_daemon_never_shows_the_secret_the_plugin_echoes) {
    PlainTextUpstream upstream;
    TempDir dir;
    const std::string endpoint = "http://127.0.0.1:" + std::to_string(upstream.port()) + "/complete";
    const std::string path = dir.file("acme.yaml", config("      endpoint: " + endpoint + "\n"));
    DaemonProcess daemon({"--config", path}, {{"ACME_PIN", kPin}, {"ACME_TIMEOUT", "30s"}});
    const std::uint16_t port = daemon.wait_until_listening();
    const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + kClientKey}};

    // The pin reached the plugin (its own log line says so, redacted).
    BOOST_TEST_REQUIRE(daemon.wait_for_log("acme 1.0.0 ready with pin [redacted]"), daemon.rest_of_log_so_far());
    const HttpResult ok = http_post(port, "/v1/chat/completions",
                                    R"({"model":"acme/acme-1","messages":[{"role":"user","content":"hi"}]})", auth);
    BOOST_TEST(ok.status == 200, ok.body);
    BOOST_TEST(contains(ok.body, "acme 1.0.0|Hello from upstream"), ok.body);

    // An error that carries the pin in its message, code and param.
    const HttpResult refused = http_post(port, "/v1/chat/completions",
                                         R"({"model":"acme/leak","messages":[{"role":"user","content":"hi"}]})", auth);
    BOOST_TEST(refused.status == 400, refused.body);
    BOOST_TEST(contains(refused.body, "model leak refuses pin [redacted]"), refused.body);
    BOOST_TEST(!contains(refused.body, kPin), refused.body);

    const HttpResult ready = http_get(port, "/readyz", auth);
    BOOST_TEST(contains(ready.body, "pin [redacted] accepted"), ready.body);
    BOOST_TEST(!contains(ready.body, kPin), ready.body);
    const HttpResult metrics = http_get(port, "/metrics", auth);
    BOOST_TEST(metrics.status == 200);
    BOOST_TEST(contains(metrics.body, "provider=\"acme\""), metrics.body);
    BOOST_TEST(!contains(metrics.body, kPin));

    daemon.signal(SIGTERM);
    BOOST_TEST(daemon.wait_exit(10s).value_or(-1) == 0);
    const std::string log = daemon.rest_of_log();
    BOOST_TEST(!contains(log, kPin), log);
}
