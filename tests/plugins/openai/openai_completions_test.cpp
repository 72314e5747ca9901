#define BOOST_TEST_MODULE plugins_openai_completions
#include <boost/test/unit_test.hpp>

#include "../chunking_check.hpp"

#include <boost/json.hpp>

using namespace helix::test;
namespace json = boost::json;

namespace {

const std::string kConfig = R"({"api_key":"sk-test-0123456789abcdef","models":["gpt-4o","gpt-3.5-turbo-instruct"]})";

const std::string kInstruct = "gpt-3.5-turbo-instruct";

const std::string kBody =
    R"({"model":"openai/gpt-3.5-turbo-instruct","prompt":"Say this is a test","max_tokens":7,"temperature":0,)"
    R"("stop":["\n"],"logit_bias":{"50256":-100},"n":2,"best_of":3,"echo":true,"logprobs":2,"suffix":"!",)"
    R"("seed":7,"user":"u1","presence_penalty":0.5,"frequency_penalty":0.1,"top_p":0.9,)"
    R"("store":true,"metadata":{"a":"b"},"unknown":1})";

} // namespace

BOOST_AUTO_TEST_CASE(instruct_models_are_marked_and_listed_only_when_configured) {
    Harness h(kConfig);
    bool found = false;
    for (const auto &m : h.models()) {
        const std::string id(m.id.data, m.id.len);
        const bool instruct = id == "gpt-3.5-turbo-instruct";
        found = found || instruct;
        BOOST_TEST(((m.capabilities & HELIX_MODEL_COMPLETIONS) != 0) == instruct, id);
    }
    BOOST_TEST(found);
    Harness defaults(R"({"api_key":"k"})");
    for (const auto &m : defaults.models()) BOOST_TEST((m.capabilities & HELIX_MODEL_COMPLETIONS) == 0u);
}

BOOST_AUTO_TEST_CASE(the_clients_body_goes_to_completions_with_the_documented_fields) {
    Harness h(kConfig);
    CompletionRequest c(kInstruct, kBody, false);
    Prepared p = h.prepare(c.outer);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.url == "https://api.openai.com/v1/completions");
    BOOST_TEST(p.header("Authorization") == "Bearer sk-test-0123456789abcdef");
    const json::object sent = json::parse(p.body).as_object();
    BOOST_TEST(sent.at("model") == "gpt-3.5-turbo-instruct");
    BOOST_TEST(sent.at("prompt") == "Say this is a test");
    BOOST_TEST(sent.at("max_tokens") == 7);
    for (const char *kept : {"logit_bias", "n", "best_of", "echo", "logprobs", "suffix", "seed", "user",
                             "presence_penalty", "frequency_penalty", "top_p", "temperature", "stop"})
        BOOST_TEST(sent.contains(kept), kept);
    BOOST_TEST(!sent.contains("stream_options"));
    for (const char *gone : {"store", "metadata", "unknown"}) BOOST_TEST(!sent.contains(gone), gone);
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(a_stream_asks_for_usage_and_decodes_text_completion_chunks) {
    Harness h(kConfig);
    CompletionRequest c(kInstruct, R"({"model":"m","prompt":"Say this is a test","stream":true})", true);
    Prepared p = h.prepare(c.outer);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(p.streaming);
    BOOST_TEST(json::serialize(json::parse(p.body).at("stream_options")) == R"({"include_usage":true})");
    h.descriptor().call_free(p.call);
    const std::string chunk =
        R"({"id":"cmpl-1","object":"text_completion","created":1,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"This","index":0,"logprobs":null,"finish_reason":null}]})";
    const std::string last =
        R"({"id":"cmpl-1","object":"text_completion","created":1,"model":"gpt-3.5-turbo-instruct","choices":[{"text":" is","index":0,"logprobs":null,"finish_reason":"length"}]})";
    const std::string usage =
        R"({"id":"cmpl-1","object":"text_completion","created":1,"model":"gpt-3.5-turbo-instruct","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2,"total_tokens":7}})";
    const std::string stream = "data: " + chunk + "\n\ndata: " + last + "\n\ndata: " + usage + "\n\ndata: [DONE]\n\n";
    expect_events(h, c.outer, 200, sse_headers(), stream,
                  "START id=cmpl-1 model=gpt-3.5-turbo-instruct\n"
                  "TEXT c=0 This\n"
                  "TEXT c=0  is\n"
                  "FINISH c=0 length\n"
                  "USAGE 5/2/0\n");
}

