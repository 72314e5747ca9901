#define BOOST_TEST_MODULE daemon_app
#include <boost/test/unit_test.hpp>

#include "../metrics/exposition.hpp"
#include "daemon_process.hpp"

#include <cstdlib>
#include <sstream>
#include <sys/resource.h>

using namespace helix::test;
using namespace std::chrono_literals;

namespace {

const std::string plain_text_plugin = std::string(FIXTURE_DIR) + "/libhelix_plain_text.so";

// /readyz lists the providers to a request with a client key only.
const std::string ready_key = "sk-test-readyz-4e1b";
HttpResult readyz(std::uint16_t port) { return http_get(port, "/readyz", {{"Authorization", "Bearer " + ready_key}}); }

std::string config_with(const std::vector<std::string> &providers, const std::string &extra = "") {
    std::string yaml = "server:\n  listen: 127.0.0.1\n  port: 0\n  drain_timeout: 5s\n" + extra +
                       "api_keys: [" + ready_key + "]\n";
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

    const HttpResult ready = readyz(port);
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
    BOOST_TEST(contains(readyz(port).body, R"("first")"));

    dir.file("helixagent.yaml", config_with({"first", "second"}));
    daemon.signal(SIGHUP);
    BOOST_TEST_REQUIRE(daemon.wait_for_log("configuration reloaded"));
    BOOST_TEST(contains(readyz(port).body, R"("second")"));

    dir.file("helixagent.yaml", "server:\n  port: 0\n  read_timeout: soon\n");
    daemon.signal(SIGHUP);
    BOOST_TEST_REQUIRE(daemon.wait_for_log("kept the previous configuration"));
    BOOST_TEST(contains(daemon.rest_of_log_so_far(), path + ":3: "));
    BOOST_TEST(contains(readyz(port).body, R"("second")"));

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

BOOST_AUTO_TEST_CASE(an_auto_provider_whose_settings_are_refused_is_skipped_and_said_so) {
    TempDir dir;
    const std::string unconfigured = "  unconfigured:\n    library: " + plain_text_plugin + "\n    enabled: auto\n";
    const std::string path = dir.file("auto.yaml", config_with({"plain"}) + unconfigured);
    const RunResult check = run_daemon({"--check-config", "--config", path});
    BOOST_TEST(check.exit_code == 0, check.output);
    BOOST_TEST(contains(check.output, "provider 'unconfigured' settings: settings.base_url is required"), check.output);
    BOOST_TEST(contains(check.output, "it would be skipped"));

    DaemonProcess daemon({"--config", path});
    const std::uint16_t port = daemon.wait_until_listening();
    const HttpResult ready = readyz(port);
    BOOST_TEST(ready.status == 200);
    BOOST_TEST(contains(ready.body, R"("unconfigured":{"status":"not configured","detail":)"), ready.body);
    BOOST_TEST(contains(ready.body, R"("plain":{"status":"ok")"));
    BOOST_TEST(contains(daemon.rest_of_log_so_far(), "provider 'unconfigured' skipped (enabled: auto)"));

    // With nothing left to route to the daemon still runs, and is not ready.
    dir.file("auto.yaml", "server:\n  listen: 127.0.0.1\n  port: 0\napi_keys: [" + ready_key + "]\nplugins:\n" + unconfigured);
    daemon.signal(SIGHUP);
    BOOST_TEST_REQUIRE(daemon.wait_for_log("configuration reloaded"));
    const HttpResult none = readyz(port);
    BOOST_TEST(none.status == 503);
    BOOST_TEST(contains(none.body, R"("status":"no provider configured")"), none.body);
    daemon.signal(SIGTERM);
    BOOST_TEST(daemon.wait_exit(10s).value_or(-1) == 0);

    // enabled: true (the default) keeps refusing to start.
    const std::string strict = dir.file("strict.yaml", "plugins:\n  plain:\n    library: " + plain_text_plugin +
                                                           "\n    enabled: true\n");
    BOOST_TEST(run_daemon({"--check-config", "--config", strict}).exit_code == 1);
    const std::string wrong = dir.file("wrong.yaml", "plugins:\n  plain:\n    library: " + plain_text_plugin +
                                                         "\n    enabled: sometimes\n");
    const RunResult w = run_daemon({"--check-config", "--config", wrong});
    BOOST_TEST(w.exit_code == 1);
    BOOST_TEST(contains(w.output, "plugins.plain.enabled: expected true, false or auto"), w.output);
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
    BOOST_TEST(contains(r.output, "plugin ABI 2.0"));
}

namespace {

// Plays systemd's side of sd_notify: a datagram socket the daemon writes to.
class FakeNotifySocket {
public:
    explicit FakeNotifySocket(const std::filesystem::path &path) : path_(path.string()) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
        BOOST_TEST_REQUIRE(::bind(fd_, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0);
        timeval tv{5, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    ~FakeNotifySocket() { ::close(fd_); }
    const std::string &path() const { return path_; }

    // The next message that is not a watchdog ping (those are counted).
    std::string next() {
        for (;;) {
            char buffer[512];
            const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
            if (n <= 0) return "<timeout>";
            std::string message(buffer, static_cast<std::size_t>(n));
            if (message == "WATCHDOG=1") {
                ++watchdog_pings;
                continue;
            }
            return message;
        }
    }
    int watchdog_pings = 0;

private:
    std::string path_;
    int fd_ = -1;
};

} // namespace

BOOST_AUTO_TEST_CASE(tells_systemd_ready_reloading_and_stopping_and_pings_the_watchdog) {
    TempDir dir;
    FakeNotifySocket notify(dir.path() / "notify.sock");
    DaemonProcess daemon({"--config", dir.file("helixagent.yaml", config_with({"plain"}))},
                         {{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "200000"}});
    BOOST_TEST(contains(notify.next(), "READY=1"));

    std::this_thread::sleep_for(600ms); // the watchdog interval is 100 ms (half of WATCHDOG_USEC)
    daemon.signal(SIGHUP);
    const std::string reloading = notify.next();
    BOOST_TEST(contains(reloading, "RELOADING=1\nMONOTONIC_USEC="), reloading);
    BOOST_TEST(reloading.find_first_not_of("0123456789", reloading.find("USEC=") + 5) == std::string::npos);
    BOOST_TEST(contains(notify.next(), "READY=1"));
    BOOST_TEST(notify.watchdog_pings >= 1, "watchdog pings seen: " << notify.watchdog_pings);

    daemon.signal(SIGTERM);
    BOOST_TEST(contains(notify.next(), "STOPPING=1"));
    const auto code = daemon.wait_exit(10s);
    BOOST_TEST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 0);
}

BOOST_AUTO_TEST_CASE(models_need_a_client_key_and_list_provider_slash_model) {
    TempDir dir;
    const std::string secret = "sk-test-models-7f3a";
    DaemonProcess daemon({"--config", dir.file("helixagent.yaml", config_with({"plain"}))},
                         {{"HELIXAGENT_API_KEYS", secret}});
    const std::uint16_t port = daemon.wait_until_listening();

    const HttpResult none = http_get(port, "/v1/models");
    BOOST_TEST(none.status == 401);
    BOOST_TEST(contains(none.body, "You didn't provide an API key"));

    const HttpResult wrong = http_get(port, "/v1/models", {{"Authorization", "Bearer sk-wrong-key-999"}});
    BOOST_TEST(wrong.status == 401);
    BOOST_TEST(contains(wrong.body, R"("code":"invalid_api_key")"));
    BOOST_TEST(!contains(wrong.body, "sk-wrong-key-999"));

    const HttpResult list = http_get(port, "/v1/models", {{"Authorization", "Bearer " + secret}});
    BOOST_TEST(list.status == 200);
    BOOST_TEST(contains(list.body, R"("object":"list")"));
    // (the object goes on with the endpoints the model serves)
    BOOST_TEST(contains(list.body, R"({"id":"plain/plain-1","object":"model","created":0,"owned_by":"plain",)"));
    BOOST_TEST(contains(list.body, R"("owned_by":"plain","endpoints":["chat.completions","responses","completions"]})"));

    const HttpResult one = http_get(port, "/v1/models/plain/plain-1", {{"Authorization", "Bearer " + secret}});
    BOOST_TEST(one.status == 200);
    const HttpResult unknown = http_get(port, "/v1/models/plain/nope", {{"Authorization", "Bearer " + secret}});
    BOOST_TEST(unknown.status == 404);
    BOOST_TEST(contains(unknown.body, R"("code":"model_not_found")"));

    // x-request-id: the client's is echoed, otherwise one is made.
    BOOST_TEST(http_get(port, "/healthz", {{"x-request-id", "trace-42"}}).headers["x-request-id"] == "trace-42");
    BOOST_TEST(http_get(port, "/healthz").headers["x-request-id"].starts_with("req_"));

    daemon.signal(SIGTERM);
    BOOST_TEST(daemon.wait_exit(10s).has_value());
    BOOST_TEST(!contains(daemon.rest_of_log(), secret), "a client key appeared in the log");
}

BOOST_AUTO_TEST_CASE(metrics_are_served_without_a_client_key_and_count_config_reloads) {
    TempDir dir;
    const std::string path = dir.file("helixagent.yaml", config_with({"plain"}));
    DaemonProcess daemon({"--config", path}, {{"HELIXAGENT_API_KEYS", "sk-test-metrics-5d1e"}});
    const std::uint16_t port = daemon.wait_until_listening();

    HttpResult scrape = http_get(port, "/metrics");
    BOOST_TEST(scrape.status == 200);
    BOOST_TEST(scrape.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8");
    for (const std::string name : {"helixagent_build_info", "helixagent_in_flight_requests",
                                   "helixagent_plugins_loaded", "helixagent_config_reloads_total"})
        BOOST_TEST(contains(scrape.body, "# TYPE " + name + " "), name << " missing from:\n" << scrape.body);
    BOOST_TEST(contains(scrape.body, "helixagent_build_info{version=\""), scrape.body);
    BOOST_TEST(sample_value(scrape.body, "helixagent_plugins_loaded") == 1.0);
    BOOST_TEST(sample_value(scrape.body, "helixagent_in_flight_requests") == 0.0); // the scrape itself not counted
    BOOST_TEST(sample_value(scrape.body, "helixagent_config_reloads_total", {{"result", "failure"}}) == 0.0);
    BOOST_TEST(http_request("POST", port, "/metrics", nullptr, {}).status == 405);

    // An invalid file: the old configuration stays, the failure is counted.
    dir.file("helixagent.yaml", "server:\n  port: 0\n  read_timeout: soon\n");
    daemon.signal(SIGHUP);
    BOOST_TEST_REQUIRE(daemon.wait_for_log("kept the previous configuration"));
    std::string text = http_get(port, "/metrics").body;
    BOOST_TEST(contains(text, "helixagent_config_reloads_total{result=\"failure\"} 1\n"), text);
    BOOST_TEST(sample_value(text, "helixagent_config_reloads_total", {{"result", "success"}}) == 0.0);
    BOOST_TEST(sample_value(text, "helixagent_plugins_loaded") == 1.0);

    // A valid one with a second provider.
    dir.file("helixagent.yaml", config_with({"plain", "second"}));
    daemon.signal(SIGHUP);
    BOOST_TEST_REQUIRE(daemon.wait_for_log("configuration reloaded"));
    text = http_get(port, "/metrics").body;
    BOOST_TEST(sample_value(text, "helixagent_config_reloads_total", {{"result", "success"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_config_reloads_total", {{"result", "failure"}}) == 1.0);
    BOOST_TEST(sample_value(text, "helixagent_plugins_loaded") == 2.0);

    const PromtoolResult lint = promtool_check_metrics(text);
    BOOST_TEST(lint.exit_code == 0, "promtool exit code " << lint.exit_code);
    BOOST_TEST(lint.output.empty(), "promtool check metrics said:\n" << lint.output << "\non:\n" << text);

    daemon.signal(SIGTERM);
    BOOST_TEST(daemon.wait_exit(10s).has_value());
}

BOOST_AUTO_TEST_CASE(metrics_show_an_open_circuit_read_from_the_breakers_at_scrape_time) {
    TempDir dir;
    const std::string key = "sk-test-metrics-c1rc";
    // plain's upstream (port 9) refuses connections: each attempt fails.
    DaemonProcess daemon({"--config", dir.file("helixagent.yaml", config_with({"plain"}))},
                         {{"HELIXAGENT_API_KEYS", key}});
    const std::uint16_t port = daemon.wait_until_listening();
    const std::map<std::string, std::string> circuit{{"provider", "plain"}, {"model", "plain-1"}};
    std::string text;
    for (int i = 0; i < 20 && sample_value(text, "helixagent_circuit_state", circuit) != 2.0; ++i) {
        const HttpResult r = http_post(port, "/v1/chat/completions",
                                       R"({"model":"plain/plain-1","messages":[{"role":"user","content":"hi"}]})",
                                       {{"Authorization", "Bearer " + key}});
        BOOST_TEST(r.status >= 500, r.body);
        text = http_get(port, "/metrics").body;
    }
    BOOST_TEST(sample_value(text, "helixagent_circuit_state", circuit) == 2.0, text);
    const PromtoolResult lint = promtool_check_metrics(text);
    BOOST_TEST(lint.exit_code == 0, "promtool exit code " << lint.exit_code);
    BOOST_TEST(lint.output.empty(), "promtool check metrics said:\n" << lint.output << "\non:\n" << text);

    daemon.signal(SIGTERM);
    BOOST_TEST(daemon.wait_exit(10s).has_value());
}

BOOST_AUTO_TEST_CASE(a_changed_file_is_reloaded_without_a_signal) {
    TempDir dir;
    const std::string path = dir.file("helixagent.yaml", config_with({"first"}));
    DaemonProcess daemon({"--config", path});
    const std::uint16_t port = daemon.wait_until_listening();
    // Written the way editors and config managers do: a new file renamed over the old.
    std::ofstream(dir.path() / "helixagent.yaml.tmp") << config_with({"first", "second"});
    std::filesystem::rename(dir.path() / "helixagent.yaml.tmp", path);
    BOOST_TEST_REQUIRE(daemon.wait_for_log("configuration reloaded"));
    BOOST_TEST(contains(readyz(port).body, R"("second")"));
    daemon.signal(SIGTERM);
    BOOST_TEST(daemon.wait_exit(10s).has_value());
}

namespace {

// The soft core size limit of a running process, from /proc/<pid>/limits.
std::string core_limit_of(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with("Max core file size")) {
            std::istringstream fields(line.substr(std::string("Max core file size").size()));
            std::string soft;
            fields >> soft;
            return soft;
        }
    return "?";
}

} // namespace

BOOST_AUTO_TEST_CASE(the_daemon_writes_no_core_dumps_unless_told_to) {
    // Cores allowed in the test's own limits (children inherit them), so
    // only the daemon itself can turn them off.
    rlimit cores{};
    ::getrlimit(RLIMIT_CORE, &cores);
    cores.rlim_cur = cores.rlim_max;
    BOOST_TEST_REQUIRE(::setrlimit(RLIMIT_CORE, &cores) == 0);
    BOOST_TEST_REQUIRE(cores.rlim_cur != 0, "this machine allows no core dumps at all");
    TempDir dir;
    const std::string config = dir.file("helixagent.yaml", config_with({"plain"}));
    {
        DaemonProcess daemon({"--config", config});
        daemon.wait_until_listening();
        BOOST_TEST(core_limit_of(daemon.pid()) == "0");
    }
    Poco::Process::Env env{{"HELIXAGENT_DUMPABLE", "1"}};
    // ASan's and TSan's runtimes set the core limit to 0 themselves at start
    // (their disable_coredump, on by default on 64-bit): tell them not to.
    for (const char *name : {"ASAN_OPTIONS", "TSAN_OPTIONS"}) {
        const char *options = std::getenv(name);
        env[name] = (options != nullptr && *options != '\0' ? std::string(options) + ":" : std::string()) +
                    "disable_coredump=0";
    }
    DaemonProcess debuggable({"--config", config}, env);
    debuggable.wait_until_listening();
    BOOST_TEST(core_limit_of(debuggable.pid()) != "0");
    BOOST_TEST(contains(debuggable.rest_of_log_so_far(), "HELIXAGENT_DUMPABLE=1: core dumps are allowed"));
}

BOOST_AUTO_TEST_CASE(readyz_and_metrics_keep_their_details_for_requests_with_a_client_key) {
    TempDir dir;
    DaemonProcess daemon({"--config", dir.file("helixagent.yaml", config_with({"plain"}, "metrics: {client_label: true}\n"))});
    const std::uint16_t port = daemon.wait_until_listening();
    const HttpResult bare = http_get(port, "/readyz");
    BOOST_TEST(bare.status == 200);
    BOOST_TEST(bare.body == R"({"status":"ready"})"); // no plugin, path or credential detail
    const HttpResult wrong = http_get(port, "/readyz", {{"Authorization", "Bearer sk-not-a-key"}});
    BOOST_TEST(wrong.body == R"({"status":"ready"})");
    BOOST_TEST(contains(readyz(port).body, R"("plain":{"status":"ok","plugin":"plain_text 1.0.0"})"));

    // Per-client series name keys: only a scrape with a key sees them.
    http_post(port, "/v1/chat/completions", R"({"model":"plain/plain-1","messages":[{"role":"user","content":"hi"}]})",
              {{"Authorization", "Bearer " + ready_key}});
    const std::string open = http_get(port, "/metrics").body;
    BOOST_TEST(contains(open, "helixagent_requests_total"));
    BOOST_TEST(!contains(open, "helixagent_client_"), open);
    const std::string keyed = http_get(port, "/metrics", {{"Authorization", "Bearer " + ready_key}}).body;
    BOOST_TEST(contains(keyed, "helixagent_client_requests_total{client=\"key-1\""), keyed);
}

BOOST_AUTO_TEST_CASE(helixagent_api_keys_replacing_the_files_keys_is_said_at_start) {
    TempDir dir;
    const std::string yaml =
        config_with({"plain"}) + "# and a scoped key that the environment replaces\n";
    DaemonProcess daemon({"--config", dir.file("helixagent.yaml", yaml)}, {{"HELIXAGENT_API_KEYS", "sk-env-only-1"}});
    daemon.wait_until_listening();
    BOOST_TEST(contains(daemon.rest_of_log_so_far(),
                        "HELIXAGENT_API_KEYS replaces the 1 api_keys of the file: their names and scopes do not apply"));
}
