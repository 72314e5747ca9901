#define BOOST_TEST_MODULE attempt_loop
#include <boost/test/unit_test.hpp>

#include "daemon/router/attempt_loop.hpp"

#include "daemon/plugins/non_blocking_thread.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using namespace helix;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// What the fake upstream answers to one call.
struct Scripted {
    int status = 200;
    std::vector<std::string> body; // parts, each handed to the sink in turn
    transport::ExchangeError error = transport::ExchangeError::none; // after the body
    bool hang_until_deadline = false; // no answer: wait for limits.deadline, then time out
};

// The fake transport: answers each call (for any URL) with the next script,
// recording what it was given.
class FakeTransport final : public transport::AsyncExchange {
public:
    std::vector<Scripted> scripts;
    std::vector<std::string> urls;
    std::vector<transport::ExchangeLimits> limits_seen;

    asio::awaitable<transport::ExchangeResult> exchange(const helix_http_request &request,
                                                        const transport::ExchangeLimits &limits,
                                                        transport::AsyncResponseSink &sink) override {
        urls.emplace_back(request.url.data, request.url.len);
        limits_seen.push_back(limits);
        BOOST_TEST_REQUIRE(!scripts.empty());
        const Scripted s = scripts.front();
        scripts.erase(scripts.begin());
        transport::ExchangeResult result;
        if (s.hang_until_deadline) {
            asio::steady_timer timer(co_await asio::this_coro::executor);
            timer.expires_at(limits.deadline.value_or(Clock::now() + 10s));
            co_await timer.async_wait(asio::use_awaitable);
            result.error = transport::ExchangeError::timeout;
            result.detail = "deadline";
            co_return result;
        }
        result.head_received = true;
        if (!co_await sink.on_head(s.status, {})) {
            result.error = transport::ExchangeError::cancelled;
            co_return result;
        }
        for (const auto &part : s.body)
            if (!co_await sink.on_body(part)) {
                result.error = transport::ExchangeError::cancelled;
                co_return result;
            }
        result.error = s.error;
        if (s.error != transport::ExchangeError::none) result.detail = "scripted";
        co_return result;
    }
};

plugins::PluginFailure failure(helix_status status, int http_status, std::uint32_t retry_after_ms = 0) {
    plugins::PluginFailure f;
    f.status = status;
    f.error.struct_size = sizeof f.error;
    f.error.http_status = http_status;
    f.error.retry_after_ms = retry_after_ms;
    std::snprintf(f.error.message, sizeof f.error.message, "upstream answered HTTP %d", http_status);
    return f;
}

// A plugin call like the plain-text template's: 200 bodies are text, 401 is
// refused credentials, 429 and 5xx are worth another try.
class FakeCall final : public router::Call {
public:
    FakeCall(std::string url, std::uint32_t retry_after_ms) : url_(std::move(url)), retry_after_ms_(retry_after_ms) {
        request_.struct_size = sizeof request_;
        request_.method = {"POST", 4};
        request_.url = {url_.data(), url_.size()};
    }
    const helix_http_request &request() const override { return request_; }
    plugins::PluginFailure decode(const helix_http_response &r, const helix_event_sink &sink) override {
        if (r.status == 401) return failure(HELIX_ERR_AUTH, 502);
        if (r.status == 429) return failure(HELIX_ERR_RETRY, 429, retry_after_ms_);
        if (r.status >= 500) return failure(HELIX_ERR_RETRY, 502);
        if (r.len > 0) {
            helix_event e{};
            e.struct_size = sizeof e;
            e.type = HELIX_EVENT_TEXT_DELTA;
            e.text = {reinterpret_cast<const char *>(r.data), r.len};
            sink.emit(sink.ctx, &e);
        }
        return {};
    }
    plugins::PluginFailure finish(const helix_event_sink &sink) override {
        helix_event e{};
        e.struct_size = sizeof e;
        e.type = HELIX_EVENT_FINISH;
        sink.emit(sink.ctx, &e);
        return {};
    }

private:
    std::string url_;
    std::uint32_t retry_after_ms_;
    helix_http_request request_{};
};