BOOST_AUTO_TEST_CASE(a_whole_text_completion_decodes_to_the_same_events) {
    Harness h(kConfig);
    CompletionRequest c(kInstruct, kBody, false);
    const std::string body =
        R"({"id":"cmpl-2","object":"text_completion","created":1,"model":"gpt-3.5-turbo-instruct",)"
        R"("choices":[{"text":"This is a test.","index":0,"logprobs":null,"finish_reason":"stop"}],)"
        R"("usage":{"prompt_tokens":5,"completion_tokens":5,"total_tokens":10}})";
    expect_events(h, c.outer, 200, json_headers(), body,
                  "START id=cmpl-2 model=gpt-3.5-turbo-instruct\n"
                  "TEXT c=0 This is a test.\n"
                  "FINISH c=0 stop\n"
                  "USAGE 5/5/0\n");
}

BOOST_AUTO_TEST_CASE(several_prompts_and_token_prompts_go_as_sent) {
    Harness h(kConfig);
    CompletionRequest c(kInstruct, R"({"model":"m","prompt":[[1212,318],[257]],"n":2})", false);
    Prepared p = h.prepare(c.outer);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    BOOST_TEST(json::serialize(json::parse(p.body).at("prompt")) == "[[1212,318],[257]]");
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(a_stream_of_several_choices_keeps_their_indexes_and_each_chunks_logprobs) {
    Harness h(kConfig);
    CompletionRequest c(kInstruct, R"({"model":"m","prompt":["a","b"],"stream":true,"logprobs":1})", true);
    const std::string head = R"({"id":"cmpl-3","object":"text_completion","created":1,"model":"gpt-3.5-turbo-instruct",)";
    const auto chunk = [&](int index, std::string_view text, std::string_view logprobs, std::string_view finish) {
        return "data: " + head + R"("choices":[{"text":")" + std::string(text) + R"(","index":)" +
               std::to_string(index) + R"(,"logprobs":)" + std::string(logprobs) + R"(,"finish_reason":)" +
               std::string(finish) + "}]}\n\n";
    };
    const std::string stream = chunk(1, "B", R"({"tokens":["B"],"token_logprobs":[-0.1]})", "null") +
                               chunk(0, "A", R"({"tokens":["A"],"token_logprobs":[-0.2]})", "null") +
                               chunk(0, "", "null", R"("stop")") + chunk(1, "", "null", R"("length")") +
                               "data: " + head + R"("choices":[],"usage":{"prompt_tokens":2,"completion_tokens":2,"total_tokens":4}})" +
                               "\n\ndata: [DONE]\n\n";
    expect_events(h, c.outer, 200, sse_headers(), stream,
                  "START id=cmpl-3 model=gpt-3.5-turbo-instruct\n"
                  "EXTRA c=1 logprobs={\"tokens\":[\"B\"],\"token_logprobs\":[-1E-1]}\n"
                  "TEXT c=1 B\n"
                  "EXTRA c=0 logprobs={\"tokens\":[\"A\"],\"token_logprobs\":[-2E-1]}\n"
                  "TEXT c=0 A\n"
                  "FINISH c=0 stop\n"
                  "FINISH c=1 length\n"
                  "USAGE 2/2/0\n");
}

BOOST_AUTO_TEST_CASE(a_whole_reply_gives_each_choices_logprobs_before_its_text) {
    Harness h(kConfig);
    CompletionRequest c(kInstruct, R"({"model":"m","prompt":"Hi","echo":true,"logprobs":0})", false);
    const std::string body =
        R"({"id":"cmpl-4","object":"text_completion","created":1,"model":"gpt-3.5-turbo-instruct","choices":[)"
        R"({"text":"Hi there","index":0,"logprobs":{"tokens":["Hi"," there"],"token_logprobs":[null,-1]},"finish_reason":"length"}],)"
        R"("usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}})";
    expect_events(h, c.outer, 200, json_headers(), body,
                  "START id=cmpl-4 model=gpt-3.5-turbo-instruct\n"
                  "EXTRA c=0 logprobs={\"tokens\":[\"Hi\",\" there\"],\"token_logprobs\":[null,-1]}\n"
                  "TEXT c=0 Hi there\n"
                  "FINISH c=0 length\n"
                  "USAGE 1/1/0\n");
}

BOOST_AUTO_TEST_CASE(an_upstream_error_keeps_its_status_and_field) {
    Harness h(kConfig);
    CompletionRequest c(kInstruct, R"({"model":"m","prompt":"Hi"})", false);
    const Outcome o = h.run(c.outer, 400, json_headers(),
                            R"({"error":{"message":"This model's maximum context length is 4097 tokens","type":)"
                            R"("invalid_request_error","param":"prompt","code":"context_length_exceeded"}})");
    BOOST_TEST(o.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(o.http_status == 400);
    BOOST_TEST(o.param == "prompt");
    BOOST_TEST(o.code == "context_length_exceeded");
}

BOOST_AUTO_TEST_CASE(without_the_clients_body_the_request_is_refused) {
    Harness h(kConfig);
    CompletionRequest c(kInstruct, "", false);
    const Prepared p = h.prepare(c.outer);
    BOOST_TEST(p.status == HELIX_ERR_INVALID_REQUEST);
}
