#define BOOST_TEST_MODULE chat_completions
#include <boost/test/unit_test.hpp>

#include "../app/daemon_process.hpp"
#include "plain_text_upstream.hpp"

#include <boost/json.hpp>

#include <Poco/Net/StreamSocket.h>

#include <atomic>
#include <future>

using namespace helix::test;
using namespace std::chrono_literals;

namespace {

const std::string key = "sk-chat-test-5b1d";
const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + key}};

// A port nothing listens on: bound, read, and released again.
std::uint16_t closed_port() {
    Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
    const std::uint16_t port = probe.address().port();
    probe.close();
    return port;
}

std::string config_for(std::uint16_t upstream_port, const std::string &server_extra = "") {
    return "server:\n  listen: 127.0.0.1\n  port: 0\n  drain_timeout: 10s\n" + server_extra +
           "router:\n  max_retry_wait: 1s\n" + // the upstream's Retry-After 3 is then not waited for
           "api_keys: [" + key + "]\nplugins:\n  plain:\n    library: " + std::string(FIXTURE_DIR) +
           "/libhelix_plain_text.so\n    settings:\n      base_url: http://127.0.0.1:" +
           std::to_string(upstream_port) +
           "/complete\n  down:\n    library: " + std::string(FIXTURE_DIR) +
           "/libhelix_plain_text.so\n    connect_timeout: 2s\n    settings:\n      base_url: http://127.0.0.1:" +
           std::to_string(closed_port()) + "/complete\n"
           "      models: [down-1]\n";
}

std::string chat_body(const std::string &model, const std::string &prompt, bool stream = false) {
    boost::json::object body{{"model", model},
                             {"messages", boost::json::array{boost::json::object{{"role", "user"}, {"content", prompt}}}}};
    if (stream) {
        body["stream"] = true;
        body["stream_options"] = boost::json::object{{"include_usage", true}};
    }
    return boost::json::serialize(body);
}

boost::json::object error_of(const HttpResult &r) { return boost::json::parse(r.body).at("error").as_object(); }

struct Fixture {
    PlainTextUpstream upstream;
    TempDir dir;
    std::unique_ptr<DaemonProcess> daemon;
    std::uint16_t port = 0;
    explicit Fixture(const std::string &server_extra = "") {
        daemon = std::make_unique<DaemonProcess>(
            std::vector<std::string>{"--config", dir.file("helixagent.yaml", config_for(upstream.port(), server_extra))});
        port = daemon->wait_until_listening();
    }
    HttpResult chat(const std::string &body) const { return http_post(port, "/v1/chat/completions", body, auth); }
};

} // namespace

BOOST_AUTO_TEST_CASE(answers_a_chat_completion_as_openai_json) {
    Fixture f;
    const HttpResult r = f.chat(chat_body("plain/plain-1", "hi"));
    BOOST_TEST_REQUIRE(r.status == 200, r.body);
    const auto json = boost::json::parse(r.body).as_object();
    BOOST_TEST(json.at("object").as_string() == "chat.completion");
    BOOST_TEST(json.at("model").as_string() == "plain/plain-1");
    const auto &choice = json.at("choices").as_array().at(0).as_object();
    BOOST_TEST(choice.at("message").at("content").as_string() == "Hello from upstream");
    BOOST_TEST(choice.at("finish_reason").as_string() == "stop");
    BOOST_TEST(json.at("usage").at("completion_tokens").as_int64() == 4);
    BOOST_TEST(r.headers.at("x-helix-provider") == "plain");
    BOOST_TEST(r.headers.at("x-helix-model") == "plain-1");
    BOOST_TEST(r.headers.at("x-helix-attempts") == "1");
    BOOST_TEST(r.headers.at("x-request-id").starts_with("req_"));
}

