#define BOOST_TEST_MODULE plugins_aws_bedrock_decode
#include <boost/test/unit_test.hpp>

#include "bedrock_test_support.hpp"

#include <zlib.h>

using namespace helix::test;
using namespace helix::test::bedrock;

namespace {

const std::string kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const std::string kToken = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN";
const std::string kConfig =
    R"({"access_key_id":"ASIAEXAMPLE","secret_access_key":")" + kSecret + R"(","session_token":")" + kToken + R"("})";
const std::string kModel = "anthropic.claude-3-sonnet-20240229-v1:0";

Request request(bool stream) {
    Request r;
    r.model = kModel;
    r.stream = stream;
    r.messages = {Message::user("Hi")};
    return r;
}

// A recorded-shape ConverseStream (docs/providers.md, aws-bedrock): text in block 0 (no
// contentBlockStart), a tool call in block 1, a second tool without input,
// Bedrock's "p" padding everywhere, an unknown event type in between.
std::string tool_stream() {
    return event("messageStart", R"({"p":"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0","role":"assistant"})") +
           event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Let me check"},"p":"abcd"})") +
           event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":" the weather. \u00e9\u20ac"},"p":"ab"})") +
           event("contentBlockStop", R"({"contentBlockIndex":0,"p":"abcdefgh"})") +
           event("contentBlockStart",
                 R"({"contentBlockIndex":1,"p":"abc","start":{"toolUse":{"name":"get_weather","toolUseId":"tooluse_kZJMlvQmRJ6eAyJE5GIl7Q"}}})") +
           event("contentBlockDelta", R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":""}},"p":"a"})") +
           event("contentBlockDelta", R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":"{\"city\":"}},"p":"abcdef"})") +
           event("futureEvent", R"({"anything":true})") +
           event("contentBlockDelta", R"({"contentBlockIndex":1,"delta":{"toolUse":{"input":" \"Paris\"}"}},"p":"ab"})") +
           event("contentBlockStop", R"({"contentBlockIndex":1,"p":"abcdefghij"})") +
           event("contentBlockStart",
                 R"({"contentBlockIndex":2,"start":{"toolUse":{"name":"get_time","toolUseId":"tooluse_2"}}})") +
           event("contentBlockStop", R"({"contentBlockIndex":2})") +
           event("messageStop", R"({"p":"abcdefghijklmnopqrstu","stopReason":"tool_use"})") +
           event("metadata",
                 R"({"metrics":{"latencyMs":1208},"p":"abcdefghij","usage":{"inputTokens":394,"outputTokens":82,"totalTokens":576,"cacheReadInputTokens":100}})");
}

const std::string kToolEvents = "START id=req-7f3c model=" + kModel + "\n"
                                "TEXT c=0 Let me check\n"
                                "TEXT c=0  the weather. \xC3\xA9\xE2\x82\xAC\n"
                                "TOOL c=0 i=0 id=tooluse_kZJMlvQmRJ6eAyJE5GIl7Q name=get_weather args=\n"
                                "TOOL c=0 i=0 id= name= args={\"city\":\n"
                                "TOOL c=0 i=0 id= name= args= \"Paris\"}\n"
                                "TOOL c=0 i=1 id=tooluse_2 name=get_time args=\n"
                                "TOOL c=0 i=1 id= name= args={}\n"
                                "FINISH c=0 tool_calls\n"
                                "USAGE 494/82/100\n";

std::string text_stream(const std::string &stop_reason = "end_turn") {
    return event("messageStart", R"({"role":"assistant"})") +
           event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Hello"}})") +
           event("contentBlockStop", R"({"contentBlockIndex":0})") +
           event("messageStop", R"({"stopReason":")" + stop_reason + R"("})") +
           event("metadata", R"({"usage":{"inputTokens":5,"outputTokens":1,"totalTokens":6},"metrics":{"latencyMs":9}})");
}

} // namespace