// Streams each text as one event; a whole reply is the texts joined.
class FakeEncoder final : public router::ReplyEncoder {
public:
    explicit FakeEncoder(bool stream) : stream_(stream) {}
    void add(const helix_event &e, std::vector<std::string> &events) override {
        if (e.type != HELIX_EVENT_TEXT_DELTA) return;
        std::string text(e.text.data, e.text.len);
        if (stream_)
            events.push_back(text);
        else
            body_ += text;
    }
    std::string finish(std::vector<std::string> &events, router::ReplyWriter &) override {
        if (stream_) events.push_back("last");
        return body_;
    }

private:
    bool stream_;
    std::string body_;
};

// A call of several upstream requests (an embeddings batch split by the
// provider's limit): part k goes to <url>k.
class PartedCall final : public router::Call {
public:
    PartedCall(std::string url, std::size_t parts, std::vector<std::size_t> &advanced)
        : url_(std::move(url)), parts_(parts), advanced_(advanced) {
        part_ = std::make_unique<FakeCall>(url_ + "1", 0);
    }
    const helix_http_request &request() const override { return part_->request(); }
    plugins::PluginFailure decode(const helix_http_response &r, const helix_event_sink &sink) override {
        return part_->decode(r, sink);
    }
    plugins::PluginFailure finish(const helix_event_sink &) override { return {}; }
    bool more() const override { return index_ < parts_; }
    plugins::PluginFailure advance() override {
        ++index_;
        advanced_.push_back(index_);
        part_ = std::make_unique<FakeCall>(url_ + std::to_string(index_), 0);
        return {};
    }

private:
    std::string url_;
    std::size_t parts_;
    std::vector<std::size_t> &advanced_;
    std::size_t index_ = 1;
    std::unique_ptr<FakeCall> part_;
};

class FakeEndpoint final : public router::Endpoint {
public:
    explicit FakeEndpoint(bool stream) : stream_(stream) {}
    bool streamed() const override { return stream_; }
    router::Prepared prepare(const router::Candidate &c) override {
        router::Prepared p;
        if (needs_fetch && plugins::must_not_block()) { // like a plugin whose token must be fetched first
            ++refused_on_loop;
            p.failure = failure(HELIX_ERR_WOULD_BLOCK, 0);
            return p;
        }
        prepared.push_back(c.provider->name());
        prepare_threads.push_back(std::this_thread::get_id());
        if (c.provider->name() == refuse_prepare) {
            p.failure = failure(HELIX_ERR_NOT_SUPPORTED, 400);
            return p;
        }
        if (parts > 1) {
            p.call = std::make_unique<PartedCall>("http://" + c.provider->name() + "/", parts, advanced);
            return p;
        }
        p.call = std::make_unique<FakeCall>("http://" + c.provider->name() + "/", retry_after_ms);
        return p;
    }
    std::unique_ptr<router::ReplyEncoder> encoder(const router::Candidate &) override {
        BOOST_TEST(started == 0); // nothing of the request is asked for once the reply began
        return std::make_unique<FakeEncoder>(stream_);
    }
    void reply_started() override {
        ++started;
        prepared_when_started = prepared.size();
    }

    std::vector<std::string> prepared;
    std::vector<std::thread::id> prepare_threads;
    std::string refuse_prepare;
    std::uint32_t retry_after_ms = 0;
    bool needs_fetch = false; // HELIX_ERR_WOULD_BLOCK where it must not block
    int refused_on_loop = 0;
    std::size_t parts = 1;            // > 1: a PartedCall
    std::vector<std::size_t> advanced; // the parts PartedCall::advance() prepared
    int started = 0;                   // reply_started() calls
    std::size_t prepared_when_started = 0;

private:
    bool stream_;
};

// Records the reply; `gone_after_writes` makes the client leave.
class FakeReply final : public router::ReplyWriter {
public:
    std::map<std::string, std::string> headers;
    std::optional<int> status;
    std::string body;
    bool streaming = false;
    std::vector<std::string> events;
    bool finished = false;
    std::optional<api::ApiError> failed_with;
    std::optional<std::size_t> gone_after_writes;

