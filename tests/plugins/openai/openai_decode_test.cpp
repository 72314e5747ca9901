#define BOOST_TEST_MODULE plugins_openai_decode
#include <boost/test/unit_test.hpp>

#include "../chunking_check.hpp"

using namespace helix::test;

namespace {

const std::string kKey = "sk-test-0123456789abcdef";
const std::string kConfig = R"({"api_key":")" + kKey + R"("})";

Request request(bool stream) {
    Request r;
    r.model = "gpt-4o";
    r.messages = {Message::user("Hi")};
    r.stream = stream;
    r.original_body = stream ? R"({"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}],"stream":true})"
                             : R"({"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]})";
    return r;
}

// Recorded-shape chunks (docs/providers.md, openai), one SSE event each.
std::string chunk(const std::string &choices, const std::string &usage = "null") {
    return R"(data: {"id":"chatcmpl-9x","object":"chat.completion.chunk","created":1741569952,)"
           R"("model":"gpt-4o-2024-08-06","system_fingerprint":"fp_44709d6fcb","choices":)" +
           choices + R"(,"usage":)" + usage + "}\n\n";
}

const std::string kTextStream =
    chunk(R"([{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}])") +
    chunk(R"([{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}])") +
    chunk(R"([{"index":0,"delta":{"content":" wörld \ud83c\udf0d"},"logprobs":null,"finish_reason":null}])") +
    chunk(R"([{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}])") +
    chunk("[]", R"({"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":3,"audio_tokens":0}})") +
    "data: [DONE]\n\n";

const std::string kTextEvents = "START id=chatcmpl-9x model=gpt-4o-2024-08-06\n"
                                "EXTRA c=0 system_fingerprint=\"fp_44709d6fcb\"\n"
                                "TEXT c=0 Hello\n"
                                "TEXT c=0  wörld \xF0\x9F\x8C\x8D\n"
                                "FINISH c=0 stop\n"
                                "USAGE 19/10/3\n";

} // namespace

BOOST_AUTO_TEST_CASE(non_streamed_text_completion) {
    Harness h(kConfig);
    Request r = request(false);
    const std::string body = R"({
      "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "object": "chat.completion", "created": 1741569952,
      "model": "gpt-4o-2024-08-06",
      "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello! How can I help?", "refusal": null,
                   "annotations": []}, "logprobs": null, "finish_reason": "stop"}],
      "usage": {"prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 0}},
      "service_tier": "default", "system_fingerprint": "fp_1"})";
    expect_events(h, r, 200, json_headers(), body,
                  "START id=chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT model=gpt-4o-2024-08-06\n"
                  "EXTRA c=0 system_fingerprint=\"fp_1\"\n"
                  "TEXT c=0 Hello! How can I help?\n"
                  "FINISH c=0 stop\n"
                  "USAGE 19/10/0\n");
}

BOOST_AUTO_TEST_CASE(non_streamed_tool_calls_with_cached_usage) {
    Harness h(kConfig);
    Request r = request(false);
    const std::string body = R"({"id":"chatcmpl-2","object":"chat.completion","created":1,"model":"gpt-4o",
      "choices":[{"index":0,"message":{"role":"assistant","content":null,"tool_calls":[
         {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
         {"id":"call_b","type":"function","function":{"name":"get_time","arguments":"{}"}}]},
       "finish_reason":"tool_calls"}],
      "usage":{"prompt_tokens":100,"completion_tokens":20,"total_tokens":120,"prompt_tokens_details":{"cached_tokens":64}}})";
    expect_events(h, r, 200, json_headers(), body,
                  "START id=chatcmpl-2 model=gpt-4o\n"
                  "TOOL c=0 i=0 id=call_a name=get_weather args={\"city\":\"Paris\"}\n"
                  "TOOL c=0 i=1 id=call_b name=get_time args={}\n"
                  "FINISH c=0 tool_calls\n"
                  "USAGE 100/20/64\n");
}

BOOST_AUTO_TEST_CASE(refusal_and_content_filter_and_several_choices) {
    Harness h(kConfig);
    Request r = request(false);
    const std::string body = R"({"id":"c","model":"gpt-4o","choices":[
       {"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"},
       {"index":1,"message":{"role":"assistant","content":"Partial"},"finish_reason":"content_filter"},
       {"index":2,"message":{"role":"assistant","content":"Long"},"finish_reason":"length"}]})";
    expect_events(h, r, 200, json_headers(), body,
                  "START id=c model=gpt-4o\n"
                  "TEXT c=0 I can't help with that.\n"
                  "FINISH c=0 stop\n"
                  "TEXT c=1 Partial\n"
                  "FINISH c=1 content_filter\n"
                  "TEXT c=2 Long\n"
                  "FINISH c=2 length\n");
}

