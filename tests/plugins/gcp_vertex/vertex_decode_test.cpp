#define BOOST_TEST_MODULE plugins_gcp_vertex_decode
#include <boost/test/unit_test.hpp>

#include "../chunking_check.hpp"

using namespace helix::test;

namespace {

const std::string kConfig = R"({"project_id":"proj-1","access_token":"ya29.fixed-token-value"})";

Request request(bool stream, std::string model = "gemini-1.5-pro") {
    Request r;
    r.model = std::move(model);
    r.stream = stream;
    r.messages = {Message::user("hello")};
    return r;
}

std::string sse(std::initializer_list<std::string_view> events) {
    std::string out;
    for (const auto e : events) out += "data: " + std::string(e) + "\r\n\r\n";
    return out;
}

const std::vector<Header> &google_json_headers() {
    static const std::vector<Header> h{{"Content-Type", "application/json; charset=UTF-8"}};
    return h;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_unary_answer_is_text_finish_and_usage) {
    Harness h(kConfig);
    Request r = request(false);
    expect_events(h, r, 200, google_json_headers(), R"({
        "candidates":[{"content":{"role":"model","parts":[{"text":"Hello"},{"text":" there","thought":false},
                      {"text":"thinking...","thought":true}]},"finishReason":"STOP","avgLogprobs":-0.2}],
        "usageMetadata":{"promptTokenCount":5,"candidatesTokenCount":2,"thoughtsTokenCount":3,"totalTokenCount":10,
                         "cachedContentTokenCount":1},
        "modelVersion":"gemini-1.5-pro-002","responseId":"resp-1"})",
        "START id=resp-1 model=gemini-1.5-pro-002\nTEXT c=0 Hello\nTEXT c=0  there\n"
        "REASON c=0 i=0 text=thinking... sig= data= fmt=google-gemini-v1\n"
        "FINISH c=0 stop\nUSAGE 5/5/1\n");
}

BOOST_AUTO_TEST_CASE(function_calls_become_tool_calls_with_ids) {
    Harness h(kConfig);
    Request r = request(false);
    const Outcome o = run_all_chunkings(h, r, 200, google_json_headers(), R"({
        "candidates":[{"content":{"role":"model","parts":[
            {"functionCall":{"name":"weather","args":{"city":"Oslo"}}},
            {"functionCall":{"name":"time","args":{},"id":"google-id-7"}}]},"finishReason":"STOP"}],
        "responseId":"r9","modelVersion":"m"})");
    BOOST_TEST(o.events == "START id=r9 model=m\n"
                           "TOOL c=0 i=0 id=call_r9_0_0 name=weather args={\"city\":\"Oslo\"}\n"
                           "TOOL c=0 i=1 id=google-id-7 name=time args={}\n"
                           "FINISH c=0 tool_calls\n");
}

BOOST_AUTO_TEST_CASE(a_stream_of_chunks_keeps_choices_and_tool_indexes) {
    Harness h(kConfig);
    Request r = request(true);
    r.n = 2;
    const std::string body = sse({
        R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}},{"index":1,"content":{"role":"model","parts":[{"text":"Hi"}]}}],"responseId":"s1","modelVersion":"gemini-1.5-pro-002","usageMetadata":{"promptTokenCount":4}})",
        R"({"candidates":[{"content":{"role":"model","parts":[{"text":"lo"},{"functionCall":{"name":"f","args":{"a":[1,2]}}}]},"finishReason":"STOP"}],"responseId":"s1"})",
        R"({"candidates":[{"index":1,"content":{"role":"model","parts":[{"text":"!"}]},"finishReason":"MAX_TOKENS"}],"usageMetadata":{"promptTokenCount":4,"candidatesTokenCount":6,"totalTokenCount":10},"responseId":"s1"})",
    });
    expect_events(h, r, 200, sse_headers(), body,
                  "START id=s1 model=gemini-1.5-pro-002\nTEXT c=0 Hel\nTEXT c=1 Hi\nTEXT c=0 lo\n"
                  "TOOL c=0 i=0 id=call_s1_0_0 name=f args={\"a\":[1,2]}\nFINISH c=0 tool_calls\n"
                  "TEXT c=1 !\nFINISH c=1 length\nUSAGE 4/6/0\n");
}