    void set_header(std::string_view name, std::string_view value) override {
        headers[std::string(name)] = std::string(value);
    }
    asio::awaitable<bool> send(int s, std::string b) override {
        status = s;
        body = std::move(b);
        co_return true;
    }
    asio::awaitable<bool> begin_stream() override {
        BOOST_TEST(!status.has_value());
        status = 200;
        streaming = true;
        co_return true;
    }
    asio::awaitable<bool> write_event(std::string_view payload) override {
        BOOST_TEST(streaming);
        if (gone_after_writes && events.size() >= *gone_after_writes) {
            gone_ = true;
            co_return false;
        }
        events.emplace_back(payload);
        co_return true;
    }
    asio::awaitable<bool> finish(bool) override {
        finished = true;
        co_return true;
    }
    asio::awaitable<void> fail(const api::ApiError &error) override {
        failed_with = error;
        if (!status) status = error.status;
        co_return;
    }
    bool started() const override { return status.has_value(); }
    bool gone() const override { return gone_; }

private:
    bool gone_ = false;
};

std::shared_ptr<plugins::ProviderInstance> make_provider(const std::string &name) {
    static const auto library = plugins::PluginLibrary::load(std::string(FIXTURE_DIR) + "/libhelix_plain_text.so");
    return plugins::ProviderInstance::create(name, library, R"({"base_url":"http://127.0.0.1:9/","models":["m"]})",
                                             nullptr);
}

struct Fixture {
    std::shared_ptr<plugins::ProviderInstance> a = make_provider("a");
    std::shared_ptr<plugins::ProviderInstance> b = make_provider("b");
    std::vector<router::Candidate> both{{a.get(), &a->models().front()}, {b.get(), &b->models().front()}};
    config::Config config;
    router::CircuitBreakers breakers;
    metrics::Metrics metrics{"test"};
    FakeTransport transport;
    FakeReply reply;
    asio::io_context loop;
    asio::thread_pool pool{1};

    router::CircuitBreakers::Settings breaker_settings() const {
        const auto &r = config.router;
        return {r.circuit_failures, r.circuit_cooldown, r.circuit_failure_rate, r.circuit_window};
    }

    // Runs the loop to its end; returns the status it reports.
    int run(FakeEndpoint &endpoint, std::vector<router::Candidate> candidates) {
        metrics::RequestObservation observed(metrics);
        int status = 0;
        asio::co_spawn(loop,
                       router::run_attempts({std::move(candidates), endpoint, reply, transport, breakers, observed,
                                             config, pool.get_executor()}),
                       [&](std::exception_ptr e, int s) {
                           BOOST_TEST(!e);
                           status = s;
                       });
        loop.run();
        loop.restart();
        return status;
    }
};

} // namespace

BOOST_FIXTURE_TEST_CASE(fails_over_before_the_first_byte, Fixture) {
    FakeEndpoint endpoint(true);
    transport.scripts = {{500, {}}, {200, {"he", "llo"}}};
    BOOST_TEST(run(endpoint, both) == 200);
    BOOST_TEST(transport.urls == (std::vector<std::string>{"http://a/", "http://b/"}));
    BOOST_TEST(reply.events == (std::vector<std::string>{"he", "llo", "last"}));
    BOOST_TEST(reply.finished);
    BOOST_TEST(!reply.failed_with.has_value());
    BOOST_TEST(reply.headers["x-helix-provider"] == "b");
    BOOST_TEST(reply.headers["x-helix-attempts"] == "2");
}

BOOST_FIXTURE_TEST_CASE(whole_reply_after_fail_over, Fixture) {
    FakeEndpoint endpoint(false);
    transport.scripts = {{502, {}}, {200, {"he", "llo"}}};
    BOOST_TEST(run(endpoint, both) == 200);
    BOOST_TEST(!reply.streaming);
    BOOST_TEST(reply.body == "hello");
}

