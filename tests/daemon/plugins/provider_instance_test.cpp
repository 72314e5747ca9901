#define BOOST_TEST_MODULE provider_instance
#include <boost/test/unit_test.hpp>

#include "daemon/plugins/provider_instance.hpp"

#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace helix::plugins;

namespace {

const std::string good_settings = R"({"base_url":"http://127.0.0.1:9/complete","models":["plain-1","plain-2"]})";

std::shared_ptr<ProviderInstance> make_instance(const std::string &settings = good_settings) {
    auto library = PluginLibrary::load(std::string(FIXTURE_DIR) + "/libhelix_plain_text.so");
    return ProviderInstance::create("plain", library, settings, nullptr, [] { return std::int64_t{1'700'000'000'000}; });
}

helix_str s(const char *text) { return helix_str{text, std::char_traits<char>::length(text)}; }
std::string str(helix_str v) { return std::string(v.data, v.len); }

struct Recorded {
    std::string text;
    std::vector<std::uint32_t> finishes;
    std::int64_t completion_tokens = -1;
};

int record(void *ctx, const helix_event *e) {
    auto *r = static_cast<Recorded *>(ctx);
    if (e->type == HELIX_EVENT_TEXT_DELTA) r->text += str(e->text);
    if (e->type == HELIX_EVENT_FINISH) r->finishes.push_back(e->finish_reason);
    if (e->type == HELIX_EVENT_USAGE) r->completion_tokens = e->completion_tokens;
    return 0;
}

struct Request {
    helix_message messages[2]{};
    const helix_message *pointers[2] = {&messages[0], &messages[1]};
    helix_chat_request request{};
    Request() {
        messages[0].struct_size = sizeof(helix_message);
        messages[0].role = HELIX_ROLE_SYSTEM;
        messages[0].text = s("be brief");
        messages[1].struct_size = sizeof(helix_message);
        messages[1].role = HELIX_ROLE_USER;
        messages[1].text = s("hello");
        request.struct_size = sizeof request;
        request.model = s("plain-1");
        request.messages = pointers;
        request.message_count = 2;
        request.n = 1;
        request.stream = 1;
    }
};

helix_http_response chunk(int status, const std::string &bytes) {
    helix_http_response r{};
    r.struct_size = sizeof r;
    r.status = status;
    r.data = reinterpret_cast<const std::uint8_t *>(bytes.data());
    r.len = bytes.size();
    return r;
}

} // namespace

BOOST_AUTO_TEST_CASE(lists_the_models_from_its_settings) {
    auto instance = make_instance();
    BOOST_TEST_REQUIRE(instance->models().size() == 2u);
    BOOST_TEST(instance->models()[0].id == "plain-1");
    BOOST_TEST(instance->models()[1].upstream_id == "plain-2");
    BOOST_TEST(instance->find_model("plain-2") != nullptr);
    BOOST_TEST(instance->find_model("nope") == nullptr);
}

BOOST_AUTO_TEST_CASE(bad_settings_are_refused_with_the_plugins_reason) {
    try {
        make_instance(R"({"models":["x"]})");
        BOOST_FAIL("expected the plugin to refuse settings without base_url");
    } catch (const PluginLoadError &e) {
        const std::string message = e.what();
        BOOST_TEST(message.find("provider 'plain'") != std::string::npos);
        BOOST_TEST(message.find("settings.base_url is required") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(prepares_decodes_and_finishes_a_streamed_call) {
    auto instance = make_instance();
    Request r;
    std::unique_ptr<UpstreamCall> call;
    const PluginFailure f = instance->prepare(r.request, call);
    BOOST_TEST_REQUIRE(!f, f.message());
    BOOST_TEST(str(call->request().url) == "http://127.0.0.1:9/complete");
    BOOST_TEST(str(call->request().body) == "system: be brief\nuser: hello\n");
    BOOST_TEST(call->request().streaming_response == 1);

    Recorded recorded;
    const helix_event_sink sink{sizeof(helix_event_sink), &recorded, record};
    BOOST_TEST(!call->decode(chunk(200, "Hel"), sink));
    BOOST_TEST(!call->decode(chunk(200, "lo there"), sink));
    BOOST_TEST(!call->finish(sink));
    BOOST_TEST(recorded.text == "Hello there");
    BOOST_TEST_REQUIRE(recorded.finishes.size() == 1u);
    BOOST_TEST(recorded.finishes[0] == static_cast<std::uint32_t>(HELIX_FINISH_STOP));
    BOOST_TEST(recorded.completion_tokens == 2); // 11 characters / 4
}

BOOST_AUTO_TEST_CASE(upstream_throttling_is_a_retryable_failure_with_its_delay) {
    auto instance = make_instance();
    Request r;
    std::unique_ptr<UpstreamCall> call;
    BOOST_TEST_REQUIRE(!instance->prepare(r.request, call));
    helix_header retry{s("Retry-After"), s("3")};
    helix_http_response response = chunk(429, "slow down");
    response.headers = &retry;
    response.header_count = 1;
    Recorded recorded;
    const helix_event_sink sink{sizeof(helix_event_sink), &recorded, record};
    const PluginFailure f = call->decode(response, sink);
    BOOST_TEST(f.status == HELIX_ERR_RETRY);
    BOOST_TEST(f.error.retry_after_ms == 3000u);
    BOOST_TEST(f.error.http_status == 429);
    // The failure is sticky: the call is over.
    BOOST_TEST(call->finish(sink).status == HELIX_ERR_INTERNAL);
}

BOOST_AUTO_TEST_CASE(an_unsupported_feature_comes_back_as_status_and_param_not_an_exception) {
    auto instance = make_instance();
    Request r;
    helix_tool tool{};
    tool.struct_size = sizeof tool;
    tool.name = s("lookup");
    const helix_tool *tools[] = {&tool};
    r.request.tools = tools;
    r.request.tool_count = 1;
    std::unique_ptr<UpstreamCall> call;
    const PluginFailure f = instance->prepare(r.request, call);
    BOOST_TEST(f.status == HELIX_ERR_NOT_SUPPORTED);
    BOOST_TEST(std::string(f.error.param) == "tools");
    BOOST_TEST(call == nullptr);
}

BOOST_AUTO_TEST_CASE(calls_run_concurrently_on_many_threads) {
    auto instance = make_instance();
    std::vector<std::thread> threads;
    std::atomic<int> good{0};
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 200; ++i) {
                Request r;
                std::unique_ptr<UpstreamCall> call;
                if (instance->prepare(r.request, call)) continue;
                Recorded recorded;
                const helix_event_sink sink{sizeof(helix_event_sink), &recorded, record};
                if (!call->decode(chunk(200, "ok"), sink) && !call->finish(sink) && recorded.text == "ok") ++good;
            }
        });
    for (auto &t : threads) t.join();
    BOOST_TEST(good.load() == 8 * 200);
}