BOOST_AUTO_TEST_CASE(an_event_stream_answering_a_non_streamed_request_is_a_protocol_error) {
    Harness h(kConfig);
    Request r = request(false);
    const Outcome o = h.run(r, 200, sse_headers(), kTextStream);
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(o.message.find("non-streamed request with an event stream") != std::string::npos, o.message);
}

BOOST_AUTO_TEST_CASE(streamed_text_with_usage_in_any_chunking) {
    Harness h(kConfig);
    Request r = request(true);
    expect_events(h, r, 200, sse_headers(), kTextStream,
                  kTextEvents);
}

BOOST_AUTO_TEST_CASE(streamed_text_with_crlf_line_ends_gives_the_same_events) {
    Harness h(kConfig);
    Request r = request(true);
    std::string crlf;
    for (const char c : kTextStream) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    expect_events(h, r, 200, sse_headers(), ": keep-alive\r\n\r\n" + crlf,
                  kTextEvents);
}

BOOST_AUTO_TEST_CASE(usage_event_comes_even_when_the_client_did_not_ask_for_it) {
    Harness h(kConfig);
    Request r = request(true);
    r.include_usage = false;
    const Outcome o = h.run(r, 200, sse_headers(), kTextStream);
    BOOST_TEST(contains(o.events, "USAGE 19/10/3"));
}

BOOST_AUTO_TEST_CASE(streamed_parallel_tool_calls_keep_openais_index) {
    Harness h(kConfig);
    Request r = request(true);
    const std::string body =
        chunk(R"([{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}])") +
        chunk(R"([{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]},"finish_reason":null}])") +
        chunk(R"([{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"get_time","arguments":""}}]},"finish_reason":null}])") +
        chunk(R"([{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]},"finish_reason":null}])") +
        chunk(R"([{"index":0,"delta":{"tool_calls":[{"index":1,"function":{"arguments":"{}"}}]},"finish_reason":null}])") +
        chunk(R"([{"index":0,"delta":{},"finish_reason":"tool_calls"}])") +
        chunk("[]", R"({"prompt_tokens":50,"completion_tokens":30,"total_tokens":80})") + "data: [DONE]\n\n";
    expect_events(h, r, 200, sse_headers(), body,
                  "START id=chatcmpl-9x model=gpt-4o-2024-08-06\n"
                  "EXTRA c=0 system_fingerprint=\"fp_44709d6fcb\"\n"
                  "TOOL c=0 i=0 id=call_a name=get_weather args=\n"
                  "TOOL c=0 i=0 id= name= args={\"ci\n"
                  "TOOL c=0 i=1 id=call_b name=get_time args=\n"
                  "TOOL c=0 i=0 id= name= args=ty\":\"Paris\"}\n"
                  "TOOL c=0 i=1 id= name= args={}\n"
                  "FINISH c=0 tool_calls\n"
                  "USAGE 50/30/0\n");
}

BOOST_AUTO_TEST_CASE(streamed_choices_are_kept_apart_and_done_finishes_what_is_open) {
    Harness h(kConfig);
    Request r = request(true);
    const std::string body =
        chunk(R"([{"index":0,"delta":{"content":"A"},"finish_reason":null},{"index":1,"delta":{"content":"B"},"finish_reason":null}])") +
        chunk(R"([{"index":1,"delta":{},"finish_reason":"length"}])") + "data: [DONE]\n\n";
    expect_events(h, r, 200, sse_headers(), body,
                  "START id=chatcmpl-9x model=gpt-4o-2024-08-06\n"
                  "EXTRA c=0 system_fingerprint=\"fp_44709d6fcb\"\n"
                  "TEXT c=0 A\n"
                  "TEXT c=1 B\n"
                  "FINISH c=1 length\n"
                  "FINISH c=0 stop\n");
}

BOOST_AUTO_TEST_CASE(azure_style_prompt_filter_chunk_delays_start) {
    Harness h(kConfig);
    Request r = request(true);
    const std::string body =
        R"(data: {"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[]})" "\n\n" +
        chunk(R"([{"index":0,"delta":{"content":"x"},"finish_reason":"stop"}])") + "data: [DONE]\n\n";
    const Outcome o = h.run(r, 200, sse_headers(), body);
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events.rfind("START id=chatcmpl-9x", 0) == 0u, o.events);
    BOOST_TEST(o.events.find("EXTRA c=0 prompt_filter_results=[]") != std::string::npos, o.events);
}