BOOST_AUTO_TEST_CASE(converse_json_with_text_and_tool_use) {
    Harness h(kConfig);
    BOOST_TEST_REQUIRE(h.plugin() != nullptr, h.create_error().message);
    Request r = request(false);
    const std::string body = R"({"output":{"message":{"role":"assistant","content":[
        {"text":"Checking."},
        {"reasoningContent":{"reasoningText":{"text":"hidden","signature":"s"}}},
        {"toolUse":{"toolUseId":"tooluse_1","name":"get_weather","input":{"city":"Paris","days":[1,2]}}},
        {"toolUse":{"toolUseId":"tooluse_2","name":"get_time","input":null}}]}},
      "stopReason":"tool_use",
      "usage":{"inputTokens":25,"outputTokens":40,"totalTokens":80,"cacheReadInputTokens":10,"cacheWriteInputTokens":5},
      "metrics":{"latencyMs":312}})";
    const Outcome o = run_all_chunkings(h, r, 200, converse_headers(), body);
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events == "START id=req-json-1 model=" + kModel + "\n"
                           "TEXT c=0 Checking.\n"
                           "REASON c=0 i=0 text=hidden sig=s data= fmt=bedrock-converse-v1\n"
                           "TOOL c=0 i=0 id=tooluse_1 name=get_weather args={\"city\":\"Paris\",\"days\":[1,2]}\n"
                           "TOOL c=0 i=1 id=tooluse_2 name=get_time args={}\n"
                           "FINISH c=0 tool_calls\n"
                           "USAGE 40/40/10\n");
}

BOOST_AUTO_TEST_CASE(stop_reasons_map_to_finish_reasons) {
    Harness h(kConfig);
    const std::vector<std::pair<std::string, std::string>> cases{
        {"end_turn", "stop"},           {"stop_sequence", "stop"},        {"max_tokens", "length"},
        {"tool_use", "tool_calls"},     {"content_filtered", "content_filter"},
        {"guardrail_intervened", "content_filter"}, {"model_context_window_exceeded", "length"},
        {"malformed_model_output", "stop"},         {"something_new", "stop"}};
    for (const auto &[reason, finish] : cases) {
        Request r = request(false);
        const Outcome json = h.run(r, 200, converse_headers(),
                                   R"({"output":{"message":{"role":"assistant","content":[{"text":"x"}]}},"stopReason":")" +
                                       reason + R"(","usage":{"inputTokens":1,"outputTokens":1,"totalTokens":2},"metrics":{"latencyMs":1}})");
        BOOST_TEST(contains(json.events, "FINISH c=0 " + finish + "\n"), reason << ": " << json.events);
        Request s = request(true);
        const Outcome stream = h.run(s, 200, stream_headers(), text_stream(reason));
        BOOST_TEST(stream.status == HELIX_OK, stream.message);
        BOOST_TEST(contains(stream.events, "FINISH c=0 " + finish + "\n"), reason << ": " << stream.events);
    }
}

BOOST_AUTO_TEST_CASE(converse_stream_frames_decode_incrementally_whatever_the_chunking) {
    Harness h(kConfig);
    Request r = request(true);
    const Outcome o = run_all_chunkings(h, r, 200, stream_headers(), tool_stream());
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events == kToolEvents);

    // Without a content type, a streamed request's body is an event stream too.
    Request again = request(true);
    const Outcome bare = h.run(again, 200, {{"x-amzn-RequestId", "req-7f3c"}}, tool_stream(), Chunking::random, 3);
    BOOST_TEST(bare.summary() == o.summary());
}

BOOST_AUTO_TEST_CASE(the_client_going_away_stops_decoding) {
    Harness h(kConfig);
    Request r = request(true);
    Prepared p = h.prepare(r);
    BOOST_TEST_REQUIRE(p.status == HELIX_OK, p.error.message);
    Recorder rec;
    rec.stop_after = 2;
    helix_error err = make_error();
    const std::string name = "content-type", value = "application/vnd.amazon.eventstream";
    std::vector<helix_header> headers{{hs(name), hs(value)}};
    const std::string body = tool_stream();
    helix_http_response resp{};
    resp.struct_size = sizeof resp;
    resp.status = 200;
    resp.headers = headers.data();
    resp.header_count = headers.size();
    resp.data = reinterpret_cast<const std::uint8_t *>(body.data());
    resp.len = body.size();
    BOOST_TEST(h.descriptor().decode(p.call, &resp, &rec.sink(), &err) == HELIX_OK);
    BOOST_TEST(rec.lines().size() == 2u);
    h.descriptor().call_free(p.call);
}