BOOST_AUTO_TEST_CASE(the_library_outlives_the_instance_that_uses_it) {
    std::unique_ptr<UpstreamCall> call;
    {
        auto instance = make_instance();
        Request r;
        BOOST_TEST_REQUIRE(!instance->prepare(r.request, call));
    }
    // The instance's last owner is now the call; using it must still work.
    Recorded recorded;
    const helix_event_sink sink{sizeof(helix_event_sink), &recorded, record};
    BOOST_TEST(!call->decode(chunk(200, "late"), sink));
    BOOST_TEST(recorded.text == "late");
}

BOOST_AUTO_TEST_CASE(a_message_without_its_nul_is_read_no_further_than_its_buffer) {
    // The helix_error is directly followed by other bytes, as a plugin's
    // unterminated message would be in memory.
    struct {
        helix_error error{};
        char after[16] = "OVERRUN";
    } memory;
    std::memset(memory.error.message, 'x', sizeof memory.error.message);
    const std::string message = error_message(memory.error);
    BOOST_TEST(message.size() == sizeof memory.error.message);
    BOOST_TEST(message.find("OVERRUN") == std::string::npos);
    PluginFailure failure;
    failure.error = memory.error;
    BOOST_TEST(failure.message().size() == sizeof memory.error.message);
}

BOOST_AUTO_TEST_CASE(an_event_of_type_zero_is_refused_and_fails_the_call) {
    Recorded recorded;
    const helix_event_sink target{sizeof(helix_event_sink), &recorded, record};
    CheckedEventSink checked(target);
    helix_event text{};
    text.struct_size = sizeof text;
    text.type = HELIX_EVENT_TEXT_DELTA;
    text.text = s("ok");
    BOOST_TEST(checked.table()->emit(checked.table()->ctx, &text) == 0);
    helix_event zeroed{};
    zeroed.struct_size = sizeof zeroed; // type left 0: a zeroed struct
    BOOST_TEST(checked.table()->emit(checked.table()->ctx, &zeroed) != 0);
    BOOST_TEST(recorded.text == "ok"); // the zeroed event never reached the host
    PluginFailure failure;
    failure.error.struct_size = sizeof failure.error;
    checked.apply(failure);
    BOOST_TEST(failure.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(failure.message().find("type 0 (unset") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_shorter_event_of_an_older_minor_reads_as_zero_beyond_its_size) {
    struct Seen {
        std::int64_t reasoning_tokens = -1;
    } seen;
    const helix_event_sink target{sizeof(helix_event_sink), &seen, [](void *ctx, const helix_event *e) {
                                      BOOST_TEST(e->struct_size == sizeof(helix_event));
                                      static_cast<Seen *>(ctx)->reasoning_tokens = e->reasoning_tokens;
                                      return 0;
                                  }};
    CheckedEventSink checked(target);
    helix_event older{};
    older.type = HELIX_EVENT_USAGE;
    older.reasoning_tokens = 77; // beyond struct_size: must not be read
    older.struct_size = static_cast<std::uint32_t>(offsetof(helix_event, cache_write_tokens));
    BOOST_TEST(checked.table()->emit(checked.table()->ctx, &older) == 0);
    BOOST_TEST(seen.reasoning_tokens == 0);
}