BOOST_AUTO_TEST_CASE(the_response_content_type_decides_the_format) {
    Harness h(kConfig);
    // Asked for a stream, got JSON (e.g. a proxy that does not stream).
    Request r = request(true);
    const Outcome o = h.run(r, 200, json_headers(),
                            R"({"id":"c","model":"m","choices":[{"index":0,"message":{"content":"x"},"finish_reason":"stop"}]})");
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events == "START id=c model=m\nTEXT c=0 x\nFINISH c=0 stop\n");
    // No content type: what was asked for.
    const Outcome s = h.run(r, 200, {}, kTextStream);
    BOOST_TEST(s.events == kTextEvents);
}

// ----------------------------------------------------------------------------- errors

BOOST_AUTO_TEST_CASE(http_401_is_an_auth_failure_of_the_gateway_without_the_key) {
    Harness h(kConfig);
    Request r = request(false);
    const std::string body = R"({"error":{"message":"Incorrect API key provided: sk-test-****cdef. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})";
    const Outcome o = run_all_chunkings(h, r, 401, json_headers(), body);
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    BOOST_TEST(o.http_status == 502);
    BOOST_TEST(o.failed_in_finish);
    BOOST_TEST(contains(o.message, "gateway's credentials"), o.message);
    BOOST_TEST(contains(o.message, "invalid_api_key"), o.message);
    BOOST_TEST(!contains(o.message, "cdef"));
    BOOST_TEST(o.events.empty());
}

BOOST_AUTO_TEST_CASE(http_429_is_retryable_with_retry_after) {
    Harness h(kConfig);
    Request r = request(true);
    const std::string body = R"({"error":{"message":"Rate limit reached for gpt-4o in organization org-x on requests per min (RPM): Limit 3, Used 3, Requested 1.","type":"requests","param":null,"code":"rate_limit_exceeded"}})";
    const Outcome o = run_all_chunkings(h, r, 429, {{"Content-Type", "application/json"}, {"Retry-After", "20"}}, body);
    BOOST_TEST(o.status == HELIX_ERR_RETRY);
    BOOST_TEST(o.http_status == 429);
    BOOST_TEST(o.retry_after_ms == 20000u);
    BOOST_TEST(o.code == "rate_limit_exceeded");
    BOOST_TEST(contains(o.message, "Rate limit reached for gpt-4o"));

    // retry-after-ms is preferred; an HTTP-date works too.
    const Outcome ms = h.run(r, 429, {{"retry-after-ms", "1500"}, {"retry-after", "2"}}, body);
    BOOST_TEST(ms.retry_after_ms == 1500u);
    const Outcome date = h.run(r, 429, {{"Retry-After", "Tue, 14 Nov 2023 22:13:50 GMT"}}, body);
    BOOST_TEST(date.retry_after_ms == 30000u); // FakeHost's clock is 22:13:20
}

BOOST_AUTO_TEST_CASE(http_429_insufficient_quota_is_not_retryable) {
    Harness h(kConfig);
    Request r = request(false);
    const Outcome o = h.run(r, 429, json_headers(),
                            R"({"error":{"message":"You exceeded your current quota.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})");
    BOOST_TEST(o.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(o.http_status == 502);
    BOOST_TEST(contains(o.message, "no quota left"));
}

BOOST_AUTO_TEST_CASE(http_5xx_are_retryable_even_with_a_non_json_body) {
    Harness h(kConfig);
    Request r = request(false);
    const Outcome o = run_all_chunkings(h, r, 500, json_headers(),
                                        R"({"error":{"message":"The server had an error while processing your request.","type":"server_error","param":null,"code":null}})");
    BOOST_TEST(o.status == HELIX_ERR_RETRY);
    BOOST_TEST(o.http_status == 500);
    BOOST_TEST(contains(o.message, "server had an error"));
    BOOST_TEST(o.code == "server_error");
    const Outcome html = h.run(r, 502, {{"Content-Type", "text/html"}}, "<html><body>Bad gateway</body></html>");
    BOOST_TEST(html.status == HELIX_ERR_RETRY);
    BOOST_TEST(html.http_status == 502);
    BOOST_TEST(html.message == "the upstream answered HTTP 502");
    const Outcome overloaded = h.run(r, 503, {{"x-should-retry", "false"}}, "{}");
    BOOST_TEST(overloaded.status == HELIX_ERR_UPSTREAM);
}