BOOST_AUTO_TEST_CASE(streams_sse_chunks_whose_text_equals_the_json_reply) {
    Fixture f;
    const HttpResult whole = f.chat(chat_body("plain-1", "hi"));
    const HttpResult stream = f.chat(chat_body("plain-1", "hi", true));
    BOOST_TEST_REQUIRE(stream.status == 200, stream.body);
    BOOST_TEST(stream.headers.at("content-type").starts_with("text/event-stream"));

    std::string text, id;
    std::vector<std::string> datas;
    std::size_t at = 0;
    while ((at = stream.body.find("data: ", at)) != std::string::npos) {
        const auto end = stream.body.find("\n\n", at);
        BOOST_TEST_REQUIRE(end != std::string::npos);
        datas.push_back(stream.body.substr(at + 6, end - at - 6));
        at = end + 2;
    }
    BOOST_TEST_REQUIRE(datas.size() >= 4u);
    BOOST_TEST(datas.back() == "[DONE]");
    for (std::size_t i = 0; i + 1 < datas.size(); ++i) {
        const auto chunk = boost::json::parse(datas[i]).as_object();
        if (id.empty()) id = chunk.at("id").as_string().c_str();
        BOOST_TEST(chunk.at("id").as_string() == id); // one id for the whole stream
        for (const auto &c : chunk.at("choices").as_array())
            if (const auto *content = c.at("delta").as_object().if_contains("content"))
                if (content->is_string()) text += content->as_string().c_str();
    }
    const auto usage_chunk = boost::json::parse(datas[datas.size() - 2]).as_object();
    BOOST_TEST(usage_chunk.at("choices").as_array().empty());
    BOOST_TEST(usage_chunk.at("usage").at("total_tokens").as_int64() > 0);
    const auto json = boost::json::parse(whole.body);
    BOOST_TEST(text == json.at("choices").at(0).at("message").at("content").as_string().c_str());
}

BOOST_AUTO_TEST_CASE(bad_requests_get_openai_errors_naming_the_field) {
    Fixture f;
    const HttpResult role = f.chat(R"({"model":"plain-1","messages":[{"role":"wizard","content":"x"}]})");
    BOOST_TEST(role.status == 400);
    BOOST_TEST(error_of(role).at("param").as_string() == "messages[0].role");

    const HttpResult malformed = f.chat(R"({"model": "plain-1", "messages": [)");
    BOOST_TEST(malformed.status == 400);
    BOOST_TEST(error_of(malformed).at("type").as_string() == "invalid_request_error");

    const HttpResult types = f.chat(R"({"model":"plain-1","messages":[{"role":"user","content":"x"}],"temperature":"hot"})");
    BOOST_TEST(types.status == 400);
    BOOST_TEST(error_of(types).at("param").as_string() == "temperature");

    const HttpResult unknown = f.chat(chat_body("plain/gpt-17", "hi"));
    BOOST_TEST(unknown.status == 404);
    BOOST_TEST(error_of(unknown).at("code").as_string() == "model_not_found");

    const HttpResult n = f.chat(R"({"model":"plain-1","n":3,"messages":[{"role":"user","content":"x"}]})");
    BOOST_TEST(n.status == 400);
    BOOST_TEST(error_of(n).at("param").as_string() == "n");

    const HttpResult no_key = http_post(f.port, "/v1/chat/completions", chat_body("plain-1", "hi"));
    BOOST_TEST(no_key.status == 401);
    BOOST_TEST(f.upstream.requests() == 0); // none of these reached the upstream
}

BOOST_AUTO_TEST_CASE(a_plugin_request_with_cr_lf_in_a_header_is_refused_not_sent) {
    // The plain-text plugin sends the model id as its x-model header; a
    // configured id with CR LF in it would add a header of its own.
    PlainTextUpstream upstream;
    TempDir dir;
    DaemonProcess daemon({"--config", dir.file("helixagent.yaml", config_for(upstream.port()) +
                                                                      "  crlf:\n    library: " + std::string(FIXTURE_DIR) +
                                                                      "/libhelix_plain_text.so\n    settings:\n"
                                                                      "      base_url: http://127.0.0.1:" +
                                                                      std::to_string(upstream.port()) + "/complete\n"
                                                                      "      models: [\"evil\\r\\nX-Injected: yes\"]\n")});
    const std::uint16_t port = daemon.wait_until_listening();
    const HttpResult r = http_post(
        port, "/v1/chat/completions",
        R"({"model":"crlf/evil\r\nX-Injected: yes","messages":[{"role":"user","content":"hi"}]})", auth);
    BOOST_TEST(r.status == 503, r.body);
    const std::string message = error_of(r).at("message").as_string().c_str();
    BOOST_TEST(message.find("header 'x-model' contains a control character") != std::string::npos, message);
    BOOST_TEST(upstream.requests() == 0);
}

