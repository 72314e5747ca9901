#define BOOST_TEST_MODULE daemon_app
#include <boost/test/unit_test.hpp>

#include "daemon_process.hpp"

using namespace helix::test;
using namespace std::chrono_literals;

namespace {

const std::string plain_text_plugin = std::string(FIXTURE_DIR) + "/libhelix_plain_text.so";

std::string config_with(const std::vector<std::string> &providers, const std::string &extra = "") {
    std::string yaml = "server:\n  listen: 127.0.0.1\n  port: 0\n  drain_timeout: 5s\n" + extra;
    if (!providers.empty()) {
        yaml += "plugins:\n";
        for (const auto &name : providers)
            yaml += "  " + name + ":\n    library: " + plain_text_plugin +
                    "\n    settings:\n      base_url: http://127.0.0.1:9/complete\n";
    }
    return yaml;
}

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_CASE(serves_healthz_on_an_ephemeral_port_and_stops_cleanly_on_sigterm) {
    TempDir dir;
    DaemonProcess daemon({"--config", dir.file("helixagent.yaml", config_with({"plain"}))});
    const std::uint16_t port = daemon.wait_until_listening();
    BOOST_TEST(port != 0);

    const HttpResult health = http_get(port, "/healthz");
    BOOST_TEST(health.status == 200);
    BOOST_TEST(health.body == R"({"status":"ok"})");

    const HttpResult ready = http_get(port, "/readyz");
    BOOST_TEST(ready.status == 200);
    BOOST_TEST(contains(ready.body, R"("plain":{"status":"ok","plugin":"plain_text 1.0.0"})"));

    const HttpResult missing = http_get(port, "/v2/nothing");
    BOOST_TEST(missing.status == 404);
    BOOST_TEST(contains(missing.body, R"("type":"invalid_request_error")"));

    daemon.signal(SIGTERM);
    const auto code = daemon.wait_exit(10s);
    BOOST_TEST_REQUIRE(code.has_value(), "helixagentd did not exit within 10 s of SIGTERM");
    BOOST_TEST(*code == 0);
    const std::string log = daemon.rest_of_log();
    BOOST_TEST(contains(log, "draining requests in flight"));
    BOOST_TEST(contains(log, "stopped"));
}

BOOST_AUTO_TEST_CASE(sighup_swaps_in_a_valid_config_and_keeps_the_old_one_when_invalid) {
    TempDir dir;
    const std::string path = dir.file("helixagent.yaml", config_with({"first"}));
    DaemonProcess daemon({"--config", path});
    const std::uint16_t port = daemon.wait_until_listening();
    BOOST_TEST(contains(http_get(port, "/readyz").body, R"("first")"));

    dir.file("helixagent.yaml", config_with({"first", "second"}));
    daemon.signal(SIGHUP);
    BOOST_TEST_REQUIRE(daemon.wait_for_log("configuration reloaded"));
    BOOST_TEST(contains(http_get(port, "/readyz").body, R"("second")"));

    dir.file("helixagent.yaml", "server:\n  port: 0\n  read_timeout: soon\n");
    daemon.signal(SIGHUP);
    BOOST_TEST_REQUIRE(daemon.wait_for_log("kept the previous configuration"));
    BOOST_TEST(contains(daemon.rest_of_log_so_far(), path + ":3: "));
    BOOST_TEST(contains(http_get(port, "/readyz").body, R"("second")"));

    daemon.signal(SIGTERM);
    const auto code = daemon.wait_exit(10s);
    BOOST_TEST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 0);
}

BOOST_AUTO_TEST_CASE(check_config_exits_0_for_a_valid_file) {
    TempDir dir;
    const RunResult r = run_daemon({"--check-config", "--config", dir.file("ok.yaml", config_with({"plain"}))});
    BOOST_TEST(r.exit_code == 0, r.output);
    BOOST_TEST(contains(r.output, "test is successful"));
}

BOOST_AUTO_TEST_CASE(check_config_exits_1_with_file_line_reason_for_each_problem) {
    TempDir dir;
    const std::string path = dir.file("bad.yaml", "server:\n  port: 70000\n  colour: blue\n");
    const RunResult r = run_daemon({"--check-config", "--config", path});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(contains(r.output, path + ":2: "));
    BOOST_TEST(contains(r.output, path + ":3: unknown key 'colour'"));
    BOOST_TEST(contains(r.output, "test failed"));
}

BOOST_AUTO_TEST_CASE(check_config_reports_a_plugins_own_settings_error) {
    TempDir dir;
    const std::string yaml = "plugins:\n  plain:\n    library: " + plain_text_plugin + "\n    settings:\n      models: [a]\n";
    const std::string path = dir.file("plugin.yaml", yaml);
    const RunResult r = run_daemon({"--check-config", "--config", path});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(contains(r.output, path + ":2: provider 'plain' settings: settings.base_url is required"), r.output);
}

BOOST_AUTO_TEST_CASE(check_config_reports_a_missing_plugin_library) {
    TempDir dir;
    const std::string path = dir.file("missing.yaml", "plugins:\n  ghost:\n    library: /nonexistent/libghost.so\n");
    const RunResult r = run_daemon({"--check-config", "--config", path});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(contains(r.output, "/nonexistent/libghost.so: no such plugin file"), r.output);
}

BOOST_AUTO_TEST_CASE(refuses_to_start_with_an_invalid_config) {
    TempDir dir;
    const RunResult r = run_daemon({"--config", dir.file("bad.yaml", "server: [1, 2]\n")});
    BOOST_TEST(r.exit_code != 0);
    BOOST_TEST(contains(r.output, "bad.yaml:1: "), r.output);
}

BOOST_AUTO_TEST_CASE(prints_version_and_abi) {
    const RunResult r = run_daemon({"--version"});
    BOOST_TEST(r.exit_code == 0);
    BOOST_TEST(contains(r.output, "plugin ABI 1.0"));
}