BOOST_AUTO_TEST_CASE(truncated_streams_fail_in_finish) {
    Harness h(kConfig);
    const std::string full = tool_stream();
    // Cut after messageStop (metadata missing), before messageStop, and inside a frame.
    const std::string stop_frame = event("messageStop", R"({"p":"abcdefghijklmnopqrstu","stopReason":"tool_use"})");
    const std::size_t stop_at = full.find(stop_frame);
    BOOST_TEST_REQUIRE(stop_at != std::string::npos);
    struct Case {
        std::string body, message;
    };
    const std::vector<Case> cases{
        {full.substr(0, stop_at + stop_frame.size()), "ended before its metadata event"},
        {full.substr(0, stop_at), "ended before messageStop"},
        {full.substr(0, full.size() - 7), "in the middle of a frame"},
        {"", "without any event"},
    };
    for (const Case &c : cases) {
        Request r = request(true);
        const Outcome o = run_all_chunkings(h, r, 200, stream_headers(), c.body);
        BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
        BOOST_TEST(o.failed_in_finish);
        BOOST_TEST(contains(o.message, c.message), o.message);
        BOOST_TEST(o.http_status == 502);
    }
}

BOOST_AUTO_TEST_CASE(corrupt_frames_are_protocol_errors) {
    Harness h(kConfig);
    std::string body = text_stream();
    // Flip a payload byte of the second frame: its message CRC no longer matches.
    const std::size_t first = event("messageStart", R"({"role":"assistant"})").size();
    body[first + 30] = static_cast<char>(body[first + 30] ^ 0x20);
    Request r = request(true);
    Outcome o = run_all_chunkings(h, r, 200, stream_headers(), body);
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(contains(o.message, "message checksum mismatch"), o.message);
    BOOST_TEST(o.events == "START id=req-7f3c model=" + kModel + "\n");

    std::string prelude = text_stream();
    prelude[9] = static_cast<char>(prelude[9] ^ 1); // prelude CRC of the first frame
    o = run_all_chunkings(h, r, 200, stream_headers(), prelude);
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(contains(o.message, "prelude checksum mismatch"), o.message);

    // A valid frame whose payload is not JSON, and one without :event-type.
    o = run_all_chunkings(h, r, 200, stream_headers(), event("contentBlockDelta", "{not json"));
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
    helix::aws::Message untyped;
    untyped.headers.push_back({":message-type", std::string("event")});
    untyped.payload = "{}";
    o = run_all_chunkings(h, r, 200, stream_headers(), frame(untyped));
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(contains(o.message, ":event-type"), o.message);

    // Tool input for a block that never started as toolUse.
    o = run_all_chunkings(h, r, 200, stream_headers(),
                          event("contentBlockDelta", R"({"contentBlockIndex":3,"delta":{"toolUse":{"input":"{}"}}})"));
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
    o = run_all_chunkings(h, r, 200, stream_headers(),
                          event("contentBlockDelta", R"({"contentBlockIndex":99999,"delta":{"text":"x"}})"));
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
}

BOOST_AUTO_TEST_CASE(oversized_frames_are_refused_before_they_are_buffered) {
    Harness h(kConfig);
    // A prelude announcing a 64 MiB frame, with a valid prelude CRC.
    std::string big = event("metadata", "{}");
    const std::uint32_t total = 64u << 20;
    big[0] = static_cast<char>(total >> 24);
    big[1] = static_cast<char>((total >> 16) & 0xFF);
    big[2] = static_cast<char>((total >> 8) & 0xFF);
    big[3] = static_cast<char>(total & 0xFF);
    const std::uint32_t crc = static_cast<std::uint32_t>(::crc32(0, reinterpret_cast<const Bytef *>(big.data()), 8));
    for (int i = 0; i < 4; ++i) big[8 + static_cast<std::size_t>(i)] = static_cast<char>((crc >> (24 - 8 * i)) & 0xFF);
    Request r = request(true);
    const Outcome o = run_all_chunkings(h, r, 200, stream_headers(), big.substr(0, 12));
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
    BOOST_TEST(contains(o.message, "message too long"), o.message);
    BOOST_TEST(!o.failed_in_finish);
}