BOOST_FIXTURE_TEST_CASE(no_fail_over_once_the_stream_began, Fixture) {
    FakeEndpoint endpoint(true);
    transport.scripts = {{200, {"he"}, transport::ExchangeError::reset}, {200, {"never"}}};
    BOOST_TEST(run(endpoint, both) == 200); // the status that went out
    BOOST_TEST(transport.urls.size() == 1u);
    BOOST_TEST(reply.events == (std::vector<std::string>{"he"}));
    BOOST_TEST_REQUIRE(reply.failed_with.has_value());
    BOOST_TEST(reply.failed_with->status == 502);
    BOOST_TEST(!reply.finished);
}

BOOST_FIXTURE_TEST_CASE(the_endpoint_hears_once_that_the_stream_began_and_is_asked_nothing_after, Fixture) {
    FakeEndpoint endpoint(true);
    transport.scripts = {{500, {}}, {200, {"he", "llo"}}};
    BOOST_TEST(run(endpoint, both) == 200);
    BOOST_TEST(endpoint.started == 1);
    BOOST_TEST(endpoint.prepared_when_started == 2u); // after the failed attempt and the one that streams
    BOOST_TEST(endpoint.prepared.size() == 2u);
}

BOOST_FIXTURE_TEST_CASE(a_stream_that_breaks_after_its_first_byte_asks_the_endpoint_nothing_more, Fixture) {
    FakeEndpoint endpoint(true);
    transport.scripts = {{200, {"he"}, transport::ExchangeError::reset}, {200, {"never"}}};
    BOOST_TEST(run(endpoint, both) == 200);
    BOOST_TEST(endpoint.started == 1);
    BOOST_TEST(endpoint.prepared.size() == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_whole_reply_is_not_a_started_stream, Fixture) {
    FakeEndpoint endpoint(false);
    transport.scripts = {{200, {"he", "llo"}}};
    BOOST_TEST(run(endpoint, both) == 200);
    BOOST_TEST(endpoint.started == 0);
}

BOOST_FIXTURE_TEST_CASE(retry_after_is_waited_for_on_a_timer, Fixture) {
    FakeEndpoint endpoint(false);
    endpoint.retry_after_ms = 400;
    transport.scripts = {{429, {}}, {200, {"ok"}}};
    // The wait must not block the loop: a timer due meanwhile fires in time.
    std::optional<Clock::duration> tick_late;
    asio::steady_timer tick(loop);
    const auto tick_due = Clock::now() + 100ms;
    tick.expires_at(tick_due);
    tick.async_wait([&](boost::system::error_code) { tick_late = Clock::now() - tick_due; });
    const auto started = Clock::now();
    BOOST_TEST(run(endpoint, {both.front()}) == 200);
    BOOST_TEST((Clock::now() - started >= 400ms));
    BOOST_TEST(transport.urls.size() == 2u);
    BOOST_TEST(reply.body == "ok");
    BOOST_TEST_REQUIRE(tick_late.has_value());
    BOOST_TEST((*tick_late < 300ms));
}

BOOST_FIXTURE_TEST_CASE(a_retry_after_longer_than_max_retry_wait_is_not_waited_for, Fixture) {
    FakeEndpoint endpoint(false);
    endpoint.retry_after_ms = 10'000; // above router.max_retry_wait (5 s)
    transport.scripts = {{429, {}}};
    const auto started = Clock::now();
    BOOST_TEST(run(endpoint, {both.front()}) == 429);
    BOOST_TEST((Clock::now() - started < 2s));
    BOOST_TEST(transport.urls.size() == 1u);
    BOOST_TEST_REQUIRE(reply.failed_with.has_value());
    BOOST_TEST(reply.failed_with->retry_after_ms == 10'000u); // the client is told when to come back
}

BOOST_FIXTURE_TEST_CASE(an_open_circuit_is_skipped, Fixture) {
    for (std::size_t i = 0; i < config.router.circuit_failures; ++i) breakers.failed("a/m", breaker_settings());
    FakeEndpoint endpoint(false);
    transport.scripts = {{200, {"from b"}}};
    BOOST_TEST(run(endpoint, both) == 200);
    BOOST_TEST(transport.urls == (std::vector<std::string>{"http://b/"}));
    BOOST_TEST(reply.body == "from b");
}

BOOST_FIXTURE_TEST_CASE(every_circuit_open_is_a_503_naming_them, Fixture) {
    for (std::size_t i = 0; i < config.router.circuit_failures; ++i) {
        breakers.failed("a/m", breaker_settings());
        breakers.failed("b/m", breaker_settings());
    }
    FakeEndpoint endpoint(false);
    BOOST_TEST(run(endpoint, both) == 503);
    BOOST_TEST(transport.urls.empty());
    BOOST_TEST_REQUIRE(reply.failed_with.has_value());
    BOOST_TEST(reply.failed_with->message.find("circuit open") != std::string::npos);
    BOOST_TEST(reply.failed_with->message.find("a/m") != std::string::npos);
    BOOST_TEST(reply.failed_with->message.find("b/m") != std::string::npos);
}

BOOST_FIXTURE_TEST_CASE(failures_open_the_circuit, Fixture) {
    config.router.max_attempts = 1;
    for (std::size_t i = 0; i < config.router.circuit_failures; ++i) {
        FakeEndpoint endpoint(false);
        transport.scripts = {{503, {}}};
        reply = FakeReply{};
        BOOST_TEST(run(endpoint, {both.front()}) >= 500);
    }
    BOOST_TEST((breakers.state("a/m") == router::CircuitBreakers::State::open));
}

BOOST_FIXTURE_TEST_CASE(refused_credentials_are_prepared_once_more, Fixture) {
    FakeEndpoint endpoint(false);
    transport.scripts = {{401, {}}, {200, {"fresh token"}}};
    BOOST_TEST(run(endpoint, both) == 200);
    BOOST_TEST(endpoint.prepared == (std::vector<std::string>{"a", "a"}));
    BOOST_TEST(transport.urls == (std::vector<std::string>{"http://a/", "http://a/"}));
    BOOST_TEST(reply.body == "fresh token");
    BOOST_TEST(reply.headers["x-helix-attempts"] == "2");
}

BOOST_FIXTURE_TEST_CASE(refused_credentials_twice_go_on_to_the_next_candidate, Fixture) {
    FakeEndpoint endpoint(false);
    transport.scripts = {{401, {}}, {401, {}}, {200, {"from b"}}};
    BOOST_TEST(run(endpoint, both) == 200);
    BOOST_TEST(endpoint.prepared == (std::vector<std::string>{"a", "a", "b"}));
    BOOST_TEST(reply.body == "from b");
}

BOOST_FIXTURE_TEST_CASE(a_prepare_that_must_fetch_runs_again_on_the_worker_pool, Fixture) {
    FakeEndpoint endpoint(false);
    endpoint.needs_fetch = true;
    endpoint.refuse_prepare = "a"; // a feature a lacks: b serves
    transport.scripts = {{200, {"ok"}}};
    BOOST_TEST(run(endpoint, both) == 200);
    BOOST_TEST(endpoint.refused_on_loop == 2); // each tried on the loop first
    BOOST_TEST_REQUIRE(endpoint.prepare_threads.size() == 2u);
    for (const auto &id : endpoint.prepare_threads) BOOST_TEST((id != std::this_thread::get_id()));
    BOOST_TEST(transport.urls == (std::vector<std::string>{"http://b/"}));
    BOOST_TEST(reply.body == "ok");
}

BOOST_FIXTURE_TEST_CASE(a_prepare_without_fetches_never_reaches_the_pool, Fixture) {
    FakeEndpoint endpoint(false);
    endpoint.refuse_prepare = "a";
    transport.scripts = {{200, {"ok"}}};
    BOOST_TEST(run(endpoint, both) == 200);
    BOOST_TEST(endpoint.refused_on_loop == 0);
    BOOST_TEST_REQUIRE(endpoint.prepare_threads.size() == 2u);
    for (const auto &id : endpoint.prepare_threads) BOOST_TEST((id == std::this_thread::get_id())); // the loop's
    BOOST_TEST(!plugins::must_not_block()); // the loop thread is unmarked after each prepare()
    BOOST_TEST(reply.body == "ok");
}

BOOST_FIXTURE_TEST_CASE(the_deadline_bounds_the_upstream_reads, Fixture) {
    config.router.deadline = 300ms;
    FakeEndpoint endpoint(false);
    transport.scripts = {{0, {}, transport::ExchangeError::none, true}, {200, {"late"}}};
    const auto started = Clock::now();
    const int status = run(endpoint, both);
    BOOST_TEST((Clock::now() - started < 3s));
    BOOST_TEST_REQUIRE(transport.limits_seen.size() == 1u); // no time left for b
    BOOST_TEST_REQUIRE(transport.limits_seen.front().deadline.has_value());
    BOOST_TEST((*transport.limits_seen.front().deadline <= started + 300ms + 50ms));
    BOOST_TEST(status == 504);
    BOOST_TEST(!reply.body.starts_with("late"));
}

BOOST_FIXTURE_TEST_CASE(a_client_that_leaves_abandons_the_call, Fixture) {
    FakeEndpoint endpoint(true);
    reply.gone_after_writes = 1;
    transport.scripts = {{200, {"one", "two", "three"}}, {200, {"never"}}};
    BOOST_TEST(run(endpoint, both) == 499);
    BOOST_TEST(transport.urls.size() == 1u);
    BOOST_TEST(reply.events == (std::vector<std::string>{"one"}));
    BOOST_TEST(!reply.finished);
}

BOOST_FIXTURE_TEST_CASE(a_call_of_several_parts_sends_them_in_order_into_one_reply, Fixture) {
    FakeEndpoint endpoint(false);
    endpoint.parts = 3;
    transport.scripts = {{200, {"x"}}, {200, {"y"}}, {200, {"z"}}};
    BOOST_TEST(run(endpoint, both) == 200);
    BOOST_TEST(transport.urls == (std::vector<std::string>{"http://a/1", "http://a/2", "http://a/3"}));
    BOOST_TEST(endpoint.advanced == (std::vector<std::size_t>{2, 3}));
    BOOST_TEST(reply.body == "xyz");
    BOOST_TEST(reply.headers["x-helix-attempts"] == "1");
}

BOOST_FIXTURE_TEST_CASE(a_failed_part_fails_the_attempt_and_the_next_candidate_starts_over, Fixture) {
    FakeEndpoint endpoint(false);
    endpoint.parts = 2;
    transport.scripts = {{200, {"x"}}, {503, {}}, {200, {"p"}}, {200, {"q"}}};
    BOOST_TEST(run(endpoint, both) == 200);
    BOOST_TEST(transport.urls == (std::vector<std::string>{"http://a/1", "http://a/2", "http://b/1", "http://b/2"}));
    BOOST_TEST(reply.body == "pq"); // nothing of a's first part
    BOOST_TEST(reply.headers["x-helix-provider"] == "b");
}

BOOST_FIXTURE_TEST_CASE(a_model_with_a_lifecycle_gets_deprecation_and_sunset_headers, Fixture) {
    config::ModelLifecycle lc;
    lc.legacy = 1737417600;      // 2025-01-21
    lc.end_of_life = 1753056000; // 2025-07-21
    std::vector<router::Candidate> dated{{a.get(), &a->models().front(), &lc}};
    FakeEndpoint endpoint(false);
    transport.scripts = {{200, {"hi"}}};
    BOOST_TEST(run(endpoint, dated) == 200);
    BOOST_TEST(reply.headers["Deprecation"] == "@1737417600");
    BOOST_TEST(reply.headers["Sunset"] == "Mon, 21 Jul 2025 00:00:00 GMT");
}

BOOST_FIXTURE_TEST_CASE(a_fail_over_to_a_model_without_lifecycle_drops_the_headers, Fixture) {
    config::ModelLifecycle lc;
    lc.end_of_life = 1753056000;
    std::vector<router::Candidate> candidates{{a.get(), &a->models().front(), &lc}, {b.get(), &b->models().front()}};
    FakeEndpoint endpoint(false);
    transport.scripts = {{500, {}}, {200, {"hi"}}};
    BOOST_TEST(run(endpoint, candidates) == 200);
    BOOST_TEST(reply.headers["Sunset"].empty()); // empty: removed from the reply
    BOOST_TEST(reply.headers["x-helix-provider"] == "b");
}