BOOST_AUTO_TEST_CASE(safety_stops_and_blocked_prompts_are_content_filter) {
    Harness h(kConfig);
    Request r = request(true);
    Outcome o = run_all_chunkings(h, r, 200, sse_headers(), sse({
        R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Well"}]}}],"responseId":"x"})",
        R"({"candidates":[{"content":{"role":"model","parts":[]},"finishReason":"SAFETY","safetyRatings":[]}],"responseId":"x"})"}));
    BOOST_TEST(o.events == "START id=x model=\nTEXT c=0 Well\nFINISH c=0 content_filter\n");
    Request u = request(false);
    o = run_all_chunkings(h, u, 200, google_json_headers(),
                          R"({"promptFeedback":{"blockReason":"PROHIBITED_CONTENT"},"usageMetadata":{"promptTokenCount":9,"totalTokenCount":9},"responseId":"b"})");
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events == "START id=b model=\nFINISH c=0 content_filter\nUSAGE 9/0/0\n");
}

BOOST_AUTO_TEST_CASE(a_stream_cut_before_its_finish_is_a_protocol_error) {
    Harness h(kConfig);
    Request r = request(true);
    const Outcome o = run_all_chunkings(h, r, 200, sse_headers(), sse({
        R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}],"responseId":"t"})"}));
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(contains(o.message, "truncated"));
    const Outcome garbage = run_all_chunkings(h, r, 200, sse_headers(), "data: {\"candidates\":[1]}\r\n\r\n");
    BOOST_TEST(garbage.status == HELIX_ERR_PROTOCOL);
}

BOOST_AUTO_TEST_CASE(google_errors_map_to_retryable_or_not_with_the_upstream_message) {
    Harness h(kConfig);
    Request r = request(false);
    Outcome o = run_all_chunkings(h, r, 429, google_json_headers(), R"({"error":{"code":429,
        "message":"Resource exhausted. Please try again later.","status":"RESOURCE_EXHAUSTED",
        "details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"2.5s"}]}})");
    BOOST_TEST(o.status == HELIX_ERR_RETRY);
    BOOST_TEST(o.http_status == 429);
    BOOST_TEST(o.retry_after_ms == 2500u);
    BOOST_TEST(o.code == "RESOURCE_EXHAUSTED");
    BOOST_TEST(contains(o.message, "Resource exhausted"));

    std::vector<Header> with_retry_after = google_json_headers();
    with_retry_after.push_back({"Retry-After", "7"});
    o = h.run(r, 503, with_retry_after, R"({"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}})");
    BOOST_TEST(o.status == HELIX_ERR_RETRY);
    BOOST_TEST(o.retry_after_ms == 7000u); // the header wins over the body

    o = h.run(r, 400, google_json_headers(), R"({"error":{"code":400,"message":"Invalid value at 'contents[0]'","status":"INVALID_ARGUMENT"}})");
    BOOST_TEST(o.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(o.http_status == 400);
    BOOST_TEST(o.message == "Invalid value at 'contents[0]'");

    o = h.run(r, 403, google_json_headers(), R"({"error":{"code":403,"message":"Permission 'aiplatform.endpoints.predict' denied","status":"PERMISSION_DENIED"}})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    BOOST_TEST(o.http_status == 502);

    o = h.run(r, 401, google_json_headers(), R"({"error":{"code":401,"message":"token ya29.fixed-token-value expired","status":"UNAUTHENTICATED"}})");
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    BOOST_TEST(!contains(o.message, "ya29.fixed-token-value"));

    o = h.run(r, 502, {{"Content-Type", "text/html"}}, "<html>bad gateway</html>");
    BOOST_TEST(o.status == HELIX_ERR_RETRY);
}

BOOST_AUTO_TEST_CASE(an_error_inside_a_stream_is_the_google_error) {
    Harness h(kConfig);
    Request r = request(true);
    const Outcome o = run_all_chunkings(h, r, 200, sse_headers(), sse({
        R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Hel"}]}}],"responseId":"e"})",
        R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})"}));
    BOOST_TEST(o.status == HELIX_ERR_RETRY);
    BOOST_TEST(o.code == "UNAVAILABLE");
    BOOST_TEST(contains(o.events, "TEXT c=0 Hel"));
}

BOOST_AUTO_TEST_CASE(predict_answers_become_one_choice_with_usage) {
    Harness h(kConfig);
    Request r = request(true, "text-bison"); // a stream request: served whole
    Outcome o = run_all_chunkings(h, r, 200, google_json_headers(), R"({"predictions":[{"content":"Blue.",
        "citationMetadata":{"citations":[]},"safetyAttributes":{"categories":[],"blocked":false,"scores":[]}}],
        "metadata":{"tokenMetadata":{"inputTokenCount":{"totalTokens":6,"totalBillableCharacters":20},
                                     "outputTokenCount":{"totalTokens":2,"totalBillableCharacters":5}}}})");
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events == "START id= model=\nTEXT c=0 Blue.\nFINISH c=0 stop\nUSAGE 6/2/0\n");
    o = h.run(r, 200, google_json_headers(), R"({"predictions":[{"content":"","safetyAttributes":{"blocked":true}}],
        "metadata":{"tokenMetadata":{"input_token_count":{"total_tokens":3},"output_token_count":{"total_tokens":0}}}})");
    BOOST_TEST(o.events == "START id= model=\nFINISH c=0 content_filter\nUSAGE 3/0/0\n");
    o = h.run(r, 404, google_json_headers(), R"({"error":{"code":404,"message":"Publisher Model `text-bison` was not found","status":"NOT_FOUND"}})");
    BOOST_TEST(o.status == HELIX_ERR_UPSTREAM);
    BOOST_TEST(o.http_status == 404);
    o = h.run(r, 200, google_json_headers(), R"({"predictions":[]})");
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
}