BOOST_AUTO_TEST_CASE(client_errors_pass_through_with_status_param_and_code) {
    Harness h(kConfig);
    Request r = request(false);
    const Outcome o = run_all_chunkings(h, r, 400, json_headers(),
                                        R"({"error":{"message":"This model's maximum context length is 128000 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})");
    BOOST_TEST(o.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(o.http_status == 400);
    BOOST_TEST(o.param == "messages");
    BOOST_TEST(o.code == "context_length_exceeded");
    BOOST_TEST(contains(o.message, "maximum context length"));
    for (int status : {404, 422}) {
        const Outcome e = h.run(r, status, json_headers(), R"({"error":{"message":"nope","type":"invalid_request_error","code":"model_not_found"}})");
        BOOST_TEST(e.status == HELIX_ERR_UPSTREAM);
        BOOST_TEST(e.http_status == status);
    }
}

BOOST_AUTO_TEST_CASE(malformed_json_is_a_protocol_error) {
    Harness h(kConfig);
    Request r = request(false);
    const Outcome bad = run_all_chunkings(h, r, 200, json_headers(), R"({"id":"x","choices":[}")");
    BOOST_TEST(bad.status == HELIX_ERR_PROTOCOL);
    const Outcome truncated = run_all_chunkings(h, r, 200, json_headers(), R"({"id":"x","choices":[)");
    BOOST_TEST(truncated.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(truncated.failed_in_finish);
    const Outcome empty = h.run(r, 200, json_headers(), "");
    BOOST_TEST(empty.status == HELIX_ERR_PROTOCOL);
    const Outcome no_choices = h.run(r, 200, json_headers(), R"({"id":"x"})");
    BOOST_TEST(no_choices.status == HELIX_ERR_PROTOCOL);
    const Outcome trailing = h.run(r, 200, json_headers(), R"({"choices":[]} {})");
    BOOST_TEST(trailing.status == HELIX_ERR_PROTOCOL);

    Request s = request(true);
    const Outcome bad_chunk = run_all_chunkings(h, s, 200, sse_headers(), "data: {\"choices\": [\n\n");
    BOOST_TEST(bad_chunk.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(!bad_chunk.failed_in_finish);
}

BOOST_AUTO_TEST_CASE(truncated_streams_are_errors) {
    Harness h(kConfig);
    Request r = request(true);
    // Cut after the finish chunk: the usage chunk and [DONE] are missing.
    const std::string cut = kTextStream.substr(0, kTextStream.find("data: {", kTextStream.find("\"finish_reason\":\"stop\"")));
    const Outcome o = run_all_chunkings(h, r, 200, sse_headers(), cut);
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(o.failed_in_finish);
    BOOST_TEST(contains(o.message, "[DONE]"), o.message);
    BOOST_TEST(contains(o.events, "TEXT c=0 Hello")); // what came before was delivered

    // Cut in the middle of an event.
    const Outcome mid = run_all_chunkings(h, r, 200, sse_headers(), kTextStream.substr(0, kTextStream.find("Hello")));
    BOOST_TEST(mid.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(mid.failed_in_finish);
    BOOST_TEST(contains(mid.message, "in the middle of an event"), mid.message);

    // Nothing at all.
    const Outcome none = h.run(r, 200, sse_headers(), "");
    BOOST_TEST(none.status == HELIX_ERR_PROTOCOL);
}

BOOST_AUTO_TEST_CASE(an_error_inside_the_stream_ends_it) {
    Harness h(kConfig);
    Request r = request(true);
    const std::string body = chunk(R"([{"index":0,"delta":{"content":"Hel"},"finish_reason":null}])") +
                             R"(data: {"error":{"message":"The server had an error","type":"server_error","code":null}})" "\n\n";
    const Outcome o = run_all_chunkings(h, r, 200, sse_headers(), body);
    BOOST_TEST(o.status == HELIX_ERR_RETRY);
    BOOST_TEST(!o.failed_in_finish);
    BOOST_TEST(contains(o.message, "The server had an error"));
    BOOST_TEST(contains(o.events, "TEXT c=0 Hel"));

    const Outcome named = h.run(r, 200, sse_headers(),
                                "event: error\ndata: {\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}\n\n");
    BOOST_TEST(named.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(named.http_status == 400);
    BOOST_TEST(named.message == "bad");
}

BOOST_AUTO_TEST_CASE(a_sink_that_asks_to_stop_does_not_break_decoding) {
    Harness h(kConfig);
    Request r = request(true);
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK);
    Recorder rec;
    rec.stop_after = 1;
    helix_http_response resp{};
    resp.struct_size = sizeof resp;
    resp.status = 200;
    resp.data = reinterpret_cast<const std::uint8_t *>(kTextStream.data());
    resp.len = kTextStream.size();
    helix_error err = make_error();
    BOOST_TEST(h.descriptor().decode(p.call, &resp, &rec.sink(), &err) == HELIX_OK);
    BOOST_TEST(rec.lines().size() == 1u);
    h.descriptor().call_free(p.call);
}