BOOST_AUTO_TEST_CASE(exception_frames_map_to_retryable_or_final_errors) {
    Harness h(kConfig);
    struct Case {
        std::string type;
        helix_status status;
        int http;
    };
    const std::vector<Case> cases{
        {"throttlingException", HELIX_ERR_RETRY, 429},
        {"serviceUnavailableException", HELIX_ERR_RETRY, 503},
        {"modelStreamErrorException", HELIX_ERR_RETRY, 503},
        {"internalServerException", HELIX_ERR_RETRY, 500},
        {"modelTimeoutException", HELIX_ERR_RETRY, 408},
        {"validationException", HELIX_ERR_UPSTREAM, 400},
        {"accessDeniedException", HELIX_ERR_AUTH, 502},
        {"serviceQuotaExceededException", HELIX_ERR_UPSTREAM, 502},
        {"someNewException", HELIX_ERR_UPSTREAM, 502},
    };
    for (const Case &c : cases) {
        const std::string body = event("messageStart", R"({"role":"assistant"})") +
                                 event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"text":"Hel"}})") +
                                 exception(c.type, R"({"message":"Something went wrong with )" + kToken +
                                                       R"(\nand more lines","originalStatusCode":500})");
        Request r = request(true);
        const Outcome o = run_all_chunkings(h, r, 200, stream_headers(), body);
        BOOST_TEST(o.status == c.status, c.type);
        BOOST_TEST(o.http_status == c.http, c.type);
        BOOST_TEST(!o.failed_in_finish, c.type);
        BOOST_TEST(o.events == "START id=req-7f3c model=" + kModel + "\nTEXT c=0 Hel\n", c.type);
        BOOST_TEST(contains(o.message, "Something went wrong"), c.type << ": " << o.message);
        BOOST_TEST(!contains(o.message, kToken), c.type << ": " << o.message);
        BOOST_TEST(!contains(o.message, "more lines"), c.type << ": " << o.message);
    }
    // An unmodeled error frame (:message-type error).
    helix::aws::Message error;
    error.headers.push_back({":message-type", std::string("error")});
    error.headers.push_back({":error-code", std::string("ThrottlingException")});
    error.headers.push_back({":error-message", std::string("Rate exceeded")});
    Request r = request(true);
    const Outcome o = run_all_chunkings(h, r, 200, stream_headers(), frame(error));
    BOOST_TEST(o.status == HELIX_ERR_RETRY);
    BOOST_TEST(contains(o.message, "Rate exceeded"));
}

BOOST_AUTO_TEST_CASE(http_errors_use_x_amzn_errortype_then_the_body) {
    Harness h(kConfig);
    struct Case {
        int status;
        std::vector<Header> headers;
        std::string body;
        helix_status expect;
        int http;
        std::string message;
    };
    const std::vector<Case> cases{
        {429, error_headers("ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"),
         R"({"message":"Too many tokens, please wait before trying again."})", HELIX_ERR_RETRY, 429,
         "Too many tokens, please wait before trying again. (ThrottlingException)"},
        {400, error_headers("ValidationException"), R"({"message":"Malformed input request: extraneous key"})",
         HELIX_ERR_UPSTREAM, 400, "Malformed input request: extraneous key"},
        {400, {{"content-type", "application/json"}}, R"({"__type":"com.amazonaws.bedrockruntime#ValidationException","Message":"bad"})",
         HELIX_ERR_UPSTREAM, 400, "bad"},
        {404, error_headers("ResourceNotFoundException"), R"({"message":"Could not resolve the foundation model"})",
         HELIX_ERR_UPSTREAM, 404, "Could not resolve the foundation model"},
        {503, error_headers("ServiceUnavailableException"), R"({"message":"Service unavailable"})", HELIX_ERR_RETRY, 503,
         "Service unavailable (ServiceUnavailableException)"},
        {500, error_headers("InternalServerException"), "not json", HELIX_ERR_RETRY, 500,
         "Bedrock is temporarily unavailable (InternalServerException)"},
        {408, error_headers("ModelTimeoutException"), R"({"message":"Model timed out"})", HELIX_ERR_RETRY, 408,
         "Model timed out (ModelTimeoutException)"},
        {424, error_headers("ModelErrorException"), R"({"message":"The model failed","originalStatusCode":500})",
         HELIX_ERR_UPSTREAM, 502, "The model failed (ModelErrorException, not retried)"},
        {400, error_headers("ServiceQuotaExceededException"), R"({"message":"Quota"})", HELIX_ERR_UPSTREAM, 502,
         "Quota (ServiceQuotaExceededException, not retried)"},
        {403, error_headers("AccessDeniedException"),
         R"({"message":"You don't have access to the model with the specified model ID."})", HELIX_ERR_AUTH, 502,
         "Bedrock refused the gateway's AWS credentials or their permissions (HTTP 403, AccessDeniedException): You "
         "don't have access to the model with the specified model ID."},
        {502, {}, "<html>bad gateway</html>", HELIX_ERR_RETRY, 502, "Bedrock answered HTTP 502"},
        {413, {}, R"({"message":"Request too large"})", HELIX_ERR_UPSTREAM, 413, "Request too large"},
    };
    for (const Case &c : cases) {
        for (const bool stream : {false, true}) {
            Request r = request(stream);
            const Outcome o = run_all_chunkings(h, r, c.status, c.headers, c.body);
            BOOST_TEST(o.status == c.expect, c.status << " " << c.body);
            BOOST_TEST(o.http_status == c.http, c.status << " " << c.body);
            BOOST_TEST(o.message == c.message);
            BOOST_TEST(o.events.empty());
        }
    }
    // Retry-After is kept on throttling.
    Request r = request(false);
    std::vector<Header> headers = error_headers("ThrottlingException");
    headers.push_back({"Retry-After", "7"});
    const Outcome o = h.run(r, 429, headers, R"({"message":"slow down"})");
    BOOST_TEST(o.retry_after_ms == 7000u);
}

