#define BOOST_TEST_MODULE access_log_daemon
#include <boost/test/unit_test.hpp>

#include "../app/daemon_process.hpp"
#include "../http/plain_text_upstream.hpp"
#include "../metrics/exposition.hpp"

#include <boost/json.hpp>

#include <Poco/Net/StreamSocket.h>

#include <Poco/Net/ServerSocket.h>

#include <set>
#include <sstream>

using namespace helix::test;
namespace fs = std::filesystem;

namespace {

// Listed in tests/logs/secrets.txt: the suite's scan checks every log for them too.
const std::string alice_key = "sk-audit-alice-6e0c";
const std::string bob_key = "sk-audit-bob-2f9a";     // only model plain-1
const std::string carol_key = "sk-audit-carol-8d31"; // only provider down
const std::string wrong_key = "sk-audit-wrong-77b4";

std::map<std::string, std::string> bearer(const std::string &key) { return {{"Authorization", "Bearer " + key}}; }

std::uint16_t closed_port() {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    const std::uint16_t port = probe.address().port();
    probe.close();
    return port;
}

std::string config_for(std::uint16_t upstream_port, std::uint16_t down_port, const fs::path &access_log,
                       bool content = false) {
    const std::string plugin = std::string(FIXTURE_DIR) + "/libhelix_plain_text.so";
    return "server: {listen: 127.0.0.1, port: 0}\n"
           "log: {access: " + access_log.string() + ", access_content: " + (content ? "true" : "false") + "}\n"
           "metrics: {client_label: true}\n"
           "router: {max_retry_wait: 1s, circuit_failures: 1000, circuit_failure_rate: 0}\n"
           "api_keys:\n"
           "  - {name: alice, key: " + alice_key + "}\n"
           "  - {name: bob, key: " + bob_key + ", models: [plain-1]}\n"
           "  - {name: carol, key: " + carol_key + ", providers: [down]}\n"
           "plugins:\n"
           "  plain:\n    library: " + plugin + "\n    settings:\n      base_url: http://127.0.0.1:" +
           std::to_string(upstream_port) + "/complete\n      models: [plain-1, plain-2]\n"
           "  down:\n    library: " + plugin + "\n    connect_timeout: 2s\n    settings:\n"
           "      base_url: http://127.0.0.1:" + std::to_string(down_port) + "/complete\n      models: [plain-1]\n"
           "providers: {primary: [down, plain]}\n"
           "prices:\n  plain/plain-1: {input: 1.0, output: 2.0}\n";
}

std::string chat_body(const std::string &model, bool stream = false) {
    boost::json::object body{{"model", model},
                             {"messages", boost::json::array{boost::json::object{{"role", "user"}, {"content", "hi"}}}}};
    if (stream) body["stream"] = true;
    return boost::json::serialize(body);
}

std::vector<boost::json::object> records_in(const fs::path &file) {
    std::vector<boost::json::object> records;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) records.push_back(boost::json::parse(line).as_object());
    return records;
}