// Gemini's thoughts and thought signatures: thought summaries -> reasoning, a
// functionCall's signature -> the tool call's signature, a text part's
// signature -> an opaque reasoning block; streamed in any chunking.
BOOST_AUTO_TEST_CASE(thoughts_and_thought_signatures_in_any_chunking) {
    Harness h(kConfig);
    Request r = request(true, "gemini-3-pro-preview");
    const std::string body = sse({
        R"({"candidates":[{"content":{"role":"model","parts":[{"text":"Planning","thought":true}]}}],"responseId":"r3","modelVersion":"gemini-3-pro-preview"})",
        R"({"candidates":[{"content":{"role":"model","parts":[{"text":" the call.","thought":true},)"
        R"({"functionCall":{"name":"weather","args":{"city":"Oslo"}},"thoughtSignature":"CiQBjz1rX+/sig=="},)"
        R"({"functionCall":{"name":"time","args":{}}}]},"finishReason":"STOP"}]})",
    });
    expect_events(h, r, 200, sse_headers(), body,
                  "START id=r3 model=gemini-3-pro-preview\n"
                  "REASON c=0 i=0 text=Planning sig= data= fmt=google-gemini-v1\n"
                  "REASON c=0 i=0 text= the call. sig= data= fmt=google-gemini-v1\n"
                  "TOOL c=0 i=0 id=call_r3_0_0 name=weather args={\"city\":\"Oslo\"}\n"
                  "TOOL c=0 i=0 id= name= args= sig=CiQBjz1rX+/sig== fmt=google-gemini-v1\n"
                  "TOOL c=0 i=1 id=call_r3_0_1 name=time args={}\n"
                  "FINISH c=0 tool_calls\n");

    Request text = request(false, "gemini-2.5-flash");
    expect_events(h, text, 200, google_json_headers(), R"({"candidates":[{"content":{"role":"model",
        "parts":[{"text":"Sunny.","thoughtSignature":"Ct0BAR+/text=="}]},"finishReason":"STOP"}],"responseId":"r4","modelVersion":"m"})",
        "START id=r4 model=m\nTEXT c=0 Sunny.\n"
        "REASON c=0 i=0 text= sig= data=Ct0BAR+/text== fmt=google-gemini-v1\nFINISH c=0 stop\n");
}