BOOST_AUTO_TEST_CASE(signature_mismatch_messages_lose_the_canonical_request_and_secrets) {
    Harness h(kConfig);
    Request r = request(false);
    const std::string body = R"({"message":"The request signature we calculated does not match the signature you provided.\n\n)"
                             R"(The Canonical String for this request should have been\n'POST\n/model/x/converse\n\n)"
                             R"(x-amz-security-token:)" + kToken + R"(\n'"})";
    const Outcome o = h.run(r, 403, error_headers("InvalidSignatureException"), body);
    BOOST_TEST(o.status == HELIX_ERR_AUTH);
    BOOST_TEST(!contains(o.message, kToken));
    BOOST_TEST(!contains(o.message, "Canonical"));
    BOOST_TEST(contains(o.message, "InvalidSignatureException"));
    BOOST_TEST(contains(o.message, "The request signature we calculated does not match"));
}

BOOST_AUTO_TEST_CASE(malformed_converse_bodies_are_protocol_errors) {
    Harness h(kConfig);
    for (const std::string &body : {std::string(R"({"output":{}})"), std::string(R"([1,2])"),
                                   std::string(R"({"output":{"message":{"content":[1]}}})"),
                                   std::string(R"({"output":{"message":{"content":[]}})"), std::string("")}) {
        Request r = request(false);
        const Outcome o = run_all_chunkings(h, r, 200, converse_headers(), body);
        BOOST_TEST(o.status == HELIX_ERR_PROTOCOL, body);
    }
    // Server-sent events are not Bedrock's.
    Request r = request(true);
    const Outcome o = h.run(r, 200, sse_headers(), "data: {}\n\n");
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL);
}

BOOST_AUTO_TEST_CASE(an_event_stream_answering_a_non_streamed_request_is_a_protocol_error) {
    Harness h(kConfig);
    Request r = request(false);
    const Outcome o = h.run(r, 200, stream_headers(), text_stream());
    BOOST_TEST(o.status == HELIX_ERR_PROTOCOL, o.message);
    BOOST_TEST(o.message.find("non-streamed request with an event stream") != std::string::npos, o.message);
    BOOST_TEST(o.events.find("TEXT") == std::string::npos, o.events);
}

BOOST_AUTO_TEST_CASE(token_counts_near_int64_max_saturate_instead_of_overflowing) {
    Harness h(kConfig);
    Request r = request(false);
    const std::string body = R"({"output":{"message":{"role":"assistant","content":[{"text":"x"}]}},
      "stopReason":"end_turn",
      "usage":{"inputTokens":9223372036854775807,"outputTokens":2,"cacheReadInputTokens":9223372036854775807,
               "cacheWriteInputTokens":3}})";
    const Outcome o = run_all_chunkings(h, r, 200, converse_headers(), body);
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events.find("USAGE 9223372036854775807/2/9223372036854775807\n") != std::string::npos, o.events);
}