std::string text_of(const fs::path &file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// The line of the request with this x-request-id.
boost::json::object record_of(const fs::path &file, const HttpResult &r) {
    const std::string id = r.headers.at("x-request-id");
    for (auto &record : records_in(file))
        if (record.at("request_id").as_string() == id) return record;
    BOOST_FAIL("no access record for request " + id + " in " + file.string() + ":\n" + text_of(file));
    return {};
}

// Sends `request` as raw bytes on a new connection; everything the gateway
// sends back until it closes (or 5 s pass).
std::string raw_exchange(std::uint16_t port, const std::string &request) {
    Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
    socket.sendBytes(request.data(), static_cast<int>(request.size()));
    socket.setReceiveTimeout(Poco::Timespan(5, 0));
    std::string reply;
    char buffer[4096];
    try {
        for (int got = 0; (got = socket.receiveBytes(buffer, sizeof buffer)) > 0;)
            reply.append(buffer, static_cast<std::size_t>(got));
    } catch (const Poco::Exception &) {
    }
    return reply;
}

struct Gateway {
    PlainTextUpstream upstream;
    std::uint16_t down_port = closed_port();
    TempDir dir;
    fs::path access_log = new_test_log_path(".access.log");
    std::string config_file;
    std::unique_ptr<DaemonProcess> daemon;
    std::uint16_t port = 0;
    Gateway() {
        config_file = dir.file("helixagent.yaml", config_for(upstream.port(), down_port, access_log));
        daemon = std::make_unique<DaemonProcess>(std::vector<std::string>{"--config", config_file});
        port = daemon->wait_until_listening();
    }
    HttpResult chat(const std::string &key, const std::string &model, bool stream = false) const {
        return http_post(port, "/v1/chat/completions", chat_body(model, stream), bearer(key));
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(one_line_per_api_request_with_client_target_attempts_usage_cost_and_latency) {
    Gateway g;
    const HttpResult ok = g.chat(alice_key, "plain/plain-1");
    BOOST_TEST_REQUIRE(ok.status == 200, ok.body);
    const auto r = record_of(g.access_log, ok);
    BOOST_TEST(r.at("client").as_string() == "alice");
    BOOST_TEST(r.at("method").as_string() == "POST");
    BOOST_TEST(r.at("path").as_string() == "/v1/chat/completions");
    BOOST_TEST(r.at("remote").as_string() == "127.0.0.1");
    BOOST_TEST(r.at("model_asked").as_string() == "plain/plain-1");
    BOOST_TEST(r.at("provider").as_string() == "plain");
    BOOST_TEST(r.at("model").as_string() == "plain-1");
    BOOST_TEST(r.at("status").as_int64() == 200);
    BOOST_TEST(!r.at("stream").as_bool());
    const auto &attempts = r.at("attempts").as_array();
    BOOST_TEST_REQUIRE(attempts.size() == 1U);
    BOOST_TEST(attempts[0].at("outcome").as_string() == "success");
    const auto usage = boost::json::parse(ok.body).at("usage").as_object();
    BOOST_TEST(r.at("tokens_in").as_int64() == usage.at("prompt_tokens").as_int64());
    BOOST_TEST(r.at("tokens_out").as_int64() == usage.at("completion_tokens").as_int64());
    BOOST_TEST(r.at("cost_usd").as_double() == std::stod(ok.headers.at("x-helix-cost-usd")), ok.headers.at("x-helix-cost-usd"));
    BOOST_TEST(r.at("latency_seconds").as_double() > 0.0);
    BOOST_TEST(!r.contains("request_body"));
    BOOST_TEST(!r.contains("completion"));

    const HttpResult streamed = g.chat(alice_key, "plain/plain-1", true);
    BOOST_TEST_REQUIRE(streamed.status == 200);
    const auto s = record_of(g.access_log, streamed);
    BOOST_TEST(s.at("stream").as_bool());
    BOOST_TEST(s.at("first_token_seconds").as_double() > 0.0);
    BOOST_TEST(s.at("first_token_seconds").as_double() <= s.at("latency_seconds").as_double());

    // GET /v1/models is an API request too; health checks and scrapes are not logged.
    const HttpResult models = http_get(g.port, "/v1/models", bearer(alice_key));
    BOOST_TEST(record_of(g.access_log, models).at("status").as_int64() == 200);
    const std::size_t before = records_in(g.access_log).size();
    http_get(g.port, "/healthz");
    http_get(g.port, "/metrics");
    BOOST_TEST(records_in(g.access_log).size() == before);
}

BOOST_AUTO_TEST_CASE(a_failover_lists_each_attempt_with_its_outcome) {
    Gateway g;
    const HttpResult r = g.chat(alice_key, "plain-1"); // down first (nothing listens), then plain
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    const auto record = record_of(g.access_log, r);
    const auto &attempts = record.at("attempts").as_array();
    BOOST_TEST_REQUIRE(attempts.size() == 2U, boost::json::serialize(record));
    BOOST_TEST(attempts[0].at("provider").as_string() == "down");
    BOOST_TEST(attempts[0].at("outcome").as_string() == "failure");
    BOOST_TEST(attempts[0].at("error").as_string() == "connect");
    BOOST_TEST(attempts[0].at("status").as_int64() >= 500);
    BOOST_TEST(attempts[1].at("provider").as_string() == "plain");
    BOOST_TEST(attempts[1].at("outcome").as_string() == "success");
    BOOST_TEST(record.at("provider").as_string() == "plain");
}

BOOST_AUTO_TEST_CASE(a_content_length_that_is_not_a_whole_number_gets_400_and_is_logged_as_such) {
    Gateway g;
    int n = 0;
    for (const std::string length : {"-1", "-100000", "+5", "abc", "1e3", "0x10", "12 34"}) {
        const std::string id = "req-bad-length-" + std::to_string(++n);
        const std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + alice_key +
                                 "\r\nx-request-id: " + id + "\r\nContent-Length: " + length + "\r\n\r\n{}";
        const std::string reply = raw_exchange(g.port, head);
        BOOST_TEST(reply.starts_with("HTTP/1.1 400"), "Content-Length: " << length << ": " << reply);
        BOOST_TEST(reply.find("invalid_content_length") != std::string::npos, reply);
        HttpResult as_seen;
        as_seen.headers["x-request-id"] = id;
        BOOST_TEST(record_of(g.access_log, as_seen).at("status").as_int64() == 400);
    }
    BOOST_TEST(g.upstream.requests() == 0);
    BOOST_TEST(g.chat(alice_key, "plain/plain-1").status == 200);
}

BOOST_AUTO_TEST_CASE(raw_bytes_of_the_request_uri_reach_neither_the_404_body_nor_the_log_unescaped) {
    Gateway g;
    for (const std::string path : {"/v2/\xff\x1b[2J", "/v1/models/\xff\x1b[2J"}) {
        const std::string head = "GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + alice_key +
                                 "\r\nConnection: close\r\n\r\n";
        const std::string reply = raw_exchange(g.port, head);
        BOOST_TEST(reply.starts_with("HTTP/1.1 404"), reply);
        BOOST_TEST(reply.find("\xff") == std::string::npos, reply);
        BOOST_TEST(reply.find("\x1b") == std::string::npos, reply);
    }
    const std::string log = text_of(g.access_log);
    BOOST_TEST(log.find("%1B[2J") != std::string::npos, log);
    BOOST_TEST(log.find("\xff") == std::string::npos);
    BOOST_TEST(log.find("\x1b") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(refused_keys_are_logged_without_the_key) {
    Gateway g;
    const HttpResult none = http_post(g.port, "/v1/chat/completions", chat_body("plain/plain-1"), {});
    BOOST_TEST(none.status == 401);
    BOOST_TEST(record_of(g.access_log, none).at("client").is_null());
    const HttpResult wrong = g.chat(wrong_key, "plain/plain-1");
    BOOST_TEST(wrong.status == 401);
    const auto record = record_of(g.access_log, wrong);
    BOOST_TEST(record.at("status").as_int64() == 401);
    BOOST_TEST(record.at("client").is_null());
    const std::string text = text_of(g.access_log);
    for (const auto &key : {alice_key, bob_key, carol_key, wrong_key})
        BOOST_TEST(text.find(key) == std::string::npos, "a client key appeared in the access log");
}

BOOST_AUTO_TEST_CASE(a_key_outside_its_scope_gets_403_and_the_scope_narrows_candidates) {
    Gateway g;
    // bob: models [plain-1]
    BOOST_TEST(g.chat(bob_key, "plain/plain-1").status == 200);
    const HttpResult other_model = g.chat(bob_key, "plain/plain-2");
    BOOST_TEST_REQUIRE(other_model.status == 403, other_model.body);
    const auto error = boost::json::parse(other_model.body).at("error").as_object();
    BOOST_TEST(error.at("code").as_string() == "model_not_allowed");
    BOOST_TEST(error.at("param").as_string() == "model");
    BOOST_TEST(error.at("type").as_string() == "invalid_request_error");
    BOOST_TEST(std::string(error.at("message").as_string()).find("'bob' may not use model 'plain/plain-2'") !=
               std::string::npos, error.at("message").as_string());
    const auto refused = record_of(g.access_log, other_model);
    BOOST_TEST(refused.at("client").as_string() == "bob");
    BOOST_TEST(refused.at("status").as_int64() == 403);
    BOOST_TEST(refused.at("attempts").as_array().empty()); // no upstream was called

    // carol: providers [down]. An explicit plain/... is refused; the bare
    // name, which plain could serve, is only tried on down.
    BOOST_TEST(g.chat(carol_key, "plain/plain-1").status == 403);
    const HttpResult bare = g.chat(carol_key, "plain-1");
    BOOST_TEST(bare.status >= 500, bare.status);
    const auto tried = record_of(g.access_log, bare);
    for (const auto &attempt : tried.at("attempts").as_array())
        BOOST_TEST(attempt.at("provider").as_string() == "down");

    // GET /v1/models lists only what the key may use.
    const auto listed = [&](const std::string &key) {
        std::set<std::string> ids;
        const HttpResult r = http_get(g.port, "/v1/models", bearer(key));
        const boost::json::value list = boost::json::parse(r.body);
        for (const auto &m : list.at("data").as_array())
            ids.insert(std::string(m.at("id").as_string()));
        return ids;
    };
    BOOST_TEST(listed(alice_key) == (std::set<std::string>{"plain/plain-1", "plain/plain-2", "down/plain-1"}));
    BOOST_TEST(listed(bob_key) == (std::set<std::string>{"plain/plain-1", "down/plain-1"}));
    BOOST_TEST(listed(carol_key) == (std::set<std::string>{"down/plain-1"}));
    BOOST_TEST(http_get(g.port, "/v1/models/plain/plain-2", bearer(bob_key)).status == 404);
    BOOST_TEST(http_get(g.port, "/v1/models/plain/plain-1", bearer(bob_key)).status == 200);

    // The per-client series count exactly what the log shows.
    const std::string scrape = http_get(g.port, "/metrics", bearer(alice_key)).body;
    using L = std::map<std::string, std::string>;
    BOOST_TEST(sample_value(scrape, "helixagent_client_requests_total", L{{"client", "bob"}, {"status", "200"}}) == 1.0);
    BOOST_TEST(sample_value(scrape, "helixagent_client_requests_total", L{{"client", "bob"}, {"status", "403"}}) == 1.0);
    BOOST_TEST(sample_value(scrape, "helixagent_client_requests_total", L{{"client", "carol"}, {"status", "403"}}) == 1.0);
    BOOST_TEST(scrape.find(carol_key) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(sigusr1_reopens_after_rotation_and_a_reload_can_move_the_log_and_add_content) {
    Gateway g;
    BOOST_TEST_REQUIRE(g.chat(alice_key, "plain/plain-1").status == 200);
    const fs::path rotated = g.access_log.string() + ".1";
    fs::rename(g.access_log, rotated);
    g.daemon->signal(SIGUSR1);
    BOOST_TEST_REQUIRE(g.daemon->wait_for_log("access log reopened"));
    const HttpResult after = g.chat(alice_key, "plain/plain-1");
    BOOST_TEST(records_in(rotated).size() == 1U);
    BOOST_TEST_REQUIRE(records_in(g.access_log).size() == 1U);
    record_of(g.access_log, after);

    const fs::path moved = new_test_log_path(".access.log");
    std::ofstream(g.config_file) << config_for(g.upstream.port(), g.down_port, moved, true);
    g.daemon->signal(SIGHUP);
    BOOST_TEST_REQUIRE(g.daemon->wait_for_log("configuration reloaded"));
    const HttpResult with_content = g.chat(alice_key, "plain/plain-1");
    const auto record = record_of(moved, with_content);
    BOOST_TEST(std::string(record.at("request_body").as_string()).find("\"hi\"") != std::string::npos);
    BOOST_TEST(record.at("completion").as_string() == "Hello from upstream");
    BOOST_TEST(records_in(g.access_log).size() == 1U); // the old file got nothing more
}

BOOST_AUTO_TEST_CASE(an_access_log_in_a_missing_directory_is_a_config_error) {
    TempDir dir;
    const std::string file = dir.file(
        "helixagent.yaml", "log:\n  access: " + (dir.path() / "nope" / "access.log").string() + "\n");
    const RunResult r = run_daemon({"--check-config", "--config", file});
    BOOST_TEST(r.exit_code == 1);
    BOOST_TEST(r.output.find(file + ":2: log.access: directory '" + (dir.path() / "nope").string() +
                             "' does not exist") != std::string::npos, r.output);
}
