#define BOOST_TEST_MODULE prometheus_scrape
#include <boost/test/unit_test.hpp>

// Debian's Prometheus server scrapes a running helixagentd: the target is up,
// the request counters match the traffic this test sent, the scrape is
// promtool-clean, and every query of the shipped Grafana dashboard runs and
// names only metrics the daemon exports.

#include "../app/daemon_process.hpp"
#include "../http/plain_text_upstream.hpp"
#include "exposition.hpp"

#include <boost/json.hpp>

#include <Poco/Net/ServerSocket.h>
#include <Poco/URI.h>

#include <fcntl.h>
#include <cctype>
#include <set>
#include <sstream>

using namespace helix::test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const std::string key = "sk-test-metrics-5d1e"; // listed in tests/logs/secrets.txt

std::uint16_t free_port() {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    const std::uint16_t port = probe.address().port();
    probe.close();
    return port;
}

std::string chat_body(const std::string &model, bool stream) {
    return std::string(R"({"model":")") + model + R"(","stream":)" + (stream ? "true" : "false") +
           R"(,"messages":[{"role":"user","content":"hi"}]})";
}

// A Prometheus server of its own: scrapes every second, stores in a temp dir.
class PrometheusServer {
public:
    // The per-client series go to a scrape with a client key only.
    PrometheusServer(const TempDir &dir, std::uint16_t target_port, const std::string &client_key)
        : port_(free_port()) {
        const std::string config = dir.file("prometheus.yml", "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                                                              "scrape_configs:\n  - job_name: helixagent\n"
                                                              "    authorization: {credentials: " + client_key + "}\n"
                                                              "    static_configs:\n      - targets: ['127.0.0.1:" +
                                                                  std::to_string(target_port) + "']\n");
        fs::create_directories(dir.path() / "tsdb");
        log_path_ = new_test_log_path(".prometheus.log");
        const int log_fd = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(log_fd, STDOUT_FILENO);
            ::dup2(log_fd, STDERR_FILENO);
            const std::string listen = "--web.listen-address=127.0.0.1:" + std::to_string(port_);
            const std::string config_flag = "--config.file=" + config;
            const std::string storage = "--storage.tsdb.path=" + (dir.path() / "tsdb").string();
            ::execl(PROMETHEUS_BINARY, PROMETHEUS_BINARY, config_flag.c_str(), storage.c_str(), listen.c_str(),
                    "--log.level=warn", static_cast<char *>(nullptr));
            ::_exit(127);
        }
        ::close(log_fd);
    }
    ~PrometheusServer() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        for (int i = 0; i < 200 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) std::this_thread::sleep_for(50ms);
        if (::waitpid(pid_, &status, WNOHANG) == 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
        }
    }

    // GET /api/v1/query; nullopt if the server does not answer (yet).
    std::optional<boost::json::object> query(const std::string &promql) const {
        std::string encoded;
        Poco::URI::encode(promql, "!#$&'()*+,/:;=?@[]{}\"|~^", encoded);
        try {
            const HttpResult r = http_get(port_, "/api/v1/query?query=" + encoded);
            if (r.body.empty()) return std::nullopt;
            return boost::json::parse(r.body).as_object();
        } catch (const std::exception &) {
            return std::nullopt;
        }
    }

    // The single value of an instant query, or nullopt (no result, an error, no answer).
    std::optional<double> value(const std::string &promql) const {
        const auto answer = query(promql);
        if (!answer || answer->at("status").as_string() != "success") return std::nullopt;
        const auto &result = answer->at("data").at("result").as_array();
        if (result.size() != 1) return std::nullopt;
        return std::stod(std::string(result[0].at("value").as_array()[1].as_string()));
    }

    // Polls until the query's value equals `expected` or `timeout` passes; the last value seen.
    std::optional<double> wait_for(const std::string &promql, double expected, std::chrono::seconds timeout) const {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::optional<double> last;
        while (std::chrono::steady_clock::now() < deadline) {
            last = value(promql);
            if (last && *last == expected) return last;
            std::this_thread::sleep_for(250ms);
        }
        return last;
    }

    std::string log() const {
        std::ifstream in(log_path_);
        std::ostringstream text;
        text << in.rdbuf();
        return text.str();
    }

private:
    std::uint16_t port_;
    pid_t pid_ = -1;
    fs::path log_path_;
};