BOOST_AUTO_TEST_CASE(a_body_over_the_limit_is_refused_with_413) {
    Fixture f("  max_body: 1KiB\n");
    const HttpResult r = f.chat(chat_body("plain-1", std::string(4096, 'x')));
    BOOST_TEST(r.status == 413);
    BOOST_TEST(f.upstream.requests() == 0);
    // The server still answers normal requests afterwards.
    BOOST_TEST(f.chat(chat_body("plain-1", "hi")).status == 200);
}

BOOST_AUTO_TEST_CASE(upstream_failures_map_to_429_502_and_pass_retry_after_on) {
    Fixture f;
    const HttpResult limited = f.chat(chat_body("plain-1", "FAIL429"));
    BOOST_TEST(limited.status == 429);
    BOOST_TEST(limited.headers.at("retry-after") == "3");
    BOOST_TEST(error_of(limited).at("code").as_string() == "rate_limit_exceeded");

    const HttpResult failed = f.chat(chat_body("plain-1", "FAIL500"));
    BOOST_TEST(failed.status >= 500);

    const HttpResult refused = f.chat(chat_body("down/down-1", "hi"));
    BOOST_TEST(refused.status == 502);
    BOOST_TEST(error_of(refused).at("message").as_string().find("connection refused") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sigterm_lets_a_request_in_flight_finish) {
    Fixture f;
    auto slow = std::async(std::launch::async, [&] { return f.chat(chat_body("plain-1", "SLOW please")); });
    while (f.upstream.requests() == 0) std::this_thread::sleep_for(10ms);
    f.daemon->signal(SIGTERM);
    const HttpResult r = slow.get();
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.body.find("Hello from upstream") != std::string::npos);
    const auto code = f.daemon->wait_exit(10s);
    BOOST_TEST_REQUIRE(code.has_value());
    BOOST_TEST(*code == 0);
    BOOST_TEST(f.daemon->rest_of_log().find(key) == std::string::npos, "the client key appeared in the log");
}