// Claude's reasoning through Converse: reasoningContent text deltas, the
// signature, redacted content; whole or streamed, every opaque byte passed on.
BOOST_AUTO_TEST_CASE(reasoning_content_streamed_and_whole_in_any_chunking) {
    Harness h(kConfig);
    Request r = request(true);
    const std::string stream =
        event("messageStart", R"({"role":"assistant"})") +
        event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"Let me "}}})") +
        event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"text":"think."}}})") +
        event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"reasoningContent":{"signature":"EqQBCg+/sig=="}}})") +
        event("contentBlockStop", R"({"contentBlockIndex":0})") +
        event("contentBlockDelta", R"({"contentBlockIndex":1,"delta":{"reasoningContent":{"redactedContent":"cmVkYWN0ZWQ="}}})") +
        event("contentBlockStop", R"({"contentBlockIndex":1})") +
        event("contentBlockDelta", R"({"contentBlockIndex":2,"delta":{"text":"Hi"}})") +
        event("contentBlockStop", R"({"contentBlockIndex":2})") +
        event("messageStop", R"({"stopReason":"end_turn"})") +
        event("metadata", R"({"usage":{"inputTokens":5,"outputTokens":9,"totalTokens":14},"metrics":{"latencyMs":9}})");
    const Outcome o = run_all_chunkings(h, r, 200, stream_headers(), stream);
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events == "START id=req-7f3c model=" + kModel + "\n"
                           "REASON c=0 i=0 text=Let me  sig= data= fmt=bedrock-converse-v1\n"
                           "REASON c=0 i=0 text=think. sig= data= fmt=bedrock-converse-v1\n"
                           "REASON c=0 i=0 text= sig=EqQBCg+/sig== data= fmt=bedrock-converse-v1\n"
                           "REASON c=0 i=1 text= sig= data=cmVkYWN0ZWQ= fmt=bedrock-converse-v1\n"
                           "TEXT c=0 Hi\nFINISH c=0 stop\nUSAGE 5/9/0\n");

    Request whole = request(false);
    const Outcome w = run_all_chunkings(h, whole, 200, converse_headers(), R"({"output":{"message":{"role":"assistant","content":[
        {"reasoningContent":{"reasoningText":{"text":"Let me think.","signature":"EqQBCg+/sig=="}}},
        {"reasoningContent":{"redactedContent":"cmVkYWN0ZWQ="}},{"text":"Hi"}]}},
        "stopReason":"end_turn","usage":{"inputTokens":5,"outputTokens":9,"totalTokens":14}})");
    BOOST_TEST(w.status == HELIX_OK, w.message);
    BOOST_TEST(contains(w.events, "REASON c=0 i=0 text=Let me think. sig=EqQBCg+/sig== data= fmt=bedrock-converse-v1\n"
                                  "REASON c=0 i=1 text= sig= data=cmVkYWN0ZWQ= fmt=bedrock-converse-v1\nTEXT c=0 Hi\n"),
               w.events);
}

// Structured output on Claude: the answer tool's input streams as text.
BOOST_AUTO_TEST_CASE(the_answer_tool_decodes_as_text) {
    Harness h(kConfig);
    Request r = request(true);
    r.response_format = HELIX_FORMAT_JSON_OBJECT;
    const std::string stream =
        event("messageStart", R"({"role":"assistant"})") +
        event("contentBlockStart", R"({"contentBlockIndex":0,"start":{"toolUse":{"name":"json_response","toolUseId":"t1"}}})") +
        event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"toolUse":{"input":"{\"n\":"}}})") +
        event("contentBlockDelta", R"({"contentBlockIndex":0,"delta":{"toolUse":{"input":"1}"}}})") +
        event("contentBlockStop", R"({"contentBlockIndex":0})") +
        event("messageStop", R"({"stopReason":"tool_use"})") +
        event("metadata", R"({"usage":{"inputTokens":5,"outputTokens":3,"totalTokens":8},"metrics":{"latencyMs":9}})");
    const Outcome o = run_all_chunkings(h, r, 200, stream_headers(), stream);
    BOOST_TEST(o.status == HELIX_OK, o.message);
    BOOST_TEST(o.events == "START id=req-7f3c model=" + kModel + "\nTEXT c=0 {\"n\":\nTEXT c=0 1}\nFINISH c=0 stop\nUSAGE 5/3/0\n");

    Request whole = request(false);
    whole.response_format = HELIX_FORMAT_JSON_OBJECT;
    const Outcome w = run_all_chunkings(h, whole, 200, converse_headers(), R"({"output":{"message":{"role":"assistant","content":[
        {"toolUse":{"toolUseId":"t1","name":"json_response","input":{"n":1}}}]}},"stopReason":"tool_use",
        "usage":{"inputTokens":5,"outputTokens":3,"totalTokens":8}})");
    BOOST_TEST(contains(w.events, "TEXT c=0 {\"n\":1}\nFINISH c=0 stop\n"), w.events);
}