std::string read_file(const std::string &path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void replace_all(std::string &text, const std::string &from, const std::string &to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

// The helixagent_* metric names an expression uses. (No std::regex: GCC 12
// reports its internals as uninitialized under ASan.)
std::set<std::string> metric_names(const std::string &expr) {
    std::set<std::string> names;
    for (auto at = expr.find("helixagent_"); at != std::string::npos; at = expr.find("helixagent_", at + 1)) {
        auto end = at;
        while (end < expr.size() && (std::islower(static_cast<unsigned char>(expr[end])) != 0 || expr[end] == '_')) ++end;
        names.insert(expr.substr(at, end - at));
        at = end;
    }
    return names;
}

// Every PromQL expression of the dashboard (panels, nested rows, annotations).
void collect_exprs(const boost::json::value &v, std::vector<std::string> &out) {
    if (v.is_object()) {
        for (const auto &[k, child] : v.as_object()) {
            if (k == "expr" && child.is_string()) out.emplace_back(child.as_string());
            collect_exprs(child, out);
        }
    } else if (v.is_array()) {
        for (const auto &child : v.as_array()) collect_exprs(child, out);
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(prometheus_scrapes_the_daemon_and_counts_the_traffic_sent) {
    PlainTextUpstream upstream;
    TempDir dir;
    const std::string plugin = std::string(FIXTURE_DIR) + "/libhelix_plain_text.so";
    const std::string config =
        "server: {listen: 127.0.0.1, port: 0}\n"
        "metrics: {client_label: true}\n"
        "log: {access: " + new_test_log_path(".access.log").string() + "}\n"
        "router: {max_retry_wait: 1s}\n"
        "api_keys: [{name: scraper-test, key: " + key + "}]\n"
        "plugins:\n"
        "  plain:\n    library: " + plugin + "\n    settings:\n      base_url: http://127.0.0.1:" +
        std::to_string(upstream.port()) + "/complete\n"
        "  down:\n    library: " + plugin + "\n    connect_timeout: 2s\n    settings:\n"
        "      base_url: http://127.0.0.1:" + std::to_string(free_port()) + "/complete\n      models: [plain-1]\n"
        "providers: {primary: [down, plain]}\n"
        "prices:\n  plain/plain-1: {input: 1.0, output: 2.0}\n";
    DaemonProcess daemon({"--config", dir.file("helixagent.yaml", config)});
    const std::uint16_t port = daemon.wait_until_listening();
    const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + key}};

    // The traffic: 5 answers, 2 of them streamed; 2 fail-overs from down to
    // plain (bare model name, down first); 3 unknown models (404).
    for (int i = 0; i < 5; ++i)
        BOOST_TEST_REQUIRE(http_post(port, "/v1/chat/completions", chat_body("plain/plain-1", i < 2), auth).status == 200);
    for (int i = 0; i < 2; ++i)
        BOOST_TEST_REQUIRE(http_post(port, "/v1/chat/completions", chat_body("plain-1", false), auth).status == 200);
    for (int i = 0; i < 3; ++i)
        BOOST_TEST_REQUIRE(http_post(port, "/v1/chat/completions", chat_body("nope/none", false), auth).status == 404);

    const std::string scrape = http_get(port, "/metrics").body;
    const auto lint = promtool_check_metrics(scrape);
    BOOST_TEST(lint.exit_code == 0);
    BOOST_TEST(lint.output.empty(), "promtool said:\n" << lint.output);

    PrometheusServer prometheus(dir, port, key);
    const auto up = prometheus.wait_for(R"(up{job="helixagent"})", 1.0, 60s);
    BOOST_TEST_REQUIRE(up.value_or(-1) == 1.0, "Prometheus did not scrape helixagentd; its log:\n" << prometheus.log());
    const auto answered = prometheus.wait_for(R"(sum(helixagent_requests_total{job="helixagent",status="200"}))", 7.0, 30s);
    BOOST_TEST(answered.value_or(-1) == 7.0);
    BOOST_TEST(prometheus.value(R"(sum(helixagent_requests_total{status="404"}))").value_or(-1) == 3.0);
    BOOST_TEST(prometheus.value(R"(sum(helixagent_requests_total))").value_or(-1) == 10.0);
    BOOST_TEST(prometheus.value(R"(sum(helixagent_failovers_total{from_provider="down",to_provider="plain"}))").value_or(-1) ==
               2.0);
    BOOST_TEST(prometheus.value(R"(sum(helixagent_time_to_first_token_seconds_count))").value_or(-1) == 7.0);
    BOOST_TEST(prometheus.value(R"(helixagent_client_requests_total{client="scraper-test",status="200"})").value_or(-1) ==
               7.0);

    // The dashboard: every query runs, and names only metrics that exist.
    const auto dashboard = boost::json::parse(read_file(HELIX_SOURCE_DIR "/contrib/grafana/helixagent-dashboard.json"));
    std::vector<std::string> exprs;
    collect_exprs(dashboard, exprs);
    BOOST_TEST_REQUIRE(exprs.size() >= 15U);
    const auto names_answer = prometheus.query("count by (__name__) ({job=\"helixagent\"})");
    BOOST_TEST_REQUIRE(names_answer.has_value());
    std::set<std::string> exported;
    for (const auto &r : names_answer->at("data").at("result").as_array())
        exported.insert(std::string(r.at("metric").at("__name__").as_string()));
    std::set<std::string> referenced;
    for (std::string expr : exprs) {
        // Grafana's variables, as Grafana would fill them in.
        replace_all(expr, "$__rate_interval", "1m");
        replace_all(expr, "$provider", ".*");
        const auto answer = prometheus.query(expr);
        BOOST_TEST_REQUIRE(answer.has_value(), expr);
        BOOST_TEST(answer->at("status").as_string() == "success", expr << " -> " << boost::json::serialize(*answer));
        for (const auto &name : metric_names(expr)) referenced.insert(name);
    }
    for (const auto &name : referenced) BOOST_TEST(exported.contains(name), name << " is not exported by helixagentd");
    // The panels cover what operators ask first.
    for (const char *family : {"helixagent_requests_total", "helixagent_errors_total",
                               "helixagent_request_duration_seconds_bucket", "helixagent_time_to_first_token_seconds_bucket",
                               "helixagent_tokens_total", "helixagent_cost_usd_total", "helixagent_failovers_total",
                               "helixagent_circuit_state"})
        BOOST_TEST(referenced.contains(family), family << " has no panel");
}