BOOST_AUTO_TEST_CASE(a_client_that_disconnects_mid_stream_cancels_the_upstream_call) {
    Fixture f;
    {
        Poco::Net::StreamSocket client(Poco::Net::SocketAddress("127.0.0.1", f.port));
        const std::string body = chat_body("plain-1", "LONG", true);
        const std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                                 "\r\nContent-Type: application/json\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\n\r\n";
        client.sendBytes((head + body).data(), static_cast<int>(head.size() + body.size()));
        char buffer[512];
        client.setReceiveTimeout(Poco::Timespan(5, 0));
        BOOST_TEST_REQUIRE(client.receiveBytes(buffer, sizeof buffer) > 0); // the stream has started
        while (f.upstream.long_parts_written() < 5) std::this_thread::sleep_for(5ms);
    } // the client goes away here
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (!f.upstream.long_stream_aborted() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    BOOST_TEST(f.upstream.long_stream_aborted(), "the upstream kept streaming to a gateway whose client left");
    BOOST_TEST(f.upstream.long_parts_written() < 200);
    // The gateway is unaffected.
    BOOST_TEST(f.chat(chat_body("plain-1", "hi")).status == 200);
}

BOOST_AUTO_TEST_CASE(a_client_that_dribbles_its_body_times_out_without_hurting_others) {
    Fixture f("  read_timeout: 1s\n");
    Poco::Net::StreamSocket slow(Poco::Net::SocketAddress("127.0.0.1", f.port));
    const std::string head = "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                             "\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"model\":";
    slow.sendBytes(head.data(), static_cast<int>(head.size()));

    // Others are served meanwhile.
    BOOST_TEST(f.chat(chat_body("plain-1", "hi")).status == 200);

    slow.setReceiveTimeout(Poco::Timespan(5, 0));
    std::string reply;
    char buffer[2048];
    const auto started = std::chrono::steady_clock::now();
    int n = 0;
    while ((n = slow.receiveBytes(buffer, sizeof buffer)) > 0) reply.append(buffer, static_cast<std::size_t>(n));
    const auto waited = std::chrono::steady_clock::now() - started;
    BOOST_TEST(reply.starts_with("HTTP/1.1 408"), reply);
    BOOST_TEST(reply.find("\"code\":\"request_timeout\"") != std::string::npos);
    BOOST_TEST(waited < 4s);
    BOOST_TEST(f.upstream.requests() == 1);
}

BOOST_AUTO_TEST_CASE(a_refused_request_body_does_not_leak_into_the_next_request_on_the_connection) {
    Fixture f;
    Poco::Net::HTTPClientSession session("127.0.0.1", f.port);
    session.setKeepAlive(true);
    const auto post = [&](const std::string &bearer) {
        const std::string body = chat_body("plain-1", "hi");
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/v1/chat/completions",
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.setKeepAlive(true);
        request.set("Authorization", "Bearer " + bearer);
        request.setContentLength(static_cast<std::streamsize>(body.size()));
        session.sendRequest(request) << body;
        Poco::Net::HTTPResponse response;
        std::string reply;
        Poco::StreamCopier::copyToString(session.receiveResponse(response), reply);
        return static_cast<int>(response.getStatus());
    };
    BOOST_TEST(post("sk-wrong") == 401);
    BOOST_TEST(post(key) == 200); // same connection: the refused body was drained
}

BOOST_AUTO_TEST_CASE(headers_over_max_header_are_refused_with_431) {
    Fixture f("  max_header: 16KiB\n");
    std::map<std::string, std::string> headers = auth;
    for (int i = 0; i < 4; ++i) headers["x-padding-" + std::to_string(i)] = std::string(5000, 'p');
    const HttpResult big = http_post(f.port, "/v1/chat/completions", chat_body("plain-1", "hi"), headers);
    BOOST_TEST(big.status == 431);
    BOOST_TEST(error_of(big).at("code").as_string() == "request_header_fields_too_large");
    BOOST_TEST(f.upstream.requests() == 0);
    BOOST_TEST(f.chat(chat_body("plain-1", "hi")).status == 200);
}

BOOST_AUTO_TEST_CASE(an_alias_is_listed_and_routes_to_its_target) {
    PlainTextUpstream upstream;
    TempDir dir;
    DaemonProcess daemon({"--config", dir.file("helixagent.yaml", config_for(upstream.port()) +
                                                                      "aliases:\n  quick: [down/nope-0, plain/plain-1]\n")});
    // The first target does not exist: the daemon refuses such a file.
    const std::string log = daemon.rest_of_log();
    BOOST_TEST(log.find("alias 'quick': provider 'down' has no model 'nope-0'") != std::string::npos, log);

    TempDir dir2;
    DaemonProcess good({"--config", dir2.file("helixagent.yaml", config_for(upstream.port()) +
                                                                     "aliases:\n  quick: [down/down-1, plain/plain-1]\n")});
    const std::uint16_t port = good.wait_until_listening();
    const HttpResult models = http_get(port, "/v1/models", auth);
    // (the object goes on with the endpoints its targets serve)
    BOOST_TEST(models.body.find(R"({"id":"quick","object":"model","created":0,"owned_by":"helixagent",)") !=
               std::string::npos, models.body);
    // The alias's first target is a provider that is down: it is tried first,
    // then the second target serves.
    const HttpResult r = http_post(port, "/v1/chat/completions", chat_body("quick", "hi"), auth);
    BOOST_TEST(r.status == 200);
    BOOST_TEST(r.headers.at("x-helix-provider") == "plain");
    BOOST_TEST(r.headers.at("x-helix-attempts") == "2");
}

namespace {

// Providers in the given routing order, all serving "plain-1": each either
// the live upstream or a closed port.
std::string routed_config(const std::vector<std::pair<std::string, bool>> &providers, std::uint16_t live_port,
                          const std::string &router = "", const std::string &keys = "[" + key + "]") {
    std::string yaml = "server: {listen: 127.0.0.1, port: 0}\napi_keys: " + keys + "\n" + router + "plugins:\n";
    std::string primary;
    for (const auto &[name, live] : providers) {
        const std::uint16_t port = live ? live_port : closed_port();
        yaml += "  " + name + ":\n    library: " + std::string(FIXTURE_DIR) +
                "/libhelix_plain_text.so\n    connect_timeout: 2s\n    settings:\n      base_url: http://127.0.0.1:" +
                std::to_string(port) + "/complete\n";
        primary += (primary.empty() ? "" : ", ") + name;
    }
    return yaml + "providers:\n  primary: [" + primary + "]\n";
}

struct Routed {
    PlainTextUpstream upstream;
    TempDir dir;
    std::unique_ptr<DaemonProcess> daemon;
    std::uint16_t port = 0;
    Routed(const std::vector<std::pair<std::string, bool>> &providers, const std::string &router = "",
           const std::string &keys = "[" + key + "]") {
        daemon = std::make_unique<DaemonProcess>(std::vector<std::string>{
            "--config", dir.file("helixagent.yaml", routed_config(providers, upstream.port(), router, keys))});
        port = daemon->wait_until_listening();
    }
    HttpResult chat(const std::string &body) const { return http_post(port, "/v1/chat/completions", body, auth); }
};

} // namespace

BOOST_AUTO_TEST_CASE(a_failing_primary_fails_over_to_the_next_provider) {
    Routed r({{"first", false}, {"second", true}});
    const HttpResult whole = r.chat(chat_body("plain-1", "hi"));
    BOOST_TEST_REQUIRE(whole.status == 200, whole.body);
    BOOST_TEST(whole.headers.at("x-helix-provider") == "second");
    BOOST_TEST(whole.headers.at("x-helix-attempts") == "2");

    // A stream fails over too, since nothing had reached the client.
    const HttpResult stream = r.chat(chat_body("plain-1", "hi", true));
    BOOST_TEST(stream.status == 200);
    BOOST_TEST(stream.headers.at("x-helix-provider") == "second");
    BOOST_TEST(stream.body.find("data: [DONE]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_explicit_provider_is_not_failed_over_unless_configured) {
    Routed strict({{"first", false}, {"second", true}});
    const HttpResult r = strict.chat(chat_body("first/plain-1", "hi"));
    BOOST_TEST(r.status == 502);
    BOOST_TEST(strict.upstream.requests() == 0);

    Routed lenient({{"first", false}, {"second", true}}, "router: {explicit_fallback: true}\n");
    const HttpResult ok = lenient.chat(chat_body("first/plain-1", "hi"));
    BOOST_TEST(ok.status == 200);
    BOOST_TEST(ok.headers.at("x-helix-provider") == "second");
}

BOOST_AUTO_TEST_CASE(a_key_scoped_to_provider_model_is_not_failed_over_to_another_provider) {
    const std::string scoped = "sk-scoped-3f9a";
    Routed lenient({{"first", false}, {"second", true}}, "router: {explicit_fallback: true}\n",
                   "[" + key + ", {name: scoped, key: " + scoped + ", models: [first/plain-1]}]");
    const std::map<std::string, std::string> scoped_auth{{"Authorization", "Bearer " + scoped}};
    const HttpResult r = http_post(lenient.port, "/v1/chat/completions", chat_body("first/plain-1", "hi"), scoped_auth);
    BOOST_TEST(r.status == 502, r.body);
    BOOST_TEST(r.headers.at("x-helix-provider") == "first");
    BOOST_TEST(lenient.upstream.requests() == 0); // the second provider was never asked
    // An unscoped key still falls over, as configured.
    BOOST_TEST(lenient.chat(chat_body("first/plain-1", "hi")).status == 200);
}

BOOST_AUTO_TEST_CASE(every_provider_down_is_a_503_listing_each_attempt) {
    Routed r({{"first", false}, {"second", false}});
    const HttpResult all = r.chat(chat_body("plain-1", "hi"));
    BOOST_TEST(all.status == 503);
    const std::string message = error_of(all).at("message").as_string().c_str();
    BOOST_TEST(message.find("All 3 attempts failed") != std::string::npos, message);
    BOOST_TEST(message.find("first/plain-1 -> 502") != std::string::npos, message);
    BOOST_TEST(message.find("second/plain-1 -> 502") != std::string::npos, message);
    BOOST_TEST(message.find("connection refused") != std::string::npos, message);
}

BOOST_AUTO_TEST_CASE(retry_after_is_honoured_before_asking_the_same_provider_again) {
    Routed r({{"only", true}}, "router: {max_attempts: 2, max_retry_wait: 5s}\n");
    const auto started = std::chrono::steady_clock::now();
    const HttpResult limited = r.chat(chat_body("plain-1", "FAIL429"));
    const auto waited = std::chrono::steady_clock::now() - started;
    BOOST_TEST(limited.status == 429); // one provider: its own error
    BOOST_TEST(r.upstream.requests() == 2);
    BOOST_TEST(waited >= 3s, "the second attempt came before the upstream's Retry-After of 3 s");
    BOOST_TEST(limited.headers.at("x-helix-attempts") == "2");
}

BOOST_AUTO_TEST_CASE(a_stream_that_breaks_after_its_first_byte_ends_with_an_error_event_not_a_restart) {
    Routed r({{"first", true}, {"second", true}});
    const HttpResult stream = r.chat(chat_body("plain-1", "BREAK", true));
    BOOST_TEST(stream.status == 200);
    BOOST_TEST(stream.body.find("\"content\":\"Hel") != std::string::npos, stream.body);
    BOOST_TEST(stream.body.find("data: {\"error\":") != std::string::npos, stream.body);
    BOOST_TEST(stream.body.find("[DONE]") == std::string::npos);
    BOOST_TEST(r.upstream.requests() == 1); // not re-sent to the second provider
}

BOOST_AUTO_TEST_CASE(scores_order_critical_requests_and_cost_picks_for_low_priority_ones) {
    PlainTextUpstream upstream;
    TempDir dir;
    const std::string scores = dir.file("scores.yaml", "pricey/plain-1: 0.90\ncheap/plain-1: 0.88\nbad/plain-1: 0.50\n");
    const std::string yaml =
        routed_config({{"bad", true}, {"cheap", true}, {"pricey", true}}, upstream.port()) +
        "scores_file: " + scores + "\n"
        "prices:\n"
        "  pricey/plain-1: {input: 0.010, output: 0.030}\n"
        "  cheap/plain-1: {input: 0.001, output: 0.002}\n"
        "  bad/plain-1: {input: 0.0001, output: 0.0001}\n";
    DaemonProcess daemon({"--config", dir.file("helixagent.yaml", yaml)});
    const std::uint16_t port = daemon.wait_until_listening();

    // Critical (the default): the best score first, whatever it costs.
    const HttpResult critical = http_post(port, "/v1/chat/completions", chat_body("plain-1", "hi"), auth);
    BOOST_TEST(critical.headers.at("x-helix-provider") == "pricey");
    // 2 prompt tokens, 4 completion tokens at 0.010 / 0.030 per 1K.
    BOOST_TEST(critical.headers.at("x-helix-cost-usd") == "0.000140");

    // Non-critical: the cheapest within 0.05 of the best score; "bad" is
    // cheaper still but scores too low.
    std::map<std::string, std::string> low = auth;
    low["X-Helix-Priority"] = "low";
    const HttpResult cheap = http_post(port, "/v1/chat/completions", chat_body("plain-1", "hi"), low);
    BOOST_TEST(cheap.headers.at("x-helix-provider") == "cheap");
    BOOST_TEST(cheap.headers.at("x-helix-cost-usd") == "0.000010");

    // A stream's headers precede its usage: the cost comes in a chunk of its own.
    const HttpResult stream = http_post(port, "/v1/chat/completions", chat_body("plain-1", "hi", true), low);
    double streamed_cost = -1;
    for (std::size_t at = 0; (at = stream.body.find("data: {", at)) != std::string::npos; ++at) {
        const auto chunk = boost::json::parse(stream.body.substr(at + 6, stream.body.find("\n\n", at) - at - 6));
        if (const auto *c = chunk.as_object().if_contains("x_helix_cost_usd")) streamed_cost = c->to_number<double>();
    }
    BOOST_TEST(streamed_cost == 0.00001, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(an_open_circuit_is_skipped_and_shown_in_readyz) {
    Routed r({{"first", false}, {"second", true}}, "router: {circuit_failures: 2, circuit_cooldown: 60s}\n");
    for (int i = 0; i < 2; ++i) {
        const HttpResult served = r.chat(chat_body("plain-1", "hi"));
        BOOST_TEST(served.headers.at("x-helix-attempts") == "2"); // first tried, failed, second served
    }
    const HttpResult skipped = r.chat(chat_body("plain-1", "hi"));
    BOOST_TEST(skipped.status == 200);
    BOOST_TEST(skipped.headers.at("x-helix-provider") == "second");
    BOOST_TEST(skipped.headers.at("x-helix-attempts") == "1"); // the open circuit was not tried
    const HttpResult ready = http_get(r.port, "/readyz", auth);
    BOOST_TEST(ready.body.find(R"("circuits":{"first/plain-1":"open"})") != std::string::npos, ready.body);

    // With every circuit open, the reply says so instead of waiting on dead providers.
    const HttpResult explicit_dead = r.chat(chat_body("first/plain-1", "hi"));
    BOOST_TEST(explicit_dead.status == 503);
    BOOST_TEST(error_of(explicit_dead).at("message").as_string().find("circuit open") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(requests_tokens_and_failovers_are_counted_in_metrics) {
    Routed r({{"first", false}, {"second", true}});
    BOOST_TEST(r.chat(chat_body("plain-1", "hi")).status == 200);
    BOOST_TEST(r.chat(chat_body("plain-1", "hi", true)).status == 200);
    BOOST_TEST(r.chat(R"({"model":"plain-1","messages":"nope"})").status == 400);
    const std::string scrape = http_get(r.port, "/metrics").body;
    const auto has = [&](const std::string &line) {
        BOOST_TEST(scrape.find(line) != std::string::npos, "missing: " << line << "\n" << scrape);
    };
    has(R"(helixagent_requests_total{model="plain-1",provider="second",status="200"} 2)");
    has(R"(helixagent_requests_total{model="none",provider="none",status="400"} 1)");
    has(R"(helixagent_failovers_total{from_provider="first",to_provider="second"} 2)");
    has(R"(helixagent_tokens_total{direction="output",model="plain-1",provider="second"} 8)");
    has(R"(helixagent_errors_total{kind="connect",provider="first"} 2)");
    has(R"(helixagent_time_to_first_token_seconds_count{model="plain-1",provider="second"} 2)");
}

BOOST_AUTO_TEST_CASE(reloads_under_load_drop_no_request_and_routing_follows_the_file) {
    PlainTextUpstream upstream;
    TempDir dir;
    const auto config = [&](const std::string &first, const std::string &second) {
        return routed_config({{first, true}, {second, true}}, upstream.port());
    };
    const std::string path = dir.file("helixagent.yaml", config("alpha", "beta"));
    DaemonProcess daemon({"--config", path});
    const std::uint16_t port = daemon.wait_until_listening();

    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, failed{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 2; ++c)
        clients.emplace_back([&] {
            while (!stop) {
                try {
                    const HttpResult r = http_post(port, "/v1/chat/completions", chat_body("plain-1", "hi"), auth);
                    (r.status == 200 ? ok : failed)++;
                } catch (const std::exception &) {
                    ++failed;
                }
            }
        });
    for (int i = 0; i < 100; ++i) {
        if (i % 2 == 0)
            dir.file("helixagent.yaml", (i / 2) % 2 == 0 ? config("beta", "alpha") : config("alpha", "beta"));
        else
            dir.file("helixagent.yaml", "server:\n  port: [not, a, port]\n");
        daemon.signal(SIGHUP);
        std::this_thread::sleep_for(30ms);
    }
    stop = true;
    for (auto &t : clients) t.join();
    BOOST_TEST(failed.load() == 0);
    BOOST_TEST(ok.load() >= 20, "requests served during the reloads: " << ok.load());

    // The last valid file wins, from the next request on.
    dir.file("helixagent.yaml", config("beta", "alpha"));
    daemon.signal(SIGHUP);
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    std::string provider;
    while (std::chrono::steady_clock::now() < deadline && provider != "beta") {
        provider = http_post(port, "/v1/chat/completions", chat_body("plain-1", "hi"), auth).headers.at("x-helix-provider");
        std::this_thread::sleep_for(20ms);
    }
    BOOST_TEST(provider == "beta");
    daemon.signal(SIGTERM);
    BOOST_TEST(daemon.wait_exit(10s).has_value());
}
